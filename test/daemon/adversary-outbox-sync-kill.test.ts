/**
 * Exactly once with each way of making the outbox durable (`--outbox-sync`: syncfs, the file system once a batch;
 * fdatasync, each file): a real thwonkd, parallel SMTP clients posting to a list that sends mail, SIGKILL twice (the
 * second while the restart works off its backlog), then a last restart. Every message answered 250 has exactly one
 * file in new/, whole (its text is the one sent), no message has two, and tmp/ is empty once the backlog is written
 * (a batch killed between its writes and its renames is written again under the same names).
 */
import assert from "node:assert/strict";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { outboxMail, readStore, startDaemon, until, workspace, postUntilKilled, type Running } from "./helpers.js";

/** 4 clients × 25 messages; kills the daemon once `killAt` more of them got a 250. */
const load = (d: Running, phase: number, acked: Set<string>, killAt: number): Promise<void> =>
  postUntilKilled(d, { acked, clients: 4, each: 25, killAt, subject: (c, i) => `s-${phase}-${c}-${i}`, text: (subject) => `text of ${subject}` });

for (const how of ["syncfs", "fdatasync"] as const) {
  test(`--outbox-sync ${how}: two SIGKILLs under parallel posts, then a restart: each 250 has one whole file, tmp/ empty`, async () => {
    const ws = workspace({ trim140: { example: "trim140", members: [{ address: "ann@example.org" }, { address: "bob@example.org" }] } });
    const acked = new Set<string>();
    const args = ["--outbox-sync", how];
    let d = await startDaemon(ws, { args });
    try {
      await load(d, 1, acked, 30);
      d = await startDaemon(ws, { args });
      await load(d, 2, acked, 30);
      d = await startDaemon(ws, { args });
      const health = (await (await fetch(`http://127.0.0.1:${d.ports.http}/v1/health`)).json()) as { outboxSync: string };
      assert.match(health.outboxSync, how === "syncfs" ? /^(syncfs|fdatasync \(each file: (?!asked so))/ : /^fdatasync \(each file: asked so\)/);
      const runs = readStore(ws.data, (db) => (db.prepare("SELECT count(*) AS n FROM runs WHERE address = 'trim140@example.org'").get() as { n: number }).n);
      const files = await until("a file for every committed run", async () => {
        const m = await outboxMail(d.ports.outbox);
        return m.length >= runs ? m : undefined;
      });
      await until("no row pending", () => readStore(ws.data, (db) => (db.prepare("SELECT count(*) AS n FROM outbox WHERE done = 0").get() as { n: number }).n === 0) || undefined);
      assert.deepEqual(readdirSync(join(ws.data, "outbox", "tmp")), [], "a file left in tmp/");
      assert.equal((await outboxMail(d.ports.outbox)).length, files.length, "no file written after every run had one");
      const per = new Map<string, number>();
      for (const f of files) {
        const subject = f.mail.subject ?? "?";
        per.set(subject, (per.get(subject) ?? 0) + 1);
        assert.equal(f.mail.text?.trim(), `text of ${subject}`, `${f.file} is whole`);
        assert.deepEqual(f.recipients.sort(), ["ann@example.org", "bob@example.org"]);
      }
      for (const s of acked) assert.equal(per.get(s), 1, `${s} got a 250: one file`);
      assert.deepEqual([...per].filter(([, n]) => n !== 1), [], "a message with more than one file");
      assert.equal(files.length, runs, "one file per committed run");
    } finally {
      await d.stop();
      rmSync(ws.dir, { recursive: true, force: true });
    }
  });
}
