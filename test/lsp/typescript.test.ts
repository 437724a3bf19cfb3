/**
 * The language server on TypeScript rules (docs/typescript.md): a `.ts`
 * document that imports "thwonk" gets the front end's diagnostics (TW7xxx,
 * TypeScript's own TSnnnn) at .ts positions, the cost lens and hover; the
 * features the editor's TypeScript owns (formatting, folding) are left to it.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CodeActionRequest, CodeLensRequest, DocumentFormattingRequest, DocumentSymbolRequest, FoldingRangeRequest, HoverRequest, type CodeAction, type MarkupContent } from "vscode-languageserver-protocol/node";
import { repoRoot } from "../helpers/repo.js";
import { tempDir, type TempDir } from "../helpers/cli.js";
import { LspClient, positionOf } from "./client.js";

const ONCE = readFileSync(join(repoRoot, "examples", "once_a_day", "once_a_day.ts"), "utf8");

let dir: TempDir;
let client: LspClient;
const uri = (rel: string): string => pathToFileURL(dir.path(rel)).href;

before(async () => {
  dir = tempDir({ "once/once_a_day.ts": ONCE });
  client = new LspClient();
  await client.initialize(dir.dir);
});

after(async () => {
  await client.close();
  dir.remove();
});

test("a .ts rule: clean, then a while loop and a type error reported at their .ts lines, then clean again", async () => {
  const u = uri("once/once_a_day.ts");
  await client.open(u, ONCE);
  const clean = await client.waitFor(u);
  assert.deepEqual(clean.diagnostics, []);
  const at = positionOf(ONCE, "  if (m.isAutomated())");
  const since = client.published.length;
  await client.change(u, { start: at, end: at }, "  while (m.subject === \"x\") {}\n  const n: number = m.subject;\n");
  const bad = await client.waitFor(u, (p) => p.diagnostics.length > 0, since);
  const codes = bad.diagnostics.map((d) => `${d.range.start.line + 1} ${d.code}`).sort();
  assert.deepEqual(codes, [`${at.line + 1} TW7002`, `${at.line + 2} TS2322`].sort(), JSON.stringify(bad.diagnostics));
  const since2 = client.published.length;
  await client.change(u, { start: at, end: { line: at.line + 2, character: 0 } }, "");
  const fixed = await client.waitFor(u, (p) => p.diagnostics.length === 0, since2);
  assert.deepEqual(fixed.diagnostics, []);
});

test("a .ts rule: the cost lens on its triggers, hover on a stdlib call; formatting, folding and the outline left to TypeScript", async () => {
  const u = uri("once/once_a_day.ts");
  // The lenses are the last verified pass's: of the text as the first test left it once the server says so (an
  // earlier version's pass, of a rule with errors, has none).
  const version = client.published.filter((p) => p.uri === u).at(-1)!.version;
  await client.until("the rule's last version verified", () => client.verified.some((v) => v.uri === u && v.version === version));
  const lenses: { command?: { title: string } }[] = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: u } })) ?? [];
  assert.equal(lenses.length, 2, "a lens on onMessage and one on the schedule");
  assert.ok(lenses.every((l) => /gas/.test(l.command?.title ?? "")), JSON.stringify(lenses));
  const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: positionOf(ONCE, "sameDay(now)", 2) });
  assert.match((h?.contents as MarkupContent | undefined)?.value ?? "", /same calendar day/);
  assert.equal(await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: u }, options: { tabSize: 2, insertSpaces: true } }), null);
  assert.deepEqual(await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: u } }), []);
  // Before: the rule as lowered (rule, limits, settings, state, triggers), a second outline group beside TypeScript's own.
  assert.deepEqual(await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: u } }), []);
});

test("a .ts file that does not import \"thwonk\" is not the server's: no diagnostics for it", async () => {
  const other = uri("once/helper.ts");
  const marker = uri("once/marker.ts");
  await client.open(other, "while (true) {}\nexport const x: number = 'no';\n");
  // A thwonk .ts opened after it: once its diagnostics are out, the first one would have been too.
  await client.open(marker, ONCE.replace('"once_a_day"', '"marker"'));
  await client.waitFor(marker);
  assert.equal(client.published.filter((p) => p.uri === other).length, 0);
});

test("NAME.test.thwonk beside a .ts rule is checked against it: clean, then a wrong state field reported in the test file", async () => {
  const tests = readFileSync(join(repoRoot, "examples", "once_a_day", "once_a_day.test.thwonk"), "utf8");
  const tu = uri("once/once_a_day.test.thwonk");
  await client.open(tu, tests);
  const clean = await client.waitFor(tu);
  assert.deepEqual(clean.diagnostics, []);
  const at = positionOf(tests, "state.lastPost");
  const since = client.published.length;
  await client.change(tu, { start: at, end: { line: at.line, character: at.character + "state.lastPost".length } }, "state.nowhere");
  const bad = await client.waitFor(tu, (p) => p.diagnostics.length > 0, since);
  assert.ok(bad.diagnostics.some((d) => d.range.start.line === at.line && /nowhere/.test(String(d.message))), JSON.stringify(bad.diagnostics));
});

test("a .ts rule's core diagnostics give their advice in TypeScript (catalog/spelling.ts)", async () => {
  const u = uri("advice/advice.ts");
  const text = `import { reply, type Message } from "thwonk";\nexport const rule = "advice";\nexport function onMessage(m: Message) {\n  reply(m, { text: "hi" });\n}\n`;
  await client.open(u, text);
  const got = await client.waitFor(u, (p) => p.diagnostics.some((d) => d.code === "TW3102"));
  const d = got.diagnostics.find((x) => x.code === "TW3102")!;
  const message = typeof d.message === "string" ? d.message : d.message.value;
  assert.match(message, /`if \(m\.isAutomated\(\)\) \{ return; \}`/, message);
});

test("a .ts rule gets the core's quick fix in TypeScript: a call checked against undefined and used again is bound with `const` first", async () => {
  const u = uri("fix/fix.ts");
  const text = `import { log, Map, type Address, type Message, type Time } from "thwonk";
export const rule = "fix";
export const state = { lastPost: new Map<Address, Time, 100>() };
export function onMessage(m: Message) {
  if (state.lastPost.get(m.from) !== undefined) {
    log(\`\${state.lastPost.get(m.from).day}\`);
  }
}
`;
  await client.open(u, text);
  // TypeScript's TS2532 at that place, in the core's words, with the core's fix (compiler/typescript/index.ts, coreExplanations).
  const pub = await client.waitFor(u, (p) => p.diagnostics.some((d) => d.code === "TW2023"));
  assert.ok(!pub.diagnostics.some((d) => d.code === "TS2532"), JSON.stringify(pub.diagnostics));
  const d = pub.diagnostics.find((x) => x.code === "TW2023")!;
  const actions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: u }, range: d.range, context: { diagnostics: [d] } });
  assert.equal(actions?.length, 1, JSON.stringify(actions));
  const fix = actions![0] as CodeAction;
  assert.equal(fix.title, "Bind it first: `const lastPost = ...;` before the `if`");
  const edits = fix.edit!.changes![u]!;
  const lines = text.split("\n");
  const offset = (p: { line: number; character: number }): number => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  let fixed = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) {
    fixed = fixed.slice(0, offset(e.range.start)) + e.newText + fixed.slice(offset(e.range.end));
  }
  assert.ok(fixed.includes("  const lastPost = state.lastPost.get(m.from);\n  if (lastPost !== undefined) {\n    log(`${lastPost.day}`);"), fixed);
});
