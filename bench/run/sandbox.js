// `node bench/run/sandbox.js` (after `npm run build`): what one rule run costs
// in the sandbox, to choose the daemon's context strategy.
//
// 1. Per run, in the engine a worker uses (no thread hop): a trivial
//    `__thwonk_run` and a ~50 KB compiled-style bundle, each with a fresh
//    context per run and with a reused one. Median and p90.
// 2. The parts of a fresh run: a new engine instance (WASM instance with its
//    own memory), a new context with the lockdown, compiling the bundle.
// 3. The same through a one-worker pool, thread hop included, and how long a
//    new pool takes to give its first result (worker start, warm-up, load).
//
// Prints the figures and ratios, and writes them as the "Sandbox" section of
// bench/RESULTS.md (replacing an earlier one; other sections are kept).
// Environment: BENCH_RUNS (default 200), BENCH_BUNDLE_KB (50). Run it on a
// quiet machine: QuickJS here is an interpreter inside WebAssembly, and
// every figure moves with the load.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const load = (p) => import(pathToFileURL(join(root, "dist", "runtime", "sandbox", p)).href);
const { Engine } = await load("engine.js");
const { newInstance } = await load("instance.js");
const { armGuard, openSandbox, closeSandbox } = await load("context.js");
const { loadBundle } = await load("bundle.js");
const { createSandboxPool } = await load("index.js");
const { resolveLimits } = await load("types.js");

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const BUNDLE_KB = Number(process.env.BENCH_BUNDLE_KB ?? 50);
const limits = resolveLimits({ timeLimitMs: 10_000 });

const TRIVIAL = "function __thwonk_run(t, i) { return i; }";

/** Compiled-style code: a gas counter checked by every function, many small functions, one entry point. */
function compiledStyleBundle(targetBytes) {
  const parts = [
    "let gas = 0;",
    "function charge(n) { gas -= n; if (gas < 0) { __host_outOfGas(); for (;;) {} } }",
    "function truncate(s, n) { charge(1 + (s.length >> 6)); const cps = Array.from(s); return cps.length <= n ? s : cps.slice(0, n).join(''); }",
  ];
  let size = parts.join("\n").length;
  let n = 0;
  while (size < targetBytes - 400) {
    const f = `function step${n}(m, out) {
  charge(${3 + (n % 7)});
  const subject = truncate(m.subject + " #${n}", ${20 + (n % 120)});
  if (subject.length > ${10 + (n % 50)} && m.from !== "moderator${n}@example.org") {
    out.push({ kind: "send", to: m.from, subject, line: ${n} });
  }
  for (const tag of m.tags) { charge(1); if (tag === "t${n}") out.push({ kind: "log", text: "tag " + tag }); }
  return out;
}`;
    parts.push(f);
    size += f.length + 1;
    n++;
  }
  const calls = Array.from({ length: Math.min(n, 20) }, (_, k) => `step${k}(input.message, out);`).join(" ");
  parts.push(`function __thwonk_run(trigger, inputJson) {
  const input = JSON.parse(inputJson);
  gas = input.gas;
  const out = [];
  ${calls}
  return JSON.stringify({ trigger, actions: out, gasUsed: input.gas - gas });
}`);
  return parts.join("\n");
}

const BIG = compiledStyleBundle(BUNDLE_KB * 1024);
const INPUT = JSON.stringify({ gas: 1_000_000, message: { from: "ann@example.org", subject: "Hello list, this is a post", tags: ["a", "t3", "b"] } });

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const quantile = (xs, q) => sorted(xs)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const median = (xs) => quantile(xs, 0.5);
const ms = (x) => (x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1));

async function timeRuns(strategy, code, runs) {
  const engine = new Engine({ limits, strategy });
  const first = await engine.run(code, "bench", "message", INPUT);
  if (!first.result.ok) throw new Error(`bench bundle failed: ${JSON.stringify(first.result)}`);
  for (let k = 0; k < 10; k++) await engine.run(code, "bench", "message", INPUT);
  const times = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    const { result } = await engine.run(code, "bench", "message", INPUT);
    times.push(performance.now() - t);
    if (!result.ok) throw new Error(JSON.stringify(result));
  }
  return { median: median(times), p90: quantile(times, 0.9), first: first.result.wallMs };
}

async function timeParts(runs) {
  const inst = [], ctx = [], compile = [];
  let instance = await newInstance(limits.memoryLimitBytes);
  for (let k = 0; k < runs + 5; k++) {
    let t = performance.now();
    instance = await newInstance(limits.memoryLimitBytes);
    const a = performance.now() - t;
    t = performance.now();
    const sb = openSandbox(instance, limits);
    closeSandbox(sb);
    const b = performance.now() - t;
    const sb2 = openSandbox(instance, limits);
    armGuard(sb2.guard, limits.timeLimitMs);
    t = performance.now();
    const loaded = loadBundle(sb2, BIG, limits);
    const c = performance.now() - t;
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
    if (k >= 5) (inst.push(a), ctx.push(b), compile.push(c));
  }
  return { instance: median(inst), context: median(ctx), compile: median(compile) };
}

async function timePool(strategy, code, runs) {
  const t0 = performance.now();
  const pool = createSandboxPool({ workers: 1, contextStrategy: strategy, ...limits });
  try {
    await pool.run(code, "bench", "message", INPUT);
    const start = performance.now() - t0;
    for (let k = 0; k < 10; k++) await pool.run(code, "bench", "message", INPUT);
    const times = [];
    for (let k = 0; k < runs; k++) {
      const t = performance.now();
      const r = await pool.run(code, "bench", "message", INPUT);
      times.push(performance.now() - t);
      if (!r.ok) throw new Error(JSON.stringify(r));
    }
    return { median: median(times), p90: quantile(times, 0.9), start };
  } finally {
    await pool.close();
  }
}

const env = `node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), load average at start ${loadavg().map((x) => x.toFixed(2)).join(" ")}`;
console.log(env);
console.log(`bundles: trivial (${TRIVIAL.length} B), compiled-style (${(BIG.length / 1024).toFixed(1)} KB); ${RUNS} runs each (fresh: ${Math.ceil(RUNS / 4)})\n`);

const fewer = Math.ceil(RUNS / 4);
const rows = {
  "trivial, reuse": await timeRuns("reuse", TRIVIAL, RUNS),
  "trivial, fresh": await timeRuns("fresh", TRIVIAL, fewer),
  [`${BUNDLE_KB} KB, reuse`]: await timeRuns("reuse", BIG, RUNS),
  [`${BUNDLE_KB} KB, fresh`]: await timeRuns("fresh", BIG, fewer),
};
const parts = await timeParts(Math.min(fewer, 40));
const pool = {
  "trivial, reuse": await timePool("reuse", TRIVIAL, RUNS),
  [`${BUNDLE_KB} KB, reuse`]: await timePool("reuse", BIG, RUNS),
  [`${BUNDLE_KB} KB, fresh`]: await timePool("fresh", BIG, fewer),
};

const lines = [];
const out = (s = "") => (console.log(s), lines.push(s));
out("Per run, in the worker's engine (ms):");
out();
out("| bundle, strategy | median | p90 |");
out("| --- | ---: | ---: |");
for (const [k, v] of Object.entries(rows)) out(`| ${k} | ${ms(v.median)} | ${ms(v.p90)} |`);
out();
const ratio = (a, b) => (rows[a].median / rows[b].median).toFixed(0);
out(`Fresh / reuse, median: trivial ${ratio("trivial, fresh", "trivial, reuse")}x, ${BUNDLE_KB} KB ${ratio(`${BUNDLE_KB} KB, fresh`, `${BUNDLE_KB} KB, reuse`)}x.`);
out();
out(rows[`${BUNDLE_KB} KB, fresh`].median > 2 * rows[`${BUNDLE_KB} KB, reuse`].median
  ? "So the daemon reuses a context per bundle (the default, `reuse`): a fresh one pays the lockdown and the bundle's compilation on every message, while the frozen intrinsics and the per-run factory keep a reused one as clean (test/runtime/sandbox-isolation.test.ts)."
  : "Fresh contexts cost little more than reused ones here: the default `reuse` could be reconsidered.");
out();
out("Parts of a fresh run (median, ms):");
out();
out(`| part | ms |`);
out(`| --- | ---: |`);
out(`| new engine instance (WASM instance, own capped memory) | ${ms(parts.instance)} |`);
out(`| new context + lockdown (stubs, Date, freezing the intrinsics) | ${ms(parts.context)} |`);
out(`| compiling the ${(BIG.length / 1024).toFixed(0)} KB bundle | ${ms(parts.compile)} |`);
out();
out("Through a one-worker pool, thread hop included (ms):");
out();
out("| bundle, strategy | median | p90 | new pool to first result |");
out("| --- | ---: | ---: | ---: |");
for (const [k, v] of Object.entries(pool)) out(`| ${k} | ${ms(v.median)} | ${ms(v.p90)} | ${ms(v.start)} |`);

const section = [
  "<!-- sandbox:begin (written by bench/run/sandbox.js) -->",
  "## Sandbox: cost of a rule run",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} with \`node bench/run/sandbox.js\`; ${env}.`,
  "",
  ...lines,
  "<!-- sandbox:end -->",
].join("\n");
const file = join(root, "bench", "RESULTS.md");
const before = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n";
const re = /<!-- sandbox:begin[\s\S]*?<!-- sandbox:end -->/;
writeFileSync(file, re.test(before) ? before.replace(re, section) : before.replace(/\n*$/, "\n\n") + section + "\n");
console.log(`\nwrote the Sandbox section of ${file}`);
