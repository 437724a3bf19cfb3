// `npm run bench:gas` (after `npm run build`): the calibration of issue 11. For every
// operation and built-in of the stdlib at its largest allowed input (the cases of
// test/runtime/gas-cases.ts), the wall time per unit of gas on real QuickJS through the
// real sandbox (a warm reused context, as the daemon runs it), as a ratio to a reference
// operation (int arithmetic in a loop) measured in the same process: the ratios hold on
// a noisy machine, the ns/gas do not. Each case's fixed cost (reading the input, the empty
// loops) is taken off, time and gas, by running the rule with an empty loop body on the same
// input; the best of BENCH_RUNS (default 3) runs is kept.
//
// Prints the table, the worst ratio and the average, and the ns per gas the time limit
// should assume (runtime/sandbox/time-limit.ts NS_PER_GAS). BENCH_GAS_WRITE=1 replaces
// the "Issue 11: gas calibration" table in bench/RESULTS.md (the notes around it stay).
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const load = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { GAS_CASES, compileCase, inputOf, runCase } = await load("test/runtime/gas-cases.js");
const { Engine } = await load("runtime/sandbox/engine.js");
const { resolveLimits } = await load("runtime/sandbox/types.js");
const { NS_PER_GAS } = await load("runtime/sandbox/time-limit.js").catch(() => ({ NS_PER_GAS: undefined }));

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// BENCH_ONLY: a comma-separated list of parts of case names (the reference always runs).
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(",") : undefined;
const engine = new Engine({ limits: resolveLimits({ timeLimitMs: 600_000, memoryLimitBytes: 256 * 2 ** 20 }), strategy: "reuse" });
await engine.warmUp();

async function best(cc, input, id) {
  let r;
  let ms = Infinity;
  for (let i = 0; i <= RUNS; i++) {
    r = await runCase(engine, cc, input, id, 600_000);
    if (i > 0) ms = Math.min(ms, r.wallMs); // the first run loads the bundle
  }
  return { ...r, wallMs: ms };
}

const rows = [];
for (const c of GAS_CASES) {
  if (only && !only.some((o) => c.name.includes(o)) && !c.name.startsWith("reference")) continue;
  const cc = compileCase(c);
  if (!cc.bundle) {
    rows.push({ name: c.name, refused: cc.refused[0] });
    continue;
  }
  const input = inputOf(cc);
  const empty = compileCase({ ...c, source: undefined, pre: "", body: "", post: "", decls: c.source ? "" : c.decls, trigger: "message", limits: c.limits });
  const base = empty.bundle ? await best(empty, input, `${c.name} (empty)`) : { wallMs: 0, gasUsed: 0 };
  const r = await best(cc, input, c.name);
  // What the operation adds to the empty loop: its time over its gas.
  const ms = Math.max(0, r.wallMs - (c.source ? 0 : base.wallMs));
  const gas = r.gasUsed - (c.source ? 0 : base.gasUsed ?? 0);
  rows.push({ name: c.name, bound: cc.bound, gas: r.gasUsed, error: r.error, ms, nsPerGas: gas > 0 ? (ms * 1e6) / gas : 0 });
  process.stderr.write(`${c.name}: ${ms.toFixed(1)} ms, ${gas} gas\n`);
}

const ref = rows.find((r) => r.name.startsWith("reference"));
const measured = rows.filter((r) => r.nsPerGas !== undefined && r.gas > 0);
const avg = measured.reduce((s, r) => s + r.nsPerGas, 0) / measured.length;
const worst = measured.reduce((a, b) => (b.nsPerGas > a.nsPerGas ? b : a));
const fmt = (n, d = 1) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const lines = [];
lines.push("| operation (largest input) | gas used | bound | ms | ns/gas | ÷ reference | ÷ average |");
lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  if (r.refused) lines.push(`| ${r.name} | refused by check: ${r.refused.slice(0, 80)} | | | | | |`);
  else lines.push(`| ${r.name}${r.error ? ` (${r.error})` : ""} | ${r.gas.toLocaleString("en-US")} | ${r.bound.toLocaleString("en-US")} | ${fmt(r.ms)} | ${fmt(r.nsPerGas)} | ${fmt(r.nsPerGas / ref.nsPerGas, 2)} | ${fmt(r.nsPerGas / avg, 2)} |`);
}
const summary = [
  `Reference ${fmt(ref.nsPerGas)} ns/gas; average ${fmt(avg)} ns/gas (${fmt(avg / ref.nsPerGas, 2)}× the reference); ` +
    `slowest: ${worst.name}, ${fmt(worst.nsPerGas)} ns/gas = ${fmt(worst.nsPerGas / avg, 2)}× the average, ${fmt(worst.nsPerGas / ref.nsPerGas, 2)}× the reference.`,
  NS_PER_GAS !== undefined ? `The time limit assumes ${NS_PER_GAS} ns/gas (runtime/sandbox/time-limit.ts): ${fmt(NS_PER_GAS / worst.nsPerGas, 1)}× the slowest measured here, before its own 10× margin.` : "",
].filter(Boolean);
const table = lines.join("\n");
console.log(table);
console.log(summary.join("\n"));
const machine = `${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`;
console.log(machine);

if (process.env.BENCH_GAS_WRITE === "1" && !only) {
  const path = join(root, "bench", "RESULTS.md");
  const text = readFileSync(path, "utf8");
  const start = "<!-- gas-calibration:start -->", end = "<!-- gas-calibration:end -->";
  const block = `${start}\n${new Date().toISOString().slice(0, 10)}, ${machine}. \`npm run bench:gas\`:\n\n${table}\n\n${summary.join("\n")}\n${end}`;
  const i = text.indexOf(start), j = text.indexOf(end);
  writeFileSync(path, i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text}\n## Issue 11: gas calibration\n\n${block}\n`);
}
