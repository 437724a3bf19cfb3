/**
 * Programs at and just past every size limit of the language: each gets no
 * errors or a proper diagnostic (TW1018, TW1020, TW2130, a budget), never an
 * exception or an internal error; those that pass check compile and run once
 * on QuickJS. Also: a verifier exception on a rule is a diagnostic, and the
 * CLI never exits 70 on it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources, internalErrorDiagnostic } from "../../compiler/program.js";
import { compileSource } from "../../compiler/emit/bundle.js";
import { main } from "../../cli/main.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { tempDir } from "../helpers/cli.js";
import { handInput, ruleErrorWords } from "../helpers/run-input.js";

const words = ruleErrorWords;

const rule = (body: string, top = ""): string => `rule size\nlimits { budget: 10000000 }\n${top}on message(m: Message) {\n${body.replace(/^/gm, "  ")}\n}\n`;

const runInput = (): Record<string, unknown> => handInput();
const chainOf = (n: number, operand: string, op: string): string => Array(n + 1).fill(operand).join(` ${op} `);
const fns = (n: number): string => {
  let s = "fn f0(x: int): int { return x + 1 }\n";
  for (let i = 1; i < n; i++) s += `fn f${i}(x: int): int { return f${i - 1}(x) }\n`;
  return s;
};

/** [what, source at the limit, source just past it, the code past it]. */
const CASES: [string, string, string, string][] = [
  ["nested blocks", rule(`${"if true { ".repeat(173)}log("x")${" }".repeat(173)}`), rule(`${"if true { ".repeat(174)}log("x")${" }".repeat(174)}`), "TW1018"],
  ["nested ifs with else ifs", rule(`if m.subject == "a" { log("a") }${' else if m.subject == "b" { log("b") }'.repeat(172)}`), rule(`if m.subject == "a" { log("a") }${' else if m.subject == "b" { log("b") }'.repeat(174)}`), "TW1018"],
  ["nested loops", rule(`${"for _i in [1] { ".repeat(6)}log("x")${" }".repeat(6)}`), rule(`${"for _i in [1] { ".repeat(180)}log("x")${" }".repeat(180)}`), "TW1018"],
  ["nested records", rule(`let _x = ${"{a: ".repeat(348)}1${"}".repeat(348)}\nlog("r")`), rule(`let _x = ${"{a: ".repeat(349)}1${"}".repeat(349)}\nlog("r")`), "TW1018"],
  ["nested lists", rule(`let x = ${"[".repeat(348)}1${"]".repeat(348)}\nlog("{x.size}")`), rule(`let x = ${"[".repeat(349)}1${"]".repeat(349)}\nlog("{x.size}")`), "TW1018"],
  ["nested interpolations", rule(`log(${'"{'.repeat(346)}1${'}"'.repeat(346)})`), rule(`log(${'"{'.repeat(347)}1${'}"'.repeat(347)})`), "TW1018"],
  ["prefix operators", rule(`let x = ${"not ".repeat(464)}true\nlog("{x}")`), rule(`let x = ${"not ".repeat(465)}true\nlog("{x}")`), "TW1018"],
  ["a chain of +", rule(`let x = ${chainOf(200, "1", "+")}\nlog("{x}")`), rule(`let x = ${chainOf(201, "1", "+")}\nlog("{x}")`), "TW1020"],
  ["a chain of and", rule(`let x = ${chainOf(200, "true", "and")}\nlog("{x}")`), rule(`let x = ${chainOf(201, "true", "and")}\nlog("{x}")`), "TW1020"],
  ["a chain of or", rule(`let x = ${chainOf(200, "false", "or")}\nlog("{x}")`), rule(`let x = ${chainOf(201, "false", "or")}\nlog("{x}")`), "TW1020"],
  ["a chain of ==", rule(`let x = ${chainOf(200, "true", "==")}\nlog("{x}")`), rule(`let x = ${chainOf(201, "true", "==")}\nlog("{x}")`), "TW1020"],
  ["a chain of string +", rule(`let s = m.subject.truncate(1)\nlog(${chainOf(200, "s", "+")})`), rule(`let s = m.subject.truncate(1)\nlog(${chainOf(201, "s", "+")})`), "TW1020"],
  ["a chain of ??", rule(`let y: string? = none\nlog(${chainOf(199, "y", "??")} ?? "")`), rule(`let y: string? = none\nlog(${chainOf(200, "y", "??")} ?? "")`), "TW1020"],
  ["a chain inside brackets", rule(`let x = ${"(".repeat(100)}${chainOf(200, "1", "+")}${")".repeat(100)} + 1\nlog("{x}")`), rule(`let x = ${"(".repeat(300)}${chainOf(200, "1", "+")}${")".repeat(300)} + 1\nlog("{x}")`), "TW1018"],
  ["method chains", rule(`log(m.subject${".trim()".repeat(345)})`), rule(`log(m.subject${".trim()".repeat(351)})`), "TW1018"],
  ["call chains", rule(`log("{f15(1)}")`, fns(16)), rule(`log("{f16(1)}")`, fns(17)), "TW2130"],
];

const INTERNAL = /^TW\d999$/;

async function checkAndRun(what: string, src: string, past?: string): Promise<void> {
  const r = checkSources([{ fileName: "size.thwonk", text: src }]);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors.filter((d) => INTERNAL.test(d.code)).map((d) => d.message.slice(0, 200)), [], what);
  if (past !== undefined) {
    assert.ok(errors.some((d) => d.code === past), `${what}: expected ${past}, got ${errors.map((d) => d.code).join(", ")}`);
    return;
  }
  assert.deepEqual(errors.map((d) => `${d.code} ${d.message.slice(0, 150)}`), [], what);
  const c = compileSource("size.thwonk", src);
  const run = await runBundle(c.bundle!, { trigger: "message", input: runInput(), limits: { timeLimitMs: 20_000 } }, words);
  assert.equal(run.error, null, `${what}: ${JSON.stringify(run.error)}`);
}

for (const [what, at, past, code] of CASES) {
  test(`program size: ${what} at the limit check and run; past it, ${code}`, async () => {
    await checkAndRun(what, at);
    await checkAndRun(what, past, code);
  });
}

test("program size: far past the limits is a diagnostic, never an internal error", () => {
  const huge = [
    rule(`let x = ${chainOf(50_000, "1", "+")}\nlog("{x}")`),
    rule(`let x = ${chainOf(20_000, "true", "and")}\nlog("{x}")`),
    rule(`log("{f2999(1)}")`, fns(3000)),
    rule(`log(${'"{'.repeat(20_000)}1${'}"'.repeat(20_000)})`),
    rule(`log(m.subject${".trim()".repeat(5_000)})`),
    rule(`if m.subject == "a" { log("a") }${' else if m.subject == "b" { log("b") }'.repeat(5_000)}`),
  ];
  for (const src of huge) {
    const r = checkSources([{ fileName: "size.thwonk", text: src }]);
    const codes = r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
    assert.ok(codes.length > 0 && !codes.some((c) => INTERNAL.test(c)), `${src.slice(0, 120)}: ${codes.join(", ")}`);
  }
});

test("program size: many functions, statements and state fields check and run", async () => {
  let manyFns = "";
  for (let i = 0; i < 5_000; i++) manyFns += `fn g${i}(x: int): int { return x + ${i} }\n`;
  await checkAndRun("5,000 fns", rule(`log("{g4999(1)}")`, manyFns.replace(/^fn g(\d+)/gm, (s, i) => (i === "4999" ? s : `fn _g${i}`))));
  await checkAndRun("50,000 statements", rule(`var x = 0\n${"x = x + 1\n".repeat(50_000)}log("{x}")`));
  const fields = Array.from({ length: 500 }, (_, i) => `  s${i}: int = ${i}`).join("\n");
  await checkAndRun("500 state fields", rule(`state.s0 = state.s499 + 1\nlog("{state.s0}")`, `state {\n${fields}\n}\n`));
});

test("a verifier exception on a rule is an internal-error diagnostic, and the CLI exits 1, not 70", async () => {
  // Two strings that grow from each other in one loop once made the verifier throw ("no value for $acc1").
  const src = 'rule r\non message(m: Message) { var a = ""\n var b = "x"\n for l in m.text.lines() { a = a + b\n b = b + "z" } log(a) }\n';
  const r = checkSources([{ fileName: "acc.thwonk", text: src }]);
  for (const d of r.diagnostics.filter((d) => INTERNAL.test(d.code))) assert.deepEqual([d.span.file, d.span.line, d.span.col], ["acc.thwonk", 1, 1]);
  const dir = tempDir({ "acc.thwonk": src });
  try {
    for (const cmd of ["check", "compile", "run"]) {
      const out: string[] = [];
      const sink = { write: (s: string) => (out.push(s), true) };
      const code = await main([cmd, "acc.thwonk"], { cwd: dir.dir, stdout: sink, stderr: sink, env: {}, isTTY: false } as never);
      assert.ok(code === 0 || code === 1, `${cmd} exited ${code}: ${out.join("").slice(0, 300)}`);
    }
  } finally {
    dir.remove();
  }
  const d = internalErrorDiagnostic("x.thwonk", "the emitter", new Error("boom"));
  assert.equal(d.severity, "error");
  assert.equal(d.code, "TW3999");
  assert.match(d.message, /Internal error in the emitter: boom/);
});
