/**
 * The quick fix that binds a value before its `if` (compiler/semantic/hints.ts bindCallFix), in a NAME.test.thwonk
 * open in the editor: offered as a code action in a test block as it is in a rule's body, and applied it leaves the
 * test file clean.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { CodeActionRequest, type CodeAction } from "vscode-languageserver-protocol/node";
import { tempDir, type TempDir } from "../helpers/cli.js";
import { LspClient } from "./client.js";

const RULE = `rule seen

state {
  lastPost: Map<Address, Time> max 100 = {}
  day: int = 0
}

on message(m: Message) {
  if state.lastPost.has(m.from) or state.lastPost.size < 100 {
    state.lastPost.set(m.from, now)
  }
  state.day += 1
}
`;
const TESTS = `test "the day of the last post" {
  state.lastPost = { "ann@example.org": 2026-11-24T10:00:00Z }
  if state.lastPost.get("ann@example.org") != none {
    state.day = state.lastPost.get("ann@example.org").day
  }
  message = { from: "ann@example.org", subject: "Hi" }
  expect state.day == 25
}
`;

let dir: TempDir;
let client: LspClient;

before(async () => {
  dir = tempDir({ "seen/seen.thwonk": RULE, "seen/seen.test.thwonk": TESTS });
  client = new LspClient();
  await client.initialize(dir.dir);
});

after(async () => {
  await client.close();
  dir.remove();
});

/** The text with the edits applied (positions in lines of \n). */
function applied(text: string, edits: readonly { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lines = text.split("\n");
  const offset = (p: { line: number; character: number }): number => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

test("a test block's TW2023 gets the bind-first code action, and applied the test file is clean", async () => {
  const u = pathToFileURL(dir.path("seen/seen.test.thwonk")).href;
  await client.open(u, TESTS);
  const pub = await client.waitFor(u, (p) => p.diagnostics.some((d) => d.code === "TW2023"));
  const d = pub.diagnostics.find((x) => x.code === "TW2023")!;
  const actions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: u }, range: d.range, context: { diagnostics: [d] } });
  assert.equal(actions?.length, 1, JSON.stringify(actions));
  const fix = actions![0] as CodeAction;
  assert.equal(fix.title, "Bind it first: `let lastPost = ...` before the `if`");
  const fixed = applied(TESTS, fix.edit!.changes![u]!);
  assert.ok(fixed.includes('\n  let lastPost = state.lastPost.get("ann@example.org")\n  if lastPost != none {\n    state.day = lastPost.day\n  }\n'), fixed);
  // The editor applies the edits, as it would on the click: each, from the last.
  const since = client.published.length;
  let version = 1;
  for (const e of [...fix.edit!.changes![u]!].reverse()) version = await client.change(u, e.range, e.newText);
  const clean = await client.waitFor(u, (p) => p.version === version, since);
  assert.deepEqual(clean.diagnostics.filter((x) => x.severity === 1), []);
});
