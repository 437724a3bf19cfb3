// `node bench/daemon/threads.js NAME=BIN ...` (after `npm run build`): the CPU each thread of each server uses per
// message under smtp-source, for several builds in one run (interleaved rounds: the machine is shared, so compare
// within a round). BIN is a thwonkd's bin/thwonkd.js (seeded with seed.js's one-member forwarding list) or
// bench/daemon/bare.js or floor.js. Per server and round: smtp-source's rate with reused connections, then its CPU per message
// from /proc/PID/task/*/stat: all threads, the event loop's (MAIN), and the busiest other threads by id; and the
// voluntary context switches per message (/proc/PID/task/*/status: each is a sleep, so a wake, of that thread).
// Each thwonkd is seeded with its own build's seed.js (an older build refuses a newer schema). Environment:
// BENCH_MESSAGES (3000), BENCH_WARM (2000), BENCH_ROUNDS (3), BENCH_SESSIONS (10), BENCH_DATA (the folder the data
// goes under; the system's temporary folder if unset: see run.js on quiet folders), BENCH_KEEP=1 (keep the data).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { smtpSource, startServer } from "./launch.js";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3000);
const WARM = Number(process.env.BENCH_WARM ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10);
// NAME=BIN[:ARG], each followed by the node flags to run it with if any (`bare-gc=bench/daemon/bare.js
// --single-threaded-gc`); ARG is given to a baseline (`floor=bench/daemon/floor.js:files`).
const servers = [];
for (const a of process.argv.slice(2)) {
  if (a.startsWith("--")) servers.at(-1).flags.push(a);
  else {
    const [name, spec] = a.split("=");
    const [bin, arg] = spec.split(/(?<=\.js):/);
    servers.push({ name, bin, arg, flags: [] });
  }
}
if (servers.length === 0) throw new Error("give NAME=BIN for each server to measure");

/** CPU ms of each thread of a process so far. */
function threads(pid) {
  const out = new Map();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const f = readFileSync(`/proc/${pid}/task/${t}/stat`, "utf8").split(") ")[1].split(" ");
      out.set(t, (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** Voluntary context switches (a thread going to sleep: each is a wake to come) of each thread of a process so far. */
function switches(pid) {
  const out = new Map();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(t, Number(/\nvoluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${t}/status`, "utf8"))[1]));
    } catch {
      // the thread ended
    }
  }
  return out;
}

const work = mkdtempSync(join(process.env.BENCH_DATA ?? tmpdir(), "thwonkd-threads-"));
const f = (x) => x.toFixed(3);
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const s of servers) {
      let args = s.arg === undefined ? [s.bin] : [s.bin, s.arg];
      if (!/(bare|floor)\.js$/.test(s.bin)) {
        const data = join(work, `${s.name}-${round}`);
        const { seed } = await import(pathToFileURL(join(dirname(s.bin), "..", "bench", "daemon", "seed.js")).href);
        await seed(data, { lists: 1 });
        args = [s.bin, "--data", data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--domain", "lists.localhost"];
      }
      const server = await startServer(args, { flags: s.flags, env: { TMPDIR: work } });
      await smtpSource(server.port, WARM, { sessions: SESSIONS });
      const t0 = threads(server.proc.pid);
      const v0 = switches(server.proc.pid);
      const { rate } = await smtpSource(server.port, MESSAGES, { sessions: SESSIONS });
      const t1 = threads(server.proc.pid);
      const v1 = switches(server.proc.pid);
      const exited = new Promise((r) => server.proc.on("exit", r));
      server.proc.kill("SIGTERM");
      await exited;
      const per = [...t1].map(([t, ms]) => [t, (ms - (t0.get(t) ?? 0)) / MESSAGES]);
      const total = per.reduce((a, [, x]) => a + x, 0);
      const main = per.find(([t]) => t === String(server.proc.pid))?.[1] ?? 0;
      const others = per.filter(([t, x]) => t !== String(server.proc.pid) && x > 0).sort((a, b) => b[1] - a[1]);
      const sw = [...v1].map(([t, n]) => [t, (n - (v0.get(t) ?? 0)) / MESSAGES]).filter(([, x]) => x > 0);
      const swMain = sw.find(([t]) => t === String(server.proc.pid))?.[1] ?? 0;
      const swOf = (t) => sw.find(([u]) => u === t)?.[1] ?? 0;
      const g = (x) => x.toFixed(2);
      console.log(`round ${round} ${s.name}: ${rate.toFixed(0)} msg/s; CPU ms/msg: all ${f(total)}, MAIN ${f(main)}, others ${others.slice(0, 4).map(([, x]) => f(x)).join(" ")}${others.length > 4 ? " ..." : ""}; load ${loadavg()[0].toFixed(1)}`);
      console.log(`  voluntary switches/msg: all ${g(sw.reduce((a, [, x]) => a + x, 0))}, MAIN ${g(swMain)}, others (as above) ${others.slice(0, 4).map(([t]) => g(swOf(t))).join(" ")}; the busiest by switches ${sw.sort((a, b) => b[1] - a[1]).slice(0, 3).map(([t, x]) => `${g(x)} (${f(per.find(([u]) => u === t)?.[1] ?? 0)} ms)`).join(" ")}`);
    }
  }
} finally {
  if (process.env.BENCH_KEEP !== "1") rmSync(work, { recursive: true, force: true });
}
