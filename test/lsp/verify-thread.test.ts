/**
 * The verifier off the event loop (lsp/verifier.ts), over stdio with a real
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

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

let dir: TempDir;
let client: LspClient;
const verified: { uri: string; version: number | undefined; at: number }[] = [];
const uri = (rel: string): string => pathToFileURL(dir.path(rel)).href;

before(async () => {
  dir = tempDir({ "disk.thwonk": bigRule("disk") });
  client = new LspClient();
  client.connection.onNotification("thwonk/verified", (p: { uri: string; version?: number }) => {
    verified.push({ uri: p.uri, version: p.version, at: performance.now() });
  });
  // No workspace folder: nothing is checked but what the tests open or ask for.
  await client.initialize();
});

after(async () => {
  await client.close();
  dir.remove();
});

test("a burst of edits while the rule verifies: only the last version's diagnostics come after it, and they come", async () => {
  const u = uri("edited.thwonk");
  await client.open(u, bigRule("edited"));
  await client.waitFor(u, (p) => p.version === 1, 0, 60_000);
  // The verify of version 1 starts CHECK_DELAY_MS after this publish; the burst comes once it runs.
  await sleep(250);
  const since = client.published.length;
  const verifiedSince = verified.length;
  const burst = 30;
  const typed = `/*${"x".repeat(burst - 4)}*/`;
  const versions = await Promise.all(Array.from({ length: burst }, (_, i) => client.change(u, { start: { line: 1, character: i }, end: { line: 1, character: i } }, typed[i]!)));
  const last = Math.max(...versions);
  const sent = performance.now();
  // Done when a verified pass is announced after the last version's first publish (its types).
  const done = (): boolean => {
    const typed = client.published.slice(since).find((p) => p.uri === u && p.version === last);
    return typed !== undefined && verified.slice(verifiedSince).some((v) => v.uri === u && v.at >= typed.at);
  };
  while (!done()) {
    assert.ok(performance.now() - sent < 60_000, "the last version is verified within a minute");
    await sleep(20);
  }
  const after = client.published.slice(since).filter((p) => p.uri === u);
  // Before: version 1's verified diagnostics, published after the burst had been sent.
  assert.deepEqual([...new Set(after.map((p) => p.version))], [last], "publishes after the burst, by version");
  assert.deepEqual(verified.slice(verifiedSince).map((v) => v.version), [last], "verified passes after the burst, by version");
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
