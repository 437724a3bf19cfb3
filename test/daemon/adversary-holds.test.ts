/**
 * Adversary: moderation decisions on a real daemon in-process (SQLite, the
 * QuickJS pool, the list's queue), a clock the test moves. Ten approvals of
 * one message at once send it once; an approval after a redeploy with
 * another state schema runs on the new state; a clock that jumps backwards
 * expires nothing early and forward again expires on time; a rejection's
 * note with NUL, CR/LF and astral characters is kept as given.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import pino from "pino";
import { Daemon } from "../../runtime/daemon/daemon.js";
import { HeldRefusal } from "../../runtime/daemon/holds.js";

const DAY = 86_400_000;
const T0 = Date.parse("2026-12-01T09:00:00Z");
const LIST = "gate@example.org";
let now = T0;
let daemon: Daemon;

const V1 = `rule gate

state {
  approvals: int = 0
}

on message(m: Message) {
  if not m.approved {
    hold("first look")
  }
  state.approvals += 1
  send(to: members, subject: "[ok] {m.subject}", text: m.text)
}
`;
const V2 = `rule gate

state {
  approvals: int = 0
  seen: List<string max 20> max 50 = []
  label: string max 20 = "v2"
}

on message(m: Message) {
  if not m.approved {
    hold("first look")
  }
  if state.seen.size < 50 {
    state.seen.push(m.subject.truncate(20))
  }
  send(to: members, subject: "[{state.label} {state.seen.size}] {m.subject}", text: m.text)
}
`;

async function deploy(source: string): Promise<void> {
  const r = await daemon.deploy({ source, fileName: "gate.thwonk", addresses: [LIST] });
  assert.ok(r.ok, JSON.stringify(r));
}

let n = 0;
async function arrive(subject: string): Promise<number> {
  n++;
  const raw = Buffer.from(`From: Eve <eve@example.com>\r\nTo: ${LIST}\r\nSubject: ${subject}\r\nMessage-ID: <adv${n}@example.com>\r\n\r\nhello\r\n`);
  const a = await daemon.deliver({ address: LIST, rcptTo: LIST, mailFrom: "eve@example.com", raw, receivedAt: now });
  assert.equal(a.outcome, "held", a.message);
  return (await daemon.store.run(a.runId!))!.messageId!;
}

const outboxFor = async (subjectPart: string): Promise<number> => {
  const runs = await daemon.store.runs({ address: LIST, limit: 1000 });
  return runs.filter((r) => r.actions.some((a) => a.kind === "send" && String(a["subject"]).includes(subjectPart))).length;
};

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-adv-holds-"));
  daemon = await Daemon.open({ dataDir: dir, log: pino({ level: "silent" }), clock: () => now, workers: 1 });
  daemon.holds.expiry = 3 * DAY;
  await deploy(V1);
  await daemon.addMembers(LIST, [{ address: "ann@example.org" }]);
});

after(async () => {
  await daemon.close();
});

test("ten approvals of one held message at once: one run sends it, nine are refused", async () => {
  const id = await arrive("race");
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => daemon.holds.approve(id)));
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof HeldRefusal && r.reason.kind === "decided", String(r.reason));
  assert.equal(await outboxFor("race"), 1);
  // Reject after approve: refused too.
  await assert.rejects(daemon.holds.reject(id, "late"), (e) => e instanceof HeldRefusal && e.kind === "decided");
});

test("held under one state schema, approved after a redeploy with another: runs on the new version's state", async () => {
  const id = await arrive("schema");
  await deploy(V2);
  const a = await daemon.holds.approve(id);
  assert.equal(a.answer.outcome, "ok", a.answer.message);
  assert.equal(a.held.status, "approved");
  assert.equal(await outboxFor("[v2 1] schema"), 1);
});

test("a clock that jumps backwards expires nothing early; forward again, the hold expires on time", async () => {
  const id = await arrive("clock");
  now = T0 - 365 * DAY;
  await daemon.holds.sweep();
  assert.equal((await daemon.holds.get(id)).status, "held");
  now = T0 + 3 * DAY - 1;
  await daemon.holds.sweep();
  assert.equal((await daemon.holds.get(id)).status, "held");
  now = T0 + 3 * DAY;
  await daemon.holds.sweep();
  const h = await daemon.holds.get(id);
  assert.equal(h.status, "expired");
  assert.equal(h.decidedAt, T0 + 3 * DAY);
  // Back in time again: the expiry stands, an approval is refused.
  now = T0;
  await assert.rejects(daemon.holds.approve(id), (e) => e instanceof HeldRefusal && e.kind === "decided");
  assert.equal(await outboxFor("clock"), 0);
});

test("a rejection's note with NUL, CR/LF, and emoji is kept as given, and sends nothing", async () => {
  now = T0 + 10 * DAY;
  const id = await arrive("note");
  const note = "no\u0000\r\nBcc: x@evil.example 👋";
  const r = await daemon.holds.reject(id, note);
  assert.equal(r.held.status, "rejected");
  assert.equal((await daemon.holds.get(id)).note, note);
  assert.equal(await outboxFor("note"), 0);
});
