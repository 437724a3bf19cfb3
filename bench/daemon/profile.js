// `node bench/daemon/profile.js` (after `npm run build`): where thwonkd's time goes under the one-list bench's load, per
// thread, from V8's own sampling profiler (node --cpu-prof, which writes a profile for each thread: the event loop, each
// sandbox worker, the outbox writer, the checkpointer). thwonkd is seeded with seed.js's one-member forwarding list,
// warmed (BENCH_WARM messages), then profiled over BENCH_MESSAGES more from smtp-source (10 sessions, reused
// connections), and stopped. For each thread with work: its share of the time busy, the functions with the most
// time of their own, and that time by where the code lives (thwonkd's modules, smtp-server, SQLite, QuickJS's
// WebAssembly, Node's internals, the garbage collector). The profiler's own cost inflates the absolute times a
// little: compare the shares. BENCH_KEEP=1 keeps the profiles (their folder is printed). Environment: BENCH_MESSAGES
// (10000), BENCH_WARM (3000), BENCH_TOP (15), BENCH_DATA (where the data goes; the system's temporary folder if unset).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { smtpSource, startServer } from "./launch.js";
import { seed } from "./seed.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10000);
const WARM = Number(process.env.BENCH_WARM ?? 3000);
const TOP = Number(process.env.BENCH_TOP ?? 15);

/** Where a function's code lives, from its script's URL and name. */
function place(url, name) {
  if (name === "(garbage collector)") return "garbage collector";
  if (name === "(program)" || name === "(idle)") return name.slice(1, -1);
  if (url.startsWith("wasm://")) return "QuickJS (WebAssembly)";
  if (url.includes("node_modules/smtp-server")) return "smtp-server";
  if (url.includes("node_modules/better-sqlite3")) return "better-sqlite3";
  if (/node_modules\/(quickjs|@jitl)/.test(url)) return "quickjs-emscripten";
  if (url.includes("node_modules/")) return `node_modules/${url.split("node_modules/")[1].split("/")[0]}`;
  const m = /\/dist\/(runtime\/[a-z-]+|[a-z-]+)\//.exec(url);
  if (m) return `thwonkd ${m[1]}/`;
  if (url.startsWith("node:")) return "Node's internals";
  return url === "" ? "native (no script: a call into C++, e.g. a post, a write, SQLite)" : url;
}

/** Self time per function and per place, in µs, from a .cpuprofile. */
function summarize(file) {
  const p = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const fn = new Map();
  const at = new Map();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]);
    const us = p.timeDeltas[i] ?? 0;
    total += us;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === "(idle)") {
      idle += us;
      continue;
    }
    const key = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(dist|node_modules)\//, "$1/")}:${lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const where = place(url, functionName);
    at.set(where, (at.get(where) ?? 0) + us);
  }
  return { total, busy: total - idle, fn, at };
}

const work = mkdtempSync(join(process.env.BENCH_DATA ?? tmpdir(), "thwonkd-profile-"));
try {
  const data = join(work, "data");
  const profiles = join(work, "profiles");
  await seed(data, { lists: 1 });
  const server = await startServer([join(root, "bin", "thwonkd.js"), "--data", data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--domain", "lists.localhost"], {
    flags: ["--single-threaded-gc", "--cpu-prof", `--cpu-prof-dir=${profiles}`],
  });
  // The profiles cover each thread's whole life, the start and the warm-up too: a message's share is over both counts.
  await smtpSource(server.port, WARM);
  const { rate } = await smtpSource(server.port, MESSAGES);
  const exited = new Promise((r) => server.proc.on("exit", r));
  server.proc.kill("SIGTERM");
  await exited;
  console.log(`thwonkd, one list, ${MESSAGES} messages after ${WARM} (both in the profiles): ${rate.toFixed(0)} msg/s under the profiler`);
  const files = readdirSync(profiles).filter((f) => f.endsWith(".cpuprofile")).sort();
  for (const f of files) {
    const s = summarize(join(profiles, f));
    if (s.busy < 0.02 * s.total) continue;
    const thread = Number(f.split(".")[4]) === 0 ? "the event loop" : `thread ${f.split(".")[4]}`;
    const perMessage = s.busy / (MESSAGES + WARM);
    console.log(`\n${thread}: busy ${((100 * s.busy) / s.total).toFixed(0)}% of its life, ${perMessage.toFixed(0)} µs a message (warm-up included)`);
    const show = (m) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, TOP)
        .map(([k, us]) => `  ${((100 * us) / s.busy).toFixed(1).padStart(5)}%  ${k}`)
        .join("\n");
    console.log(`  by where the code lives (share of its busy time):\n${show(s.at)}`);
    console.log(`  functions with the most time of their own:\n${show(s.fn)}`);
  }
  if (process.env.BENCH_KEEP) console.log(`\nprofiles kept in ${profiles}`);
} finally {
  if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
}
