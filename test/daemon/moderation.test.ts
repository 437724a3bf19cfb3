/**
 * Moderation over the real protocols: a real thwonkd (bin/thwonkd.js on
 * 127.0.0.1) with examples/moderated, mail submitted over SMTP (nodemailer),
 * the owners' side through thwonkc's client commands in-process and raw
 * fetch, the clock moved through THWONKD_TEST_CLOCK_FILE. A stranger's post
 * is held (250, nothing sent), listed and read, survives a restart, is
 * approved and delivered (to the Maildir; to a real SMTP sink with
 * --relay); another is rejected with a note, another expires; every
 * second decision is refused, and nothing answers without the token.
 */
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { sink } from "../mail/helpers.js";
import { cliIn, outboxMail, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const LIST = "moderated@example.org";
const MEMBERS = [
  { address: "ann@example.org", name: "Ann", role: "owner" },
  { address: "bob@example.org", name: "Bob" },
];
/** Held on arrival; the first approval holds it again (and counts it in state), the second lets it through. */
const SECOND_LOOK = `rule second_look

state {
  approvals: int = 0
}

on message(m: Message) {
  if not m.approved {
    hold("first look")
  }
  state.approvals += 1
  if state.approvals == 1 {
    hold("approval {state.approvals} of 2: needs a second look")
  }
  send(to: members, subject: "[ok] {m.subject}", text: m.text)
}
`;
const T0 = Date.parse("2026-12-01T09:00:00Z");

let ws: ReturnType<typeof workspace>;
let d: Running;
let clockFile: string;
let token: string;
let api: string;

const setClock = (ms: number): void => writeFileSync(clockFile, String(ms));
const env = (): Record<string, string> => ({ THWONKD_TEST_CLOCK_FILE: clockFile });

async function start(): Promise<void> {
  d = await startDaemon(ws, { env: env(), args: ["--hold-expiry", String(3 * 86_400_000)] });
  api = `http://127.0.0.1:${d.ports.http}`;
}

const cli = (...args: string[]) => cliIn(ws.dir, args);
const admin = (...args: string[]) => cli(...args, "--server", api, "--token", token);

/** An answer's field: a value, or an object with the fields these tests read. */
type Field = { code?: string; message?: string; subject?: string; text?: string; status?: string; reason?: string; outcome?: string; note?: string };
async function call(method: string, path: string, body?: unknown, auth: string | null = token): Promise<{ status: number; json: Record<string, Field> }> {
  const res = await fetch(`${api}/v1/${path}`, {
    method,
    headers: { ...(auth !== null ? { authorization: `Bearer ${auth}` } : {}), "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, Field> };
}

/** A real SMTP submission; resolves to the server's answer line. */
async function post(from: string, subject: string, text: string, to = LIST, port = d.ports.smtp): Promise<string> {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
  try {
    const info = await t.sendMail({ from, to, subject, text });
    return info.response;
  } finally {
    t.close();
  }
}

const outboxRows = (): number => readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n);
const heldIds = async (address = LIST): Promise<number[]> => ((await call("GET", `lists/${address}/held`)).json["held"] as { id: number }[]).map((h) => h.id);

before(async () => {
  ws = workspace({ moderated: { example: "moderated", members: MEMBERS }, second_look: { source: SECOND_LOOK, members: MEMBERS } });
  clockFile = join(ws.dir, "clock");
  setClock(T0);
  await start();
  token = (await import("node:fs")).readFileSync(join(ws.data, "admin.token"), "utf8").trim();
});

after(async () => {
  await d?.stop();
});

test("a stranger's post is held: 250 to the sender, nothing sent; listed and read by the CLI and the API; kept over a restart; approved and delivered", async () => {
  const answer = await post("Dan Park <dan@example.net>", "May I post? 🙋", "Hello list,\nI am new here.");
  assert.match(answer, /^250 .*held/);
  assert.equal(outboxRows(), 0, "nothing in the outbox");
  assert.deepEqual(readdirSync(join(d.ports.outbox, "new")), []);

  const [id] = await heldIds();
  assert.ok(id !== undefined);
  const listed = await admin("held", LIST);
  assert.equal(listed.code, 0, listed.err);
  assert.match(listed.out, new RegExp(`#${id} +held 2026-12-01T09:00:00Z, expires 2026-12-04T09:00:00Z +from dan@example.net +"May I post\\? 🙋" +reason: dan@example.net is not a member of ${LIST}\\.`));
  assert.match(listed.out, /1 held message on moderated@example\.org/);

  const one = await call("GET", `held/${id}`);
  assert.equal(one.status, 200);
  assert.equal(one.json["status"], "held");
  assert.equal(one.json["mailFrom"], "dan@example.net");
  assert.equal(one.json["message"]!.subject, "May I post? 🙋");
  assert.match(String(one.json["message"]!.text), /I am new here\./);
  assert.equal(one.json["expiresAt"], T0 + 3 * 86_400_000);
  const read = await admin("held", String(id));
  assert.equal(read.code, 0, read.err);
  assert.match(read.out, /Subject: May I post\? 🙋\n\nHello list,\nI am new here\.\n/);
  assert.match(read.out, new RegExp(`thwonkc approve ${id}`));

  // A restart between hold and approve loses nothing, even after SIGKILL: the hold was committed before the 250.
  await d.kill();
  await start();
  assert.deepEqual(await heldIds(), [id]);

  const at = T0 + 3_600_000;
  setClock(at);
  const ok = await admin("approve", String(id));
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, new RegExp(`approved #${id}: run #\\d+ ok, 1 message to 2 recipients`));
  const mail = await until("the approved post in the outbox", async () => (await outboxMail(d.ports.outbox)).find((m) => m.mail.subject === "May I post? 🙋"));
  assert.deepEqual(mail.recipients.sort(), ["ann@example.org", "bob@example.org"]);
  assert.match(mail.mail.text ?? "", /I am new here\./);
  assert.match(String(mail.mail.from?.text), /Dan Park via moderated/);

  const after = await call("GET", `held/${id}`);
  assert.equal(after.json["status"], "approved");
  assert.equal(after.json["decidedAt"], at);
  const run = readStore(ws.data, (db) => db.prepare("SELECT trigger, now, outcome, message_id FROM runs WHERE id = ?").get(after.json["decisionRun"]) as Record<string, unknown>);
  assert.deepEqual(run, { trigger: "message", now: at, outcome: "ok", message_id: id }, "the approval's run: now is the approval time");
  assert.equal(readStore(ws.data, (db) => (db.prepare("SELECT status FROM messages WHERE id = ?").get(id) as { status: string }).status), "accepted");
  assert.deepEqual(await heldIds(), [], "no longer waiting");

  // A second decision is refused, and sends nothing more.
  const twice = await admin("approve", String(id));
  assert.equal(twice.code, 1);
  assert.match(twice.err, new RegExp(`TW6151 Held message ${id} was approved at 2026-12-01T10:00:00Z; a decision on a held message is final`));
  const again = await call("POST", `held/${id}/reject`, { note: "too late" });
  assert.equal(again.status, 409);
  assert.equal(again.json["error"]!.code, "TW6151");
  assert.equal(outboxRows(), 1);
});

test("a rejection with a note is recorded and nothing is sent; the note can be any text", async () => {
  setClock(T0 + 7_200_000);
  assert.match(await post("spam@example.com", "Cheap pills", "Buy now"), /^250 .*held/);
  const [id] = await heldIds();
  const before = outboxRows();
  const note = 'spam 🚫 "quoted" <b>html</b>\r\nBcc: victim@example.org __proto__';
  const r = await admin("reject", String(id), "--note", note);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`rejected #${id} \\(record run #\\d+\\); nothing was sent to its sender`));
  const h = await call("GET", `held/${id}`);
  assert.equal(h.json["status"], "rejected");
  assert.equal(h.json["note"], note, "the note is kept as written");
  const run = readStore(ws.data, (db) => db.prepare("SELECT trigger, outcome, message_id, actions FROM runs WHERE id = ?").get(h.json["decisionRun"]) as Record<string, unknown>);
  assert.deepEqual(run, { trigger: "moderation", outcome: "rejected", message_id: id, actions: "[]" });
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(outboxRows(), before, "no mail to the sender or anyone");
  const listed = await admin("held", LIST, "--all");
  assert.match(listed.out, new RegExp(`#${id} +rejected 2026-12-01T11:00:00Z +from spam@example.com +"Cheap pills" +note: spam 🚫 "quoted" <b>html</b> Bcc: victim@example.org __proto__\\n`), "one line, control characters out");
  const runs = await admin("runs", LIST);
  assert.match(runs.out, /moderation {2}rejected/);
  const no = await admin("approve", String(id));
  assert.equal(no.code, 1);
  assert.match(no.err, /TW6151 .* was rejected at/);
});

test("a held message expires when the clock passes its hold time: a run record, nothing sent; approving it then is refused", async () => {
  setClock(T0 + 8 * 3_600_000);
  assert.match(await post("late@example.com", "Anyone there?", "Hello?"), /^250 .*held/);
  const [id] = await heldIds();
  const before = outboxRows();
  setClock(T0 + 8 * 3_600_000 + 3 * 86_400_000 + 1000); // past 3 days
  const h = await until("the hold's expiry", async () => {
    const r = await call("GET", `held/${id}`);
    return String(r.json["status"]) === "expired" ? r.json : undefined;
  });
  assert.equal(h["decidedAt"], T0 + 8 * 3_600_000 + 3 * 86_400_000, "it expired at its time, not at the sweep's");
  const run = readStore(ws.data, (db) => db.prepare("SELECT trigger, outcome, now, gas_used FROM runs WHERE id = ?").get(h["decisionRun"]) as Record<string, unknown>);
  assert.deepEqual(run, { trigger: "moderation", outcome: "expired", now: T0 + 8 * 3_600_000 + 3 * 86_400_000, gas_used: 0 });
  assert.equal(readStore(ws.data, (db) => (db.prepare("SELECT status FROM messages WHERE id = ?").get(id) as { status: string }).status), "expired");
  assert.equal(outboxRows(), before);
  const late = await call("POST", `held/${id}/approve`);
  assert.equal(late.status, 409);
  assert.equal(late.json["error"]!.code, "TW6152");
  assert.match(String(late.json["error"]!.message), /expired at 2026-12-04T17:00:00Z, 3 days after it was held/);
  const cliLate = await admin("approve", String(id));
  assert.equal(cliLate.code, 1);
  assert.match(cliLate.err, /TW6152/);
});

test("approving after the hold time but before the sweep is refused too, and the expiry recorded then", async () => {
  // Moved back: this test's own time line.
  const t = T0 + 10 * 86_400_000;
  setClock(t);
  assert.match(await post("racer@example.com", "Quick", "q"), /^250 .*held/);
  const [id] = await heldIds();
  // The daemon sweeps every 100 ms under the test clock; both paths end in the same record.
  setClock(t + 3 * 86_400_000);
  const r = await call("POST", `held/${id}/approve`);
  assert.equal(r.status, 409);
  assert.equal(r.json["error"]!.code, "TW6152");
  const expired = readStore(ws.data, (db) => db.prepare("SELECT COUNT(*) AS n FROM runs WHERE message_id = ? AND outcome = 'expired'").get(id) as { n: number });
  assert.equal(expired.n, 1, "one expiry record, whichever came first");
});

test("approve and reject of one message at once: exactly one wins, in the list's order", async () => {
  setClock(T0 + 20 * 86_400_000);
  assert.match(await post("both@example.com", "Race", "r"), /^250 .*held/);
  const [id] = await heldIds();
  const [a, b] = await Promise.all([call("POST", `held/${id}/approve`), call("POST", `held/${id}/reject`, { note: "no" })]);
  assert.deepEqual([a.status, b.status].sort(), [200, 409]);
  const decisions = readStore(ws.data, (db) => db.prepare("SELECT COUNT(*) AS n FROM runs WHERE message_id = ? AND (trigger = 'moderation' OR now = ?)").get(id, T0 + 20 * 86_400_000) as { n: number });
  assert.equal(decisions.n, 2, "the hold and one decision");
});

test("a second hold on approval keeps the message held with the new reason; the next approval delivers it, on the list's current state", async () => {
  const list = "second-look@example.org";
  setClock(T0 + 30 * 86_400_000);
  assert.match(await post("eve@example.com", "Proposal", "p", list), /^250 .*held/);
  const [id] = await heldIds(list);
  const first = await call("POST", `held/${id}/approve`);
  assert.equal(first.status, 200);
  assert.equal(first.json["held"]!.status, "held");
  assert.equal(first.json["held"]!.reason, "approval 1 of 2: needs a second look");
  assert.equal(first.json["run"]!.outcome, "held");
  assert.deepEqual(await heldIds(list), [id]);
  assert.deepEqual((await call("GET", `lists/${list}/state`)).json["state"], { approvals: 1 }, "the state a hold's run saved");
  const shown = await admin("approve", String(id));
  assert.equal(shown.code, 0, shown.err);
  const mail = await until("the post after its second approval", async () => (await outboxMail(d.ports.outbox)).find((m) => m.mail.subject === "[ok] Proposal"));
  assert.deepEqual(mail.recipients.sort(), ["ann@example.org", "bob@example.org"]);
  assert.equal((await call("GET", `held/${id}`)).json["status"], "approved");
});

test("nothing without the token; no such held message; bad numbers and notes", async () => {
  setClock(T0 + 40 * 86_400_000);
  assert.match(await post("x@example.com", "Guarded", "g"), /^250 .*held/);
  const [id] = await heldIds();
  for (const [method, path, body] of [
    ["GET", `lists/${LIST}/held`],
    ["GET", `held/${id}`],
    ["POST", `held/${id}/approve`],
    ["POST", `held/${id}/reject`, { note: "n" }],
    ["POST", "held/999999/approve"],
  ] as [string, string, unknown?][]) {
    const none = await call(method, path, body, null);
    assert.equal(none.status, 401, `${method} ${path}`);
    assert.equal(none.json["error"]!.code, "TW6020");
    assert.equal((await call(method, path, body, "0".repeat(64))).status, 401);
  }
  assert.deepEqual(await heldIds(), [id], "still held after the refused calls");
  const noToken = await cli("approve", String(id), "--server", api);
  assert.equal(noToken.code, 1);
  assert.match(noToken.err, /TW6020 No token was sent/);

  const missing = await call("POST", "held/999999/approve");
  assert.equal(missing.status, 404);
  assert.equal(missing.json["error"]!.code, "TW6150");
  for (const path of ["held/abc", "held/__proto__", "held/1e3", `held/${"9".repeat(40)}`]) {
    const r = await call("GET", path);
    assert.equal(r.status, 404, path);
    assert.equal(r.json["error"]!.code, "TW6150");
  }
  assert.equal((await admin("approve", "abc")).code, 2);
  assert.equal((await admin("held", "nobody@example.org")).code, 1);
  const bad = await call("GET", `lists/${LIST}/held?status=__proto__`);
  assert.equal(bad.status, 400);
  const long = await call("POST", `held/${id}/reject`, { note: "x".repeat(2001) });
  assert.equal(long.status, 400);
  assert.match(String(long.json["error"]!.message), /over the limit of 2000/);
  assert.equal((await call("POST", `held/${id}/reject`, { note: 42 })).status, 400);
  assert.equal((await call("POST", `held/${id}/reject`, ["note"])).status, 400);
  assert.deepEqual(await heldIds(), [id], "a refused request decides nothing");
  const reject = await call("POST", `held/${id}/reject`, {});
  assert.equal(reject.status, 200);
  assert.equal(reject.json["held"]!.note, "");
});

test("with --relay, an approved post reaches a real SMTP sink; the held one never does", async () => {
  const { port, got, close } = await sink();
  const rws = workspace({ moderated: { example: "moderated", members: MEMBERS } });
  const clock = join(rws.dir, "clock");
  writeFileSync(clock, String(T0));
  const r = await startDaemon(rws, { env: { THWONKD_TEST_CLOCK_FILE: clock }, args: ["--relay", `smtp://127.0.0.1:${port}`, "--relay-retry-min", "200"] });
  try {
    const rapi = `http://127.0.0.1:${r.ports.http}`;
    const rtoken = (await import("node:fs")).readFileSync(join(rws.data, "admin.token"), "utf8").trim();
    assert.match(await post("dan@example.net", "Via the relay", "relayed text", LIST, r.ports.smtp), /^250 .*held/);
    const member = await post("bob@example.org", "A member's post", "straight", LIST, r.ports.smtp);
    assert.match(member, /^250 /);
    await until("the member's post at the sink", () => (got.some((t) => t.raw.includes("A member's post")) ? true : undefined));
    assert.ok(!got.some((t) => t.raw.includes("Via the relay")), "the held post is not sent");
    const held = (await (await fetch(`${rapi}/v1/lists/${LIST}/held`, { headers: { authorization: `Bearer ${rtoken}` } })).json()) as { held: { id: number }[] };
    const id = held.held[0]!.id;
    const approved = await cliIn(rws.dir, ["approve", String(id), "--server", rapi, "--token", rtoken]);
    assert.equal(approved.code, 0, approved.err);
    const t = await until("the approved post at the sink", () => got.find((x) => x.raw.includes("Via the relay")));
    assert.deepEqual(t.to.sort(), ["ann@example.org", "bob@example.org"]);
    assert.equal(t.from, "moderated-bounces@example.org");
    const parsed = await simpleParser(t.raw);
    assert.equal(parsed.subject, "Via the relay");
    assert.match(parsed.text ?? "", /relayed text/);
    assert.equal(got.filter((x) => x.raw.includes("Via the relay")).length, 1, "sent once");
  } finally {
    await r.stop();
    await close();
  }
});
