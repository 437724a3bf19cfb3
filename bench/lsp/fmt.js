// `thwonkc fmt --check examples/` against a cold `thwonkc check examples/`
// (each a fresh process, as CI runs them): median and worst of 7 runs each,
// alternated so the machine's load falls on both alike. Target: fmt within
// 2x of check. Run after the build: node bench/lsp/fmt.js
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "bin", "thwonkc.js");
const RUNS = 7;

function time(args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8" });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`thwonkc ${args.join(" ")} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return ms;
}

const check = [];
const fmt = [];
for (let i = 0; i < RUNS; i++) {
  check.push(time(["check", "examples"]));
  fmt.push(time(["fmt", "--check", "examples"]));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const worst = (xs) => Math.max(...xs);
const f = (ms) => `${ms.toFixed(1)} ms`;
console.log(`thwonkc check examples (cold): median ${f(median(check))}, worst ${f(worst(check))}`);
console.log(`thwonkc fmt --check examples:  median ${f(median(fmt))}, worst ${f(worst(fmt))}`);
console.log(`fmt / check (medians): ${(median(fmt) / median(check)).toFixed(2)}x (target: within 2x)`);
