// The language server's warm re-check of a ~500-line .ts rule (issue 17),
// before and after in the same run, alternating, on the same edits:
//
// - before: TypeScript through a ts-morph Project kept alive, the rule's
//   file replaced under a new name for each check (what load.ts did);
// - after: load.ts now, one compiler host, the declaration's SourceFile
//   parsed and bound once and shared, the last program as `oldProgram`,
//   `skipLibCheck`, the rule file's diagnostics only.
//
// Each is TypeScript's part (program, checker, the rule's syntactic and
// semantic diagnostics); "full" is the whole warm check through the one
// entry (TypeScript, the lowering, the core's checker and verifier), as the
// language server runs it. Run after `npm run build`. BENCH_WARM_RUNS (31).
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generate } from "./generate.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { checkSources } = await dist("compiler/program.js");
const { ruleProgram } = await dist("compiler/typescript/load.js");
const { thwonkDts } = await dist("stdlib/dts.js");
const { stdlib } = await dist("stdlib/index.js");
const morph = createRequire(import.meta.url)("ts-morph");
const RUNS = Number(process.env.BENCH_WARM_RUNS ?? 31);

const ts = morph.ts;
const project = new morph.Project({
  useInMemoryFileSystem: true,
  skipLoadingLibFiles: true,
  compilerOptions: { noLib: true, types: [], strict: true, noImplicitReturns: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: true, isolatedModules: true },
});
project.createSourceFile("/thwonk/thwonk.d.ts", thwonkDts(stdlib));
let serial = 0;
function before(text) {
  const path = `/rules/${++serial}/big.ts`;
  const source = project.createSourceFile(path, text, { overwrite: true });
  const program = project.getProgram().compilerObject;
  const sf = program.getSourceFile(path);
  program.getTypeChecker();
  const n = program.getSyntacticDiagnostics(sf).length + program.getSemanticDiagnostics(sf).length;
  project.removeSourceFile(source);
  return n;
}
function after(text) {
  const { program, sf } = ruleProgram("big.ts", text);
  program.getTypeChecker();
  return program.getSyntacticDiagnostics(sf).length + program.getSemanticDiagnostics(sf).length;
}
function full(text) {
  const r = checkSources([{ fileName: "big.ts", text }]);
  if (r.diagnostics.some((d) => d.severity === "error")) throw new Error("the generated rule has errors");
}

const big = generate(500);
const lines = big.split("\n").length;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function measure(f, text) {
  const c = process.cpuUsage();
  const t = performance.now();
  const n = f(text);
  const wall = performance.now() - t;
  const u = process.cpuUsage(c);
  return { wall, cpu: (u.user + u.system) / 1000, n };
}
const edit = (i) => big.replace("export const rule", `// edit ${i}\nexport const rule`);
// Warm up each (the first check loads TypeScript and builds the declaration's types).
for (let i = 0; i < 3; i++) {
  before(edit(-i));
  after(edit(-i));
  full(edit(-i));
}
const res = { before: [], after: [], full: [] };
for (let i = 0; i < RUNS; i++) {
  const text = edit(i);
  const b = measure(before, text);
  const a = measure(after, text);
  if (a.n !== b.n) throw new Error(`before found ${b.n} diagnostics, after ${a.n}`);
  res.before.push(b);
  res.after.push(a);
  res.full.push(measure(full, text));
}
const show = (k) => `median ${median(res[k].map((r) => r.wall)).toFixed(1)} ms wall (min ${Math.min(...res[k].map((r) => r.wall)).toFixed(1)}), ${median(res[k].map((r) => r.cpu)).toFixed(1)} ms CPU`;
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}; a ${lines}-line .ts rule, ${RUNS} edits`);
console.log(`TypeScript's part, before (ts-morph Project, new file name each check): ${show("before")}`);
console.log(`TypeScript's part, after (one host, shared declaration, oldProgram): ${show("after")}`);
console.log(`full warm check through the one entry, after: ${show("full")}`);
