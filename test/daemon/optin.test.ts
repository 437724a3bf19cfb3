/**
 * Double opt-in on a real thwonkd (examples/optin over SMTP on 127.0.0.1, a
 * real SQLite store): the confirmation carries a token signed with the
 * list's own key, which the store made at the first deployment; replying
 * with it adds the member; a token made with the public test key (what
 * `thwonkc test` signs with) is refused politely; the key is in no API
 * answer.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { TEST_TOKEN_KEY, tokenMac } from "../../runtime/sandbox/tokens.js";
import { outboxMail, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({ optin: { example: "optin", members: [{ address: "ann@example.org", name: "Ann" }] } });
  d = await startDaemon(ws);
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

const send = (from: string, subject: string) =>
  nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true }).sendMail({ from, to: "optin-request@example.org", subject, text: "" });

const mailTo = (to: string, subject: RegExp) =>
  until(`a mail to ${to} matching ${subject}`, async () => (await outboxMail(d.ports.outbox)).find((m) => m.recipients.includes(to) && subject.test(m.mail.subject ?? "")));

const members = () => readStore(ws.data, (db) => (db.prepare("SELECT member FROM members WHERE address = ? ORDER BY pos").all("optin@example.org") as { member: string }[]).map((r) => r.member));
const secret = () => readStore(ws.data, (db) => db.prepare("SELECT secret FROM list_secrets WHERE address = ?").get("optin@example.org") as { secret: string } | undefined);

test("the store made the list a key of its own at its deployment: 32 random bytes", () => {
  const row = secret();
  assert.ok(row, "a key for the deployed list");
  assert.match(row.secret, /^[0-9a-f]{64}$/);
  assert.notEqual(row.secret, TEST_TOKEN_KEY);
});

test("subscribe, then reply with the token: the member is added; the token is the list key's, not the test key's", async () => {
  await send("Dan Park <dan@example.net>", "subscribe");
  const confirmation = await mailTo("dan@example.net", /^Confirm your subscription/);
  const token = /\[([^\]]+)\]$/.exec(confirmation.mail.subject!)![1]!;
  const [exp, mac] = token.split(".") as [string, string];
  assert.notEqual(mac, tokenMac(TEST_TOKEN_KEY, "optin@example.org", parseInt(exp, 36), JSON.stringify("subscribe dan@example.net")), "not the public test key");
  assert.equal(mac, tokenMac(secret()!.secret, "optin@example.org", parseInt(exp, 36), JSON.stringify("subscribe dan@example.net")), "the list's own key");
  assert.deepEqual(members(), ["ann@example.org"], "no one added before the reply");

  await send("Dan Park <dan@example.net>", `Re: ${confirmation.mail.subject}`);
  await mailTo("dan@example.net", /^Welcome to/);
  assert.deepEqual(members(), ["ann@example.org", "dan@example.net"]);
});

test("a token made with the public test key, or for another address, is refused politely", async () => {
  const expires = Date.now() + 86_400_000;
  const forged = `${expires.toString(36)}.${tokenMac(TEST_TOKEN_KEY, "optin@example.org", expires, JSON.stringify("subscribe eve@example.com"))}`;
  await send("eve@example.com", `Re: confirm [${forged}]`);
  await mailTo("eve@example.com", /was not confirmed$/);

  await send("Mallory <mallory@example.com>", "subscribe");
  const hers = await mailTo("mallory@example.com", /^Confirm your subscription/);
  await send("Zed <zed@example.com>", `Re: ${hers.mail.subject}`);
  await mailTo("zed@example.com", /was not confirmed$/);
  assert.deepEqual(members(), ["ann@example.org", "dan@example.net"]);
});

test("no API answer holds the list's key", async () => {
  const key = secret()!.secret;
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const api = `http://127.0.0.1:${d.ports.http}/v1`;
  const runs = (await (await fetch(`${api}/runs`, { headers: { authorization: `Bearer ${token}` } })).json()) as { runs: { id: number }[] };
  assert.ok(runs.runs.length >= 5);
  const paths = ["lists", "lists/optin@example.org", "lists/optin@example.org/members", "lists/optin@example.org/state", "lists/optin@example.org/runs", "lists/optin@example.org/failed", "runs", "failed", ...runs.runs.map((r) => `runs/${r.id}`)];
  for (const path of paths) {
    const res = await fetch(`${api}/${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.text();
    assert.equal(res.status, 200, `${path}: ${body}`);
    assert.ok(!body.includes(key) && !body.includes(Buffer.from(key).toString("base64")), `${path} shows the key`);
  }
});
