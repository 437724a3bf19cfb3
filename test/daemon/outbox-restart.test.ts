/**
 * The outbox across restarts: outgoing mail committed but not yet written to
 * the Maildir when the daemon died is written once by the next thwonkd; a
 * file already in new/ (or moved to cur/ by a reader) whose row was not yet
 * marked done when it died is not written again; tmp/ leftovers are never
 * delivered. A real thwonkd on a real SQLite store.
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { RunCommit } from "../../runtime/daemon/store/types.js";
import { outboxMail, startDaemon, until, workspace } from "./helpers.js";

const LIST = "trim140@example.org";

function commit(n: number): RunCommit {
  const raw = Buffer.from(`From: ${LIST}\r\nTo: ${LIST}\r\nSubject: restart ${n} ✉\r\nMessage-ID: <restart.${n}@example.org>\r\n\r\nbody ${n}\r\n`);
  return {
    address: LIST,
    message: { raw: Buffer.from(`Subject: in ${n}\r\n\r\nx\r\n`), mailFrom: "ann@example.org", rcptTo: LIST, receivedAt: 1_700_000_000_000 + n, status: "accepted", problems: [] },
    run: { trigger: "message", now: 1_700_000_000_000 + n, bundleHash: "test", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 1, actions: [] },
    outbox: [{ file: `1700000000000.Trestart${n}_1.test`, messageId: `restart.${n}@example.org`, recipients: [`m${n}@example.org`], action: { kind: "send", to: [`m${n}@example.org`], at: { line: 1, column: 1 } }, raw }],
  };
}

test("mail committed but not written when thwonkd died is written once after the restart, and only once", async () => {
  const ws = workspace({ trim140: { example: "trim140", members: [{ address: "ann@example.org", name: "Ann" }] } });
  try {
    // A daemon that committed 30 runs with outgoing mail and died before writing any of it: the store has the rows.
    mkdirSync(ws.data, { recursive: true });
    const store = openSqliteStore(join(ws.data, "thwonkd.sqlite"));
    await store.commitRuns(Array.from({ length: 30 }, (_, i) => commit(i)));
    await store.sync?.();
    await store.close();
    // A half-written file from the write it was doing: in tmp/, never delivered.
    mkdirSync(join(ws.data, "outbox", "tmp"), { recursive: true });
    writeFileSync(join(ws.data, "outbox", "tmp", commit(3).outbox![0]!.file), "Subject: half");

    let d = await startDaemon(ws);
    const subjects = async (): Promise<string[]> => (await outboxMail(d.ports.outbox)).map((m) => m.mail.subject ?? "").sort();
    const want = Array.from({ length: 30 }, (_, i) => `restart ${i} ✉`).sort();
    assert.deepEqual(await until("the 30 files written", async () => ((await subjects()).length >= 30 ? subjects() : undefined)), want);
    const pending = (): number => {
      const db = new Database(join(ws.data, "thwonkd.sqlite"), { readonly: true });
      try {
        return (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE done = 0").get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    await until("every row marked done", () => pending() === 0 || undefined);
    await d.kill();

    // Died after the files were renamed into new/ but before their rows were marked done: the rows are pending
    // again; a reader meanwhile moved one file to cur/.
    const db = new Database(join(ws.data, "thwonkd.sqlite"));
    db.prepare("UPDATE outbox SET done = 0").run();
    db.close();
    const first = readdirSync(join(ws.data, "outbox", "new")).sort()[0]!;
    renameSync(join(ws.data, "outbox", "new", first), join(ws.data, "outbox", "cur", first));
    d = await startDaemon(ws);
    await until("the rows marked done again", () => pending() === 0 || undefined);
    assert.equal(readdirSync(join(ws.data, "outbox", "new")).length, 29, "not written again to new/");
    assert.deepEqual(readdirSync(join(ws.data, "outbox", "cur")), [first], "the file a reader took is not written again");
    await d.stop();
  } finally {
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
