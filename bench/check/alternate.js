// Before/after timing of the front end on the program of generate.js, in
// separate processes, the two builds alternating (the machine's load moves
// both alike):
//
//   node bench/check/alternate.js BEFORE [ROUNDS]
//
// BEFORE is a directory holding an older build's `compiler/` and `stdlib/`
// (a copy of its dist/compiler and dist/stdlib); "after" is this tree's dist.
// For each of parse only (parseFile), plain check (checkSources without the
// verifier) and check with cost (checkSources, as `thwonkc check` runs it),
// each round runs one process per build: 3 warm-up runs, then 6 timed ones.
// Prints medians and best runs of wall clock, and medians of process CPU time
// (user + system: GC and compiler threads count). Run `npm run build` first.
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generateProgram } from "./generate.js";

const here = fileURLToPath(import.meta.url);
const root = join(dirname(here), "..", "..");
const MODES = ["parse", "check", "verify"];

if (process.argv[2] === "--child") {
  // One process: node alternate.js --child DIR MODE
  const [, , , dir, mode] = process.argv;
  const load = (p) => import(pathToFileURL(join(dir, p)).href);
  const { checkSources } = await load("compiler/program.js");
  const { parseFile } = await load("compiler/syntax/parser.js");
  const big = generateProgram(20000);
  const sources = [{ fileName: "bench.thwonk", text: big.text }];
  const run =
    mode === "parse" ? () => parseFile("bench.thwonk", big.text)
    : mode === "check" ? () => checkSources(sources, { verify: false })
    : () => checkSources(sources);
  for (let i = 0; i < 3; i++) run();
  const out = [];
  for (let i = 0; i < 6; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    run();
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    out.push([wall, (cpu.user + cpu.system) / 1000]);
  }
  console.log(JSON.stringify({ lines: big.lines, out }));
  process.exit(0);
}

const before = process.argv[2];
if (!before) {
  console.error("usage: node bench/check/alternate.js BEFORE_DIR [ROUNDS]");
  process.exit(2);
}
const rounds = Number(process.argv[3] ?? 4);
const builds = { before: resolve(before), after: join(root, "dist") };
const samples = {};
let lines = 0;
for (let r = 0; r < rounds; r++) {
  for (const mode of MODES) {
    const order = r % 2 ? ["after", "before"] : ["before", "after"];
    for (const build of order) {
      const res = JSON.parse(execFileSync(process.execPath, [here, "--child", builds[build], mode], { encoding: "utf8" }));
      lines = res.lines;
      ((samples[mode] ??= {})[build] ??= []).push(...res.out);
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const perSec = (ms) => Math.round(lines / (ms / 1000)).toLocaleString("en-US");
console.log(`${lines.toLocaleString("en-US")} lines, ${rounds} rounds × 6 runs per build and mode`);
for (const mode of MODES) {
  for (const build of ["before", "after"]) {
    const xs = samples[mode][build];
    const wall = xs.map((x) => x[0]);
    const cpu = xs.map((x) => x[1]);
    const m = median(wall);
    console.log(
      `${mode.padEnd(6)} ${build.padEnd(6)} median ${m.toFixed(0)} ms (${perSec(m)} lines/s), best ${Math.min(...wall).toFixed(0)} ms, CPU median ${median(cpu).toFixed(0)} ms`,
    );
  }
}
