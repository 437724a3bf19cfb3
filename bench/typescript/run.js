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

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { checkSources } = await import(pathToFileURL(join(root, "dist", "compiler", "program.js")).href);
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

/** About `lines` lines: helper functions of a dozen lines each, all called from onMessage. */
function generate(lines) {
  const fns = [];
  const calls = [];
  for (let i = 0; fns.length * 12 < lines - 20; i++) {
    fns.push(`function part${i}(m: Message, n: int): string {
  let out = "";
  if (m.subject.contains("x${i}")) {
    out = \`\${m.subject.truncate(40)} \${n}\`;
  } else if (n > ${i}) {
    out = m.from.domain;
  }
  for (const member of members) if (member.name === out) {
    out = member.name.truncate(20);
  }
  return out.truncate(80);
}
`);
    calls.push(`  state.last = part${i}(m, ${i}).truncate(80);`);
  }
  return `import { members, send, type int, type Message, type Text } from "thwonk";

export const rule = "big";
export const limits = { members: 100, text: 1000 };
export const state = { count: 0 };

${fns.join("\n")}
export function onMessage(m: Message) {
${calls.map((c) => c.replace("state.last = ", "const x = ").replace(/const x = (.*);/, "send({ to: m.from, subject: \"x\", text: $1 });")).slice(0, 3).join("\n")}
  state.count += 1;
}
`.replace(/function part(\d+)/g, (s) => s);
}
const big = generate(500);
const lineCount = big.split("\n").length;
let first = checkSources([{ fileName: "big.ts", text: big }]);
const errors = first.diagnostics.filter((d) => d.severity === "error");
if (errors.length > 0) throw new Error(`the generated rule has errors: ${errors.slice(0, 3).map((d) => `${d.span.line} ${d.code} ${d.message}`).join("; ")}`);
const warm = [];
for (let i = 0; i < WARM; i++) {
  const text = big.replace("export const rule", `// edit ${i}\nexport const rule`);
  const t = performance.now();
  first = checkSources([{ fileName: "big.ts", text }]);
  warm.push(performance.now() - t);
}
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
console.log(`cold node -e 0: ${node.toFixed(1)} ms`);
console.log(`cold check once_a_day.ts: ${median(runs.ts).toFixed(1)} ms (${(median(runs.ts) / node).toFixed(2)}x node)`);
console.log(`cold check once_a_day.thwonk: ${median(runs.thwonk).toFixed(1)} ms (${(median(runs.thwonk) / node).toFixed(2)}x node)`);
console.log(`warm re-check of a ${lineCount}-line .ts rule: median ${median(warm).toFixed(1)} ms (min ${Math.min(...warm).toFixed(1)}) over ${WARM}`);
