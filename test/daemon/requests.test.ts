/**
 * The -request address of a list whose rule does not answer it (runtime/daemon/requests.ts), through a real
 * thwonkd over SMTP (nodemailer as the mail client), its SQLite store and its Maildir outbox.
 *
 * The defect: trim140 never reads `m.envelope.isRequest`, so a member pressing their mail program's Unsubscribe
 * button (RFC 2369 List-Unsubscribe: "unsubscribe" to trim140-request@) had the rule send their "unsubscribe" to
 * every member, and stayed subscribed. Now thwonkd answers: a confirmation to the member alone, confirmed by a
 * reply to its tagged address or by the one-click link; help for anything else; nothing to bounces and automatic
 * mail; and the subscribe example, whose rule reads isRequest, still gets its -request mail.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { request } from "node:http";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import type { ParsedMail } from "mailparser";
import { outboxMail, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const LIST = "trim140@example.org";
const REQUEST = "trim140-request@example.org";
const PUBLIC = "https://lists.example.org";
const ZOE = "zo\u00eb@example.org";

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({
    trim140: { example: "trim140", members: ["ann@example.org", "bob@example.org", "carol@example.org", ZOE, "dan@example.org"] },
    subscribe: { example: "subscribe", members: ["ann@example.org"] },
  });
  d = await startDaemon(ws, { args: ["--public-url", PUBLIC] });
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

interface Sent {
  from?: string;
  mailFrom?: string | null;
  to?: string;
  subject?: string;
  text?: string;
  headers?: Record<string, string>;
}

async function send(o: Sent): Promise<string> {
  const client = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true, name: "client.example" });
  const from = o.from ?? "ann@example.org";
  const info = await client.sendMail({
    from,
    to: o.to ?? REQUEST,
    subject: o.subject ?? "unsubscribe",
    text: o.text ?? "",
    envelope: { from: o.mailFrom === null ? "" : (o.mailFrom ?? from), to: [o.to ?? REQUEST] },
    ...(o.headers ? { headers: o.headers } : {}),
  });
  client.close();
  return info.response;
}

type Out = { file: string; mail: ParsedMail; recipients: string[]; raw: string };
let seen = 0;

/** The outbox files written since the last call, once there are `count` of them (and none more shortly after). */
async function fresh(count: number): Promise<Out[]> {
  const all = await until(`${count} new outbox files`, async () => {
    const got = await outboxMail(d.ports.outbox);
    return got.length >= seen + count ? got : undefined;
  });
  await new Promise((r) => setTimeout(r, count === 0 ? 600 : 200));
  const now = await outboxMail(d.ports.outbox);
  const out = now.slice(seen);
  seen = now.length;
  assert.equal(out.length, count, `outbox: ${out.map((o) => `${o.mail.subject} -> ${o.recipients.join(",")}`).join(" | ")} (had ${all.length - seen + out.length})`);
  return out;
}

const members = (list = LIST): string[] =>
  readStore(ws.data, (db) => (db.prepare("SELECT member FROM members WHERE address = ? ORDER BY member").all(list) as { member: string }[]).map((r) => r.member));
const runs = (): { trigger: string; outcome: string; actions: string }[] =>
  readStore(ws.data, (db) => db.prepare("SELECT trigger, outcome, actions FROM runs WHERE address = ? ORDER BY id").all(LIST) as { trigger: string; outcome: string; actions: string }[]);

const replyTo = (m: ParsedMail): string => m.replyTo?.value[0]?.address ?? "";
const link = (m: ParsedMail): string => new RegExp(`${PUBLIC}/unsubscribe/[A-Za-z0-9_.-]+`).exec(m.text ?? "")?.[0] ?? "";
let annConfirm = "";
let bobLink = "";
let bobTag = "";

test("a member's Unsubscribe button: a confirmation to the member alone, nothing to the list, the member still there", async () => {
  const answer = await send({ subject: "unsubscribe" });
  assert.match(answer, /^250 2\.0\.0 TW6128 /);
  const [c] = await fresh(1);
  assert.deepEqual(c!.recipients, ["ann@example.org"]);
  assert.equal(c!.mail.subject, `Confirm: unsubscribe from ${LIST}`);
  assert.equal(c!.mail.from?.value[0]?.address, LIST);
  assert.equal(c!.mail.headers.get("auto-submitted"), "auto-replied");
  assert.equal(c!.mail.headers.get("x-thwonk-loop"), LIST);
  annConfirm = replyTo(c!.mail);
  assert.match(annConfirm, /^trim140-request\+[a-z2-7]{12}-ann=example\.org@example\.org$/);
  assert.ok(Buffer.byteLength(annConfirm.split("@")[0]!) <= 64);
  assert.ok(c!.mail.text?.includes(annConfirm), c!.mail.text);
  assert.ok(link(c!.mail), "the one-click link, as --public-url is set");
  assert.ok(members().includes("ann@example.org"), "not removed before the confirmation");
  const last = runs().at(-1)!;
  assert.equal(last.trigger, "request");
  assert.equal(last.outcome, "ok");
});

test("a forged From (and a tag moved to another member) removes no one: the member named gets the confirmation, the forger the help", async () => {
  const answer = await send({ from: "bob@example.org", mailFrom: "eve@evil.example", subject: "unsubscribe" });
  assert.match(answer, /^250 /);
  const out = await fresh(2);
  const toBob = out.find((o) => o.recipients[0] === "bob@example.org")!;
  const toEve = out.find((o) => o.recipients[0] === "eve@evil.example")!;
  assert.deepEqual([toBob.recipients, toEve.recipients], [["bob@example.org"], ["eve@evil.example"]], "never the confirmation to the forger");
  assert.equal(toEve.mail.subject, `Help for the list ${LIST}`);
  assert.ok(!toEve.mail.text?.includes("bob@example.org"), "the help says nothing of bob");
  assert.equal(replyTo(toEve.mail), REQUEST);
  bobLink = link(toBob.mail);
  bobTag = replyTo(toBob.mail);
  // Ann's tag with bob's address, and a made-up tag: neither verifies; the sender gets the help.
  const annTag = /\+([a-z2-7]{12})-/.exec(annConfirm)![1]!;
  await send({ from: "eve@evil.example", to: `trim140-request+${annTag}-bob=example.org@example.org`, subject: "Re: confirm" });
  await send({ from: "eve@evil.example", to: "trim140-request+aaaaaaaaaaaa-bob=example.org@example.org", subject: "Re: confirm" });
  const helps = await fresh(2);
  assert.deepEqual(helps.map((h) => [h.recipients[0], h.mail.subject]), [["eve@evil.example", `Help for the list ${LIST}`], ["eve@evil.example", `Help for the list ${LIST}`]]);
  assert.ok(members().includes("bob@example.org"));
  assert.ok(!runs().some((r) => r.trigger === "unsubscribe"));
});

test("a reply to the confirmation removes the member, recorded as a run of trigger unsubscribe; a replay of it is harmless", async () => {
  const answer = await send({ to: annConfirm, subject: `Re: Confirm: unsubscribe from ${LIST}`, text: "> Someone, probably you, asked" });
  assert.match(answer, /^250 2\.0\.0 TW6124 ann@example\.org is unsubscribed/);
  assert.ok(!members().includes("ann@example.org"));
  const r = runs().at(-1)!;
  assert.equal(r.trigger, "unsubscribe");
  const actions = JSON.parse(r.actions) as { kind: string; address?: string; via?: string; to: string[] }[];
  assert.deepEqual(actions.map((a) => a.kind), ["members.remove", "reply"]);
  assert.equal(actions[0]!.address, "ann@example.org");
  assert.equal(actions[0]!.via, "mail");
  const [bye] = await fresh(1);
  assert.deepEqual(bye!.recipients, ["ann@example.org"]);
  assert.equal(bye!.mail.subject, `Unsubscribed from ${LIST}`);

  // The same reply again (a mail program that sends twice, or someone who kept it): nothing changes.
  const unsubscribes = runs().filter((x) => x.trigger === "unsubscribe").length;
  assert.match(await send({ to: annConfirm, subject: "Re: confirm" }), /^250 2\.0\.0 TW6128 /);
  await fresh(1);
  assert.equal(runs().filter((x) => x.trigger === "unsubscribe").length, unsubscribes);
  assert.ok(!members().includes("ann@example.org"));
});

test("the confirmation's one-click link (with --public-url) removes the member as one-click does", async () => {
  assert.ok(bobLink.startsWith(`${PUBLIC}/unsubscribe/`), bobLink);
  const path = bobLink.slice(PUBLIC.length);
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: d.ports.http, method: "POST", path, headers: { "content-type": "application/x-www-form-urlencoded" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end("List-Unsubscribe=One-Click");
  });
  assert.equal(status, 200);
  assert.ok(!members().includes("bob@example.org"));
  assert.equal(runs().at(-1)!.trigger, "unsubscribe");
  // Bob's tagged address is spent with the subscription it was made for.
  await send({ from: "bob@example.org", to: bobTag, subject: "Re: confirm" });
  assert.equal((await fresh(1))[0]!.mail.subject, `Help for the list ${LIST}`);
});

test("a stranger gets the help, and the same SMTP answer a member gets; help and a command in the body", async () => {
  const stranger = await send({ from: "stranger@else.example", subject: "unsubscribe" });
  const [h] = await fresh(1);
  assert.deepEqual(h!.recipients, ["stranger@else.example"]);
  assert.equal(h!.mail.subject, `Help for the list ${LIST}`);
  assert.match(h!.mail.text ?? "", /unsubscribe/);
  const member = await send({ from: "carol@example.org", subject: "UNSUBSCRIBE" });
  const [c] = await fresh(1);
  assert.deepEqual(c!.recipients, ["carol@example.org"]);
  assert.equal(c!.mail.subject, `Confirm: unsubscribe from ${LIST}`);
  assert.equal(stranger, member, "the answer does not tell a member from a stranger");

  await send({ from: "carol@example.org", subject: "help" });
  assert.equal((await fresh(1))[0]!.mail.subject, `Help for the list ${LIST}`);
  await send({ from: "carol@example.org", subject: "", text: "\n\n  Leave\nthanks" });
  assert.equal((await fresh(1))[0]!.mail.subject, `Confirm: unsubscribe from ${LIST}`);
  assert.ok(members().includes("carol@example.org"));
});

test("a member written in another case or decomposed is the member: the confirmation goes to the address the list has", async () => {
  await send({ from: "Dan@EXAMPLE.org", subject: "unsubscribe" });
  const [c] = await fresh(1);
  assert.deepEqual(c!.recipients, ["dan@example.org"]);
  await send({ from: "ZOE\u0308@example.org", mailFrom: "ZOE\u0308@example.org", subject: "unsubscribe" });
  const [z] = await fresh(1);
  assert.deepEqual(z!.recipients, [ZOE]);
  const tagged = replyTo(z!.mail);
  assert.match(tagged, /^trim140-request\+[a-z2-7]{12}-zo\u00eb=example\.org@example\.org$/);
  // A relay may write the address in upper case: it still confirms.
  assert.match(await send({ from: ZOE, to: tagged.toUpperCase(), subject: "Re" }), /^250 2\.0\.0 TW6124 /);
  assert.ok(!members().includes(ZOE));
  await fresh(1);
});

test("a bounce, automatic mail and the list's own mail to the -request address get no answer", async () => {
  const before = runs().length;
  assert.match(await send({ from: "carol@example.org", mailFrom: null, subject: "unsubscribe" }), /^250 2\.0\.0 TW6129 /);
  await send({ from: "carol@example.org", subject: "unsubscribe", headers: { "Auto-Submitted": "auto-replied" } });
  await send({ from: "carol@example.org", subject: "unsubscribe", headers: { Precedence: "bulk" } });
  await send({ from: "carol@example.org", subject: "unsubscribe", headers: { "X-Thwonk-Loop": LIST } });
  await send({ from: LIST, subject: "unsubscribe" });
  await fresh(0);
  const added = runs().slice(before);
  assert.equal(added.length, 5, "each stored with a run record");
  assert.ok(added.every((r) => r.trigger === "request"));
  assert.deepEqual(added.map((r) => r.outcome), ["ok", "ok", "ok", "loop", "loop"]);
  assert.ok(members().includes("carol@example.org"));
});

test("the list's own address still runs the rule; the subscribe example still answers its -request address itself", async () => {
  await send({ from: "carol@example.org", to: LIST, subject: "a post" });
  const [post] = await fresh(1);
  assert.deepEqual(post!.recipients.sort(), ["carol@example.org", "dan@example.org"]);
  assert.equal(post!.mail.subject, "a post");

  await send({ from: "dave@example.org", to: "subscribe-request@example.org", subject: "subscribe" });
  const [welcome] = await fresh(1);
  assert.deepEqual(welcome!.recipients, ["dave@example.org"]);
  assert.equal(welcome!.mail.subject, "Welcome to subscribe");
  assert.ok(members("subscribe@example.org").includes("dave@example.org"));
  const last = readStore(ws.data, (db) => db.prepare("SELECT trigger FROM runs WHERE address = ? ORDER BY id DESC LIMIT 1").get("subscribe@example.org") as { trigger: string });
  assert.equal(last.trigger, "message", "the rule ran");
});
