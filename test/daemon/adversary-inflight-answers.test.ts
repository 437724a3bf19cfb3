/**
 * The in-flight budget (smtp.ts InFlight) against every way a message can be answered, over real SMTP and LMTP on
 * 127.0.0.1 (raw sockets: every byte is the test's) into a daemon on a real SQLite store: 250, a rule's reject (550),
 * the rule's own input limits (552), a loop (250, not run), too many hops (554), a failed group commit (451), LMTP
 * with several recipients answered differently, a client gone after the final dot but before its answer, pipelined
 * transactions, RSET and QUIT in odd places, a budget filled to the byte and a message at SIZE and one byte over.
 * After each the bytes in flight are back to 0, and what was stored is exactly what was answered 250 (or 550).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { createIngress, InFlight, type Ingress } from "../../runtime/daemon/smtp.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import { failingStore, type FailingStore } from "./failing-store.js";
import { COUNTER, listDaemon, until } from "./helpers.js";
import { message, RawClient } from "./inflight-client.js";

const COUNT = "count@example.org";
const STRICT = "strict@example.org";
const SIZE = 100_000;
const BUDGET = 250_000;

/** Rejects a subject with "reject" in it; its text may be at most 50,000 characters (552 past it). */
const STRICT_RULE = `rule strict

limits { members: 10, fanout: 10, text: 50000 }

on message(m: Message) {
  if m.subject.contains("reject") {
    reject("no thanks")
  }
  send(to: members, subject: m.subject, text: m.text, from: "sender", replyTo: "list")
}
`;

let store: FailingStore;
let daemon: Daemon;
let close: () => Promise<void>;
let smtp: Ingress;
let lmtp: Ingress;
const budget = new InFlight(BUDGET);

before(async () => {
  ({ daemon, close } = await listDaemon({ source: COUNTER, fileName: "counter.thwonk", addresses: [COUNT], store: (at: string) => (store = failingStore(openSqliteStore(join(at, "thwonkd.sqlite")))) }));
  const r = await daemon.deploy({ source: STRICT_RULE, fileName: "strict.thwonk", addresses: [STRICT] });
  assert.ok(r.ok, JSON.stringify(r));
  await daemon.addMembers(STRICT, [{ address: "ann@example.org", name: "Ann" }]);
  const log = createLogger({ level: "silent", pretty: false });
  smtp = createIngress({ daemon, log, size: SIZE, inFlight: budget });
  lmtp = createIngress({ daemon, log, size: SIZE, inFlight: budget, lmtp: true });
  await smtp.listen("127.0.0.1", 0);
  await lmtp.listen("127.0.0.1", 0);
});

after(async () => {
  // A test that failed with a commit held leaves it held: let it go, or the daemon would wait for it forever.
  try {
    store.release();
  } catch {}
  await smtp.close();
  await lmtp.close();
  await close();
});

const portOf = (i: Ingress): number => (i.server.server.address() as { port: number }).port;

/** The messages stored for a list, as they were stored. */
async function storedRaw(list: string): Promise<string[]> {
  const ms = await daemon.store.messages({ address: list, limit: 10_000 });
  return Promise.all(ms.map(async (m) => (await daemon.store.message(m.id))!.raw.toString("latin1")));
}

/** The subjects stored for a list (every message that reached the store, whatever its status). */
async function storedSubjects(list: string): Promise<string[]> {
  const raws = await storedRaw(list);
  return raws.map((raw) => /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? "").sort();
}

const drained = (): Promise<unknown> => until(`the bytes in flight back to 0 (now ${budget.bytes})`, () => (budget.bytes === 0 ? true : undefined), 10_000);

/** Asserts the budget never went under 0 nor over its limit. */
function sane(): void {
  assert.ok(budget.bytes >= 0, `bytes in flight went negative: ${budget.bytes}`);
  assert.ok(budget.peak <= BUDGET, `bytes in flight passed the limit: ${budget.peak}`);
}

test("every SMTP answer gives the message's bytes back, and what is stored is what was answered", { timeout: 60_000 }, async () => {
  const c = await new RawClient(portOf(smtp)).open();
  try {
    const cases: { to: string; subject: string; head?: string[]; bytes: number; answer: RegExp; stored: boolean }[] = [
      { to: COUNT, subject: "plain", bytes: 50_000, answer: /^250 /, stored: true },
      { to: STRICT, subject: "please reject", bytes: 1_000, answer: /^550 5\.7\.1 no thanks/, stored: true },
      { to: STRICT, subject: "too long a text", bytes: 60_000, answer: /^552 5\.3\.4 /, stored: false },
      // From the list itself: a loop, stored and answered 250 but not run.
      { to: COUNT, subject: "a loop", head: ["X-Thwonk-Loop: count@example.org"], bytes: 3_000, answer: /^250 /, stored: true },
      { to: COUNT, subject: "many hops", head: Array.from({ length: 60 }, (_, i) => `Received: from h${i}.example.org by h${i + 1}.example.org; Mon, 1 Jan 2024 00:00:00 +0000`), bytes: 8_000, answer: /^554 5\.4\.6 /, stored: false },
    ];
    for (const k of cases) {
      const before = await storedSubjects(k.to);
      await c.begin([{ to: k.to }], k.subject === "a loop" ? "count@example.org" : "ann@example.org");
      c.write(message(k.subject, k.bytes, k.head));
      const [a] = await c.end();
      assert.match(a!, k.answer, k.subject);
      await drained();
      sane();
      const now = await storedSubjects(k.to);
      assert.equal(now.length, before.length + (k.stored ? 1 : 0), `${k.subject}: stored ${now.length - before.length}`);
    }
    // A failed group commit: 451, nothing stored, the bytes given back; the retry is taken.
    const before = await storedSubjects(COUNT);
    store.failNext();
    await c.begin([{ to: COUNT }]);
    c.write(message("commit fails", 40_000));
    assert.match((await c.end())[0]!, /^451 4\.3\.0 /);
    await drained();
    assert.deepEqual(await storedSubjects(COUNT), before);
    await c.begin([{ to: COUNT }]);
    c.write(message("commit fails", 40_000));
    assert.match((await c.end())[0]!, /^250 /);
    await drained();
    sane();
    assert.deepEqual(await storedSubjects(COUNT), [...before, "commit fails"].sort());
  } finally {
    c.destroy();
  }
});

test("LMTP with several recipients answered differently: one answer each, the message's bytes counted once and given back once", { timeout: 60_000 }, async () => {
  const c = await new RawClient(portOf(lmtp)).open("LHLO");
  try {
    const beforeCount = await storedSubjects(COUNT);
    const beforeStrict = await storedSubjects(STRICT);
    store.hold();
    await c.begin([{ to: COUNT }, { to: "nobody@example.org", expect: /^550 / }, { to: STRICT }, { to: "nobody.else@example.org", expect: /^550 / }]);
    const body = message("reject me, said lmtp", 30_000);
    c.write(body);
    c.write(".\r\n");
    await store.holding();
    // Held in the group commit: counted once, not once per recipient.
    assert.equal(budget.bytes, 30_000);
    store.release();
    const answers = [await c.reply(), await c.reply()];
    assert.match(answers[0]!, /^250 /, "the counting list takes it");
    assert.match(answers[1]!, /^550 5\.7\.1 no thanks/, "the strict list rejects it");
    await drained();
    sane();
    assert.equal((await storedSubjects(COUNT)).length, beforeCount.length + 1);
    assert.equal((await storedSubjects(STRICT)).length, beforeStrict.length + 1);
    // One recipient's commit fails, the other's goes through: still given back once.
    store.failNext();
    await c.begin([{ to: COUNT }, { to: STRICT }]);
    c.write(message("half fails", 20_000));
    const two = await c.end(2);
    assert.equal(two.filter((a) => a.startsWith("451 ")).length + two.filter((a) => a.startsWith("250 ")).length, 2, two.join(" | "));
    await drained();
    sane();
  } finally {
    c.destroy();
  }
});

test("a client gone after the final dot, before its answer: the message is committed all the same and its bytes come back", { timeout: 60_000 }, async () => {
  const before = await storedSubjects(COUNT);
  const c = await new RawClient(portOf(smtp)).open();
  store.hold();
  await c.begin([{ to: COUNT }]);
  c.write(message("gone before the answer", 70_000));
  c.write(".\r\n");
  await store.holding();
  assert.equal(budget.bytes, 70_000);
  c.destroy();
  await until("the server saw it gone", () => (smtp.server.connections.size === 0 ? true : undefined));
  assert.equal(budget.bytes, 70_000, "still running: its bytes are still held");
  store.release();
  await drained();
  sane();
  assert.deepEqual(await storedSubjects(COUNT), [...before, "gone before the answer"].sort());
  // The same with a half-close (the client's FIN right after the dot) and a reset (RST) in the middle of the dot.
  const half = await new RawClient(portOf(smtp)).open();
  await half.begin([{ to: COUNT }]);
  half.write(message("half closed after the dot", 10_000));
  half.socket.end(".\r\n");
  await until("half closed stored", async () => ((await storedSubjects(COUNT)).includes("half closed after the dot") ? true : undefined));
  await drained();
  const rst = await new RawClient(portOf(smtp)).open();
  await rst.begin([{ to: COUNT }]);
  rst.write(`${message("reset inside the dot", 10_000)}.\r`);
  await until("its bytes counted", () => (budget.bytes >= 9_000 ? true : undefined));
  rst.socket.resetAndDestroy();
  await drained();
  sane();
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(!(await storedSubjects(COUNT)).includes("reset inside the dot"), "a message without its final dot is not stored");
});

test("pipelined transactions, RSET and QUIT after the dot: each message answered in turn, its bytes given back before the next counts", { timeout: 60_000 }, async () => {
  const before = await storedSubjects(COUNT);
  const c = await new RawClient(portOf(smtp)).open();
  // Three messages of 90% of SIZE each in one write, over a budget that two of them would nearly fill: counted one
  // at a time, as the next one streams only once the one before is answered.
  const big = Math.floor(SIZE * 0.9);
  const one = (s: string): string => `MAIL FROM:<ann@example.org>\r\nRCPT TO:<${COUNT}>\r\nDATA\r\n${message(s, big)}.\r\n`;
  c.write(`${one("pipe 1")}RSET\r\n${one("pipe 2")}MAIL FROM:<ann@example.org>\r\nRSET\r\n${one("pipe 3")}QUIT\r\n`);
  const replies: string[] = [];
  for (let i = 0; i < 16; i++) replies.push(await c.reply());
  const data = replies.filter((r) => /^(250 2\.0\.0|4|5)/.test(r));
  assert.deepEqual(
    data.map((r) => r.slice(0, 3)),
    ["250", "250", "250"],
    replies.join("\n"),
  );
  assert.match(replies.at(-1)!, /^221 /);
  await drained();
  sane();
  assert.deepEqual(await storedSubjects(COUNT), [...before, "pipe 1", "pipe 2", "pipe 3"].sort());
});

test("a message of exactly SIZE is taken, one byte more gets 552 and is not stored, however the bytes are cut", { timeout: 60_000 }, async () => {
  const before = await storedSubjects(COUNT);
  const c = await new RawClient(portOf(smtp)).open();
  try {
    await c.begin([{ to: COUNT }]);
    c.write(message("exactly size", SIZE));
    assert.match((await c.end())[0]!, /^250 /);
    await c.begin([{ to: COUNT }]);
    c.write(message("one over size", SIZE + 1));
    assert.match((await c.end())[0]!, /^552 /);
    // The same bytes a few at a time, the final dot cut at each of its places.
    for (const cut of [1, 2, 3, 4]) {
      await c.begin([{ to: COUNT }]);
      const m = `${message(`at size cut ${cut}`, SIZE)}.\r\n`;
      for (let at = 0; at < m.length - 5; at += 16_384) {
        c.write(m.slice(at, Math.min(at + 16_384, m.length - 5)));
        await new Promise((r) => setImmediate(r));
      }
      const tail = m.slice(m.length - 5);
      c.write(tail.slice(0, cut));
      await new Promise((r) => setTimeout(r, 5));
      c.write(tail.slice(cut));
      assert.match(await c.reply(), /^250 /, `cut ${cut}`);
    }
    await drained();
    sane();
    const now = await storedSubjects(COUNT);
    assert.deepEqual(now, [...before, "exactly size", "at size cut 1", "at size cut 2", "at size cut 3", "at size cut 4"].sort());
    // Each stored message is whole: its DATA bytes and the Received field in front, nothing lost at a cut.
    const ms = (await storedRaw(COUNT)).filter((raw) => /Subject: (exactly size|at size cut)/.test(raw));
    assert.equal(ms.length, 5);
    for (const raw of ms) {
      assert.equal(raw.length - raw.indexOf("From: ann@example.org"), SIZE);
    }
  } finally {
    c.destroy();
  }
});

test("a budget filled to the byte: the message that fills it is taken, the next byte is refused 452 and not stored", { timeout: 60_000 }, async () => {
  await drained();
  const before = await storedSubjects(COUNT);
  const a = await new RawClient(portOf(smtp)).open();
  const b = await new RawClient(portOf(lmtp)).open("LHLO");
  const c = await new RawClient(portOf(smtp)).open();
  try {
    // a is held in the group commit with its bytes, b (LMTP, to two lists) and c fill the rest exactly; d's one line is over.
    store.hold();
    await a.begin([{ to: COUNT }]);
    a.write(message("fill a", 90_000));
    a.write(".\r\n");
    await store.holding();
    await b.begin([{ to: COUNT }, { to: STRICT }]);
    b.write(message("fill b", SIZE));
    b.write(".\r\n");
    await until("b's bytes counted", () => (budget.bytes === 90_000 + SIZE ? true : undefined));
    // Filled to the byte with a third message on its way.
    const rest = BUDGET - budget.bytes;
    await c.begin([{ to: COUNT }]);
    c.write(message("fill c", rest));
    c.write(".\r\n");
    await until("c's bytes counted", () => (budget.bytes === BUDGET ? true : undefined));
    const d = await new RawClient(portOf(smtp)).open();
    await d.begin([{ to: COUNT }]);
    d.write("Subject: one byte over\r\n\r\nx\r\n");
    assert.match((await d.end())[0]!, /^452 4\.3\.1 TW6028 /);
    d.destroy();
    assert.equal(budget.bytes, BUDGET);
    store.release();
    assert.match((await a.reply()), /^250 /);
    // The strict list refuses its text (552, its own limit), the counting list takes it.
    assert.deepEqual([(await b.reply()).slice(0, 3), (await b.reply()).slice(0, 3)], ["250", "552"]);
    assert.match(await c.reply(), /^250 /);
    await drained();
    sane();
    assert.equal(budget.peak, BUDGET);
    assert.deepEqual(await storedSubjects(COUNT), [...before, "fill a", "fill b", "fill c"].sort());
  } finally {
    for (const x of [a, b, c]) x.destroy();
  }
});
