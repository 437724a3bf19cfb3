/**
 * The language server driven as an editor drives it, over stdio, by a user
 * who types names JavaScript objects already know (`toString(`,
 * `constructor.`, a rename to `__proto__`), asks for completion inside a
 * comment, and has declarations half typed (no name yet).
 */
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import {
  CompletionRequest,
  DidChangeWatchedFilesNotification,
  DocumentSymbolRequest,
  DocumentFormattingRequest,
  FileChangeType,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  RegistrationRequest,
  RenameRequest,
  SemanticTokensRequest,
  SignatureHelpRequest,
  WorkspaceSymbolRequest,
  type CompletionItem,
  type DocumentSymbol,
  type InitializeResult,
  type MarkupContent,
  type Registration,
  type SignatureHelp,
  type SymbolInformation,
} from "vscode-languageserver-protocol/node";
import { tempDir, type TempDir } from "../helpers/cli.js";
import { LspClient, positionOf } from "./client.js";

let dir: TempDir;
let client: LspClient;
const uri = (rel: string): string => pathToFileURL(dir.path(rel)).href;

before(async () => {
  dir = tempDir({});
  client = new LspClient();
  await client.initialize(dir.dir);
});

after(async () => {
  await client.close();
  dir.remove();
});

test("names of Object.prototype (toString, constructor, hasOwnProperty, __proto__): no stdlib entry, no failed request, a rename to them allowed", async () => {
  const u = uri("proto.thwonk");
  const text = [
    "rule proto",
    "",
    "on message(m: Message) {",
    "  log(toString(",
    "  let a = m.subject.hasOwnProperty(",
    "  let b = constructor.",
    "  let c = m.subject.constructor.",
    "}",
    "",
  ].join("\n");
  await client.open(u, text);
  await client.waitFor(u);
  const td = { uri: u };
  // Before: signature help and completion failed ("Cannot read properties of undefined"), the stdlib's tables read
  // through Object.prototype.
  assert.equal(await client.connection.sendRequest(SignatureHelpRequest.type, { textDocument: td, position: positionOf(text, "toString(", 9) }), null);
  assert.equal(await client.connection.sendRequest(SignatureHelpRequest.type, { textDocument: td, position: positionOf(text, "hasOwnProperty(", 15) }), null);
  for (const [needle, nth] of [["constructor.", 0], ["constructor.", 1]] as const) {
    const items = (await client.connection.sendRequest(CompletionRequest.type, { textDocument: td, position: positionOf(text, needle, 12, nth) })) as CompletionItem[];
    assert.deepEqual(items, []);
  }
  const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: td, position: positionOf(text, "constructor.", 2, 1) });
  assert.ok(h === null || !(h.contents as MarkupContent).value.includes("undefined"), JSON.stringify(h));
  const sig = (await client.connection.sendRequest(SignatureHelpRequest.type, { textDocument: td, position: positionOf(text, "log(toString(", 4) })) as SignatureHelp | null;
  assert.match(sig?.signatures[0]?.label ?? "", /^log\(/);

  // A name the checker takes (`let constructor = 1` checks, compiles and runs) is a name a rename may give.
  const v = uri("rename.thwonk");
  const clean = 'rule rename\n\non message(m: Message) {\n  let t = m.subject\n  log("{t}")\n}\n';
  await client.open(v, clean);
  await client.waitFor(v);
  for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
    const edit = await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: v }, position: positionOf(clean, "t = m"), newName: name });
    assert.deepEqual(
      edit?.changes?.[v]?.map((e) => e.newText),
      [name, name],
      name,
    );
  }
  // Still refused: a real stdlib name.
  await assert.rejects(client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: v }, position: positionOf(clean, "t = m"), newName: "send" }), /standard library/);
});

test("inside a block comment (on one line, over several, never closed): no completion, no signature help; after its `*/`, both", async () => {
  const u = uri("comments.thwonk");
  const text = [
    "rule comments",
    "state {",
    "  count: int = 0",
    "}",
    "on message(m: Message) {",
    "  /* state. */",
    "  /* a note",
    "     that goes on: m. log(",
    "  */",
    "  let x = 1 /* m. */ + m.size",
    '  log("{x}")',
    "}",
    "/* to the end: m.",
  ].join("\r\n");
  await client.open(u, text);
  await client.waitFor(u);
  const td = { uri: u };
  const complete = async (needle: string, delta: number, nth = 0): Promise<string[]> =>
    ((await client.connection.sendRequest(CompletionRequest.type, { textDocument: td, position: crlfPosition(text, needle, delta, nth) })) as CompletionItem[]).map((i) => i.label);
  // Before: the state's fields after `/* state.`, the message's after `m.` in a comment.
  assert.deepEqual(await complete("state.", 6), []);
  assert.deepEqual(await complete("on: m.", 6), []);
  assert.deepEqual(await complete("1 /* m.", 7), []);
  assert.deepEqual(await complete("end: m.", 7), []);
  assert.equal(await client.connection.sendRequest(SignatureHelpRequest.type, { textDocument: td, position: crlfPosition(text, "m. log(", 7) }), null);
  // Nor a hover: a word of a comment that names a variable is prose (before: `(param) m: Message` on the `m` of a comment).
  const hoverAt = (needle: string, delta: number) => client.connection.sendRequest(HoverRequest.type, { textDocument: td, position: crlfPosition(text, needle, delta) });
  assert.equal(await hoverAt("the end: m", 9), null);
  assert.equal(await hoverAt("on: m.", 4), null);
  assert.match(((await hoverAt("let x", 4))?.contents as MarkupContent | undefined)?.value ?? "", /\(let\) x/);
  // Outside the comments, as before.
  assert.ok((await complete("+ m.", 4)).includes("subject"));
  const sig = (await client.connection.sendRequest(SignatureHelpRequest.type, { textDocument: td, position: crlfPosition(text, 'log("', 4) })) as SignatureHelp | null;
  assert.match(sig?.signatures[0]?.label ?? "", /^log\(/);
});

/** The LSP position of `needle` (its `nth` occurrence) in a text with any line ends, plus `delta` characters. */
function crlfPosition(text: string, needle: string, delta = 0, nth = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`${needle} not in text`);
  const lines = text.slice(0, at + delta).split(/\r\n|\r|\n/);
  return { line: lines.length - 1, character: lines[lines.length - 1]!.length };
}

test("declarations and bindings typed without their name yet (`fn (x`, `type =`, `limits { : 5`, `let = 1`): every symbol named, no empty completion, no empty token", async () => {
  const u = uri("unnamed.thwonk");
  const text = ["rule unnamed", "limits { : 5, members: 10 }", "type = { a: int }", "fn (x: int): int { return x }", "on message(m: Message) {", "  let = 1", "  log(m.subject)", "  ", "}", ""].join("\n");
  await client.open(u, text);
  await client.waitFor(u);
  const td = { uri: u };
  // Before: two symbols named "" (the type and the fn), which VS Code refuses ("name must not be falsy"): no outline
  // at all for the file, and no workspace symbols while it is in the workspace.
  const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: td })) as DocumentSymbol[];
  const names = (xs: DocumentSymbol[]): string[] => xs.flatMap((x) => [x.name, ...names(x.children ?? [])]);
  assert.deepEqual(names(symbols), ["unnamed", "limits", "members", "type", "fn", "on message"]);
  const all = (await client.connection.sendRequest(WorkspaceSymbolRequest.type, { query: "" })) as SymbolInformation[];
  assert.ok(all.length > 0 && all.every((x) => x.name !== ""), JSON.stringify(all.map((x) => x.name)));
  const items = (await client.connection.sendRequest(CompletionRequest.type, { textDocument: td, position: { line: 7, character: 2 } })) as CompletionItem[];
  assert.ok(items.some((i) => i.label === "m"));
  assert.deepEqual(items.filter((i) => i.label === ""), []);
  const data = (await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: td }))?.data ?? [];
  for (let i = 0; i < data.length; i += 5) assert.ok(data[i + 2]! > 0, `token ${i / 5} has a length`);
});

test("a rule created under node_modules or a dot directory (an install, a tool's cache) is not the workspace's: the scan skips it, and so does the watcher", async () => {
  const broken = (name: string): string => `rule ${name}\non message(m: Message) {\n  let x = \n}\n`;
  mkdirSync(dir.path("node_modules/pkg"), { recursive: true });
  mkdirSync(dir.path(".cache/rules"), { recursive: true });
  mkdirSync(dir.path("later"), { recursive: true });
  writeFileSync(dir.path("node_modules/pkg/pkg.thwonk"), broken("pkg"));
  writeFileSync(dir.path(".cache/rules/cached.thwonk"), broken("cached"));
  writeFileSync(dir.path("later/later.thwonk"), broken("later"));
  const since = client.published.length;
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
    changes: [
      { uri: uri("node_modules/pkg/pkg.thwonk"), type: FileChangeType.Created },
      { uri: uri(".cache/rules/cached.thwonk"), type: FileChangeType.Changed },
    ],
  });
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri("later/later.thwonk"), type: FileChangeType.Created }] });
  // A rule of the workspace created after start is checked; the others, had they been taken, were queued before it
  // and published first.
  const later = await client.waitFor(uri("later/later.thwonk"), (p) => p.diagnostics.some((d) => d.code === "TW1004"), since);
  assert.ok(later.diagnostics.length > 0);
  // Before: TW1004 published for node_modules/pkg/pkg.thwonk and .cache/rules/cached.thwonk.
  assert.deepEqual(
    client.published.slice(since).filter((p) => p.uri === uri("node_modules/pkg/pkg.thwonk") || p.uri === uri(".cache/rules/cached.thwonk")).map((p) => p.uri),
    [],
  );
});

test("a client that registers capabilities (VS Code): formatting, semantic tokens and document symbols are registered for .thwonk documents alone, not for the TypeScript files the extension also sends", async () => {
  const c = new LspClient();
  try {
    const registrations: Registration[] = [];
    let registered!: () => void;
    const both = new Promise<void>((resolve) => (registered = resolve));
    c.connection.onRequest(RegistrationRequest.type, (p) => {
      registrations.push(...p.registrations);
      if (registrations.length >= 3) registered();
    });
    const init = (await c.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        textDocument: {
          formatting: { dynamicRegistration: true },
          documentSymbol: { dynamicRegistration: true },
          semanticTokens: { dynamicRegistration: true, requests: { full: true }, tokenTypes: [], tokenModifiers: [], formats: ["relative"] },
        },
      },
    })) as InitializeResult;
    // Before: both declared at start, so the server's for every document, TypeScript ones included: VS Code asked which
    // formatter TypeScript files should use, and took the server's empty semantic tokens of a .ts file as complete.
    assert.ok(!init.capabilities.documentFormattingProvider, JSON.stringify(init.capabilities.documentFormattingProvider));
    assert.equal(init.capabilities.semanticTokensProvider, undefined);
    // Before: declared at start, a .ts rule had two outline groups in VS Code, TypeScript's and the server's.
    assert.ok(!init.capabilities.documentSymbolProvider, JSON.stringify(init.capabilities.documentSymbolProvider));
    await c.connection.sendNotification(InitializedNotification.type, {});
    await both;
    assert.deepEqual(registrations.map((r) => r.method).sort(), ["textDocument/documentSymbol", "textDocument/formatting", "textDocument/semanticTokens"]);
    for (const r of registrations) {
      const selector = (r.registerOptions as { documentSelector: { language?: string; pattern?: string }[] }).documentSelector;
      assert.deepEqual(selector, [{ language: "thwonk" }, { pattern: "**/*.thwonk" }], r.method);
    }
    // The requests are still answered for a .thwonk document.
    const u = uri("registered.thwonk");
    const text = "rule registered\non message(m: Message) {\n    log(m.subject)\n}\n";
    await c.open(u, text);
    await c.waitFor(u);
    const edits = await c.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: u }, options: { tabSize: 2, insertSpaces: true } });
    assert.equal(edits?.[0]?.newText, "rule registered\non message(m: Message) {\n  log(m.subject)\n}\n");
    const tokens = await c.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri: u } });
    assert.ok((tokens?.data.length ?? 0) > 0);
    const symbols = (await c.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: u } })) as DocumentSymbol[];
    assert.deepEqual(symbols.map((x) => x.name), ["registered", "on message"]);
  } finally {
    await c.close();
  }
});
