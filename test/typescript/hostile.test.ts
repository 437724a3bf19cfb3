/**
 * Hostile and out-of-subset TypeScript: each rule is refused at compile
 * time (no bundle) with the diagnostic that says why, at the line of the
 * offence; and the declaration a rule is checked against is the generated
 * one alone, kept up to date, with no DOM, Node or ES library in it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkSources, compileSource, type Diagnostic } from "../../compiler/index.js";
import { stdlib } from "../../stdlib/index.js";
import { thwonkDts, TS_RENAMES } from "../../stdlib/dts.js";
import { ruleProgram, TS_VERSION } from "../../compiler/typescript/load.js";
import { repoRoot } from "../helpers/repo.js";

const HEAD = `import { every, List, list, Map, members, now, reply, send, type Message, type Address } from "thwonk";

export const rule = "hostile";
export const limits = { members: 100, text: 1000 };
`;

/** Compiles HEAD + body: no bundle, and an error with `code` on the line holding `marker`. */
function refused(body: string, code: string, marker: string, says?: RegExp): Diagnostic {
  const text = HEAD + body;
  const { bundle, diagnostics } = compileSource("hostile.ts", text);
  assert.equal(bundle, undefined, `compiled:\n${text}`);
  const line = text.split("\n").findIndex((l) => l.includes(marker)) + 1;
  assert.ok(line > 0, `marker ${marker} not in the text`);
  const d = diagnostics.find((x) => x.code === code && x.span.line === line && x.severity === "error");
  assert.ok(d, `no ${code} on line ${line}; got ${diagnostics.map((x) => `${x.span.line} ${x.code} ${x.message}`).join(" | ")}`);
  assert.equal(d.span.file, "hostile.ts");
  if (says) assert.match(d.message, says);
  return d;
}

test("an infinite while loop", () => {
  refused("export function onMessage(m: Message) {\n  while (true) { send({ to: members, subject: m.subject, text: m.text }); } // here\n}\n", "TW7002", "// here", /for \(const x of xs\)/);
});

test("for(;;) and do … while", () => {
  refused("export function onMessage(m: Message) {\n  for (;;) { break; } // here\n}\n", "TW7002", "// here");
  refused("export function onMessage(m: Message) {\n  do { reply(m, { text: \"x\" }); } while (m.subject !== \"\"); // here\n}\n", "TW7002", "do {");
});

test("direct recursion", () => {
  refused("function f(n: number): number {\n  return f(n); // here\n}\nexport function onMessage(m: Message) {\n  reply(m, { text: `${f(1)}` });\n}\n", "TW2046", "// here", /recursive/);
});

test("mutual recursion", () => {
  refused(
    "function a(n: number): number {\n  return b(n);\n}\nfunction b(n: number): number {\n  return a(n); // here\n}\nexport function onMessage(m: Message) {\n  reply(m, { text: `${a(1)}` });\n}\n",
    "TW2046",
    "// here",
    /through/,
  );
});

test("a try/catch around a loop", () => {
  refused("export function onMessage(m: Message) {\n  try { // here\n    for (const x of members) { reply(m, { text: x.name }); }\n  } catch (e) {}\n}\n", "TW7003", "// here");
});

test("building a string in a loop without a bound", () => {
  refused("export function onMessage(m: Message) {\n  let s = \"\";\n  while (s.codePointLength < 1000000) { // here\n    s = s + m.text;\n  }\n  reply(m, { text: s });\n}\n", "TW7002", "// here");
});

test("mutating Array.prototype", () => {
  refused("export function onMessage(m: Message) {\n  Array.prototype.push = m.text; // here\n}\n", "TW7010", "// here", /built-ins/);
  refused("export function onMessage(m: Message) {\n  Array.from = m.text; // here\n}\n", "TW7007", "// here", /List<T, N>/);
  refused("export function onMessage(m: Message) {\n  const xs: List<string> = [];\n  xs.__proto__.push = m.text; // here\n}\n", "TW7010", "// here");
});

test("globalThis, require, process, a dynamic import", () => {
  refused("export function onMessage(m: Message) {\n  globalThis.leak = m.text; // here\n}\n", "TW7007", "// here");
  refused("export function onMessage(m: Message) {\n  const fs = require(\"fs\"); // here\n}\n", "TW7006", "// here");
  refused("export function onMessage(m: Message) {\n  reply(m, { text: process.env.HOME }); // here\n}\n", "TW7007", "// here", /cannot see its host/);
  refused("export function onMessage(m: Message) {\n  const p = import(\"node:fs\"); // here\n}\n", "TW7006", "// here");
});

test("`as any`, `eval`, a class, async", () => {
  refused("export function onMessage(m: Message) {\n  send({ to: members, subject: m.subject, text: m.text as any }); // here\n}\n", "TW7008", "// here");
  refused("export function onMessage(m: Message) {\n  eval(m.text); // here\n}\n", "TW7005", "// here");
  refused("class Box { v = 1; } // here\nexport function onMessage(m: Message) {}\n", "TW7004", "// here");
  refused("export async function onMessage(m: Message) { // here\n}\n", "TW7009", "// here");
});

test("fetch, Date.now and Math.random do not exist", () => {
  refused("export function onMessage(m: Message) {\n  fetch(\"https://example.org\"); // here\n}\n", "TW7007", "// here", /network/);
  refused("export function onMessage(m: Message) {\n  reply(m, { text: `${Date.now()}` }); // here\n}\n", "TW7007", "// here", /`now`/);
  refused("export function onMessage(m: Message) {\n  reply(m, { text: `${Math.random()}` }); // here\n}\n", "TW7007", "// here", /deterministic/);
});

test("sort, RegExp and friends are not in the declaration: the subset says what to write, TypeScript the rest under its own code", () => {
  const d = refused("export function onMessage(m: Message) {\n  const xs: List<string> = [];\n  xs.sort(); // here\n}\n", "TW7025", "// here", /xs\.sorted\(\)/);
  assert.equal(d.span.col, 6);
  refused("export function onMessage(m: Message) {\n  const xs: List<string> = [];\n  xs.reverse(); // here\n}\n", "TS2339", "// here");
  refused("export function onMessage(m: Message) {\n  const r = new RegExp(\"x\"); // here\n}\n", "TW7007", "// here");
});

test("an identifier spelled like the prototype chain in a record is data, not a reach into the built-ins", () => {
  const text = `${HEAD}type Row = { proto: string };\nexport function onMessage(m: Message) {\n  const r: Row = { proto: m.subject };\n  reply(m, { text: r.proto });\n}\n`;
  const { bundle, diagnostics } = compileSource("ok.ts", text);
  assert.ok(bundle, diagnostics.map((d) => `${d.code} ${d.message}`).join("; "));
});

test("unicode and emoji in a template string survive the lowering", () => {
  const text = `${HEAD}export function onMessage(m: Message) {\n  reply(m, { text: \`héllo 👋🏽 \${m.subject} — \\u00e9\` });\n}\n`;
  const r = checkSources([{ fileName: "u.ts", text }]);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error"), []);
  const rule = r.units[0]!.rule;
  assert.equal(rule.fileName, "u.ts");
});

test("an empty file and binary junk give diagnostics, not an exception", () => {
  for (const text of ["", "\u0000\u0001\uffff", "export function onMessage(", "}}}{{{"]) {
    const r = checkSources([{ fileName: "junk.ts", text }]);
    assert.ok(Array.isArray(r.diagnostics));
  }
});

test("stdlib/thwonk.d.ts is the one generated from the declaration (run `node scripts/thwonk-dts.js` after a change)", () => {
  const committed = readFileSync(join(repoRoot, "stdlib", "thwonk.d.ts"), "utf8");
  assert.equal(committed, thwonkDts(stdlib));
});

test("the declaration has no ES library: no sort, no RegExp value, no Promise, no console", () => {
  const dts = thwonkDts(stdlib);
  for (const leak of [/^\s+sort\(/m, /^\s+toSorted\(/m, /^\s+(readonly )?length:/m, /declare var RegExp/, /Promise/, /console/, /fetch/, /process/, /interface Date/]) {
    assert.doesNotMatch(dts, leak, `thwonk.d.ts declares ${leak}`);
  }
  // Each method under its TypeScript name: the one JavaScript does not define otherwise (TS_RENAMES), or the name it is written by (`alias`).
  const renamed = new Map(Object.values(TS_RENAMES).flatMap((r) => Object.entries(r).map(([as, { stdlib: core }]) => [core, as] as const)));
  for (const [name, t] of Object.entries(stdlib.types)) {
    const global = name === "string" || name === "List";
    for (const [m, decl] of Object.entries(t.methods ?? {})) {
      const written = decl.alias ?? m;
      const as = global ? (renamed.get(written) ?? written) : written;
      assert.ok(dts.includes(`${as}(`), `${name}.${m} is missing from thwonk.d.ts (as ${as})`);
    }
  }
  for (const f of Object.keys(stdlib.functions)) assert.ok(dts.includes(`export function ${f}(`), `${f} is missing from thwonk.d.ts`);
});

test(`the TypeScript that decides is ${TS_VERSION}, the one ts-morph bundles`, async () => {
  const morph = await import("ts-morph");
  assert.equal(morph.ts.version, TS_VERSION);
  // load.ts takes TypeScript from ts-morph's own dependency, without ts-morph's wrappers: the same copy.
  assert.equal(ruleProgram("v.ts", "export const rule = \"v\";\n").ts.version, TS_VERSION);
});

test("in state, `as` declares a field's type, and the checker holds the value to it", () => {
  const ok = `${HEAD}export const state = { topic: "" as Text<100>, last: undefined as Time | undefined, recent: [] as List<Text<80>, 5> };
export function onMessage(m: Message) {
  state.topic = m.subject.truncate(100);
  state.last = now;
  if (state.recent.size < 5) {
    state.recent.push(m.subject.truncate(80));
  }
  const counts = new Map<Address, int>();
  counts.set(m.from, 1);
  reply(m, { text: \`\${state.topic} \${counts.size}\` });
}
`.replace("type Address }", "type Address, type Text, type Time, type int }");
  const r = compileSource("state.ts", ok);
  assert.ok(r.bundle, r.diagnostics.map((d) => `${d.span.line} ${d.code} ${d.message}`).join("; "));
  assert.deepEqual((r.bundle.manifest.state as unknown as { name: string }[]).map((f) => f.name), ["topic", "last", "recent"]);
  // A bound the value breaks, and `as any` in state: both refused.
  const bad = `${HEAD.replace("type Address }", "type Address, type Text }")}export const state = { topic: "far too long" as Text<3>, other: 3 as any };\nexport function onMessage(m: Message) {\n  state.topic = "";\n  reply(m, { text: \`\${state.other}\` });\n}\n`;
  const r2 = compileSource("bad.ts", bad);
  assert.equal(r2.bundle, undefined);
  assert.ok(r2.diagnostics.some((d) => d.code === "TW7008" && d.span.line === 5), r2.diagnostics.map((d) => `${d.span.line} ${d.code}`).join(" "));
  const r3 = compileSource("bad.ts", bad.replace(", other: 3 as any", "").replace("${state.other}", "x"));
  assert.equal(r3.bundle, undefined);
  assert.ok(r3.diagnostics.some((d) => d.code.startsWith("TW") && d.span.line === 5 && d.severity === "error"), r3.diagnostics.map((d) => `${d.span.line} ${d.code}`).join(" "));
});

test("numbers: separators and hex are whole numbers; 1.5 and 2 ** 3 are not in the subset", () => {
  const text = `${HEAD}export function onMessage(m: Message) {\n  const a = 1_000 + 0x10;\n  reply(m, { text: \`\${a}\` });\n}\n`;
  const r = compileSource("n.ts", text);
  assert.ok(r.bundle, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("; "));
  refused("export function onMessage(m: Message) {\n  const x = 2 ** 3; // here\n}\n", "TW7011", "// here", /operator/);
});

test("email(\"…\") is an address literal the checker validates; a non-literal is refused", () => {
  const good = `${HEAD.replace("type Address }", "type Address, email }")}const OWNER: Address = email("owner@example.org");\nexport function onMessage(m: Message) {\n  if (m.isAutomated()) {\n    return;\n  }\n  if (m.from === OWNER || m.from === email("ann@example.org")) {\n    reply(m, { text: "hi" });\n  }\n}\n`;
  const r = compileSource("em.ts", good);
  assert.ok(r.bundle, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("; "));
  const wrong = good.replace('email("ann@example.org")', 'email("not an address")');
  const r2 = compileSource("em.ts", wrong);
  assert.equal(r2.bundle, undefined);
  assert.ok(r2.diagnostics.some((d) => d.code === "TW2035" && d.span.line === 10), r2.diagnostics.map((d) => `${d.span.line} ${d.code}`).join(" "));
  const r3 = compileSource("em.ts", good.replace('email("ann@example.org")', "email(m.subject)"));
  assert.ok(r3.diagnostics.some((d) => d.code === "TW7017" && d.span.line === 10));
});

test("docs/typescript.md: its example rule checks without errors", () => {
  const doc = readFileSync(join(repoRoot, "docs", "typescript.md"), "utf8");
  const start = doc.indexOf("```ts\n") + "```ts\n".length;
  const text = doc.slice(start, doc.indexOf("```", start));
  const r = checkSources([{ fileName: "once_a_day.ts", text }]);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.span.line} ${d.code} ${d.message}`), []);
});

test("for (const [k, v] of map.entries()) is `for k, v in map`; other destructuring is refused", () => {
  const text = `${HEAD.replace("type Address }", "type Address, type Time }")}export const state = { seen: new Map<Address, Time, 100>() };
export function onMessage(m: Message) {
  let lines = "";
  for (const [who, when] of state.seen.entries()) {
    lines = \`\${lines} \${who} \${when}\`;
  }
  reply(m, { text: lines.truncate(1000) });
}
`;
  const r = compileSource("entries.ts", text);
  assert.ok(r.bundle, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("; "));
  refused("export function onMessage(m: Message) {\n  for (const [a, b] of [[1, 2]]) { // here\n  }\n}\n", "TW7011", "// here", /entries/);
});

test("what JavaScript would read otherwise is refused: a collection changed in a loop over it, a string walked, a rule's own undefined, replace, __proto__, @ts-ignore, declare", () => {
  refused("export function onMessage(m: Message) {\n  const xs: List<string, 5> = [\"a\"];\n  for (const x of xs) {\n    xs.push(x); // here\n  }\n  reply(m, { text: `${xs.size}` });\n}\n", "TW2054", "// here");
  refused("export function onMessage(m: Message) {\n  for (const c of m.subject) { reply(m, { text: c }); } // here\n}\n", "TS2488", "// here");
  refused("export function onMessage(m: Message) {\n  const undefined = 1; // here\n  reply(m, { text: `${undefined}` });\n}\n", "TW7019", "// here");
  refused("export function onMessage(m: Message) {\n  reply(m, { text: m.subject.replace(\"a\", \"b\") }); // here\n}\n", "TW7021", "// here", /replaceAll/);
  refused("export function onMessage(m: Message) {\n  reply(m, { text: m.subject.replaceAll(\"a\", m.text) }); // here\n}\n", "TW7023", "// here", /split/);
  refused("type R = { n: number };\nexport function onMessage(m: Message) {\n  const r: R = { n: 1, __proto__: 2 }; // here\n  reply(m, { text: `${r.n}` });\n}\n", "TW7022", "// here");
  refused("export function onMessage(m: Message) {\n  // @ts-ignore here\n  reply(m, { text: 5 });\n}\n", "TW7020", "// @ts-ignore");
  refused("declare const LIMIT: number; // here\nexport function onMessage(m: Message) {\n  reply(m, { text: `${LIMIT}` });\n}\n", "TW7024", "// here");
});

test("a forbidden name spelled with unicode escapes is the name it spells", () => {
  refused("export function onMessage(m: Message) {\n  const g = glob\\u0061lThis; // here\n  reply(m, { text: m.subject });\n}\n", "TW7007", "// here", /global object/);
  refused("export function onMessage(m: Message) {\n  \\u0065val(\"1\"); // here\n  reply(m, { text: m.subject });\n}\n", "TW7005", "// here");
  refused("export function onMessage(m: Message) {\n  reply(m, { text: m.subject[\"constr\\u0075ctor\"] }); // here\n}\n", "TW7010", "// here");
});
