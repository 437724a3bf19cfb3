/**
 * Files on disk that are not UTF-8 (saved as Latin-1), over stdio on a
 * spawned `thwonkc lsp --stdio`. Read with replacement they were checked as
 * another rule (`"café"` became `"caf\uFFFD"`, which checks cleanly), and
 * references and renames reached into them on that text. Now: one
 * diagnostic, TW1024, at the first byte that is not UTF-8 (as `thwonkc`
 * says it, the core's decodeSource), at the scan, on a watched change and
 * when an open document is closed again; the file is not checked, a rename
 * in its rule is refused, references leave it out; an open document (the
 * editor's text) is unaffected; fixed on disk, the diagnostic goes. A BOM
 * read from disk is dropped, as the editor's buffer has none: positions on
 * the first line agree with the editor's.
 */
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import {
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DocumentFormattingRequest,
  FileChangeType,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  type Diagnostic,
} from "vscode-languageserver-protocol/node";
import { tempDir, type TempDir } from "../helpers/cli.js";
import { LspClient, positionOf } from "./client.js";

/** A rule that checks cleanly, whatever its string literal holds. */
const LATIN = `rule latin

on message(m: Message) {
  if m.isAutomated() {
    return
  }
  reply(m, text: "café")
}
`;

const PAIR = `rule pair

state {
  greeting: string max 80 = "hello"
}

on message(m: Message) {
  if m.isAutomated() {
    return
  }
  reply(m, text: state.greeting)
}
`;

/** The tests of PAIR: they use the state field `greeting` twice. */
const PAIR_TEST = `// Déjà vu: the first byte that is not UTF-8 is on this line.
test "the greeting" {
  state.greeting = "café"
  message = { from: "ann@example.org", subject: "s", text: "t" }
  expect reply(text: state.greeting)
}
`;

/** Saved with a UTF-8 byte-order mark, which the editor's buffer does not hold; an unexpected `@` on its first line. */
const BOM = LATIN.replace("rule latin", "rule bom @").replace("café", "x");

/** The text as Latin-1 bytes: `é` is the byte 0xE9, which starts no UTF-8 character. */
const latin1 = (text: string): Buffer => Buffer.from(text, "latin1");

/** The LSP range of the first `needle` in `text`, one character long. */
function rangeOf(text: string, needle: string): { start: { line: number; character: number }; end: { line: number; character: number } } {
  const start = positionOf(text, needle);
  return { start, end: { line: start.line, character: start.character + 1 } };
}

let dir: TempDir;
let client: LspClient;
const uri = (rel: string): string => pathToFileURL(dir.path(rel)).href;
const WAIT_MS = 15_000;

before(async () => {
  dir = tempDir({ "pair/pair.thwonk": PAIR, "once/once.thwonk": LATIN.replace("rule latin", "rule once"), "bom/bom.thwonk": `\uFEFF${BOM}` });
  mkdirSync(dir.path("latin"));
  writeFileSync(dir.path("latin/latin.thwonk"), latin1(LATIN));
  writeFileSync(dir.path("pair/pair.test.thwonk"), latin1(PAIR_TEST));
  client = new LspClient();
  await client.initialize(dir.dir);
});

after(async () => {
  await client.close();
  dir.remove();
});

function assertNotUtf8(diagnostics: Diagnostic[], text: string, needle: string): void {
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  const d = diagnostics[0]!;
  const message = String(d.message);
  assert.equal(d.code, "TW1024");
  assert.equal(d.severity, 1);
  assert.deepEqual(d.range, rangeOf(text, needle));
  assert.match(message, /not UTF-8 text: the byte 0xE9 here/);
  assert.match(message, /Save it as UTF-8/);
  assert.doesNotMatch(message, /\uFFFD/);
}

test("a Latin-1 rule of the workspace: TW1024 at its first byte that is not UTF-8, and nothing checked on other text", async () => {
  const u = uri("latin/latin.thwonk");
  // Before: checked as `"caf\uFFFD"`, which has no diagnostics at all.
  const p = await client.waitFor(u, () => true, 0, WAIT_MS);
  assertNotUtf8(p.diagnostics, LATIN, "é");
  // The full check answers with it too, rather than a verified rule that is not the one on disk.
  const full = (await client.connection.sendRequest("thwonk/check", { uri: u })) as { errors: number; diagnostics: string[] };
  assert.equal(full.errors, 1);
  assert.equal(full.diagnostics.length, 1);
  assert.match(full.diagnostics[0]!, /latin\.thwonk:7:22 error TW1024 /);
  // Nor compiled from that text (before: a bundle of `"caf\uFFFD"` was written beside it).
  await assert.rejects(client.connection.sendRequest("thwonk/compile", { uri: u }), /latin\.thwonk:7:22: This file is not UTF-8 text/);
  assert.equal(existsSync(dir.path("latin/latin.thwb")), false);
  // Not open: never formatted.
  assert.equal(await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: u }, options: { tabSize: 2, insertSpaces: true } }), null);
});

test("a rule beside a Latin-1 test file: the rule is checked alone, references leave the test file out, a rename is refused", async () => {
  const ru = uri("pair/pair.thwonk");
  const tu = uri("pair/pair.test.thwonk");
  const tp = await client.waitFor(tu, () => true, 0, WAIT_MS);
  assertNotUtf8(tp.diagnostics, PAIR_TEST, "é");
  await client.open(ru, PAIR);
  const rp = await client.waitFor(ru, (p) => p.version === 1, 0, WAIT_MS);
  assert.deepEqual(rp.diagnostics, []);
  const at = positionOf(PAIR, "greeting:", 1);
  const refs = await client.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: ru }, position: at, context: { includeDeclaration: true } });
  // Before: the test file's two uses too, found on its text through U+FFFD.
  assert.deepEqual(refs?.map((r) => r.uri), [ru, ru]);
  await assert.rejects(client.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri: ru }, position: at }), /pair\.test\.thwonk is not UTF-8 text \(1:5\).*Save it as UTF-8/);
  await assert.rejects(client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: ru }, position: at, newName: "hello" }), /Cannot rename `greeting`: .*pair\.test\.thwonk is not UTF-8 text/);
  // Its tests are not run on a text that is not the file's.
  await assert.rejects(client.connection.sendRequest("thwonk/runTests", { uri: ru }), /pair\.test\.thwonk:1:5: This file is not UTF-8 text/);
  // Saved as UTF-8: the test file is read, checked with its rule, and the rename edits both files.
  const since = client.published.length;
  writeFileSync(dir.path("pair/pair.test.thwonk"), PAIR_TEST);
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: tu, type: FileChangeType.Changed }] });
  const fixed = await client.waitFor(tu, () => true, since, WAIT_MS);
  assert.deepEqual(fixed.diagnostics, []);
  const edit = await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: ru }, position: at, newName: "hello" });
  assert.equal(edit?.changes?.[ru]?.length, 2);
  assert.equal(edit?.changes?.[tu]?.length, 2);
});

test("an open document is the editor's text: no TW1024 while it is open, back when it is closed", async () => {
  const u = uri("latin/latin.thwonk");
  const since = client.published.length;
  await client.open(u, LATIN);
  const open = await client.waitFor(u, (p) => p.version === 1, since, WAIT_MS);
  assert.deepEqual(open.diagnostics, []);
  const since2 = client.published.length;
  await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: u } });
  // Before: the disk's text through U+FFFD, checked cleanly.
  const closed = await client.waitFor(u, () => true, since2, WAIT_MS);
  assertNotUtf8(closed.diagnostics, LATIN, "é");
});

test("a watched change: saved as Latin-1, TW1024 comes; saved as UTF-8 again, it goes", async () => {
  const file = dir.path("once/once.thwonk");
  const u = uri("once/once.thwonk");
  const text = LATIN.replace("rule latin", "rule once");
  await client.waitFor(u, (p) => p.diagnostics.length === 0, 0, WAIT_MS);
  const since = client.published.length;
  writeFileSync(file, latin1(text));
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: u, type: FileChangeType.Changed }] });
  // The publish that has diagnostics: a second publish of the clean check before it (the check, then the verify's)
  // may come after `since` was taken.
  const bad = await client.waitFor(u, (p) => p.diagnostics.length > 0, since, WAIT_MS);
  assertNotUtf8(bad.diagnostics, text, "é");
  const since2 = client.published.length;
  writeFileSync(file, text);
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: u, type: FileChangeType.Changed }] });
  const good = await client.waitFor(u, (p) => !p.diagnostics.some((d) => d.code === "TW1024"), since2, WAIT_MS);
  assert.deepEqual(good.diagnostics, []);
});

test("a rule saved with a BOM: read as the editor reads it, the BOM not a column", async () => {
  const p = await client.waitFor(uri("bom/bom.thwonk"), () => true, 0, WAIT_MS);
  // Before: the BOM was the text's first character, and every position on line 1 one column to the right.
  assert.deepEqual(
    p.diagnostics.map((d) => [d.code, d.range]),
    [["TW1001", rangeOf(BOM, "@")]],
  );
});
