/**
 * A list removed while its rule is still in a `--deploy` directory stays removed at the next start (a warning names
 * the command that brings it back), on a real thwonkd restarted on its data folder; `thwonkc deploy` brings it back
 * as a new list, and the start after that deploys the directory's rule there again as it does for any list.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { cliIn, startDaemon, workspace, type Running } from "./helpers.js";

const SOURCE = "rule keep\n\non message(m: Message) {\n  send(to: members, subject: m.subject, text: m.text)\n}\n";
const ws = workspace({ keep: { source: SOURCE, members: ["ann@example.org"] }, other: { source: SOURCE.replace("rule keep", "rule other") } });
let d: Running | undefined;

after(async () => {
  if (d) await d.stop();
  rmSync(ws.dir, { recursive: true, force: true });
});

async function lists(run: Running): Promise<string[]> {
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const r = await fetch(`http://127.0.0.1:${run.ports.http}/v1/lists`, { headers: { authorization: `Bearer ${token}` } });
  return ((await r.json()) as { lists: { address: string }[] }).lists.map((l) => l.address).sort();
}

test("a removed list whose rule is in --deploy's directory is not deployed again at the next start, until deployed by hand", async () => {
  d = await startDaemon(ws);
  assert.deepEqual(await lists(d), ["keep@example.org", "other@example.org"]);
  const server = (): string[] => ["--server", `http://127.0.0.1:${d!.ports.http}`, "--token", readFileSync(join(ws.data, "admin.token"), "utf8").trim()];
  const removed = await cliIn(ws.dir, ["lists", "remove", "keep@example.org", "--yes", ...server()]);
  assert.equal(removed.code, 0, removed.err);
  assert.equal(await d.stop(), 0);

  d = await startDaemon(ws);
  assert.deepEqual(await lists(d), ["other@example.org"], "still removed after a start with --deploy");
  assert.match(d.stderr(), /not deployed: the list at keep@example\.org was removed \(thwonkc lists remove\); to have it again, deploy it \(thwonkc deploy .*keep\.thwonk --address keep@example\.org\)/);

  const again = await cliIn(ws.dir, ["deploy", join(ws.rules, "keep", "keep.thwonk"), "--address", "keep@example.org", ...server()]);
  assert.equal(again.code, 0, again.err);
  assert.equal(await d.stop(), 0);
  d = await startDaemon(ws);
  assert.deepEqual(await lists(d), ["keep@example.org", "other@example.org"], "deployed by hand: the directory's rule is its rule again");
  assert.doesNotMatch(d.stderr(), /not deployed: the list at keep@example\.org was removed/);
});
