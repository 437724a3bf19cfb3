/**
 * The adversary of stored state edited to something hostile in SQLite (runner.ts load, the store, daemon.ts deploy
 * and state): the next run must fail clearly, not wedge the list, and the admin must still see the state and be
 * able to deploy. The daemon is closed, its SQLite file edited, and the daemon opened again on it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { postTo } from "./helpers.js";

const COUNT = `rule counter

state {
  count: int = 0
}

on message(m: Message) {
  state.count += 1
}
`;
const LIST = "counter@example.org";
const open = (dir: string) => Daemon.open({ dataDir: dir, log: createLogger({ level: "silent", pretty: false }), workers: 1 });

/** A list that ran once, its stored state then replaced by `text` behind the daemon's back; the daemon opened again. */
async function edited(text: string): Promise<{ daemon: Daemon; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-hostile-"));
  let daemon = await open(dir);
  assert.ok((await daemon.deploy({ source: COUNT, fileName: "counter.thwonk", addresses: [LIST] })).ok);
  await daemon.addMembers(LIST, [{ address: "ann@example.org", name: "Ann" }]);
  daemon.start();
  assert.equal((await postTo(daemon, LIST, "ann@example.org", "one")).code, 250);
  await daemon.close();
  const db = new Database(join(dir, "thwonkd.sqlite"));
  db.prepare("UPDATE lists SET state = ? WHERE address = ?").run(text, LIST);
  db.close();
  daemon = await open(dir);
  daemon.start();
  return {
    daemon,
    async close() {
      await daemon.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const NOTE = COUNT.replace("count: int = 0", "count: int = 0\n  n: int = 0");

test("stored state that is not JSON: runs fail with the reason, the state route shows it, a deploy is still checked", async () => {
  const d = await edited('{"count":');
  try {
    const a = await postTo(d.daemon, LIST, "ann@example.org", "two");
    assert.equal(a.code, 250, "taken and kept as a failed message, not a temporary failure retried forever");
    const failed = (await d.daemon.runs({ address: LIST })).at(-1);
    assert.equal(failed?.error?.code, "TW5070", JSON.stringify(failed));
    assert.match(failed.error.message, /\{\\"count\\":/, "the stored text is shown");
    assert.equal((await d.daemon.state(LIST)).state, '{"count":' as unknown);
    const r = await d.daemon.deploy({ source: NOTE, fileName: "counter.thwonk", addresses: [LIST] });
    assert.equal(r.addresses[0]?.deployed, true, JSON.stringify(r));
    assert.equal((await postTo(d.daemon, LIST, "ann@example.org", "three")).code, 250);
    assert.equal((await d.daemon.runs({ address: LIST })).at(-1)?.error?.code, "TW5070", "still refused after the redeploy");
  } finally {
    await d.close();
  }
});

test("stored state that is JSON but not an object: refused after a redeploy too, not taken as an empty state", async () => {
  for (const text of ["[1,2]", "7", '"count"']) {
    const d = await edited(text);
    try {
      assert.equal((await d.daemon.deploy({ source: NOTE, fileName: "counter.thwonk", addresses: [LIST] })).ok, true);
      assert.equal((await postTo(d.daemon, LIST, "ann@example.org", "two")).code, 250);
      const last = (await d.daemon.runs({ address: LIST })).at(-1);
      assert.equal(last?.error?.code, "TW5070", `${text}: ${JSON.stringify(last)}`);
      assert.deepEqual((await d.daemon.state(LIST)).state, JSON.parse(text), `${text}: not overwritten`);
    } finally {
      await d.close();
    }
  }
});

test("a run refused for its stored state says the code once and each problem once, not the whole message per problem", async () => {
  const d = await edited('{"count":"lots","extra":1}');
  try {
    assert.equal((await postTo(d.daemon, LIST, "ann@example.org", "two")).code, 250);
    const error = (await d.daemon.runs({ address: LIST })).at(-1)?.error;
    assert.equal(error?.code, "TW5070");
    assert.doesNotMatch(error.message, /TW5070/, "the code is the error's code, not repeated in its text");
    assert.match(error.message, /state\.count: expected int, got "lots"/);
    assert.match(error.message, /state\.extra: not a field of the rule's state/);
    assert.equal(error.message.match(/so the rule was not run/g)?.length, 1, error.message);
  } finally {
    await d.close();
  }
});
