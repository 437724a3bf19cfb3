/**
 * The -request address's answers are committed as any run's mail: a thwonkd killed (SIGKILL) right after its 250
 * has the message, its run and its confirmation in the store, and the restart writes the confirmation once; the
 * member confirms by a reply after the restart (the tag is the list's, kept in the store).
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { outboxMail, outboxWritten, readStore, startDaemon, until, workspace } from "./helpers.js";

const LIST = "trim140@example.org";

async function send(port: number, from: string, to: string, subject: string): Promise<string> {
  const client = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
  const info = await client.sendMail({ from, to, subject, text: "", envelope: { from, to: [to] } });
  client.close();
  return info.response;
}

test("killed after the 250: the confirmation is written once after the restart, and a reply to it then removes the member", async () => {
  const ws = workspace({ trim140: { example: "trim140", members: ["ann@example.org", "bob@example.org"] } });
  try {
    let d = await startDaemon(ws);
    assert.match(await send(d.ports.smtp, "ann@example.org", "trim140-request@example.org", "unsubscribe"), /^250 2\.0\.0 TW6128 /);
    await d.kill();
    d = await startDaemon(ws);
    try {
      const confirmations = await until("the confirmation", async () => {
        const got = (await outboxMail(d.ports.outbox)).filter((m) => m.mail.subject === `Confirm: unsubscribe from ${LIST}`);
        return got.length ? got : undefined;
      });
      // Every row written (a second copy of the confirmation would be written before its row is marked).
      await outboxWritten(ws.data);
      assert.equal((await outboxMail(d.ports.outbox)).length, 1, "one file: the confirmation, once, and nothing to the list");
      assert.deepEqual(confirmations[0]!.recipients, ["ann@example.org"]);
      const tagged = confirmations[0]!.mail.replyTo?.value[0]?.address ?? "";
      assert.match(await send(d.ports.smtp, "ann@example.org", tagged, "Re: confirm"), /^250 2\.0\.0 TW6124 /);
      const members = readStore(ws.data, (db) => (db.prepare("SELECT member FROM members WHERE address = ?").all(LIST) as { member: string }[]).map((r) => r.member));
      assert.deepEqual(members, ["bob@example.org"]);
      const runs = readStore(ws.data, (db) => db.prepare("SELECT trigger FROM runs WHERE address = ? ORDER BY id").all(LIST) as { trigger: string }[]);
      assert.deepEqual(runs.map((r) => r.trigger), ["request", "unsubscribe"]);
    } finally {
      assert.equal(await d.stop(), 0);
    }
  } finally {
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
