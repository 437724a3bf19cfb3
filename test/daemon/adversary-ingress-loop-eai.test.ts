/**
 * Loop prevention (docs/daemon.md, "Loops") for a list at a non-ASCII address (RFC 6531), on a real thwonkd: the
 * list's own mail, as its outbox holds it, sent back to it over SMTP (SMTPUTF8, the bytes as UTF-8), is stored and
 * not run, by its X-Thwonk-Loop field alone (From and the envelope a member's), by its From, and from its VERP
 * return path; the same message without the loop field is run, so it is the field that stops it.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { RawClient } from "./inflight-client.js";
import { outboxMail, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const ECHO = `rule echo

limits { members: 10, fanout: 11 }

on message(m: Message) {
  send(to: members, subject: "echo: {m.subject.truncate(100)}", text: m.text)
}
`;
/** Letters with marks, an emoji ZWJ sequence and a selector: what the one address rule keeps past ASCII. */
const LIST = "ännä.👩🏽\u200d💻❤\ufe0f@example.org";

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({ quiet: { source: ECHO } });
  d = await startDaemon(ws);
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const api = (path: string, body: unknown) =>
    fetch(`http://127.0.0.1:${d.ports.http}/v1/${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  const r = await api("deploy", { source: ECHO, fileName: "echo.thwonk", addresses: [LIST] });
  assert.equal(r.status, 200, await r.text());
  assert.equal((await api(`lists/${encodeURIComponent(LIST)}/members`, { members: ["ann@example.org"] })).status, 200);
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

/** One message over SMTP with SMTPUTF8, the head and body as given (UTF-8, dot-stuffed); the answer after DATA. */
async function post(mailFrom: string, raw: string): Promise<string> {
  const c = await new RawClient(d.ports.smtp).open("EHLO");
  assert.match(await c.command(`MAIL FROM:<${mailFrom}> SMTPUTF8`), /^250 /);
  assert.match(await c.command(`RCPT TO:<${LIST}>`), /^250 /);
  assert.match(await c.command("DATA"), /^354 /);
  c.write(Buffer.from(raw.replace(/\r?\n/g, "\r\n").replace(/^\./gm, ".."), "utf8"));
  if (!raw.endsWith("\n")) c.write("\r\n");
  const [answer] = await c.end();
  await c.command("QUIT");
  c.destroy();
  return answer!;
}

/** The outcome of the run of the message with this Message-ID (the store's), "(no run)" when there is none. */
const outcomeOf = (id: string): string =>
  readStore(ws.data, (db) =>
    (db.prepare("SELECT r.outcome FROM runs r JOIN messages m ON m.id = r.message_id WHERE CAST(m.raw AS TEXT) LIKE ? ORDER BY r.id DESC").get(`%${id}%`) as { outcome: string } | undefined)
      ?.outcome,
  ) ?? "(no run)";

/** The raw message with the fields named replaced (or dropped when the value is null), the others as they are. */
function withFields(raw: string, fields: Record<string, string | null>): string {
  const end = raw.indexOf("\r\n\r\n");
  const lines = raw.slice(0, end).split("\r\n");
  const out: string[] = [];
  let skipping = false;
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      if (!skipping) out.push(line);
      continue;
    }
    const name = line.slice(0, line.indexOf(":")).trim().toLowerCase();
    const key = Object.keys(fields).find((k) => k.toLowerCase() === name);
    skipping = key !== undefined;
    if (key === undefined) out.push(line);
    else if (fields[key] !== null) out.push(`${key}: ${fields[key]}`);
  }
  return `${out.join("\r\n")}${raw.slice(end)}`;
}

test("a non-ASCII list's own mail sent back to it over SMTP is stored and not run: by X-Thwonk-Loop, From or the return path", async () => {
  assert.match(await post("bob@example.org", `From: bob@example.org\r\nTo: ${LIST}\r\nSubject: first\r\nMessage-ID: <first@example.org>\r\n\r\nhello\r\n`), /^250 /);
  assert.equal(outcomeOf("<first@example.org>"), "ok");
  const copy = await until("the member's copy", async () => (await outboxMail(d.ports.outbox)).find((m) => m.mail.subject === "echo: first"));
  const raw = copy.raw;
  const local = LIST.slice(0, LIST.indexOf("@"));
  // Its envelope in the outbox file (the return path, the recipients) is UTF-8 as the message is, not a byte a unit.
  assert.ok(raw.startsWith(`Return-Path: <${local}-bounces@example.org>\r\n`), raw.slice(0, 80));
  // The stored message, with the Received field thwonkd put before it, is UTF-8 throughout (the field names the list
  // as its client wrote it, or not at all).
  const stored = readStore(ws.data, (db) => (db.prepare("SELECT raw FROM messages ORDER BY id LIMIT 1").get() as { raw: Buffer }).raw);
  assert.doesNotThrow(() => new TextDecoder("utf-8", { fatal: true }).decode(stored), "the stored message is UTF-8");
  // The list's mail names it in its loop field, in UTF-8 as written (RFC 6532).
  assert.match(raw, new RegExp(`\\r\\nX-Thwonk-Loop: ${LIST.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\r\\n`));
  const messageId = (n: number) => `<back-${n}@example.org>`;
  const cases: [string, string, string][] = [
    // As a member's forward brings it back with its head kept: From and the envelope hers, the loop field the list's.
    ["bob@example.org", withFields(raw, { From: "Bob <bob@example.org>", "Message-ID": messageId(1), "Return-Path": null }), "the loop field"],
    // As it left: From the list.
    ["bob@example.org", withFields(raw, { "Message-ID": messageId(2), "Return-Path": null }), "From and the loop field"],
    // From the list's bounce address (its mail's return path), the loop field gone.
    [`${local}-bounces@example.org`, withFields(raw, { From: "bob@example.org", "Message-ID": messageId(3), "X-Thwonk-Loop": null, "Return-Path": null }), "the return path"],
  ];
  for (const [mailFrom, back, why] of cases) {
    assert.match(await post(mailFrom, back), /^250 2\.0\.0 .*loop/, why);
  }
  for (let n = 1; n <= cases.length; n++) assert.equal(outcomeOf(messageId(n)), "loop", `back-${n}`);
  // Without the loop field, from a member, the same message is run: the field is what stopped the first.
  const plain = withFields(raw, { From: "bob@example.org", "Message-ID": "<back-plain@example.org>", "X-Thwonk-Loop": null, "Return-Path": null });
  assert.match(await post("bob@example.org", plain), /^250 /);
  assert.equal(outcomeOf("<back-plain@example.org>"), "ok");
  // Nothing of the looped ones reached the outbox: one copy of the first, one of the plain one.
  const sent = await until("the plain one's copy", async () => {
    const m = await outboxMail(d.ports.outbox);
    return m.length >= 2 ? m : undefined;
  });
  assert.deepEqual(sent.map((m) => m.mail.subject).sort(), ["echo: echo: first", "echo: first"]);
});
