// `npm run bench:check`: how fast `thwonkc check` is.
//
// 1. Warm throughput: generates a rule of at least 20,000 lines (see
//    generate.js), checks it in-process several times with the core's
//    checkSources and prints lines per second: the front end (parse + check,
//    target >= 100,000 lines/s) and all of what `thwonkc check` runs (with the
//    verifier, whose cost is at most 1.5x the front end's), alternating.
// 2. Cold start: `node bin/thwonkc.js check small.thwonk` against `node -e 0`,
//    run alternately, median of each, and their ratio. Target: within 2x
//    node (issue 10). The unbundled CLI (dist/cli/main.js) is timed too, to
//    show what the bundle saves.
//
// BENCH_BASELINE=DIR (a checkout of another commit, built) measures that
// build too, in the same run, alternating with this one: its front end warm,
// and its `bin/thwonkc.js check small.thwonk` cold. The figures then show
// before and after under the same load.
//
// Prints the figures and writes them as the "check" section of
// bench/RESULTS.md (replacing an earlier one; other sections are kept).
// Environment: BENCH_LINES (default 20000), BENCH_WARM_RUNS (25),
// BENCH_COLD_RUNS (21). Asserts only that the programs check clean. Run it
// on a quiet machine.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generateProgram } from "./generate.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { checkSources } = await import(pathToFileURL(join(root, "dist", "compiler", "program.js")).href);

const LINES = Number(process.env.BENCH_LINES ?? 20000);
const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 25);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 21);
const BASELINE = process.env.BENCH_BASELINE;
const baseline = BASELINE ? await import(pathToFileURL(join(BASELINE, "dist", "compiler", "program.js")).href) : undefined;

// A small, typical rule (after examples/once_a_day).
const SMALL = `rule once_a_day

limits { members: 5000, text: 20000, fanout: 5000, memory: 160 * 1024 * 1024 }

settings { timezone: "Europe/Paris" }

state {
  lastPost: Map<Address, Time> max 5000 = {}
}

on message(m: Message) {
  if not members.has(m.from) {
    reject("Only members may post to {list.address}.")
  }
  let last = state.lastPost.get(m.from)
  if last != none and last.sameDay(now) {
    if m.isAutomated() {
      return
    }
    reply(m, text: "You have already posted today, so this message was not sent. Try again tomorrow.")
    return
  }
  if state.lastPost.has(m.from) or state.lastPost.size < 5000 { state.lastPost.set(m.from, now) }
  send(to: members, subject: m.subject, text: m.text, from: "sender", replyTo: "list")
}

every day at 00:00 {
  state.lastPost = {}
}
`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const ms = (n) => `${n.toFixed(1)} ms`;
const verdict = (ok) => (ok ? "ok" : "MISSED");

function failOnDiagnostics(what, diagnostics) {
  if (diagnostics.length === 0) return;
  console.error(`bench: the ${what} program does not check clean:`);
  for (const d of diagnostics.slice(0, 10)) console.error(`  ${d.span.file}:${d.span.line}:${d.span.col}: ${d.code} ${d.message}`);
  process.exit(1);
}

const machine = `node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? "?"}), ${process.platform} ${process.arch}`;
const loadAtStart = loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`thwonkc check benchmark — ${machine}`);
console.log(`load average at start: ${loadAtStart} (figures are only comparable on a quiet machine)`);
/** Rows of the results table: [figure, value]. */
const rows = [];

// ---------------------------------------------------------------- warm throughput

const big = generateProgram(LINES);
const bigSources = [{ fileName: "bench.thwonk", text: big.text }];
failOnDiagnostics("generated", checkSources(bigSources).diagnostics);
// The front end (parse, bind, check: issue 2's target) and the whole of what `thwonkc check` runs
// (the same plus the verifier, whose cost has its own target: at most 1.5x the front end), alternating.
const frontEnd = () => checkSources(bigSources, { verify: false });
const whole = () => checkSources(bigSources);
const baseFront = baseline ? () => baseline.checkSources(bigSources, { verify: false }) : undefined;
for (let i = 0; i < 2; i++) { frontEnd(); whole(); baseFront?.(); } // warm-up
const times = { front: [], whole: [], base: [] };
const timeOne = (f) => { const t0 = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t0) / 1e6; };
for (let i = 0; i < WARM_RUNS; i++) {
  times.front.push(timeOne(frontEnd));
  times.whole.push(timeOne(whole));
  if (baseFront) times.base.push(timeOne(baseFront));
}
const perSec = (t) => big.lines / (t / 1000);
const frontMedian = median(times.front), wholeMedian = median(times.whole);
const linesPerSec = perSec(frontMedian), wholePerSec = perSec(wholeMedian);
const bestPerSec = perSec(Math.min(...times.front)), wholeBest = perSec(Math.min(...times.whole));
const verifyCost = wholeMedian / frontMedian;
console.log(`\nwarm: ${fmt(big.lines)} lines (${big.blocks} blocks), each checked ${WARM_RUNS} times in-process after 2 warm-up runs, alternating`);
console.log(`  front end (parse + check): median ${ms(frontMedian)} = ${fmt(linesPerSec)} lines/s (best ${fmt(bestPerSec)}); target >= 100,000: ${verdict(linesPerSec >= 100_000)}`);
console.log(`  with the verifier (all of \`thwonkc check\`): median ${ms(wholeMedian)} = ${fmt(wholePerSec)} lines/s (best ${fmt(wholeBest)})`);
console.log(`  verifier cost: ${verifyCost.toFixed(2)}x the front end (target <= 1.5x): ${verdict(verifyCost <= 1.5)}`);
rows.push(
  [`warm, front end (parse + check): median per check of ${fmt(big.lines)} lines (${WARM_RUNS} runs)`, ms(frontMedian)],
  ["warm front-end throughput, median (target >= 100,000)", `**${fmt(linesPerSec)} lines/s** (${verdict(linesPerSec >= 100_000)})`],
  ["warm front-end throughput, best run", `${fmt(bestPerSec)} lines/s`],
  ["warm, with the verifier (all of `thwonkc check`), median", `${ms(wholeMedian)} = ${fmt(wholePerSec)} lines/s (best ${fmt(wholeBest)})`],
  ["verifier cost, median (target <= 1.5x)", `${verifyCost.toFixed(2)}x (${verdict(verifyCost <= 1.5)})`],
);
if (baseFront) {
  const b = median(times.base);
  console.log(`  baseline front end (${BASELINE}): median ${ms(b)} = ${fmt(perSec(b))} lines/s, alternating with the above`);
  rows.push([`baseline (${BASELINE}) front end, median, same runs`, `${ms(b)} = ${fmt(perSec(b))} lines/s`]);
}

// ---------------------------------------------------------------- cold start

const dir = mkdtempSync(join(tmpdir(), "thwonkc-bench-"));
try {
  const small = join(dir, "small.thwonk");
  writeFileSync(small, SMALL);
  writeFileSync(join(dir, "big.thwonk"), big.text);
  const bin = join(root, "bin", "thwonkc.js");
  const unbundled = pathToFileURL(join(root, "dist", "cli", "main.js")).href;

  const commands = {
    node: [process.execPath, ["-e", "0"]],
    bundle: [process.execPath, [bin, "check", "small.thwonk"]],
    unbundled: [
      process.execPath,
      ["--input-type=module", "-e", `import { main } from ${JSON.stringify(unbundled)}; process.exitCode = await main(["check", "small.thwonk"]);`],
    ],
  };
  const run = (name) => {
    const [cmd, args] = commands[name];
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: dir, encoding: "utf8" });
    const t = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) {
      console.error(`bench: \`${name}\` exited ${r.status}:\n${r.stdout}${r.stderr}`);
      process.exit(1);
    }
    return t;
  };
  if (BASELINE) commands.baseline = [process.execPath, [join(BASELINE, "bin", "thwonkc.js"), "check", "small.thwonk"]];
  const cold = { node: [], bundle: [], unbundled: [], ...(BASELINE ? { baseline: [] } : {}) };
  for (const name of Object.keys(cold)) run(name); // warm the file system cache
  for (let i = 0; i < COLD_RUNS; i++) for (const name of Object.keys(cold)) cold[name].push(run(name));
  const m = Object.fromEntries(Object.entries(cold).map(([k, v]) => [k, median(v)]));
  const ratio = m.bundle / m.node;
  console.log(`\ncold start: median of ${COLD_RUNS} runs each, interleaved`);
  console.log(`  node -e 0                                        ${ms(m.node)}`);
  console.log(`  node bin/thwonkc.js check small.thwonk (bundle)  ${ms(m.bundle)}  ${ratio.toFixed(2)}x node`);
  console.log(`  same, unbundled (dist/cli/main.js)      ${ms(m.unbundled)}  ${(m.unbundled / m.node).toFixed(2)}x node`);
  console.log(`  target within 2x node: ${verdict(ratio <= 2)}`);
  rows.push(
    [`\`node -e 0\`, median of ${COLD_RUNS}`, ms(m.node)],
    ["`node bin/thwonkc.js check small.thwonk` (bundle), median", ms(m.bundle)],
    ["cold start ratio (target within 2x)", `**${ratio.toFixed(2)}x node** (${verdict(ratio <= 2)})`],
    ["same check through the unbundled modules", `${ms(m.unbundled)} (${(m.unbundled / m.node).toFixed(2)}x node)`],
  );

  if (BASELINE) {
    console.log(`  baseline ${BASELINE}/bin/thwonkc.js check small.thwonk  ${ms(m.baseline)}  ${(m.baseline / m.node).toFixed(2)}x node`);
    rows.push([`baseline (${BASELINE}) \`bin/thwonkc.js check small.thwonk\`, median, same runs`, `${ms(m.baseline)} (${(m.baseline / m.node).toFixed(2)}x node)`]);
  }

  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, "check", "big.thwonk"], { cwd: dir, encoding: "utf8" });
  const whole = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`\none cold run on the ${fmt(big.lines)}-line program: ${ms(whole)} (exit ${r.status})`);
  rows.push([`one cold \`thwonkc check\` of the ${fmt(big.lines)}-line program`, ms(whole)]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const section = [
  "<!-- check:begin (written by bench/check/run.js) -->",
  "## `thwonkc check`: throughput and cold start",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:check\`; ${machine}, \`nproc\` ${availableParallelism()}, load average at start ${loadAtStart}.`,
  "",
  "| figure | value |",
  "| --- | ---: |",
  ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  "<!-- check:end -->",
].join("\n");
const file = join(root, "bench", "RESULTS.md");
const before = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n";
const re = /<!-- check:begin[\s\S]*?<!-- check:end -->/;
writeFileSync(file, re.test(before) ? before.replace(re, section) : before.replace(/\n*$/, "\n\n") + section + "\n");
console.log(`\nwrote the check section of ${file}`);
