/**
 * `thwonkc members import LIST FILE` (PUT /v1/lists/ADDR/members) on a real thwonkd, as a list owner syncing the
 * roster from a file: a member already on the list keeps when they joined, as `members add` keeps it. A subscription
 * is that time: a member's bounce count is of the bounces since it, their one-click unsubscribe links and -request
 * confirmations name it. Importing the same roster again set every member's `joined` to the import's time, so every
 * bounce counted was forgotten and every unsubscribe link already sent answered "not subscribed".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testClock } from "./adversary-schedule-helpers.js";
import { cliIn, startDaemon, workspace } from "./helpers.js";

interface Member {
  address: string;
  name: string;
  joined: number;
}

test("import keeps an existing member's joined time (and the joining order); a new one joins now; a JSON joined wins", async () => {
  const ws = workspace({ trim140: { example: "trim140" } });
  const clock = testClock(ws);
  clock.set("2026-11-01T10:00:00Z");
  const d = await startDaemon(ws, { env: clock.env });
  const server = ["--server", `http://127.0.0.1:${d.ports.http}`, "--data", ws.data];
  const list = "trim140@example.org";
  const members = async (): Promise<Member[]> => {
    const r = await cliIn(ws.dir, ["members", "list", list, "--json", ...server]);
    assert.equal(r.code, 0, r.err);
    return (JSON.parse(r.out) as { members: Member[] }).members;
  };
  const importFile = async (name: string, text: string): Promise<void> => {
    writeFileSync(join(ws.dir, name), text);
    const r = await cliIn(ws.dir, ["members", "import", list, name, ...server]);
    assert.equal(r.code, 0, r.err);
  };
  try {
    await importFile("first.txt", "Ann Lee <ann@example.org>\nbob@example.org\n");
    const first = Date.parse("2026-11-01T10:00:00Z");
    assert.deepEqual((await members()).map((m) => [m.address, m.joined]), [["ann@example.org", first], ["bob@example.org", first]]);

    // A week later the owner imports the roster again, with a new member first, Bob renamed, Ann's address in capitals.
    clock.set("2026-11-08T10:00:00Z");
    const later = Date.parse("2026-11-08T10:00:00Z");
    await importFile("second.txt", "cy@example.org\nBob Martin <bob@example.org>\nANN@Example.org\n");
    assert.deepEqual(
      (await members()).map((m) => [m.address, m.name, m.joined]),
      [["bob@example.org", "Bob Martin", first], ["ann@example.org", "", first], ["cy@example.org", "", later]],
      "Ann and Bob keep their subscription, in joining order; Cy joins now",
    );

    // A members export (JSON with `joined`) says when each joined, for members already there too.
    const given = Date.parse("2026-10-01T00:00:00Z");
    await importFile("export.json", JSON.stringify([{ address: "bob@example.org", joined: "2026-10-01T00:00:00Z" }, { address: "ann@example.org" }]));
    assert.deepEqual((await members()).map((m) => [m.address, m.joined]), [["bob@example.org", given], ["ann@example.org", first]]);

    // Someone dropped by an import and brought back by the next joins again: a new subscription.
    await importFile("third.txt", "bob@example.org\n");
    clock.set("2026-11-09T10:00:00Z");
    await importFile("fourth.txt", "bob@example.org\nann@example.org\n");
    assert.deepEqual((await members()).map((m) => [m.address, m.joined]), [["bob@example.org", given], ["ann@example.org", Date.parse("2026-11-09T10:00:00Z")]]);
  } finally {
    assert.equal(await d.stop(), 0);
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
