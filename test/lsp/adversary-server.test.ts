/**
 * The language server attacked as an editor and a list owner would, over
 * stdio with a real JSON-RPC client: a burst of edits on a 10,000-line rule,
 * a workspace with a link back up its tree and a TypeScript rule beside its
 * tests, a client that answers the server's own requests with errors, CRLF
 * line ends and astral characters in incremental edits, and random hostile
 * edits with every request at random positions. The server must answer, on
 * the text as it is, and never die.
 */
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CodeActionRequest, DidChangeWatchedFilesNotification, DocumentFormattingRequest, FileChangeType, HoverRequest, ShowMessageNotification, WorkspaceSymbolRequest, type CodeAction, type MarkupContent, type SymbolInformation } from "vscode-languageserver-protocol/node";
import { tempDir, type TempDir } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";
import { LspClient } from "./client.js";

const ONCE_TS = readFileSync(join(repoRoot, "examples", "once_a_day", "once_a_day.ts"), "utf8");
const ONCE_TESTS = readFileSync(join(repoRoot, "examples", "once_a_day", "once_a_day.test.thwonk"), "utf8");
const BROKEN = "rule b\non message(m: Message) {\n  let x = \n}\n";

let dir: TempDir;
let client: LspClient;
const shown: string[] = [];
const uri = (rel: string): string => pathToFileURL(dir.path(rel)).href;

before(async () => {
  dir = tempDir({
    "loop/b.thwonk": BROKEN,
    "ts/once_a_day.ts": ONCE_TS,
    "ts/once_a_day.test.thwonk": ONCE_TESTS,
  });
  // A link back up the tree (a `current -> ..` some deploy layouts have).
  symlinkSync("..", dir.path("loop/up"));
  mkdirSync(dir.path("edits"));
  client = new LspClient();
  client.connection.onNotification(ShowMessageNotification.method, (p: { message: string }) => {
    shown.push(p.message);
  });
  await client.initialize(dir.dir);
});

after(async () => {
  await client.close();
  dir.remove();
});

test("the workspace scan: a link back up is not followed (one rule, one name); a .ts rule's tests are checked against it", async () => {
  const tests = await client.waitFor(uri("ts/once_a_day.test.thwonk"));
  // Before: reported as a test file without its rule (TW2001), the .ts rule beside it not read.
  assert.deepEqual(tests.diagnostics, [], JSON.stringify(tests.diagnostics));
  const broken = await client.waitFor(uri("loop/b.thwonk"));
  assert.ok(broken.diagnostics.some((d) => d.code === "TW1004"));
  // The rules the scan found, as workspace symbols. Before: loop/up/loop/b.thwonk, loop/up/loop/up/loop/b.thwonk,
  // ... each a rule of its own (checked and published), down to the depth limit.
  const symbols = (await client.connection.sendRequest(WorkspaceSymbolRequest.type, { query: "b" })) as SymbolInformation[];
  const rulesB = symbols.filter((s) => s.name === "b").map((s) => s.location.uri);
  assert.deepEqual(rulesB, [uri("loop/b.thwonk")]);
});

test("formatting a file with syntax errors, for a client that answers window/showMessageRequest with an error: the server lives", async () => {
  const u = uri("edits/broken.thwonk");
  await client.open(u, BROKEN);
  // LspClient has no handler for window/showMessageRequest: its connection answers "method not found".
  const r = await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: u }, options: { tabSize: 2, insertSpaces: true } });
  assert.equal(r, null);
  // Before: the rejected request was an unhandled rejection, which ended the server; this hover never came back.
  const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: { line: 1, character: 4 } });
  assert.ok(h === null || typeof h === "object");
  for (let i = 0; i < 50 && shown.length === 0; i++) await new Promise((res) => setTimeout(res, 20));
  assert.match(shown[0] ?? "", /syntax errors/);
});

test("formatting a document with CRLF line ends keeps them: nothing for a formatted one, CRLF in the edit of another", async () => {
  const u = uri("edits/crlf.thwonk");
  const formatted = 'rule crlf\r\n/* a comment\r\n   over two lines */\r\non message(m: Message) {\r\n  log("x")\r\n}\r\n';
  await client.open(u, formatted);
  const format = () => client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: u }, options: { tabSize: 2, insertSpaces: true } });
  // Before: the whole file replaced by its \n version, on every format of a formatted file.
  assert.deepEqual(await format(), []);
  await client.change(u, { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, "    ");
  const edits = await format();
  assert.equal(edits?.length, 1);
  assert.equal(edits![0]!.newText, formatted);
});

/** A 10,000-line rule that checks clean: one trigger of 3,300 small `if`s. */
function bigRule(): string {
  const body: string[] = [];
  for (let i = 0; i < 3300; i++) body.push(`  if m.subject.contains("k${i}") {\n    state.n += ${i}\n  }`);
  return `rule big\n\nstate { n: int = 0 }\n\non message(m: Message) {\n${body.join("\n")}\n}\n`;
}

test("a burst of 40 edits to a 10,000-line rule is parsed and checked once, not once per edit; hover answers on the last text", async () => {
  const u = uri("edits/big.thwonk");
  const text = bigRule();
  assert.ok(text.split("\n").length >= 9900);
  await client.open(u, text);
  await client.waitFor(u, (p) => p.version === 1, 0, 60_000);
  const since = client.published.length;
  // Type `/* ... */` into line 1 (a comment, so the rule stays clean), without waiting for anything.
  const burst = 40;
  let v = 1;
  const typed = `/*${"x".repeat(burst - 4)}*/`;
  for (let i = 0; i < burst; i++) v = await client.change(u, { start: { line: 1, character: i }, end: { line: 1, character: i } }, typed[i]!);
  const h = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: { line: 5, character: 5 } })) as { contents: MarkupContent } | null;
  assert.match(h?.contents.value ?? "", /Message/, "hover on `m` in the last text");
  const last = await client.waitFor(u, (p) => p.version === v, since, 60_000);
  assert.deepEqual(last.diagnostics, []);
  // Before: a publish (a parse and a check of the whole file) for nearly every version of the burst.
  const intermediate = client.published.slice(since).filter((p) => p.uri === u && p.version !== v);
  assert.ok(intermediate.length <= burst / 4, `${intermediate.length} publishes for versions the burst had already replaced`);
});

test("CRLF line ends and astral characters in incremental edits: diagnostics at the right UTF-16 columns", async () => {
  const u = uri("edits/emoji.thwonk");
  const text = 'rule e\r\non message(m: Message) {\r\n  let s = "😀😀"\r\n  log("{s} {m.subject}")\r\n}\r\n';
  await client.open(u, text);
  await client.waitFor(u, (p) => p.version === 1);
  const line2 = '  let s = "😀😀"';
  let since = client.published.length;
  const v = await client.change(u, { start: { line: 2, character: line2.length }, end: { line: 2, character: line2.length } }, " + nope");
  const p = await client.waitFor(u, (p) => p.version === v, since);
  const nope = p.diagnostics.find((d) => /nope/.test(String(d.message)));
  assert.deepEqual(nope?.range, { start: { line: 2, character: line2.length + 3 }, end: { line: 2, character: line2.length + 7 } });
  // Replace the CRLF ending line 2 and add a line between: the next diagnostic is on the new line.
  since = client.published.length;
  const v2 = await client.change(u, { start: { line: 2, character: line2.length + 7 }, end: { line: 3, character: 0 } }, '\r\n  let t: int = "😀"\r\n');
  const p2 = await client.waitFor(u, (p) => p.version === v2, since);
  const t = p2.diagnostics.find((d) => /`int`/.test(String(d.message)));
  assert.equal(t?.range.start.line, 3, JSON.stringify(p2.diagnostics));
});

test("a code action asked right after an edit: its fix is for the text as it is, not the last published one", async () => {
  const u = uri("edits/fix.thwonk");
  await client.open(u, "rule fix\non message(m: Message) {\n  if !m.isAutomated() {\n    log(\"x\")\n  }\n}\n");
  await client.waitFor(u, (p) => p.version === 1 && p.diagnostics.length > 0);
  // Indent the line: `!` moves from column 5 to 9; ask at once, before any publish for the new text.
  await client.change(u, { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, "    ");
  const ask = (character: number) =>
    client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: u }, range: { start: { line: 2, character }, end: { line: 2, character } }, context: { diagnostics: [] } });
  // Before: the published fix, which would write `not ` over columns 5-6 (now blanks), and none at the `!`.
  assert.deepEqual(await ask(5), []);
  const actions = (await ask(9)) as CodeAction[];
  assert.deepEqual(actions.map((a) => a.edit?.changes?.[u]), [[{ range: { start: { line: 2, character: 9 }, end: { line: 2, character: 10 } }, newText: "not " }]]);
});

test("thwonk/compile: an unsaved document is refused (no file in the server's directory); a .ts rule's bundle is named as thwonkc compile names it", async () => {
  await client.connection.sendNotification("textDocument/didOpen", {
    textDocument: { uri: "untitled:Untitled-1", languageId: "thwonk", version: 1, text: 'rule u\non message(m: Message) {\n  log("x")\n}\n' },
  });
  // Before: "Wrote untitled:Untitled-1.thwb", a file of that name in the server's working directory.
  await assert.rejects(client.connection.sendRequest("thwonk/compile", { uri: "untitled:Untitled-1" }), /Save the rule first/);
  assert.equal(existsSync(join(process.cwd(), "untitled:Untitled-1.thwb")), false);
  const r = (await client.connection.sendRequest("thwonk/compile", { uri: uri("ts/once_a_day.ts") })) as { ok: boolean; bundle: string };
  // Before: ts/once_a_day.ts.thwb, where `thwonkc compile ts/once_a_day.ts` writes ts/once_a_day.thwb.
  assert.equal(r.bundle, dir.path("ts/once_a_day.thwb"));
  assert.ok(existsSync(dir.path("ts/once_a_day.thwb")));
});

test("a file whose URI the editor spells otherwise than Node (`(` as %28, as VS Code does): its buffer, not the disk, is checked, compiled and published for", async () => {
  const file = dir.write("names/digest (copy).thwonk", 'rule copy\non message(m: Message) {\n  log("saved")\n}\n');
  // VS Code encodes every character but letters, digits, `-._~` and `/`.
  const u = `file://${file.split("/").map((p) => encodeURIComponent(p).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)).join("/")}`;
  assert.notEqual(u, pathToFileURL(file).href);
  await client.open(u, 'rule copy\non message(m: Message) {\n  log("unsaved {nope}")\n}\n');
  // Before: published under Node's spelling without a version, so this waited in vain.
  const p = await client.waitFor(u, (p) => p.version === 1, 0, 5000);
  assert.ok(p.diagnostics.some((d) => /nope/.test(String(d.message))), JSON.stringify(p.diagnostics));
  // Before: the buffer was not found under Node's spelling; the rule on disk was compiled.
  const r = (await client.connection.sendRequest("thwonk/compile", { uri: u })) as { ok: boolean; errors: string[] };
  assert.equal(r.ok, false);
  assert.match(r.errors.join("\n"), /nope/);
  // A watcher's event for the file under Node's spelling: the open buffer still wins over the disk.
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: pathToFileURL(file).href, type: FileChangeType.Changed }] });
  const checked = (await client.connection.sendRequest("thwonk/check", { uri: u })) as { diagnostics: string[] };
  assert.match(checked.diagnostics.join("\n"), /nope/);
});

test("a .ts rule changed on disk (not open) is read again: the tests beside it are checked against the new version", async () => {
  const tu = uri("ts/once_a_day.test.thwonk");
  const since = client.published.length;
  writeFileSync(dir.path("ts/once_a_day.ts"), ONCE_TS.replaceAll("lastPost", "seenAt"));
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri("ts/once_a_day.ts"), type: FileChangeType.Changed }] });
  // Before: only .thwonk changes were read; the tests kept being checked against the rule as it was.
  const stale = await client.waitFor(tu, (p) => p.diagnostics.length > 0, since, 10_000);
  assert.ok(stale.diagnostics.some((d) => /lastPost/.test(String(d.message))), JSON.stringify(stale.diagnostics));
  const since2 = client.published.length;
  writeFileSync(dir.path("ts/once_a_day.ts"), ONCE_TS);
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri("ts/once_a_day.ts"), type: FileChangeType.Changed }] });
  await client.waitFor(tu, (p) => p.diagnostics.length === 0, since2, 10_000);
});

test("a .ts file edited so that it no longer imports \"thwonk\" is no rule any more: the server's diagnostics for it go", async () => {
  const u = uri("edits/was_a_rule.ts");
  await client.open(u, ONCE_TS.replace("state.lastPost.get(", "state.lastPostX.get("));
  await client.waitFor(u, (p) => p.diagnostics.length > 0, 0, 20_000);
  const lines = ONCE_TS.split("\n");
  const importLine = lines.findIndex((l) => /from "thwonk"/.test(l));
  assert.ok(importLine >= 0);
  const since = client.published.length;
  await client.change(u, { start: { line: importLine, character: 0 }, end: { line: importLine + 1, character: 0 } }, "");
  // Before: the last diagnostics stayed, for a file the editor's own TypeScript now owns alone.
  const cleared = await client.waitFor(u, (p) => p.diagnostics.length === 0, since, 5000);
  assert.deepEqual(cleared.diagnostics, []);
});

test("a .ts rule edited to nest a thousand parentheses: a diagnostic, not a dead server", async () => {
  const u = uri("edits/deep.ts");
  await client.open(u, ONCE_TS);
  await client.waitFor(u, (p) => p.version === 1, 0, 20_000);
  const line = ONCE_TS.split("\n").findIndex((l) => l.includes("const last"));
  const since = client.published.length;
  const v = await client.change(u, { start: { line, character: 0 }, end: { line, character: 0 } }, `  const z = ${"(".repeat(1000)}1${")".repeat(1000)};\n`);
  // Before: TypeScript's parser overflowed the stack, the exception left the check's timer, and the process ended.
  const p = await client.waitFor(u, (p) => p.version === v, since, 20_000);
  // Held to the .thwonk parser's nesting limit (compiler/typescript/nesting.ts): too deep, said as such.
  assert.ok(p.diagnostics.some((d) => d.code === "TW1018"), JSON.stringify(p.diagnostics));
  const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uri("edits/crlf.thwonk") }, position: { line: 0, character: 1 } });
  assert.ok(h === null || typeof h === "object", "the server still answers");
});

/** A deterministic generator (the same run every time). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test("hostile edits (broken brackets, strings, comments, lone surrogates, NUL, CR) with every request at random positions: answers, never a crash", async () => {
  const examples = ["digest/digest.thwonk", "once_a_day/once_a_day.thwonk", "bumplist/bumplist.thwonk", "digest/digest.test.thwonk"].map((f) =>
    readFileSync(join(repoRoot, "examples", f), "utf8"),
  );
  const junk = ["{", "}", "(", ")", '"', '"{', '}"', "😀", "\r", "\r\n", "\u2028", "\0", "/*", "*/", "//", "\ud800", "state.", "m.", "fn ", 'test "', "let x = ", "every day at ", "99:99", " max ", "<", ".", ":", "\\", "\\{", ""];
  const methods = [
    "textDocument/hover", "textDocument/completion", "textDocument/definition", "textDocument/references", "textDocument/prepareRename",
    "textDocument/rename", "textDocument/documentSymbol", "textDocument/formatting", "textDocument/codeAction", "textDocument/foldingRange",
    "textDocument/documentHighlight", "textDocument/codeLens", "textDocument/signatureHelp", "textDocument/semanticTokens/full",
  ];
  // What a refused rename says; any other error is the server's failure.
  const refusals = /cannot be renamed|would change the program|no name here|not a name|reserved word|standard library/;
  const rnd = rng(42);
  const failures: string[] = [];
  for (let round = 0; round < 12; round++) {
    const name = `edits/h${round % 3}${round % 4 === 3 ? ".test" : ""}.thwonk`;
    const u = uri(name);
    await client.open(u, examples[round % examples.length]!);
    for (let e = 0; e < 15; e++) {
      const pos = (): { line: number; character: number } => ({ line: Math.floor(rnd() * 60), character: Math.floor(rnd() * 90) });
      const a = pos();
      const b = rnd() < 0.5 ? a : pos();
      const [start, end] = a.line < b.line || (a.line === b.line && a.character <= b.character) ? [a, b] : [b, a];
      await client.change(u, { start, end }, junk[Math.floor(rnd() * junk.length)]!);
      const method = methods[Math.floor(rnd() * methods.length)]!;
      const at = pos();
      try {
        await client.connection.sendRequest(method, {
          textDocument: { uri: u },
          position: at,
          range: { start: at, end: at },
          context: { diagnostics: [], includeDeclaration: true, triggerKind: 1 },
          options: { tabSize: 2, insertSpaces: true },
          newName: `n${round}`,
        });
      } catch (err) {
        if (!refusals.test((err as Error).message)) failures.push(`${method} at ${JSON.stringify(at)}: ${(err as Error).message}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  const alive = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uri("nowhere.thwonk") }, position: { line: 0, character: 0 } });
  assert.equal(alive, null);
});
