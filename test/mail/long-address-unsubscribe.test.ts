/**
 * Addresses at their longest, end to end: a real thwonkd relaying to an SMTP sink (smtp-server, the parser
 * thwonkd's own ingress uses), lists deployed through the API with VERP and one-click on.
 *
 * - A list at an address whose UTF-8 is longer than any ASCII address an SMTP path holds. Its members: one at 253
 *   characters, the longest path the sink takes, and one at ADDRESS_MAX, which the list keeps but sends nothing
 *   to (a refused recipient: compose.ts safeAddress). A post over SMTP (SMTPUTF8) reaches the sink; the one-click
 *   URL in the member's List-Unsubscribe field, POSTed over HTTP, removes them, and its page's button posts back to
 *   it; the envelope sender (the plain bounce address: a VERP one would not fit a local part) takes reports.
 * - A list on a long domain, whose VERP address for a short member would be 254 characters: a path, but one the
 *   sink, and thwonkd itself, refuse. Its mail leaves with the plain bounce address, which takes reports.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import nodemailer, { type Transporter } from "nodemailer";
import { ADDRESS_MAX } from "../../contract/index.js";
import { readStore, type Running, startDaemon, until, workspace } from "../daemon/helpers.js";
import { sink } from "./helpers.js";

const RULE = `rule fanout

limits { members: 10, fanout: 10 }

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;

const DOMAIN = `${"d".repeat(40)}.example.org`;
/** An address of exactly `n` characters at DOMAIN, its local part starting with `who`. */
const at = (who: string, n: number): string => `${who}${"x".repeat(n - 1 - DOMAIN.length - who.length)}@${DOMAIN}`;
/** 200 characters, 341 bytes of UTF-8 (its token part past the 400 base64 characters a token was held to). */
const LIST = `liste-${"ü".repeat(141)}@${DOMAIN}`;
const MEMBER = at("ann", 253);
const WIDEST = at("bob", ADDRESS_MAX);
/** A host name of 228 characters: `l-bounces+TAG-a=b.co@` it makes an address of 254. */
const LONG_HOST = `${"h".repeat(63)}.${"h".repeat(63)}.${"h".repeat(63)}.${"h".repeat(35)}g`;
const VERP_LIST = `l@${LONG_HOST}`;
const SHORT = "a@b.co";

let relay: Awaited<ReturnType<typeof sink>>;
let ws: ReturnType<typeof workspace>;
let d: Running;
let mta: Transporter;
let api: (path: string, method?: string, body?: unknown) => Promise<Response>;

const members = (list: string): string[] =>
  readStore(ws.data, (db) => (db.prepare("SELECT member FROM members WHERE address = ? ORDER BY pos").all(list) as { member: string }[]).map((m) => m.member));

before(async () => {
  relay = await sink();
  // The rule is deployed from --deploy at fanout@example.org too; the long addresses are given through the API.
  ws = workspace({ fanout: { source: RULE } });
  d = await startDaemon(ws, {
    args: ["--relay", `smtp://127.0.0.1:${relay.port}`, "--relay-retry-min", "200", "--one-click"],
    env: { THWONKD_LISTS: JSON.stringify({ [LIST]: { verp: true }, [VERP_LIST]: { verp: true } }) },
  }).catch(async (e: unknown) => {
    await relay.close();
    throw e;
  });
  const admin = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  api = (path, method = "GET", body) =>
    fetch(`http://127.0.0.1:${d.ports.http}/v1/${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  const deployed = await api("deploy", "POST", { source: RULE, fileName: "fanout.thwonk", addresses: [LIST, VERP_LIST] });
  assert.equal(deployed.status, 200, await deployed.text());
});

after(async () => {
  mta.close();
  await d.stop();
  await relay.close();
  rmSync(ws.dir, { recursive: true, force: true });
});

/** A message that is no delivery status report, to a bounce address: accepted and dropped (TW6127), or refused. */
const report = (to: string) => mta.sendMail({ envelope: { from: "", to: [to] }, raw: `From: MAILER-DAEMON@example.net\r\nTo: ${to}\r\nSubject: x\r\n\r\nnot a report\r\n` });

test("a list at a long non-ASCII address: the one-click link in its member's mail removes them; its bounce address takes reports", async () => {
  assert.ok(Buffer.byteLength(LIST) > 300, String(Buffer.byteLength(LIST)));
  const added = await api(`lists/${encodeURIComponent(LIST)}/members`, "POST", { members: [MEMBER, WIDEST] });
  assert.equal(added.status, 200, await added.text());
  assert.deepEqual(members(LIST), [MEMBER, WIDEST]);

  await mta.sendMail({ envelope: { from: "cat@example.org", to: [LIST] }, raw: `From: cat@example.org\r\nTo: ${LIST}\r\nSubject: hello\r\n\r\nhi\r\n` });
  const got = await until("the member's copy", () => relay.got.find((t) => t.to[0] === MEMBER));
  assert.deepEqual(got.to, [MEMBER]);
  assert.ok(!relay.got.some((t) => t.to.includes(WIDEST)), "nothing goes to an address past an SMTP path");
  // The VERP address would pass 64 octets before its `@`: the plain bounce address goes instead.
  const bounces = `${LIST.slice(0, LIST.lastIndexOf("@"))}-bounces@${DOMAIN}`;
  assert.equal(got.from, bounces);

  const text = got.raw.toString("latin1");
  const field = String(text.match(/^List-Unsubscribe:((?:.*)(?:\r\n[ \t].*)*)/im)?.[1]).replace(/\r\n/g, "");
  assert.ok(text.split("\r\n").every((l) => l.length <= 998), "no line past 998 octets");
  const url = /<(http:\/\/127\.0\.0\.1:\d+\/unsubscribe\/[^>]+)>/.exec(field)?.[1];
  assert.ok(url, `a one-click URL in ${field}`);
  // The page behind the link, and its button's target.
  const page = await fetch(url);
  assert.equal(page.status, 200);
  const action = /<form method="post" action="([^"]*)"/.exec(await page.text())?.[1];
  assert.equal(new URL(action!, url).href, url);

  const post = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
  const said = await post.text();
  assert.equal(post.status, 200, said);
  assert.match(said, /TW6124/);
  assert.deepEqual(members(LIST), [WIDEST], "the member is gone");

  assert.match(String((await report(bounces)).response), /^250 2\.0\.0 TW6127/);
});

test("a VERP address that would pass the path thwonkd takes mail at is not used: the plain bounce address goes, and takes reports", async () => {
  assert.equal(VERP_LIST.length, 230);
  const added = await api(`lists/${encodeURIComponent(VERP_LIST)}/members`, "POST", { members: [SHORT] });
  assert.equal(added.status, 200, await added.text());
  await mta.sendMail({ envelope: { from: "cat@example.org", to: [VERP_LIST] }, raw: `From: cat@example.org\r\nTo: ${VERP_LIST}\r\nSubject: hello\r\n\r\nhi\r\n` });
  const got = await until("the member's copy", () => relay.got.find((t) => t.to[0] === SHORT));
  assert.equal(got.from, `l-bounces@${LONG_HOST}`);
  assert.match(String((await report(got.from)).response), /^250 2\.0\.0 TW6127/);
});
