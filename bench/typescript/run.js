// How fast a TypeScript rule is checked (issue 17). Run after `npm run build`.
//
// 1. Cold: `node bin/thwonkc.js check` of examples/once_a_day/once_a_day.ts,
//    of its .thwonk twin, and `node -e 0`, run alternately, medians and
//    ratios to node. The .thwonk figure shows a .thwonk check does not load
//    TypeScript.
// 2. Warm: a generated .ts rule of about 500 lines checked again and again
//    in one process (the one TypeScript project kept alive, as the language
//    server keeps it): median milliseconds per full check (TypeScript,
//    lowering, checker, verifier). Target < 50 ms.
//
// Prints the figures; append them to bench/RESULTS.md by hand, with the load.
// BENCH_COLD_RUNS (default 11), BENCH_WARM_RUNS (21).
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generate } from "./generate.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { checkSources } = await import(pathToFileURL(join(root, "dist", "compiler", "program.js")).href);
const { parseTypeScriptRule } = await import(pathToFileURL(join(root, "dist", "compiler", "typescript", "index.js")).href);
const COLD = Number(process.env.BENCH_COLD_RUNS ?? 11);
const WARM = Number(process.env.BENCH_WARM_RUNS ?? 21);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stdout}${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const runs = { node: [], ts: [], thwonk: [] };
for (let i = 0; i < COLD; i++) {
  runs.node.push(time(["-e", "0"]));
  runs.ts.push(time(["bin/thwonkc.js", "check", "examples/once_a_day/once_a_day.ts"]));
  runs.thwonk.push(time(["bin/thwonkc.js", "check", "examples/once_a_day/once_a_day.thwonk"]));
}
const node = median(runs.node);

const big = generate(500);
const lineCount = big.split("\n").length;
let first = checkSources([{ fileName: "big.ts", text: big }]);
const errors = first.diagnostics.filter((d) => d.severity === "error");
if (errors.length > 0) throw new Error(`the generated rule has errors: ${errors.slice(0, 3).map((d) => `${d.span.line} ${d.code} ${d.message}`).join("; ")}`);
const warm = [];
const cpu = [];
const front = [];
for (let i = 0; i < WARM; i++) {
  const text = big.replace("export const rule", `// edit ${i}\nexport const rule`);
  const t = performance.now();
  const c = process.cpuUsage();
  first = checkSources([{ fileName: "big.ts", text }]);
  const used = process.cpuUsage(c);
  warm.push(performance.now() - t);
  cpu.push((used.user + used.system) / 1000);
  const f = performance.now();
  parseTypeScriptRule("big.ts", text);
  front.push(performance.now() - f);
}
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
console.log(`cold node -e 0: ${node.toFixed(1)} ms`);
console.log(`cold check once_a_day.ts: ${median(runs.ts).toFixed(1)} ms (${(median(runs.ts) / node).toFixed(2)}x node)`);
console.log(`cold check once_a_day.thwonk: ${median(runs.thwonk).toFixed(1)} ms (${(median(runs.thwonk) / node).toFixed(2)}x node)`);
console.log(`warm re-check of a ${lineCount}-line .ts rule: median ${median(warm).toFixed(1)} ms wall (min ${Math.min(...warm).toFixed(1)}), ${median(cpu).toFixed(1)} ms CPU, over ${WARM}; of which TypeScript and the lowering ${median(front).toFixed(1)} ms`);
