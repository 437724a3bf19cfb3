/**
 * The language server started on a workspace of a hundred rules, over stdio:
 * it checks them all in the background, and a request sent meanwhile is
 * answered after at most a few of those checks, not after all of them.
 * Measured by the publishes that reach the client before the answer (one
 * stream, in order), never by a clock.
 */
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { HoverRequest } from "vscode-languageserver-protocol/node";
import { tempDir, type TempDir } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";
import { LspClient } from "./client.js";

const DIGEST = readFileSync(join(repoRoot, "examples", "digest", "digest.thwonk"), "utf8");
const RULES = 100;

let dir: TempDir;
let client: LspClient;

before(() => {
  const files: Record<string, string> = { "open/digest.thwonk": DIGEST };
  for (let i = 0; i < RULES; i++) files[`rules/r${i}/digest.thwonk`] = DIGEST;
  dir = tempDir(files);
  client = new LspClient();
});

after(async () => {
  await client.close();
  dir.remove();
});

test("a hover sent while the workspace's rules are checked at start is answered after a few checks, not after all of them", async () => {
  await client.initialize(dir.dir);
  const u = pathToFileURL(dir.path("open/digest.thwonk")).href;
  await client.open(u, DIGEST);
  // The first publish: the background checks have begun.
  const first = await new Promise<number>((resolve) => {
    const poll = (): void => (client.published.length > 0 ? resolve(client.published.length) : void setTimeout(poll, 5));
    poll();
  });
  const h = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: { line: 25, character: 8 } })) as unknown;
  const before = client.published.length - first;
  assert.ok(h !== null, "the hover is answered");
  // Before: every rule's check ran in one turn of the event loop, so all of them were published first.
  assert.ok(before < RULES / 4, `${before} publishes reached the client before the hover's answer`);
});
