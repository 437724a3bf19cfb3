/**
 * The language server driven over stdio by a real JSON-RPC client
 * (vscode-languageserver-protocol) on a spawned `thwonkc lsp --stdio`:
 * diagnostics (two publishes, a rule with its tests, unopened rules of the
 * workspace, files changed on disk, a long session of edits), hover,
 * completion (also in broken code), definition, references, rename (and its
 * refusals), document symbols, formatting, code actions, folding, highlights,
 * workspace symbols and the trigger code lenses.
 */
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  DefinitionRequest,
  DidChangeWatchedFilesNotification,
  DocumentFormattingRequest,
  DocumentHighlightRequest,
  DocumentSymbolRequest,
  FileChangeType,
  FoldingRangeRequest,
  HoverRequest,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  WorkspaceSymbolRequest,
  type CompletionItem,
  type CompletionList,
  type DocumentSymbol,
  type MarkupContent,
} from "vscode-languageserver-protocol/node";
import { repoRoot } from "../helpers/repo.js";
import { tempDir, type TempDir } from "../helpers/cli.js";
import { LspClient, positionOf } from "./client.js";

const DIGEST = readFileSync(join(repoRoot, "examples", "digest", "digest.thwonk"), "utf8");
const DIGEST_TEST = readFileSync(join(repoRoot, "examples", "digest", "digest.test.thwonk"), "utf8");
const ONCE = readFileSync(join(repoRoot, "examples", "once_a_day", "once_a_day.thwonk"), "utf8");

let dir: TempDir;
let client: LspClient;
const uri = (rel: string): string => pathToFileURL(dir.path(rel)).href;

before(async () => {
  dir = tempDir({
    "digest/digest.thwonk": DIGEST,
    "digest/digest.test.thwonk": DIGEST_TEST,
    "once/once_a_day.thwonk": ONCE,
    "broken/broken.thwonk": "rule broken\non message(m: Message) {\n  let x = \n}\n",
  });
  client = new LspClient();
  await client.initialize(dir.dir);
});

after(async () => {
  await client.close();
  dir.remove();
});

function labels(r: CompletionItem[] | CompletionList | null): string[] {
  const items = r === null ? [] : Array.isArray(r) ? r : r.items;
  return items.map((i) => i.label);
}

test("unopened rules of the workspace are checked: diagnostics of a broken file on disk", async () => {
  const p = await client.waitFor(uri("broken/broken.thwonk"), (p) => p.diagnostics.length > 0);
  assert.ok(p.diagnostics.some((d) => d.code === "TW1004"), JSON.stringify(p.diagnostics));
  const clean = await client.waitFor(uri("once/once_a_day.thwonk"));
  assert.deepEqual(clean.diagnostics, []);
});

test("an edit: syntax and type diagnostics, then cleared when fixed; the test file is re-checked with its rule", async () => {
  const u = uri("digest/digest.thwonk");
  const tu = uri("digest/digest.test.thwonk");
  await client.open(u, DIGEST);
  await client.open(tu, DIGEST_TEST);
  await client.waitFor(u, (p) => p.version === 1 && p.diagnostics.length === 0);
  // Rename the state field in the rule: the test file's `state.posts` now fails.
  let since = client.published.length;
  const at = positionOf(DIGEST, "posts: List<Post>");
  const v = await client.change(u, { start: at, end: { line: at.line, character: at.character + 5 } }, "queue");
  const rulePub = await client.waitFor(u, (p) => p.version === v && p.diagnostics.length > 0, since);
  assert.ok(rulePub.diagnostics.every((d) => d.source === "thwonk" && typeof d.code === "string"));
  const testPub = await client.waitFor(tu, (p) => p.diagnostics.length > 0, since);
  assert.match(testPub.diagnostics.map((d) => d.message).join("\n"), /posts/);
  // Undo: everything clean again.
  since = client.published.length;
  const v2 = await client.change(u, { start: at, end: { line: at.line, character: at.character + 5 } }, "posts");
  await client.waitFor(u, (p) => p.version === v2 && p.diagnostics.length === 0, since);
  await client.waitFor(tu, (p) => p.diagnostics.length === 0, since);
});

test("a session of many edits ends with the right diagnostics", async () => {
  const u = uri("session/session.thwonk");
  const text = "rule session\n\non message(m: Message) {\n}\n";
  await client.open(u, text);
  // Type a statement character by character, with a mistake on the way, then fix it.
  const line = '  log("hello {m.subjct}")\n';
  let pos = { line: 3, character: 0 };
  let v = 1;
  for (const ch of line) {
    v = await client.change(u, { start: pos, end: pos }, ch);
    pos = ch === "\n" ? { line: pos.line + 1, character: 0 } : { line: pos.line, character: pos.character + 1 };
  }
  const wrong = await client.waitFor(u, (p) => p.version === v && p.diagnostics.length > 0);
  assert.ok(wrong.diagnostics.some((d) => /subjct/.test(String(d.message))), JSON.stringify(wrong.diagnostics));
  // Fix the typo: `subjct` → `subject`.
  const typo = { line: 3, character: line.indexOf("subjct") + 4 };
  const since = client.published.length;
  v = await client.change(u, { start: typo, end: typo }, "e");
  const fixed = await client.waitFor(u, (p) => p.version === v, since);
  assert.deepEqual(fixed.diagnostics, []);
  // No publish after the last one says otherwise (the older checks were superseded, not published late): once the
  // server has no pass queued or running (thwonk/stats, answered after what it sent before), none can come.
  for (const end = Date.now() + 60_000; ; ) {
    const stats = (await client.connection.sendRequest("thwonk/stats")) as { pending: number };
    if (stats.pending === 0) break;
    assert.ok(Date.now() < end, `passes still pending after 60 s: ${stats.pending}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const lastForUri = client.published.filter((p) => p.uri === u).at(-1)!;
  assert.deepEqual(lastForUri.diagnostics, []);
});

test("the verifier's diagnostics come in a later publish than the types'", async () => {
  const u = uri("verify/verify.thwonk");
  // Types fine; the verifier refuses the budget.
  const text = "rule verify\nlimits { budget: 10 }\non message(m: Message) {\n  send(to: members, subject: m.subject, text: m.text)\n}\n";
  const since = client.published.length;
  await client.open(u, text);
  const first = await client.waitFor(u, () => true, since);
  assert.deepEqual(first.diagnostics, [], "the first publish (syntax and types) is clean");
  const second = await client.waitFor(u, (p) => p.diagnostics.length > 0, since);
  assert.ok(second.diagnostics.some((d) => String(d.code).startsWith("TW3")), JSON.stringify(second.diagnostics));
});

test("hover: a stdlib call's doc and gas, a variable's type, a limit's doc", async () => {
  const u = uri("digest/digest.thwonk");
  const h1 = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: positionOf(DIGEST, "reply(m", 2) });
  const v1 = (h1!.contents as MarkupContent).value;
  assert.match(v1, /\(function\) reply\(m: Message, text: string, subject\?: string\)/);
  assert.match(v1, /Replies to the author/);
  assert.match(v1, /Gas: 50 \+/);
  const h2 = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: positionOf(DIGEST, "contents: List", 1) });
  assert.match((h2!.contents as MarkupContent).value, /\(var\) contents: List<string>/);
  const h3 = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: positionOf(DIGEST, "members: 1000", 1) });
  assert.match((h3!.contents as MarkupContent).value, /\(limit\) members = 1000[\s\S]*largest number of members/);
  const h4 = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: positionOf(DIGEST, "truncate(200)", 1) });
  assert.match((h4!.contents as MarkupContent).value, /\(method\) string\.truncate/);
});

test("completion: members after a dot, state fields, names in scope, stdlib functions with snippets, limits keys, message fields", async () => {
  const u = uri("complete/complete.thwonk");
  const text = 'rule complete\nlimits { members: 10,  }\nstate { count: int = 0 }\non message(m: Message) {\n  let total = 1\n  m.\n  state.\n  \n}\n';
  await client.open(u, text);
  const at = async (needle: string, delta: number, nth = 0) =>
    labels(await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: u }, position: positionOf(text, needle, delta, nth) }));
  const afterM = await at("  m.\n", 4);
  assert.ok(afterM.includes("subject") && afterM.includes("isAutomated") && afterM.includes("from"), afterM.join(","));
  const afterState = await at("  state.\n", 8);
  assert.deepEqual(afterState, ["count"]);
  const blank = await at("  \n}", 2);
  for (const name of ["total", "m", "send", "reply", "members", "let", "if", "for"]) assert.ok(blank.includes(name), name);
  const inLimits = await at("10,  }", 4);
  assert.ok(inLimits.includes("budget") && inLimits.includes("text"), inLimits.join(","));
  const items = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: u }, position: positionOf(text, "  \n}", 2) });
  const send = (items as CompletionItem[]).find((i) => i.label === "send")!;
  assert.equal(send.insertText, "send(to: ${1}, subject: ${2}, text: ${3})");
  assert.equal(send.insertTextFormat, 2);
  // A test's message fields.
  const tu = uri("complete/complete.test.thwonk");
  const ttext = 'test "t" {\n  message = { fr }\n}\n';
  await client.open(tu, ttext);
  const msg = labels(await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: tu }, position: positionOf(ttext, "fr }", 2) }));
  assert.ok(msg.includes("from") && msg.includes("subject"), msg.join(","));
});

test("completion and hover in a file with syntax errors, on an unfinished line", async () => {
  const u = uri("unfinished/unfinished.thwonk");
  const text = "rule unfinished\nstate { seen: Map<Address, int> max 5 = {} }\non message(m: Message) {\n  let n = state.seen.\n  if m.from == \n}\n";
  await client.open(u, text);
  const after = labels(await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: u }, position: positionOf(text, "seen.\n", 5) }));
  assert.ok(after.includes("get") && after.includes("size") && after.includes("has"), after.join(","));
  const env = labels(await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: u }, position: positionOf(text, "m.from", 2) }));
  assert.ok(env.includes("from") && env.includes("envelope"), env.join(","));
  const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: positionOf(text, "m.from", 0) });
  assert.match((h!.contents as MarkupContent).value, /m: Message/);
});

test("definition and references, across the rule and its test file", async () => {
  const u = uri("digest/digest.thwonk");
  const def = await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: u }, position: positionOf(DIGEST, "twoDigits(t.hour)", 1) });
  assert.deepEqual(def, { uri: u, range: { start: positionOf(DIGEST, "twoDigits(n: int)"), end: positionOf(DIGEST, "twoDigits(n: int)", 9) } });
  const stateDef = await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: u }, position: positionOf(DIGEST, "posts.push", 1) });
  assert.deepEqual((stateDef as { range: unknown }).range, { start: positionOf(DIGEST, "posts: List"), end: positionOf(DIGEST, "posts: List", 5) });
  const refs = await client.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: u }, position: positionOf(DIGEST, "twoDigits(n", 1), context: { includeDeclaration: true } });
  assert.equal(refs!.length, 3);
  const noDecl = await client.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: u }, position: positionOf(DIGEST, "twoDigits(n", 1), context: { includeDeclaration: false } });
  assert.equal(noDecl!.length, 2);
  const hl = await client.connection.sendRequest(DocumentHighlightRequest.type, { textDocument: { uri: u }, position: positionOf(DIGEST, "var n = 0", 4) });
  assert.ok(hl!.length >= 4);
});

test("rename: edits every reference; refused for a stdlib name, a clash, a reserved word", async () => {
  const u = uri("digest/digest.thwonk");
  const pos = positionOf(DIGEST, "twoDigits(n", 1);
  const prep = await client.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri: u }, position: pos });
  assert.deepEqual(prep, { range: { start: positionOf(DIGEST, "twoDigits(n"), end: positionOf(DIGEST, "twoDigits(n", 9) }, placeholder: "twoDigits" });
  const edit = await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: u }, position: pos, newName: "pad2" });
  assert.equal(edit!.changes![u]!.length, 3);
  assert.ok(edit!.changes![u]!.every((e) => e.newText === "pad2"));
  await assert.rejects(
    client.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri: u }, position: positionOf(DIGEST, "reply(m", 1) }),
    /standard library/,
  );
  await assert.rejects(client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: u }, position: pos, newName: "clock" }), /would change the program/);
  await assert.rejects(client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: u }, position: pos, newName: "send" }), /standard library/);
  await assert.rejects(client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: u }, position: pos, newName: "for" }), /reserved word/);
  // A local that would be captured by another local in scope.
  const n = positionOf(DIGEST, "var n = 0", 4);
  await assert.rejects(client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: u }, position: n, newName: "bodies" }), /would change the program/);
});

test("document symbols, workspace symbols, folding ranges", async () => {
  const u = uri("digest/digest.thwonk");
  const syms = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: u } })) as DocumentSymbol[];
  assert.deepEqual(syms.map((s) => s.name), ["digest", "limits", "settings", "Post", "state", "on message", "clock", "twoDigits", "every day at 18:00"]);
  assert.deepEqual(syms.find((s) => s.name === "state")!.children!.map((c) => c.name), ["posts"]);
  const ws = await client.connection.sendRequest(WorkspaceSymbolRequest.type, { query: "twoDig" });
  assert.ok(Array.isArray(ws) && ws.some((s) => s.name === "twoDigits"));
  const folds = await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: u } });
  assert.ok(folds!.some((f) => f.startLine === positionOf(DIGEST, "on message").line));
});

test("formatting: the fmt formatter as one edit; nothing for a formatted file", async () => {
  const u = uri("fmt/fmt.thwonk");
  const text = "rule fmt\nstate{n:int=0}\non message(m: Message){\n      state.n+=1\n}\n";
  await client.open(u, text);
  const edits = await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: u }, options: { tabSize: 4, insertSpaces: true } });
  assert.equal(edits!.length, 1);
  assert.equal(edits![0]!.newText, "rule fmt\nstate { n: int = 0 }\non message(m: Message) {\n  state.n += 1\n}\n");
  const none = await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: uri("digest/digest.thwonk") }, options: { tabSize: 2, insertSpaces: true } });
  assert.deepEqual(none, []);
});

test("code actions from the diagnostics' fixes: store a copy", async () => {
  const u = uri("fix/fix.thwonk");
  const text = "rule fix\nstate {\n  names: List<string max 50> max 20 = []\n}\non message(m: Message) {\n  var mine = state.names\n  log(\"{mine.size}\")\n}\n";
  await client.open(u, text);
  const pub = await client.waitFor(u, (p) => p.diagnostics.some((d) => d.code === "TW2110"));
  const d = pub.diagnostics.find((d) => d.code === "TW2110")!;
  const actions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: u }, range: d.range, context: { diagnostics: [d] } });
  assert.equal(actions!.length, 1);
  const fix = actions![0] as { title: string; kind: string; edit: { changes: Record<string, { range: unknown; newText: string }[]> } };
  assert.equal(fix.kind, "quickfix");
  assert.match(fix.title, /Store a copy/);
  assert.deepEqual(fix.edit.changes[u], [{ range: { start: positionOf(text, "state.names\n", 11), end: positionOf(text, "state.names\n", 11) }, newText: ".copy()" }]);
  // Nothing offered away from the diagnostic.
  const none = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: u }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, context: { diagnostics: [] } });
  assert.deepEqual(none, []);
});

test("code lens: each trigger's worst-case gas and fan-out, once verified", async () => {
  const u = uri("digest/digest.thwonk");
  // The verified result of the digest is there once its verifier publish came.
  await client.waitFor(u, () => true);
  let lenses: { command?: { title: string } }[] | null = [];
  for (let i = 0; i < 50 && (lenses?.length ?? 0) < 2; i++) {
    lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: u } });
    if ((lenses?.length ?? 0) < 2) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(lenses!.length, 2);
  assert.match(lenses![0]!.command!.title, /worst case: [\d,]+ gas · sends at most [\d,]+ message/);
});

test("files changed on disk (didChangeWatchedFiles) are re-checked", async () => {
  const file = dir.path("once/once_a_day.thwonk");
  const u = uri("once/once_a_day.thwonk");
  const since = client.published.length;
  writeFileSync(file, ONCE.replace("reply(m,", "replyy(m,"));
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: u, type: FileChangeType.Changed }] });
  const p = await client.waitFor(u, (p) => p.diagnostics.length > 0, since);
  assert.match(String(p.diagnostics[0]!.message), /replyy/);
  const since2 = client.published.length;
  unlinkSync(file);
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: u, type: FileChangeType.Deleted }] });
  const gone = await client.waitFor(u, (p) => p.diagnostics.length === 0, since2);
  assert.deepEqual(gone.diagnostics, []);
});
