/**
 * Adversary: a bounce report that arrives after its member left and joined
 * again. MTAs keep mail queued for days and send the final report at the
 * end, so a report about a post sent to the old subscription can come
 * after the member rejoined (with a fixed mailbox); a rule that unsubscribes
 * at a few bounces must not see it as a bounce of the new subscription.
 * Real thwonkd, real SMTP in, the admin API to remove and add the member.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { outboxMail, readStore, startDaemon, until, workspace } from "../daemon/helpers.js";
import { dsnReport } from "./helpers.js";

const LIST = "bounce-out@example.org";
const BOUNCES = "bounce-out-bounces@example.org";
const BOB = "bob@example.org";

test("a report about a post sent before the member left and joined again is not a bounce of the new subscription", async () => {
  const ws = workspace({
    bounce_out: {
      example: "bounce_out",
      members: [
        { address: "ann@example.org", name: "Ann", role: "owner", joined: "2026-10-01T00:00:00Z" },
        { address: BOB, name: "Bob", joined: "2026-10-01T00:00:00Z" },
      ],
    },
  });
  const d = await startDaemon(ws);
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const api = (method: string, body: unknown) =>
    fetch(`http://127.0.0.1:${d.ports.http}/v1/lists/${LIST}/members`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  const bounces = async (): Promise<number> => {
    const r = await fetch(`http://127.0.0.1:${d.ports.http}/v1/lists/${LIST}/members`, { headers: { authorization: `Bearer ${token}` } });
    return ((await r.json()) as { members: { address: string; bounces?: number }[] }).members.find((m) => m.address === BOB)?.bounces ?? 0;
  };
  const post = async (subject: string): Promise<string> => {
    await mta.sendMail({ envelope: { from: "ann@example.org", to: [LIST] }, raw: `From: ann@example.org\r\nTo: ${LIST}\r\nSubject: ${subject}\r\n\r\nhi\r\n` });
    const m = await until(`post ${subject}`, async () => (await outboxMail(d.ports.outbox)).find((x) => x.mail.subject === subject && x.recipients.includes(BOB)));
    return String(m.mail.messageId).replace(/^<|>$/g, "");
  };
  try {
    const before = await post("Before");
    assert.equal((await api("DELETE", { addresses: [BOB] })).status, 200);
    // The rejoin is stamped later than the post's run (the store keeps milliseconds).
    await until("a later millisecond", () => (readStore(ws.data, (db) => db.prepare("SELECT MAX(now) AS n FROM runs").get() as { n: number }).n < Date.now() ? true : undefined));
    assert.equal((await api("POST", { members: [BOB] })).status, 200);
    const after = await post("After");

    // The late report about the old subscription's post: dropped, and nothing recorded.
    await mta.sendMail({ envelope: { from: "", to: [BOUNCES] }, raw: dsnReport(BOUNCES, BOB, { id: before }) });
    assert.equal(await bounces(), 0, "a report about a post sent before the member joined again counted against the new subscription");
    assert.equal(readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM bounces").get() as { n: number }).n), 0);
    // The same member's report about a post of the new subscription counts.
    await mta.sendMail({ envelope: { from: "", to: [BOUNCES] }, raw: dsnReport(BOUNCES, BOB, { id: after }) });
    assert.equal(await bounces(), 1);
  } finally {
    mta.close();
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
