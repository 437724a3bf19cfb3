/**
 * The language server driven as an editor drives it, over stdio, by a user
 * who types names JavaScript objects already know (`toString(`,
 * `constructor.`, a rename to `__proto__`).
 */
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { CompletionRequest, HoverRequest, RenameRequest, SignatureHelpRequest, type CompletionItem, type MarkupContent, type SignatureHelp } from "vscode-languageserver-protocol/node";
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
