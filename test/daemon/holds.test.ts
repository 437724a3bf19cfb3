/**
 * Moderation's decisions on a real daemon object in-process (Daemon.open:
 * the SQLite store in a temporary directory, the QuickJS sandbox pool, the
 * runner's per-list queue), with a clock the test sets and no sweep running
 * unless the test calls it: the cases the protocol test cannot pin down in
 * time. A failed approval leaves the message held (and it cannot be replayed
 * around moderation), a redeployed version runs the approval, a message the
 * new version's limits refuse stays held, a second hold restarts the hold's
 * time, and an approval after the time is refused with the expiry recorded.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import pino from "pino";
import { ConfigError, resolveConfig } from "../../runtime/daemon/config.js";
import { Daemon } from "../../runtime/daemon/daemon.js";
import { HeldRefusal } from "../../runtime/daemon/holds.js";
import { outboxMail } from "./helpers.js";

const DAY = 86_400_000;
const T0 = Date.parse("2026-12-01T09:00:00Z");
let now = T0;
let daemon: Daemon;

const rule = (body: string, limits = "") => `rule gate

${limits}state {
  approvals: int = 0
  lastHeld: string max 300 = ""
}

on message(m: Message) {
  if not m.approved {
    hold("first look at {m.subject}")
  }
${body}
  send(to: members, subject: "[ok] {m.subject}", text: m.text)
}
`;
const PASS = rule("  state.approvals += 1");
const FAILS = rule("  state.approvals += 1\n  let n = m.subject.length\n  state.approvals += 10 / (n - n)");
const TWICE = rule('  state.approvals += 1\n  if state.lastHeld != m.messageId {\n    state.lastHeld = m.messageId.truncate(300)\n    hold("again: approval {state.approvals}")\n  }');
const SMALL = rule("  state.approvals += 1", "limits { text: 10 }\n\n");

async function deploy(source: string): Promise<string> {
  const r = await daemon.deploy({ source, fileName: "gate.thwonk", addresses: ["gate@example.org"] });
  assert.ok(r.ok, JSON.stringify(r));
  return r.hash!;
}

async function arrive(subject: string, text = "hello"): Promise<number> {
  const raw = Buffer.from(`From: Eve <eve@example.com>\r\nTo: gate@example.org\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, "")}.${now}@example.com>\r\n\r\n${text}\r\n`);
  const a = await daemon.deliver({ address: "gate@example.org", rcptTo: "gate@example.org", mailFrom: "eve@example.com", raw, receivedAt: now });
  assert.equal(a.outcome, "held", a.message);
  const run = await daemon.store.run(a.runId!);
  return run!.messageId!;
}

async function refusal(p: Promise<unknown>): Promise<HeldRefusal> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HeldRefusal) return e;
    throw e;
  }
  assert.fail("expected a refusal");
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-holds-"));
  daemon = await Daemon.open({ dataDir: dir, log: pino({ level: "silent" }), clock: () => now, workers: 1 });
  daemon.holds.expiry = 3 * DAY;
  await deploy(PASS);
  await daemon.addMembers("gate@example.org", [{ address: "ann@example.org" }, { address: "bob@example.org" }]);
});

after(async () => {
  await daemon.close();
});

test("a failed approval run leaves the message held; it cannot be replayed around moderation; approved again after a fix", async () => {
  const id = await arrive("Broken");
  await deploy(FAILS);
  now += 1000;
  const a = await daemon.holds.approve(id);
  assert.equal(a.run?.outcome, "failed");
  assert.equal(a.run?.error?.code, "TW5010");
  assert.equal(a.held.status, "held");
  assert.equal((await daemon.store.message(id))?.status, "held");
  await assert.rejects(daemon.replay(a.run!.id), /TW6016 Run \d+ cannot be replayed: its message is held for moderation: approve it \(thwonkc approve \d+\)/);
  assert.deepEqual((await daemon.state("gate@example.org")).state, { approvals: 0, lastHeld: "" }, "a failed run commits nothing");

  const fixed = await deploy(PASS);
  now += 1000;
  const b = await daemon.holds.approve(id);
  assert.equal(b.run?.outcome, "ok");
  assert.equal(b.run?.bundleHash, fixed, "the version deployed now runs the approval");
  assert.equal(b.run?.now, now);
  assert.equal(b.held.status, "approved");
  assert.deepEqual((await daemon.state("gate@example.org")).state, { approvals: 1, lastHeld: "" });
  await daemon.outbox.kick();
  const mail = (await outboxMail(daemon.outbox.dir)).find((m) => m.mail.subject === "[ok] Broken");
  assert.deepEqual(mail?.recipients.sort(), ["ann@example.org", "bob@example.org"]);
});

test("a message the new version's limits refuse is not run and stays held (TW6153)", async () => {
  const id = await arrive("Long", "this text is longer than ten characters");
  await deploy(SMALL);
  const e = await refusal(daemon.holds.approve(id));
  assert.equal(e.kind, "notRun");
  assert.match(e.message, /^TW6153 Held message \d+ could not be run again, so it stays held: 5\.3\.4 TW6004 .*text/);
  assert.equal((await daemon.holds.get(id)).status, "held");
  await deploy(PASS);
  assert.equal((await daemon.holds.approve(id)).held.status, "approved");
});

test("a second hold restarts the hold's time; the sweep expires it only after the new time", async () => {
  await deploy(TWICE);
  const start = now;
  const id = await arrive("Twice");
  now = start + 2 * DAY;
  const a = await daemon.holds.approve(id);
  assert.equal(a.held.status, "held");
  assert.equal(a.held.heldAt, start + 2 * DAY);
  assert.match(a.held.reason, /^again: approval \d+$/);
  now = start + 4 * DAY; // past the first hold's time, not the second's
  await daemon.holds.sweep();
  assert.equal((await daemon.holds.get(id)).status, "held");
  now = start + 5 * DAY;
  await daemon.holds.sweep();
  const h = await daemon.holds.get(id);
  assert.equal(h.status, "expired");
  assert.equal(h.decidedAt, start + 5 * DAY);
  await daemon.holds.sweep();
  const records = (await daemon.runs({ address: "gate@example.org" })).filter((r) => r.messageId === id && r.outcome === "expired");
  assert.equal(records.length, 1, "expired once");
});

test("an approval after the hold's time, before any sweep, is refused and the expiry recorded; nothing is sent", async () => {
  await deploy(PASS);
  const id = await arrive("Late");
  await daemon.outbox.kick();
  const before = (await outboxMail(daemon.outbox.dir)).length;
  now += 3 * DAY;
  const e = await refusal(daemon.holds.approve(id));
  assert.equal(e.kind, "decided");
  assert.match(e.message, /^TW6152 Held message \d+ expired at .*, 3 days after it was held/);
  const h = await daemon.holds.get(id);
  assert.equal(h.status, "expired");
  assert.equal((await daemon.store.message(id))?.status, "expired");
  assert.match((await refusal(daemon.holds.reject(id, "x"))).message, /^TW6152/);
  await daemon.outbox.kick();
  assert.equal((await outboxMail(daemon.outbox.dir)).length, before);
});

test("no such held message: a message that was never held is not one", async () => {
  const raw = Buffer.from("From: ann@example.org\r\nTo: gate@example.org\r\nSubject: member\r\n\r\nx\r\n");
  await deploy(rule("").replace(/ {2}if not m\.approved \{\n.*\n {2}\}\n/, ""));
  const a = await daemon.deliver({ address: "gate@example.org", rcptTo: "gate@example.org", mailFrom: "ann@example.org", raw, receivedAt: now });
  assert.equal(a.outcome, "ok");
  const messageId = (await daemon.store.run(a.runId!))!.messageId!;
  const e = await refusal(daemon.holds.approve(messageId));
  assert.equal(e.kind, "missing");
  assert.match(e.message, /^TW6150 There is no held message \d+/);
});

test("holdExpiry: the default 14 days; the config file, THWONKD_HOLD_EXPIRY and --hold-expiry, in that order of strength; only a positive whole number", () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-holds-config-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify({ data: dir, holdExpiry: 1000 }));
  assert.equal(resolveConfig({ data: dir }, {}).holdExpiry, 14 * DAY);
  assert.equal(resolveConfig({ config: file }, {}).holdExpiry, 1000);
  assert.equal(resolveConfig({ config: file }, { THWONKD_HOLD_EXPIRY: "2000" }).holdExpiry, 2000);
  assert.equal(resolveConfig({ config: file, holdExpiry: "3000" }, { THWONKD_HOLD_EXPIRY: "2000" }).holdExpiry, 3000);
  for (const bad of ["0", "-1", "14d", "1.5", "__proto__"]) {
    assert.throws(() => resolveConfig({ data: dir, holdExpiry: bad }, {}), (e: Error) => e instanceof ConfigError && /holdExpiry must be a positive whole number/.test(e.message), bad);
  }
});
