/**
 * A real thwonkd whose Maildir outbox has a reader: it takes messages as Maildir readers do, moving new/NAME to
 * cur/NAME:2,S (seen) or, for some, to cur/NAME. The rows were then left not marked done, as a process killed
 * between a batch's renames and its mark leaves them. The restart must find each message where the reader put it and
 * write none again: every message that got a 250 has exactly one file across new/ and cur/.
 */
import assert from "node:assert/strict";
import { readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { createTransport } from "nodemailer";
import { readStore, startDaemon, until, workspace } from "./helpers.js";

const pending = (data: string): number => readStore(data, (db) => (db.prepare("SELECT count(*) AS n FROM outbox WHERE done = 0").get() as { n: number }).n);

test("messages a reader moved to cur/ (NAME:2,S or NAME), rows left not marked: the restart writes none again", async () => {
  const ws = workspace({ trim140: { example: "trim140", members: [{ address: "ann@example.net" }, { address: "bob@example.net" }] } });
  const outbox = join(ws.data, "outbox");
  let d = await startDaemon(ws);
  try {
    const t = createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    for (let i = 0; i < 6; i++) {
      const sent = await t.sendMail({ from: "ann@example.net", to: "trim140@example.org", subject: `taken ${i}`, text: `message ${i}` });
      assert.match(sent.response, /^250 /);
    }
    await until("six files, every row marked", () => (readdirSync(join(outbox, "new")).length === 6 && pending(ws.data) === 0) || undefined);
    await d.stop();
    // The reader: four taken and seen, one taken without flags, one left in new/.
    const names = readdirSync(join(outbox, "new")).sort();
    names.slice(0, 4).forEach((n) => renameSync(join(outbox, "new", n), join(outbox, "cur", `${n}:2,S`)));
    renameSync(join(outbox, "new", names[4]!), join(outbox, "cur", names[4]!));
    // As a process killed after the renames and before the mark leaves them.
    const db = new Database(join(ws.data, "thwonkd.sqlite"));
    db.prepare("UPDATE outbox SET done = 0").run();
    db.close();
    assert.equal(pending(ws.data), 6);
    d = await startDaemon(ws);
    await until("every row marked again", () => pending(ws.data) === 0 || undefined);
    assert.deepEqual(readdirSync(join(outbox, "new")), [names[5]], "a message the reader took was written again");
    assert.deepEqual(readdirSync(join(outbox, "cur")).sort(), [...names.slice(0, 4).map((n) => `${n}:2,S`), names[4]].sort());
    assert.deepEqual(readdirSync(join(outbox, "tmp")), []);
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
