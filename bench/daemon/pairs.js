// `node bench/daemon/pairs.js A=BIN B=BIN` (after `npm run build`): which of two thwonkd builds takes the one-list
// bench's mail faster, on a machine whose speed drifts (these: the same CPU loop takes 0.55-1.06 s within 15
// minutes, and a bare server's rate moves 2x). Both daemons run at once, each seeded with its build's seed.js
// one-member forwarding list; smtp-source bursts (reused connections) go to one, then the other, in pairs, the
// order swapped each pair, so that each pair's two rates are taken a few seconds apart on the same machine. Prints
// each pair's rates and B/A, then the median of B/A and how many pairs B won. A/A runs of one build gave a median
// of 0.98-1.02 here, so a difference under ~4% is not one. BIN is a build's bin/thwonkd.js (an executable with its
// own `#!` line, or a file run under this node), optionally with `@VAR=VALUE,...`: environment variables that daemon
// is started with (a setting of one build against its default). Environment: BENCH_PAIRS (8), BENCH_MESSAGES (2000 a burst),
// BENCH_WARM (3000 each first), BENCH_SESSIONS (10), BENCH_DATA (where the data goes; the system's temporary
// folder if unset: see run.js on quiet folders).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { smtpSource, startServer } from "./launch.js";

const PAIRS = Number(process.env.BENCH_PAIRS ?? 8);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const WARM = Number(process.env.BENCH_WARM ?? 3000);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10);

// NAME=BIN, or NAME=BIN@VAR=VALUE,VAR=VALUE: that daemon started with those environment variables besides (one build
// against itself with a setting changed: `A=bin/thwonkd.js B=bin/thwonkd.js@THWONKD_WORKERS=1`).
const builds = process.argv.slice(2).map((a) => {
  const eq = a.indexOf("=");
  const [bin, vars] = a.slice(eq + 1).split("@");
  const env = Object.fromEntries((vars ?? "").split(",").filter(Boolean).map((v) => [v.slice(0, v.indexOf("=")), v.slice(v.indexOf("=") + 1)]));
  return { name: a.slice(0, eq), bin, env };
});
if (builds.length !== 2 || builds.some((b) => malformed(b) || !b.bin)) throw new Error("give two builds: A=BIN B=BIN[@VAR=VALUE,...]");
function malformed(b) {
  return b.name === "" || Object.keys(b.env).some((k) => k === "");
}

const work = mkdtempSync(join(process.env.BENCH_DATA ?? tmpdir(), "thwonkd-pairs-"));
const servers = [];
try {
  for (const [i, b] of builds.entries()) {
    const data = join(work, String(i));
    const { seed } = await import(pathToFileURL(join(dirname(b.bin), "..", "bench", "daemon", "seed.js")).href);
    await seed(data, { lists: 1 });
    servers.push(await startServer([b.bin, "--data", data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--domain", "lists.localhost"], { env: b.env }));
  }
  for (const s of servers) await smtpSource(s.port, WARM, { sessions: SESSIONS });
  const ratios = [];
  for (let pair = 1; pair <= PAIRS; pair++) {
    const rates = [0, 0];
    const order = pair % 2 ? [0, 1] : [1, 0];
    for (const k of order) rates[k] = (await smtpSource(servers[k].port, MESSAGES, { sessions: SESSIONS })).rate;
    ratios.push(rates[1] / rates[0]);
    console.log(`pair ${pair}: ${builds[0].name} ${rates[0].toFixed(0)}/s, ${builds[1].name} ${rates[1].toFixed(0)}/s, ${builds[1].name}/${builds[0].name} ${(rates[1] / rates[0]).toFixed(3)}`);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  console.log(`median ${builds[1].name}/${builds[0].name} ${median.toFixed(3)}; ${builds[1].name} faster in ${ratios.filter((r) => r > 1).length} of ${ratios.length} pairs`);
} finally {
  for (const s of servers) {
    const exited = new Promise((r) => s.proc.on("exit", r));
    s.proc.kill("SIGTERM");
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
}
