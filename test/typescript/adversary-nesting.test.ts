/**
 * A `.ts` rule nested deep or chained long, against the limits a .thwonk
 * rule is held to (TW1018, TW1020; test/semantic/program-size.test.ts):
 * at the limit it checks, compiles and runs on QuickJS; just past it, and
 * far past it (deeper than TypeScript's own parser can go), it is refused
 * with the code and a position inside the text, never an internal error,
 * a stack overflow at run time or thwonkc's exit 70.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { checkSources, compileSource } from "../../compiler/index.js";
import { MAX_TS_BRACKETS } from "../../compiler/typescript/nesting.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { runCliProcess, tempDir } from "../helpers/cli.js";
import { handInput, ruleErrorWords } from "../helpers/run-input.js";

const HEAD = `import { log, List, type Message, type int } from "thwonk";\nexport const rule = "size";\nexport const limits = { budget: 10000000 };\n`;
const rule = (body: string, top = ""): string => `${HEAD}${top}export function onMessage(m: Message) {\n${body}\n}\n`;
const chainOf = (n: number, operand: string, op: string): string => Array(n + 1).fill(operand).join(` ${op} `);

/** [what, the source for n, n at the limit, the code past it]: the limits are the .thwonk parser's, give or take a level. */
const CASES: [string, (n: number) => string, number, string][] = [
  ["nested blocks", (n) => rule(`${'if (m.subject === "a") { '.repeat(n)}log("x");${" }".repeat(n)}`), 173, "TW1018"],
  ["else ifs", (n) => rule(`if (m.subject === "a") { log("a"); }${' else if (m.subject === "b") { log("b"); }'.repeat(n)}`), 172, "TW1018"],
  ["nested templates", (n) => rule(`log(${"`${".repeat(n)}1${"}`".repeat(n)});`), 346, "TW1018"],
  ["prefix operators", (n) => rule(`const b = m.subject === "";\nconst x = ${"!".repeat(n)}b;\nlog(\`\${x}\`);`), 464, "TW1018"],
  ["parentheses", (n) => rule(`const x = ${"(".repeat(n)}1${")".repeat(n)};\nlog(\`\${x}\`);`), 348, "TW1018"],
  ["a chain of +", (n) => rule(`const x = ${chainOf(n, "1", "+")};\nlog(\`\${x}\`);`), 200, "TW1020"],
  ["a chain of ??", (n) => rule(`const y: string | undefined = undefined;\nlog(${chainOf(n, "y", "??")} ?? "");`), 199, "TW1020"],
  ["method chains", (n) => rule(`log(m.subject${".trim()".repeat(n)});`), 346, "TW1018"],
  ["nested calls", (n) => rule(`log(\`\${${"id(".repeat(n)}1${")".repeat(n)}}\`);`, "function id(x: int): int {\n  return x;\n}\n"), 230, "TW1018"],
];

const INTERNAL = /^TW\d999$/;

function errorsOf(src: string) {
  return checkSources([{ fileName: "size.ts", text: src }]).diagnostics.filter((d) => d.severity === "error");
}

for (const [what, source, limit, code] of CASES) {
  test(`a .ts rule's ${what}: at the limit it checks and runs; past it, ${code}`, async () => {
    const at = source(limit);
    assert.deepEqual(errorsOf(at).map((d) => `${d.code} ${d.message.slice(0, 120)}`), [], what);
    const { bundle } = compileSource("size.ts", at);
    const run = await runBundle(bundle!, { trigger: "message", input: handInput(), limits: { timeLimitMs: 20_000 } }, ruleErrorWords);
    assert.equal(run.error, null, `${what}: ${JSON.stringify(run.error)}`);
    const past = source(limit + 1);
    const errors = errorsOf(past);
    const d = errors.find((e) => e.code === code);
    assert.ok(d, `${what}: expected ${code}, got ${errors.map((e) => e.code).join(", ")}`);
    assert.ok(d.span.line > 3 && d.span.end <= past.length, `${what}: ${code} at ${d.span.line}:${d.span.col}`);
  });
}

/** Far past every limit: TypeScript's parser, binder or checker would run out of stack on these. */
const FAR: [string, string][] = [
  ["20000 parentheses", rule(`const x = ${"(".repeat(20000)}1${")".repeat(20000)};\nlog(\`\${x}\`);`)],
  ["5000 nested ifs", rule(`${'if (m.subject === "a") {\n'.repeat(5000)}log("x");\n${"}\n".repeat(5000)}`)],
  ["5000 nested templates", rule(`log(${"`${".repeat(5000)}1${"}`".repeat(5000)});`)],
  ["3000 nested lists after a string of brackets", rule(`log("(((([[[{{{");\nconst x = ${"[".repeat(3000)}1${"]".repeat(3000)};\nlog(\`\${x.size}\`);`)],
  ["2000 prefix operators", rule(`const b = m.subject === "";\nconst x = ${"!".repeat(2000)}b;\nlog(\`\${x}\`);`)],
  ["20000 + in a row", rule(`const x = ${chainOf(20000, "1", "+")};\nlog(\`\${x}\`);`)],
  ["1000 ?? in a row", rule(`const y: string | undefined = undefined;\nlog(${chainOf(1000, "y", "??")} ?? "");`)],
  // No bracket in these: the place is where TypeScript's parser ran out of stack.
  ["6000 nested type arguments", rule('log("x");', `type T = ${"List<".repeat(6000)}int${">".repeat(6000)};\n`)],
  ["30000 prefix operators", rule(`const b = m.subject === "";\nconst x = ${"!".repeat(30000)}b;\nlog(\`\${x}\`);`)],
];

test("far past the limits: TW1018 or TW1020 at a place inside the text, never an internal error", () => {
  for (const [what, src] of FAR) {
    const errors = errorsOf(src);
    assert.deepEqual(errors.filter((d) => INTERNAL.test(d.code)).map((d) => d.message.slice(0, 200)), [], what);
    const d = errors.find((e) => e.code === "TW1018" || e.code === "TW1020");
    assert.ok(d, `${what}: ${errors.map((e) => e.code).join(", ")}`);
    assert.ok(d.span.line >= 4 && d.span.col > 1 && d.span.start < src.length, `${what}: at ${d.span.line}:${d.span.col}`);
  }
});

test("thwonkc check, compile and run on a .ts rule deeper than TypeScript can parse exit 1 with TW1018, not 70", () => {
  const dir = tempDir({ "deep.ts": FAR[0]![1], "post.eml": "From: ann@example.org\r\nTo: news@example.org\r\nSubject: Hello\r\nMessage-ID: <m1@example.org>\r\n\r\nSome text\r\n" });
  try {
    for (const args of [["check", "deep.ts"], ["compile", "deep.ts"], ["run", "deep.ts", "--message", "post.eml"]]) {
      const r = runCliProcess(args, { cwd: dir.dir });
      assert.equal(r.code, 1, `${args[0]}: ${r.stderr.slice(0, 300)}`);
      assert.ok(/deep\.ts:5:\d+: error TW1018/.test(r.stdout + r.stderr), `${args[0]}: ${(r.stdout + r.stderr).slice(0, 300)}`);
    }
  } finally {
    dir.remove();
  }
});

/** Each FAR rule's TW1018/TW1020 as `code line:col` on a thread with a stack of `mb` MB (the language server checks on one). */
async function placesOnThread(mb: number): Promise<string[]> {
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    import(workerData.compiler).then(({ checkSources }) => {
      parentPort.postMessage(workerData.sources.map((text) => {
        const d = checkSources([{ fileName: "size.ts", text }]).diagnostics.find((e) => e.code === "TW1018" || e.code === "TW1020");
        return d ? d.code + " " + d.span.line + ":" + d.span.col : "none";
      }));
    });`;
  const w = new Worker(code, { eval: true, resourceLimits: { stackSizeMb: mb }, workerData: { compiler: new URL("../../compiler/index.js", import.meta.url).href, sources: FAR.map(([, src]) => src) } });
  const [places] = (await once(w, "message")) as [string[]];
  await w.terminate();
  return places;
}

/** The same on this thread with `frames` calls already on its stack (a host calls the core from deep inside itself). */
function placesUnder(frames: number): string[] {
  const down = (k: number): string[] =>
    k === 0
      ? FAR.map(([, src]) => {
          const d = errorsOf(src).find((e) => e.code === "TW1018" || e.code === "TW1020");
          return d ? `${d.code} ${d.span.line}:${d.span.col}` : "none";
        })
      : down(k - 1);
  return down(frames);
}

test("a .ts rule too deep for TypeScript's parser is refused at the same place on every host: a thread's larger stack, calls already on the stack", async () => {
  const here = placesUnder(0);
  // Those nested by brackets: where the depth passed MAX_TS_BRACKETS, found before TypeScript parses.
  const parens = FAR[0]![1];
  const first = parens.indexOf("(".repeat(100));
  const lines = parens.slice(0, first).split("\n");
  // The function body's `{` is open around them: the MAX_TS_BRACKETS-th parenthesis is one too many.
  assert.equal(here[0], `TW1018 ${lines.length}:${lines.at(-1)!.length + MAX_TS_BRACKETS}`);
  const bracketed = FAR.map(([what], k) => [what, k] as const).filter(([what]) => /parentheses|templates|lists/.test(what));
  const pick = (places: string[]) => bracketed.map(([what, k]) => `${what}: ${places[k]}`);
  assert.deepEqual(pick(placesUnder(2000)), pick(here));
  assert.deepEqual(pick(await placesOnThread(16)), pick(here));
});

test("brackets in strings, comments and a template's text are not nesting; a template's ${ is", () => {
  const many = MAX_TS_BRACKETS + 10;
  const fine = rule(`// ${"(".repeat(many)}\n/* ${"[".repeat(many)} */\nconst s = "${"{".repeat(many)}" + '${"(".repeat(many)}' + \`${"(".repeat(many)}\`;\nlog(s);`);
  assert.deepEqual(errorsOf(fine).map((d) => d.code), []);
  const templates = rule(`log(${"`${".repeat(many)}1${"}`".repeat(many)});`);
  assert.deepEqual(errorsOf(templates).map((d) => d.code), ["TW1018"]);
});
