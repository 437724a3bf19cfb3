// `node bench/state/loadsave.js` (after `npm run build`): what loading and saving
// state costs a run, through the real sandbox (runBundle, a one-off sandbox per
// run, as `thwonkc run` does). The rule's trigger does almost nothing; its state
// is a `Map<string max 40, Time> max 100000` (address keys and time values are the
// dearest to load and save) filled with N entries. Prints, per N, the median
// wall time of BENCH_RUNS (default 5) runs, the gas used and the bound, or the
// error. Measured once by hand for bench/RESULTS.md ("Issue 12: state load and save").
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// BENCH_ROOT: another checkout (built), to measure its code with the same script.
const root = process.env.BENCH_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const load = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { compileSource } = await load("compiler/emit/bundle.js");
const { runBundle } = await load("runtime/run/run-rule.js");

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = (process.env.BENCH_SIZES ?? "0,10000,60000,99999,100000").split(",").map(Number);
const src = `rule big
limits { memory: 512 * 1024 * 1024, budget: 2000000 }
state {
  seen: Map<string max 40, Time> max 100000 = {}
}
on message(m: Message) {
  state.seen.remove(m.subject)
}
`;
const c = compileSource("big.thwonk", src);
if (!c.bundle) throw new Error(JSON.stringify(c.diagnostics, null, 1));
const bundle = c.bundle;
const words = { describeRuleError: (e) => ({ code: e.code, message: JSON.stringify(e.args), line: e.line, column: e.column }) };
const now = Date.UTC(2026, 10, 25, 12);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`bound ${bundle.manifest.triggers[0].gasBound} gas`);
for (const n of SIZES) {
  const seen = {};
  for (let i = 0; i < n; i++) seen[`member${i}@example.org`] = new Date(now - i * 1000).toISOString();
  const input = {
    now, tz: [], list: { address: "list@example.org", name: "List", owners: [] },
    members: [{ address: "ann@example.org", name: "Ann", role: "owner", joined: now }],
    state: { seen }, limits: { members: 10, logs: 100, page: 20 },
    message: {
      from: "ann@example.org", to: ["list@example.org"], cc: [], subject: "Hi", text: "Hi", html: null, headers: [["From", "ann@example.org"]],
      attachments: [], date: null, messageId: "m@example.org", envelope: { sender: "ann@example.org", recipient: "list@example.org", isRequest: false, tag: null },
    },
  };
  const times = [];
  let last;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    last = await runBundle(bundle, { trigger: "message", input }, words);
    times.push(performance.now() - t0);
  }
  const kept = last.state ? Object.keys(last.state.seen).length : null;
  console.log(`${String(n).padStart(7)} entries: ${median(times).toFixed(0).padStart(6)} ms  gas ${last.gas.used} of ${last.gas.bound}  ${last.error ? last.error.code + " " + last.error.message : "ok, " + kept + " kept"}`);
}
