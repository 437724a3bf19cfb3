/**
 * The adversary of thwonkd's loop prevention, on a real thwonkd over SMTP and LMTP (raw sockets: every byte the
 * test's): mail from the list's own addresses (its address, `+tag`, `-request`, `-bounces` and the VERP return
 * path the list's own mail leaves with), in MAIL FROM or From, in any case, is stored and not run; loop headers
 * in every spelling; and `MAIL FROM:<>` to a rule that replies to everything gets no reply in the outbox.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import { RawClient } from "./inflight-client.js";
import { outboxMail, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

/** Sends every message to the members and replies to its sender: a loop would show at once in the outbox. */
const ECHO = `rule echo

limits { members: 10, fanout: 11 }

on message(m: Message) {
  send(to: members, subject: "echo: {m.subject.truncate(100)}", text: m.text)
  reply(m, text: "got {m.subject.truncate(100)}")
}
`;
const LIST = "echo@example.org";

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  const members = [{ address: "ann@example.org", name: "Ann" }];
  // other-bounces@ is a list of its own: its address is its, not other@'s bounce address.
  ws = workspace({ echo: { source: ECHO, members }, other: { source: ECHO, members }, other_bounces: { source: ECHO, members } });
  d = await startDaemon(ws);
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

let n = 0;

/** One message over SMTP (or LMTP) with this envelope and head; the answer after DATA, and the run's outcome by its subject. */
async function post(o: { mailFrom: string; from?: string; head?: string[]; to?: string; lmtp?: boolean }): Promise<{ answer: string; outcome: string; subject: string }> {
  const subject = `loop-${n++}`;
  const c = await new RawClient(o.lmtp ? d.ports.lmtp! : d.ports.smtp).open(o.lmtp ? "LHLO" : "EHLO");
  await c.begin([{ to: o.to ?? LIST }], o.mailFrom);
  c.write(`From: ${o.from ?? "bob@example.org"}\r\nTo: ${LIST}\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@example.org>\r\n${(o.head ?? []).map((h) => `${h}\r\n`).join("")}\r\nhello\r\n`);
  const [answer] = await c.end();
  await c.command("QUIT");
  c.destroy();
  const outcome = readStore(ws.data, (db) =>
    (db.prepare("SELECT r.outcome FROM runs r JOIN messages m ON m.id = r.message_id WHERE CAST(m.raw AS TEXT) LIKE ?").get(`%Subject: ${subject}\r\n%`) as { outcome: string } | undefined)?.outcome,
  );
  return { answer: answer!, outcome: outcome ?? "(no run)", subject };
}

test("mail whose MAIL FROM or From is one of the list's own addresses is stored and not run", async () => {
  const own = [
    { mailFrom: "ECHO@Example.ORG" },
    { mailFrom: "echo+news@example.org" },
    { mailFrom: "Echo-Request@example.org" },
    // The list's bounce address and the VERP return path its mail to Ann leaves with (a member's forward brings it back).
    { mailFrom: "echo-bounces@example.org" },
    { mailFrom: "ECHO-BOUNCES+abcdefgh-ann=example.org@EXAMPLE.ORG" },
    { mailFrom: "bob@example.org", from: "Echo <echo-bounces@example.org>" },
    { mailFrom: "bob@example.org", from: "echo-bounces+abcdefgh-ann=example.org@example.org" },
    { mailFrom: "bob@example.org", from: "<ECHO+x@EXAMPLE.org>" },
  ];
  for (const p of own) {
    const r = await post(p);
    assert.match(r.answer, /^250 2\.0\.0 .*loop/, JSON.stringify(p));
    assert.equal(r.outcome, "loop", JSON.stringify(p));
  }
  // Another list's addresses are not this list's: its mail is run.
  for (const p of [{ mailFrom: "other-bounces+abcdefgh-ann=example.org@example.org" }, { mailFrom: "bob@example.org", from: "other@example.org" }]) {
    const r = await post(p);
    assert.equal(r.outcome, "ok", JSON.stringify(p));
  }
  // Mail from the list other-bounces@ to other@ is that list's, no loop of other@'s.
  assert.equal((await post({ mailFrom: "other-bounces@example.org", to: "other@example.org" })).outcome, "ok");
  const sent = await outboxMail(d.ports.outbox);
  for (const m of sent) assert.ok(!m.recipients.some((r) => /^echo[-+@]/i.test(r)), `nothing goes to the list's own addresses: ${m.recipients.join(",")}`);
});

test("the loop header in any case, spacing, folding and among several fields is found; one for another list is not", async () => {
  const loops = [
    ["X-Thwonk-Loop: echo@example.org"],
    ["x-thwonk-LOOP:   <ECHO@Example.Org>   "],
    ["X-Thwonk-Loop:", "\techo@example.org"],
    ["X-Thwonk-Loop : echo@example.org"],
    ["X-Thwonk-Loop: other@example.org", "X-Thwonk-Loop: echo@example.org"],
    ["X-Thwonk-Loop: other@example.org,", " echo@example.org"],
  ];
  for (const head of loops) assert.equal((await post({ mailFrom: "bob@example.org", head })).outcome, "loop", head.join("|"));
  for (const head of [["X-Thwonk-Loop: other@example.org"], ["X-Thwonk-Loops: echo@example.org"], ["X-Thwonk-Loop: echo@example.org.evil"]]) {
    assert.equal((await post({ mailFrom: "bob@example.org", head })).outcome, "ok", head.join("|"));
  }
});

test("MAIL FROM:<> to a rule that replies to everything: no reply is written, over SMTP and LMTP", async () => {
  const subjects: string[] = [];
  for (const lmtp of [false, true]) {
    const r = await post({ mailFrom: "", from: "MAILER-DAEMON@example.net", lmtp });
    assert.match(r.answer, /^250 /);
    assert.equal(r.outcome, "ok");
    subjects.push(r.subject);
  }
  // The members' copies are written (the run went on); a reply would be written beside them.
  const sent = await until("the members' copies", async () => {
    const m = await outboxMail(d.ports.outbox);
    return subjects.every((s) => m.some((x) => x.mail.subject === `echo: ${s}`)) ? m : undefined;
  });
  for (const s of subjects) assert.deepEqual(sent.filter((m) => (m.mail.text ?? "").includes(`got ${s}`)), [], `no reply to <> for ${s}`);
  const actions = readStore(ws.data, (db) => db.prepare("SELECT actions FROM runs WHERE address = ?").all(LIST) as { actions: string }[]);
  for (const a of actions) for (const x of JSON.parse(a.actions) as { kind: string; to?: unknown }[]) if (x.kind === "reply") assert.notEqual(x.to, null);
});
