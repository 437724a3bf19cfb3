/**
 * The core's messages as a `.ts` rule reads them. A `.ts` rule is checked by
 * the one checker and verifier, and their messages come from the one
 * catalog; advice that shows code is written in the spelling of the file it
 * is reported in (compiler/diagnostics/catalog/spelling.ts). Each case below
 * is a `.ts` rule that reaches a message whose `.thwonk` wording shows
 * `.thwonk`-only syntax: its message must show the TypeScript spelling and
 * none of that syntax. The `.thwonk` wording of the same messages is held by
 * the golden files (test/golden/cases), unchanged.
 *
 * The guard at the end formats every message of the core's bands for a
 * `.ts` file and fails on `.thwonk`-only syntax in its code, so a new
 * message cannot reach a `.ts` rule in the other language's words. The
 * catalog's text is half of what a message says: the rest is the material
 * the checker and the verifier build and pass in (a hint, an advice
 * sentence, what a place is). A second guard reads every string the code
 * that builds that material writes, from its source, and holds each to the
 * same test, so a hint cannot reach a `.ts` rule in `.thwonk` either
 * (`"...{n}"` once did).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ts } from "ts-morph";
import { repoRoot } from "../helpers/repo.js";
import { checkSources } from "../../compiler/index.js";
import { allMessages, messageText, runtimeMessages, tsType } from "../../compiler/diagnostics/catalog/index.js";

const HEAD = `import { every, hold, log, reply, send, email, members, now, List, Map, type Address, type int, type Message, type Text, type Time } from "thwonk";
export const rule = "advice";
`;

/** The code a message shows: its backticked spans (`` `a` `` or, around a template, ``` `` `a` `` ```). */
function codeSpans(message: string): string[] {
  return [...message.matchAll(/`` (.+?) ``|`([^`]+)`/g)].map((m) => m[1] ?? m[2]!);
}

/** `.thwonk` syntax a TypeScript rule cannot write, found in one piece of code; undefined when there is none. */
function thwonkOnly(code: string): string | undefined {
  const bare = code.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const checks: [RegExp, string][] = [
    [/"[^"]*\{[\w.]+\}[^"]*"/, "a `{x}` interpolation"],
    [/\b(?:let|var) \w+(?:: [^=]+)? = [^;]*$/, "a declaration without `;` (`let x = e`)"],
    [/\bvar\b/, "`var`"],
    [/\bfn\b/, "`fn`"],
    [/\bnone\b/, "`none`"],
    [/[\w>\]]\?(?![?.])/, "an optional type `T?`"],
    [/\bfor \w+(?:, \w+)? in\b/, "`for x in`"],
    [/\bwhere\b/, "`where`"],
    [/\bif (?!\()/, "`if` without parentheses"],
    [/ (?:and|or) |^not |[(\s]not /, "`and`, `or`, `not`"],
    [/\bmax (?:\d|N\b|\.\.\.)/, "`max N` on a type"],
    [/^on \w+|\bon \w+\(/, "`on message`"],
    [/^every (?!\()/, "`every day`"],
    [/(?:^|[^=!<>])==(?!=)|!=(?!=)/, "`==` or `!=`"],
    [/\b(?:limits|settings|state) \{/, "a `limits { ... }`, `settings { ... }` or `state { ... }` block"],
    [/\b\d+[dhm]\b/, "a duration literal (`7d`)"],
    [/(?<!")\b\d{4}-\d\d-\d\dT/, "a time literal"],
    [/^rule \w/, "`rule NAME`"],
  ];
  for (const [re, what] of checks) if (re.test(re.source.startsWith('"') ? code : bare)) return what;
  return undefined;
}

function assertTypeScriptWording(message: string, where: string): void {
  for (const code of codeSpans(message)) {
    const found = thwonkOnly(code);
    assert.equal(found, undefined, `${where}: ${found} in \`${code}\`:\n${message}`);
  }
}

/** A `.ts` rule reaching each message, and the TypeScript spelling its advice must show. */
const CASES: { code: string; rule: string; says: string[] }[] = [
  {
    code: "TW3006",
    rule: `export const state = { xs: new List<Text<80>, 10>(), seen: new Map<Address, int, 5>() };
export function onMessage(m: Message) { state.xs.push(m.subject); state.seen.set(m.from, 1); }`,
    says: ["`if (state.xs.size < 10) { ... }`", "`state.seen.has(m.from) || state.seen.size < 5`"],
  },
  {
    code: "TW2028",
    rule: `export function onMessage(m: Message) { const x: int = m.subject.codePointLength; if (x !== undefined) { log(m.subject); } }`,
    says: ["never undefined", "`| undefined`"],
  },
  {
    code: "TW2029",
    rule: `export function onMessage(m: Message) { const x: int = m.subject.codePointLength; log(\`\${x ?? 2}\`); }`,
    says: ["never undefined"],
  },
  {
    code: "TW2031",
    rule: `export function onMessage(m: Message) { const xs = []; log(m.subject); }`,
    says: ["`const x: List<string> = [];`", "`const m: Map<Address, int> = new Map();`"],
  },
  {
    code: "TW2054",
    rule: `export function onMessage(m: Message) { const xs: List<int, 5> = [1, 2]; for (const x of xs) { xs.push(x); } log(m.subject); }`,
    says: ["`let`"],
  },
  {
    code: "TW2062",
    rule: `export function onMessage(m: Message) { 1 + 2; log(m.subject); }`,
    says: ["`const`"],
  },
  {
    code: "TW2094",
    rule: `every("2h at 10:00", () => { log("a"); });`,
    says: ['`every("2h", …)`'],
  },
  {
    code: "TW2096",
    rule: `every("90s", () => { log("a"); });`,
    says: ['`every("15m", () => { ... })`'],
  },
  {
    code: "TW2092",
    rule: `every("day", () => { log("a"); });
every("day", () => { log("b"); });`,
    says: ['`every("day at 00:00", …)`'],
  },
  {
    code: "TW2112",
    rule: `function f(): List<int, 5> { return [1]; }
export function onMessage(m: Message) { f().push(1); log(m.subject); }`,
    says: ["a `let`"],
  },
  {
    code: "TW2120",
    rule: `export const state = { a: "hello" as Text<2> };
export function onMessage(m: Message) { state.a = "x"; log(m.subject); }`,
    says: ["`Text<2>`", "the last type argument"],
  },
  {
    code: "TW2150",
    rule: `every("day", () => { send({ to: members, subject: "s", text: "t", from: "sender" }); });`,
    says: ['`every("day at 00:00", …)`'],
  },
  {
    code: "TW2160",
    rule: `const A = now;
export function onMessage(m: Message) { log(\`\${A} \${m.subject}\`); }`,
    says: ["`days(7)`", '`time("2026-01-01T00:00:00Z")`', "`function`"],
  },
  {
    code: "TW2165",
    rule: `export function onMessage(m: Message) { let y = undefined; y = now; log(\`\${y} \${m.subject}\`); }`,
    says: ["`let y = undefined;`", "`let y: Time | undefined = undefined;`"],
  },
  {
    code: "TW2190",
    rule: `export function onMessage(m: Message) { const xs: List<int | undefined, 5> = [1, undefined]; log(\`\${xs.sorted().size} \${m.subject}\`); }`,
    says: ["`sorted()`", "may be undefined", "`if (x !== undefined) { xs.push(x); }`"],
  },
  {
    code: "TW2195",
    rule: `type R = { a: int };
export function onMessage(m: Message) { const xs: List<R, 5> = [{ a: 1 }]; log(xs.join(",") + m.subject); }`,
    says: ["`${x}`", "`` parts.push(`${x.name} <${x.address}>`); ``"],
  },
  {
    code: "TW2270",
    rule: `type R = { a: int };
export function onMessage(m: Message) { const xs: List<R, 5> = [{ a: 1 }]; if (xs.contains({ a: 1 })) { log(m.subject); } }`,
    says: ["`===`", "`for (const y of xs) if (y.FIELD === x.FIELD) { ... }`"],
  },
  {
    code: "TW2260",
    rule: `export function onMessage(m: Message) { if (!members.has(m.from)) { hold("x"); } }`,
    says: ["`if (!members.has(m.from) && !m.approved) { hold(...); }`"],
  },
  {
    code: "TW3102",
    rule: `export function onMessage(m: Message) { reply(m, { text: "hi" }); }`,
    says: ["`if (m.isAutomated()) { return; }`"],
  },
  {
    code: "TW3001",
    rule: `export const limits = { members: 5000, budget: 1000 };
export function onMessage(m: Message) { for (const a of members) { for (const b of members) { log(\`\${a.address} \${b.address} \${m.subject}\`); } } }`,
    says: ["`onMessage`", "`export const limits = { budget: ... }`", "`for (const x of xs) if (c) { ... }`"],
  },
  {
    code: "TW3030",
    rule: `export const limits = { members: 5000, budget: 1000 };
export function onMessage(m: Message) { for (const a of members) { for (const b of members) { log(\`\${a.address} \${b.address} \${m.subject}\`); } } }`,
    says: ["`export const limits = { memory: ... }`"],
  },
  {
    code: "TW3002",
    rule: `export const limits = { members: 5000, fanout: 10 };
export function onMessage(m: Message) { for (const a of members) { send({ to: [a.address], subject: m.subject, text: "t" }); } }`,
    says: ["`export const limits = { fanout: ... }`"],
  },
  {
    code: "TW2035",
    rule: `export function onMessage(m: Message) { send({ to: [email("nope")], subject: m.subject, text: "t" }); }`,
    says: ['`email("name@example.org")`'],
  },
  {
    code: "TW2091",
    rule: `import { type Member } from "thwonk";
export function onMessage(m: Member) { log(\`\${m.address}\`); }`,
    says: ["`export function onMessage(m: Message)`"],
  },
  {
    code: "TW2080",
    rule: `export const state = { xs: new List<int, 0>() };
export function onMessage(m: Message) { state.xs = []; log(m.subject); }`,
    says: ["`List<Address, 500>`"],
  },
  {
    code: "TW2018",
    rule: `type R = { a: int };
export const state = { xs: new Map<R, int, 5>() };
export function onMessage(m: Message) { state.xs = new Map(); log(m.subject); }`,
    says: ["`===`"],
  },
  {
    code: "TW2027",
    rule: `type R = { a: int };
export function onMessage(m: Message) { const a: R = { a: 1 }; const b: R = { a: 2 }; if (a === b) { log(m.subject); } }`,
    says: ["`===` or `!==`"],
  },
  {
    code: "TW2022",
    rule: `export const state = { t: undefined as Time | undefined };
export function onMessage(m: Message) { if (state.t) { log(m.subject); } }`,
    says: ["`Time | undefined`", "`state.t !== undefined`"],
  },
  {
    code: "TW2023",
    rule: `export function onMessage(m: Message) { let x: Time | undefined = undefined; if (m.subject === "a") { x = now; } log(\`\${x}\`); }`,
    says: ["`Time | undefined`", "`if (x !== undefined) { ... }`"],
  },
  {
    code: "TW2025",
    rule: `export function onMessage(m: Message) { const n: int = 3; log(m.subject + n); }`,
    says: ["`` `...${n}` ``"],
  },
  {
    code: "TW2110",
    rule: `type R = { counts: Map<Address, int, 10> | undefined };
export const state = { r: { counts: undefined } as R };
export function onMessage(m: Message) { const mine = state.r.counts; if (mine !== undefined) { log(\`\${mine.size} \${m.subject}\`); } }`,
    says: ["`(state.r.counts ?? new Map()).copy()`"],
  },
  {
    code: "TW2030",
    rule: `type R = { a: int };
export function onMessage(m: Message) { const r: R = { a: 1 }; log(\`\${r} \${m.subject}\`); }`,
    says: ["`${...}`"],
  },
  {
    code: "TW2058",
    rule: `every("day", () => { return 1; });`,
    says: ['`every("day at 00:00", …)`', "`return;`"],
  },
  {
    code: "TW1020",
    rule: `export function onMessage(m: Message) { const n: int = ${Array(210).fill("1").join(" + ")}; log(\`\${n} \${m.subject}\`); }`,
    says: ["`const a = ...;`"],
  },
  {
    code: "TW1018",
    rule: `export function onMessage(m: Message) { const n: int = ${"(".repeat(400)}1${")".repeat(400)}; log(\`\${n} \${m.subject}\`); }`,
    says: ["`const`"],
  },
];

for (const c of CASES) {
  test(`${c.code} in a .ts rule: the advice is in TypeScript`, () => {
    const { diagnostics } = checkSources([{ fileName: "advice.ts", text: HEAD + c.rule }]);
    const reported = diagnostics.filter((x) => x.code === c.code);
    assert.ok(reported.length, `${c.code} not reported:\n${diagnostics.map((x) => `${x.code} ${x.message}`).join("\n")}`);
    const said = reported.map((d) => d.message).join("\n");
    for (const s of c.says) assert.ok(said.includes(s), `${c.code} does not say ${s}:\n${said}`);
    for (const d of reported) {
      assertTypeScriptWording(d.message, c.code);
      for (const e of d.fix?.edits ?? []) assert.equal(thwonkOnly(e.newText), undefined, `${c.code}'s fix writes .thwonk: ${e.newText}`);
    }
  });
}

test("a fix edits a .ts rule in TypeScript: `: Time | undefined`, not `: Time?`", () => {
  const { diagnostics } = checkSources([{ fileName: "advice.ts", text: HEAD + CASES.find((c) => c.code === "TW2165")!.rule }]);
  const d = diagnostics.find((x) => x.code === "TW2165")!;
  assert.deepEqual(d.fix?.edits.map((e) => e.newText), [": Time | undefined"]);
});

test("an expression a message quotes keeps the .ts rule's names: `codePointLength`, not the stdlib's `length`", () => {
  const rule = `export function onMessage(m: Message) { if (m.subject.codePointLength === undefined) { log("y"); } if (m.text.codePoints() === undefined) { log("z"); } }`;
  const { diagnostics } = checkSources([{ fileName: "advice.ts", text: HEAD + rule }]);
  const said = diagnostics.filter((x) => x.code === "TW2028").map((d) => d.message);
  assert.equal(said.length, 2, diagnostics.map((x) => `${x.code} ${x.message}`).join("\n"));
  assert.match(said[0]!, /^`m\.subject\.codePointLength` is `int`/);
  assert.match(said[1]!, /^`m\.text\.codePoints\(\)` is /);
});

test("the same message in a .thwonk rule keeps the .thwonk spelling", () => {
  const { diagnostics } = checkSources([
    { fileName: "advice.thwonk", text: "rule advice\nstate { xs: List<string max 80> max 10 = [] }\non message(m: Message) {\n  state.xs.push(m.subject)\n}\n" },
  ]);
  const d = diagnostics.find((x) => x.code === "TW3006")!;
  assert.match(d.message, /`if state\.xs\.size < 10 \{ \.\.\. \}`/);
});

test("types in a .ts rule's messages are written as TypeScript writes them", () => {
  assert.equal(tsType("Time?"), "Time | undefined");
  assert.equal(tsType("string max 80"), "Text<80>");
  assert.equal(tsType("List<string max 80> max 10"), "List<Text<80>, 10>");
  assert.equal(tsType("Map<Address, List<Time?> max 5> max 100"), "Map<Address, List<Time | undefined, 5>, 100>");
  assert.equal(tsType("{ a: int, b: string? }"), "{ a: int; b: string | undefined }");
  assert.equal(tsType("none"), "undefined");
  assert.equal(tsType("a `Message`"), "a `Message`", "text that is not a type is given back");
});

/**
 * Messages no `.ts` rule can reach, each with why: the guard below skips
 * them. Everything else in the core's bands (TW1xxx–TW3xxx) is formatted
 * for a `.ts` file and must show no `.thwonk`-only code.
 */
const NOT_FROM_TS: Record<string, string> = {
  // The .ts front end never runs the .thwonk parser; of the syntax band only the nesting limits are shared (compiler/typescript/nesting.ts),
  // and TW1024, a file that is not UTF-8, made before either front end reads it.
  ...Object.fromEntries(
    allMessages.filter((m) => /^TW1/.test(m.code) && !["TW1018", "TW1020", "TW1024"].includes(m.code)).map((m) => [m.code, "the .thwonk parser's"]),
  ),
  // Test files are .thwonk, whichever rule they test (docs/typescript.md, "Tools").
  TW2001: "a test file's",
  TW2005: "a test file's",
  ...Object.fromEntries(["TW2100", "TW2101", "TW2102", "TW2103", "TW2104", "TW2105", "TW2106", "TW2107", "TW2108", "TW2210"].map((c) => [c, "a test file's"])),
  TW2032: "an object literal in a .ts rule is a record, a map is `new Map(...)`",
  TW2211: "`null` in a .ts rule is TW7015",
};

/** Material for the messages that take more than strings. */
const SAMPLE_ARGS: Record<string, unknown[]> = {
  TW2165: ["var", "x", { type: "Time", line: 3 }],
  // Under the rule's own budget (not the daemon's ceiling), whose advice is to raise the limit.
  TW3001: ["on message", 2000, 1000, "x", "x", false],
  TW3030: ["on message", 2000, 1000, "x", "x", false],
  TW3005: ["x", "", 20, "characters", "state.x", 10, undefined],
};

/**
 * The branches a message's words take on plain material: every argument `"x"`
 * (a hint given, a flag set), and every argument left out (no hint, unset)
 * where the message reads without them.
 */
function renderings(m: (typeof allMessages)[number], file: string): string[] {
  const fill = (x: unknown): unknown[] => SAMPLE_ARGS[m.code] ?? Array.from({ length: Math.max(m.format.length, 8) }, () => x);
  const out = [messageText(m, file, fill("x"))];
  try {
    out.push(messageText(m, file, fill(undefined)));
  } catch {
    // A message that needs its material: the rendering above is its only one.
  }
  return out;
}

/** The core's messages a `.ts` rule can reach: TW1xxx–TW3xxx but those listed. TW4xxx are about bundles, TW5xxx the runtime's (contract/messages.ts), TW7xxx written for .ts rules alone. */
const runtime = new Set(Object.values(runtimeMessages).map((m) => m.code));
const reachable = allMessages.filter((m) => /^TW[123]/.test(m.code) && !runtime.has(m.code) && !NOT_FROM_TS[m.code]);

test("guard: no message of the core reaches a .ts rule with .thwonk-only code in its advice", () => {
  assert.ok(reachable.length > 100, `only ${reachable.length} messages checked`);
  for (const m of reachable) for (const text of renderings(m, "guard.ts")) assertTypeScriptWording(text, `${m.code} (${m.title})`);
});

/** The parameters of a message's formatter, by name, as its source declares them (`(type, name, hint) => ...`). */
function paramNames(m: (typeof allMessages)[number]): string[] {
  const src = m.format.toString();
  const list = /^\(([^)]*)\)/.exec(src)?.[1] ?? src.slice(0, src.indexOf("=>"));
  return list.split(",").map((p) => p.trim().replace(/\s*=.*$/, "")).filter((p) => p !== "");
}

/** The parameters that take a type as the checker writes it (typeToString), but where a message says otherwise. */
const TYPE_PARAMS = /^(?:type|found|expected|left|right|operand)$/;
const NOT_TYPES: Record<string, string> = { TW2013: "its `expected` and `found` are counts of type arguments" };

test("guard: a type a message is given reaches a .ts rule as TypeScript writes it (`List<Time | undefined, 5>`, not `List<Time?> max 5`)", () => {
  const typed = reachable.filter((m) => !NOT_TYPES[m.code] && paramNames(m).some((p) => TYPE_PARAMS.test(p)));
  assert.ok(typed.length >= 20, typed.map((m) => m.code).join(", "));
  for (const m of typed) {
    const args = paramNames(m).map((p) => (TYPE_PARAMS.test(p) ? "List<Time?> max 5" : (SAMPLE_ARGS[m.code]?.[paramNames(m).indexOf(p)] ?? "x")));
    const text = messageText(m, "guard.ts", args);
    assert.doesNotMatch(text, /Time\?|max 5/, `${m.code} (${m.title}) writes a type it is given as .thwonk does:\n${text}`);
  }
});

test("the guard sees .thwonk syntax in the same messages' .thwonk wording", () => {
  // Were the detector blind, the guard above would pass on anything: the .thwonk wording of the same messages must trip it.
  const flagged = reachable.filter((m) => renderings(m, "guard.thwonk").some((t) => codeSpans(t).some((c) => thwonkOnly(c) !== undefined)));
  assert.ok(flagged.length >= 25, `only ${flagged.map((m) => m.code).join(", ")}`);
});

test("the guard's detector finds .thwonk syntax and passes TypeScript", () => {
  for (const code of ["let a = ...", "var x: T = e", "if x != none { ... }", "for x in xs { ... }", "Time?", "List<T> max 5", "on message(m: Message)", "every day", "limits { budget: ... }", "state { }", "7d", '"{x.name}"', "a and b", "fn f()"]) {
    assert.ok(thwonkOnly(code), `not found in ${code}`);
  }
  for (const code of ["const a = ...;", "let x: T = e;", "if (x !== undefined) { ... }", "for (const x of xs) { ... }", "Time | undefined", "List<T, 5>", "export function onMessage(m: Message)", 'every("day", () => { ... })', "x ?? 2", "`${x}`", "a && b", "state.xs.size < 10"]) {
    assert.equal(thwonkOnly(code), undefined, `found in ${code}`);
  }
});

// ---------------------------------------------------------------- the material the checker and the verifier build

/**
 * The code that builds a message's material: the checker, the verifier and
 * the program around them (compiler/*.ts), each folder's own files. Not the
 * .thwonk parser (a .ts rule never reaches it but for TW1018 and TW1020,
 * built in compiler/typescript/nesting.ts), the emitter (TW4xxx: bundles) or
 * the TypeScript front end (TW7xxx, written for .ts rules alone).
 */
const BUILDERS = ["compiler/semantic", "compiler/verify", "compiler"];

/** Words in that code that only a .thwonk file reads, each with why: `file: code` → reason. */
const THWONK_ONLY_WORDS: Record<string, string> = {
  "compiler/semantic/binder.ts: fn": "TW2005, a declaration in a test file (test files are .thwonk)",
  "compiler/semantic/test-functions.ts: for i in range(200) { ... }": "the doc of a test file's `range(n)`",
};

interface Finding {
  where: string;
  code: string;
  what: string;
  text: string;
}

/** A condition that tells the surfaces apart (`s.surface === "ts"`, `surfaceOf(file) !== "ts"`): whether its true branch is the .ts one. */
function surfaceTest(cond: string): boolean | undefined {
  if (!/surface/.test(cond) || !/"ts"|"thwonk"/.test(cond)) return undefined;
  return /===\s*"ts"|!==\s*"thwonk"/.test(cond);
}

/**
 * Every string and template literal of `text` that shows code in backticks
 * or is given to `q(...)`, with each `${...}` read as a name, checked for
 * .thwonk-only code; but those
 * in the .thwonk branch of a condition on the file's surface (their words
 * are the other language's on purpose).
 */
function scanBuilder(fileName: string, text: string): Finding[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: Finding[] = [];
  const visit = (node: ts.Node, thwonkBranch: boolean): void => {
    if (ts.isIfStatement(node) || ts.isConditionalExpression(node)) {
      const cond = ts.isIfStatement(node) ? node.expression : node.condition;
      const tsIsTrue = surfaceTest(cond.getText(sf));
      if (tsIsTrue !== undefined) {
        const [yes, no] = ts.isIfStatement(node) ? [node.thenStatement, node.elseStatement] : [node.whenTrue, node.whenFalse];
        visit(cond, thwonkBranch);
        visit(yes, thwonkBranch || !tsIsTrue);
        if (no) visit(no, thwonkBranch || tsIsTrue);
        return;
      }
    }
    // A type interpolated as the checker writes it (`Time?`, `string max 80`), where `s.type(...)` writes it as the file does.
    if (ts.isTemplateSpan(node) && /typeToString\(/.test(node.expression.getText(sf)) && !/\.type\(typeToString\(/.test(node.expression.getText(sf)) && !thwonkBranch && !fileName.endsWith("semantic/types.ts")) {
      const where = `${fileName}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
      out.push({ where, code: node.expression.getText(sf), what: "a type in the .thwonk spelling (`Time?`): write `s.type(typeToString(t))`", text: node.parent.getText(sf) });
    }
    let words: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) words = node.text;
    else if (ts.isTemplateExpression(node)) words = node.head.text + node.templateSpans.map((p) => `x${p.literal.text}`).join("");
    if (words !== undefined && !thwonkBranch) {
      // Code is what a message shows in backticks, and what it puts in them: the text given to `q(...)`.
      const quoted = ts.isCallExpression(node.parent) && node.parent.expression.getText(sf) === "q";
      for (const code of quoted ? [words] : codeSpans(words)) {
        const what = thwonkOnly(code);
        if (what !== undefined) out.push({ where: `${fileName}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`, code, what, text: words });
      }
    }
    ts.forEachChild(node, (c) => visit(c, thwonkBranch));
  };
  visit(sf, false);
  return out;
}

function builderFiles(): string[] {
  return BUILDERS.flatMap((dir) =>
    readdirSync(join(repoRoot, dir))
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
      .map((f) => `${dir}/${f}`),
  );
}

test("guard: no words the checker or the verifier build for a message show .thwonk-only code, unless a .thwonk file alone reads them", () => {
  const files = builderFiles();
  assert.ok(files.includes("compiler/semantic/hints.ts") && files.includes("compiler/verify/explain.ts") && files.length > 40, files.join(", "));
  const found = files.flatMap((f) => scanBuilder(f, readFileSync(join(repoRoot, f), "utf8")));
  const left = found.filter((x) => !THWONK_ONLY_WORDS[`${x.where.replace(/:\d+$/, "")}: ${x.code}`]);
  assert.deepEqual(
    left.map((x) => `${x.where}: ${x.what} in \`${x.code}\`: ${x.text}`),
    [],
    "spell them by the file's surface (a function of the Spelling: s.none, s.ifBlock, s.decl, ...), or list them above with why",
  );
  // Each exception is still needed: a word spelled since is taken off the list.
  const used = new Set(found.map((x) => `${x.where.replace(/:\d+$/, "")}: ${x.code}`));
  assert.deepEqual(Object.keys(THWONK_ONLY_WORDS).filter((k) => !used.has(k)), []);
});

test("the builders' guard finds a hint written in .thwonk, and passes one spelled by the surface", () => {
  // The hint `"...{n}"` that once reached .ts rules, as it was written (expressions.ts before it was spelled).
  const leaked = scanBuilder(
    "x.ts",
    'hint = `To put a value into text, use interpolation: ${q(`"...{${exprText(other)}}"`)}.`;\nconst h = "keep only the values (`if x != none { xs.push(x) }`)";\nconst u = `as ${q(typeToString(t))}`;',
  );
  assert.deepEqual(
    leaked.map((x) => x.what.replace(/:.*/, "")),
    ["a `{x}` interpolation", "`none`", "a type in the .thwonk spelling (`Time?`)"],
  );
  const spelled = scanBuilder(
    "x.ts",
    'hint = (s) => `Put it in a string: ${q(s.interpolate("", exprText(e), ""))}.`;\nconst h = (s) => (s.surface === "ts" ? "`T | undefined`" : "`T?`");\nif (surfaceOf(f) !== "ts") { w = "`let x = e`"; }\nconst u = (s) => `as ${q(s.type(typeToString(t)))}`;',
  );
  assert.deepEqual(spelled, []);
});
