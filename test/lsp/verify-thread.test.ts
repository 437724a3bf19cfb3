/**
 * The verifier off the event loop (lsp/checker.ts), over stdio with a real
 * client, on a 10,000-line rule whose verify takes a second or more. Before,
 * the verify ran inside the message loop: the edits typed meanwhile were read
 * only when it was done, its diagnostics for the old text were then published
 * after them, and a `$/cancelRequest` for `thwonk/check` was read after the
 * answer had gone.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { CancellationTokenSource, LSPErrorCodes, ResponseError } from "vscode-languageserver-protocol/node";
import { tempDir, type TempDir } from "../helpers/cli.js";
import { LspClient } from "./client.js";

/** A 10,000-line rule that checks clean: one trigger of 3,300 small `if`s. */
function bigRule(name: string): string {
  const body: string[] = [];
  for (let i = 0; i < 3300; i++) body.push(`  if m.subject.contains("k${i}") {\n    state.n += ${i}\n  }`);
  return `rule ${name}\n\nstate { n: int = 0 }\n\non message(m: Message) {\n${body.join("\n")}\n}\n`;
}

let dir: TempDir;
let client: LspClient;
const uri = (rel: string): string => pathToFileURL(dir.path(rel)).href;

before(async () => {
  dir = tempDir({ "disk.thwonk": bigRule("disk") });
  client = new LspClient();
  // No workspace folder: nothing is checked but what the tests open or ask for. The server reports its passes as progress.
  await client.initialize(undefined, { progress: true });
});

after(async () => {
  await client.close();
  dir.remove();
});

test("a burst of edits while the rule verifies: only the last version's diagnostics come after it, and they come", async () => {
  const u = uri("edited.thwonk");
  await client.open(u, bigRule("edited"));
  await client.waitFor(u, (p) => p.version === 1, 0, 60_000);
  // The burst comes once version 1's verify runs (the server says so).
  await client.until("version 1's verify under way", () => client.progress.includes("verifying edited.thwonk"));
  const since = client.published.length;
  const verifiedSince = client.verified.length;
  const burst = 30;
  const typed = `/*${"x".repeat(burst - 4)}*/`;
  const versions = await Promise.all(Array.from({ length: burst }, (_, i) => client.change(u, { start: { line: 1, character: i }, end: { line: 1, character: i } }, typed[i]!)));
  const last = Math.max(...versions);
  // Done when a verified pass is announced after the last version's first publish (its types).
  await client.until("the last version verified", () => {
    const at = client.published.slice(since).findIndex((p) => p.uri === u && p.version === last);
    return at >= 0 && client.verified.slice(verifiedSince).some((v) => v.uri === u && v.version === last);
  });
  const after = client.published.slice(since).filter((p) => p.uri === u);
  // Before: version 1's verified diagnostics, published after the burst had been sent.
  assert.deepEqual([...new Set(after.map((p) => p.version))], [last], "publishes after the burst, by version");
  assert.deepEqual(client.verified.slice(verifiedSince).map((v) => v.version), [last], "verified passes after the burst, by version");
  assert.equal(after.length, 2, "one publish of the types, one of the verified pass");
  assert.deepEqual(after.at(-1)!.diagnostics, []);
});

test("thwonk/check cancelled while it verifies answers RequestCancelled; the server goes on", async () => {
  const u = uri("disk.thwonk");
  const source = new CancellationTokenSource();
  const pending = client.connection.sendRequest("thwonk/check", { uri: u }, source.token);
  // Cancelled at once: the cancel follows the request on the wire and is read while its verify (seconds) runs. A
  // wait here would race the verify on a fast machine.
  source.cancel();
  // Before: the verify ran to its end in the handler, and the request answered with its result.
  await assert.rejects(pending, (e: unknown) => e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled);
  const full = (await client.connection.sendRequest("thwonk/check", { uri: u })) as { errors: number; triggers: { name: string }[] };
  assert.equal(full.errors, 0);
  assert.deepEqual(full.triggers.map((t) => t.name), ["on message"]);
});
