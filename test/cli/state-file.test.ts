/**
 * `thwonkc state set ADDRESS FILE` reads the file as editors save it: a
 * UTF-8 byte order mark (Windows editors write one) before the JSON is not
 * part of the state, and the file is taken, not refused as "not JSON".
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { serveApi, type ServedApi } from "../daemon/adversary-api-helpers.js";
import { cliIn, listDaemon } from "../daemon/helpers.js";

const TOKEN = "state-file-token";
const LIST = "count@example.org";
const RULE = `rule count

state {
  n: int = 0
}

on message(m: Message) {
  state.n = state.n + 1
}
`;

let daemon: Daemon;
let close: () => Promise<void>;
let served: ServedApi;
let server: string;
const cwd = mkdtempSync(join(tmpdir(), "thwonkc-state-file-"));

before(async () => {
  const d = await listDaemon({ source: RULE, fileName: "count.thwonk", addresses: [LIST] });
  daemon = d.daemon;
  close = d.close;
  served = await serveApi(daemon, TOKEN);
  server = served.api.replace(/\/v1$/, "");
});

after(async () => {
  await served.close();
  await close();
  rmSync(cwd, { recursive: true, force: true });
});

const cli = (...args: string[]) => cliIn(cwd, [...args, "--server", server, "--token", TOKEN]);

test("a state file that starts with a UTF-8 byte order mark is set as the JSON after it", async () => {
  writeFileSync(join(cwd, "bom.json"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"n": 41}\n')]));
  const set = await cli("state", "set", LIST, "bom.json");
  assert.equal(set.code, 0, set.out + set.err);
  assert.deepEqual((await daemon.state(LIST)).state, { n: 41 });
});

test("a state file that is not JSON is still refused, with its name", async () => {
  writeFileSync(join(cwd, "bad.json"), '\ufeff{"n": ');
  const set = await cli("state", "set", LIST, "bad.json");
  assert.equal(set.code, 2, set.out + set.err);
  assert.match(set.err, /bad\.json is not JSON/);
});

test("a state file nested deeper than JSON.stringify goes is refused as the file's fault (usage), not as a server not reached", async () => {
  // JSON.parse reads it; writing it back for the request overflows the stack.
  writeFileSync(join(cwd, "deep.json"), `{"n": ${"[".repeat(200_000)}1${"]".repeat(200_000)}}`);
  const set = await cli("state", "set", LIST, "deep.json");
  assert.equal(set.code, 2, set.out + set.err);
  assert.doesNotMatch(set.err, /cannot reach the server/);
  assert.match(set.err, /cannot be written as JSON .*nested too deeply/);
  assert.deepEqual((await daemon.state(LIST)).state, { n: 41 });
});
