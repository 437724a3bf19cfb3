/**
 * The server's second group (signature help, semantic tokens) and the
 * custom requests the VS Code extension's commands send (thwonk/check,
 * thwonk/compile, thwonk/dryRun on an .eml, thwonk/runTests), over stdio
 * on a spawned `thwonkc lsp --stdio`, with the real runtime (QuickJS).
 */
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { SemanticTokensRequest, SignatureHelpRequest, type SemanticTokens, type SignatureHelp } from "vscode-languageserver-protocol/node";
import { repoRoot } from "../helpers/repo.js";
import { tempDir, type TempDir } from "../helpers/cli.js";
import { LspClient, positionOf } from "./client.js";

const AUTO = readFileSync(join(repoRoot, "examples", "auto_reply", "auto_reply.thwonk"), "utf8");
const AUTO_TEST = readFileSync(join(repoRoot, "examples", "auto_reply", "auto_reply.test.thwonk"), "utf8");
const EML = [
  "From: Ann <ann@example.org>",
  "To: auto-reply@example.org",
  "Subject: Printer broken",
  "Date: Wed, 25 Nov 2026 10:00:00 +0000",
  "Message-ID: <1@example.org>",
  "",
  "The printer on floor 2 is broken.",
  "",
].join("\r\n");
const FAILING_TEST = 'test "a wrong expectation" {\n  message = { from: "ann@example.org", subject: "Hi", text: "Hi" }\n  expect no send\n  expect reject\n}\n';

let dir: TempDir;
let client: LspClient;
const uri = (rel: string): string => pathToFileURL(dir.path(rel)).href;

before(async () => {
  dir = tempDir({
    "auto/auto_reply.thwonk": AUTO,
    "auto/auto_reply.test.thwonk": AUTO_TEST,
    "auto/printer.eml": EML,
    "bad/bad.thwonk": "rule bad\non message(m: Message) {\n  send(to: m.from, subject: 1, text: \"x\")\n}\n",
    "failing/failing.thwonk": "rule failing\non message(m: Message) {\n  reply(m, text: \"thanks\")\n}\n",
    "failing/failing.test.thwonk": FAILING_TEST,
  });
  client = new LspClient();
  await client.initialize(dir.dir);
  await client.open(uri("auto/auto_reply.thwonk"), AUTO);
});

after(async () => {
  await client.close();
  dir.remove();
});

async function signature(u: string, line: number, character: number): Promise<SignatureHelp | null> {
  return client.connection.sendRequest(SignatureHelpRequest.type, { textDocument: { uri: u }, position: { line, character } });
}

test("signature help: a stdlib function, the active parameter by name and by position, a method, an unfinished line", async () => {
  const u = uri("auto/auto_reply.thwonk");
  const at = positionOf(AUTO, "forward(m, to: members)", "forward(m, to: mem".length);
  const s = await signature(u, at.line, at.character);
  assert.ok(s, "no signature help inside forward(...)");
  const sig = s.signatures[0]!;
  assert.match(sig.label, /^forward\(/);
  const active = sig.parameters![s.activeParameter!]!.label as string;
  assert.match(active, /^to\??:/, `active parameter ${active}`);
  // By position: the first argument.
  const first = positionOf(AUTO, "forward(m, to: members)", "forward(".length);
  const s1 = await signature(u, first.line, first.character);
  assert.equal(s1!.activeParameter, 0);
  // A method of a stdlib type, reached through the names along the chain.
  const line = AUTO.split("\n").length;
  await client.change(u, { start: { line: line - 1, character: 0 }, end: { line: line - 1, character: 0 } }, "fn f(m: Message): string {\n  return m.subject.truncate(");
  const ms = await signature(u, line, "  return m.subject.truncate(".length);
  assert.ok(ms, "no signature help for a method on an unfinished line");
  assert.match(ms.signatures[0]!.label, /^string\.truncate\(/);
  assert.match(String((ms.signatures[0]!.documentation as { value: string }).value), /Gas:/);
  // Outside any call: none.
  const none = await signature(u, 0, 0);
  assert.equal(none, null);
  await client.change(u, { start: { line: line - 1, character: 0 }, end: { line, character: "  return m.subject.truncate(".length } }, "");
});

test("signature help for a fn of the rule", async () => {
  const text = "rule sig\nfn twice(n: int, label: string): string {\n  return \"{label}{n * 2}\"\n}\non message(m: Message) {\n  log(twice(1, ))\n}\n";
  const u = uri("sig.thwonk");
  await client.open(u, text);
  const at = positionOf(text, "twice(1, ", "twice(1, ".length);
  const s = await signature(u, at.line, at.character);
  assert.equal(s!.signatures[0]!.label, "twice(n: int, label: string): string");
  assert.equal(s!.activeParameter, 1);
});

test("semantic tokens: parameters, state fields, stdlib functions and methods, declarations", async () => {
  const text = "rule toks\nstate {\n  count: int = 0\n}\non message(m: Message) {\n  let n = state.count + 1\n  state.count = n\n  reply(m, text: m.subject.truncate(10))\n}\n";
  const u = uri("toks.thwonk");
  await client.open(u, text);
  const r = (await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri: u } })) as SemanticTokens;
  const legend = LEGEND;
  // Decode: absolute positions and names.
  const lines = text.split("\n");
  const decoded: { text: string; type: string; mods: string[] }[] = [];
  let line = 0;
  let col = 0;
  for (let i = 0; i < r.data.length; i += 5) {
    const [dl, dc, len, type, mods] = r.data.slice(i, i + 5) as [number, number, number, number, number];
    line += dl;
    col = dl === 0 ? col + dc : dc;
    decoded.push({ text: lines[line]!.slice(col, col + len), type: legend.types[type]!, mods: legend.modifiers.filter((_, b) => mods & (1 << b)) });
  }
  const find = (t: string, nth = 0) => decoded.filter((d) => d.text === t)[nth];
  assert.deepEqual(find("m"), { text: "m", type: "parameter", mods: ["declaration"] });
  assert.equal(find("m", 1)?.type, "parameter");
  assert.deepEqual(find("n"), { text: "n", type: "variable", mods: ["declaration", "readonly"] });
  assert.equal(find("count", 1)?.type, "property");
  assert.deepEqual(find("reply"), { text: "reply", type: "function", mods: ["defaultLibrary"] });
  assert.equal(find("truncate")?.type, "method");
  assert.equal(find("subject")?.type, "property");
  assert.equal(find("toks")?.type, "namespace");
  // Sorted and relative: every delta is non-negative.
  for (let i = 0; i < r.data.length; i += 5) assert.ok(r.data[i]! >= 0 && r.data[i + 1]! >= 0);
});

let LEGEND: { types: string[]; modifiers: string[] };

before(async () => {
  // The legend the server announced, read from a fresh initialize of a second server.
  const probe = new LspClient();
  const init = (await probe.initialize()) as { capabilities: { semanticTokensProvider: { legend: { tokenTypes: string[]; tokenModifiers: string[] } } } };
  LEGEND = { types: init.capabilities.semanticTokensProvider.legend.tokenTypes, modifiers: init.capabilities.semanticTokensProvider.legend.tokenModifiers };
  await probe.close();
});

test("thwonk/check: the verified diagnostics and each trigger's bounds", async () => {
  const ok = (await client.connection.sendRequest("thwonk/check", { uri: uri("auto/auto_reply.thwonk") })) as { errors: number; triggers: { name: string; gas: number; fanout: number }[] };
  assert.equal(ok.errors, 0);
  assert.ok(ok.triggers.some((t) => t.name.includes("message") && t.gas > 0 && t.fanout >= 1), JSON.stringify(ok.triggers));
  const bad = (await client.connection.sendRequest("thwonk/check", { uri: uri("bad/bad.thwonk") })) as { errors: number; diagnostics: string[] };
  assert.ok(bad.errors >= 1, JSON.stringify(bad));
  assert.ok(bad.diagnostics.some((d) => /TW\d{4}/.test(d)));
});

test("thwonk/compile writes the bundle next to the rule; a rule with errors gets none", async () => {
  const r = (await client.connection.sendRequest("thwonk/compile", { uri: uri("auto/auto_reply.thwonk") })) as { ok: boolean; bundle: string };
  assert.equal(r.ok, true);
  assert.equal(r.bundle, dir.path("auto/auto_reply.thwb"));
  assert.equal(JSON.parse(readFileSync(r.bundle, "utf8")).manifest.rule, "auto_reply");
  const bad = (await client.connection.sendRequest("thwonk/compile", { uri: uri("bad/bad.thwonk") })) as { ok: boolean; errors: string[] };
  assert.equal(bad.ok, false);
  assert.ok(!existsSync(dir.path("bad/bad.thwb")));
});

test("thwonk/dryRun on an .eml: the actions, the state change and the gas, from the real sandbox", async () => {
  const r = (await client.connection.sendRequest("thwonk/dryRun", {
    uri: uri("auto/auto_reply.thwonk"),
    eml: dir.path("auto/printer.eml"),
    members: ["desk@example.org"],
    now: Date.UTC(2026, 10, 25, 10, 0),
  })) as { ran: boolean; actions: { kind: string }[]; stateChanges: { field: string }[]; gas: { used: number; bound: number }; lines: string[] };
  assert.equal(r.ran, true, JSON.stringify(r));
  assert.deepEqual(r.actions.map((a) => a.kind), ["forward", "reply"]);
  assert.deepEqual(r.stateChanges.map((c) => c.field), ["answered"]);
  assert.ok(r.gas.used > 0 && r.gas.used <= r.gas.bound, JSON.stringify(r.gas));
  assert.ok(r.lines.some((l) => l.startsWith("Gas: ")));
  // A rule with errors is not run, and says why.
  const bad = (await client.connection.sendRequest("thwonk/dryRun", { uri: uri("bad/bad.thwonk"), eml: dir.path("auto/printer.eml") })) as { ran: boolean; problems: string[] };
  assert.equal(bad.ran, false);
  assert.match(bad.problems[0]!, /error/);
});

test("thwonk/runTests: the examples' tests pass; a wrong expectation fails with its line", async () => {
  const r = (await client.connection.sendRequest("thwonk/runTests", { uri: uri("auto/auto_reply.thwonk") })) as { passed: number; failed: number; lines: string[] };
  assert.equal(r.failed, 0, r.lines.join("\n"));
  assert.ok(r.passed >= 1);
  const f = (await client.connection.sendRequest("thwonk/runTests", { uri: uri("failing/failing.test.thwonk") })) as { passed: number; failed: number; lines: string[] };
  assert.equal(f.failed, 1, f.lines.join("\n"));
  assert.ok(f.lines.some((l) => l.startsWith("FAIL a wrong expectation")));
});
