/**
 * Retention in the SQLite store (store/sqlite-retention.ts), on real files: hundreds of records over simulated days,
 * then sweeps. Old payloads blanked with their records kept; what is still needed (a failed message to replay, a held
 * one to approve, an outgoing message not yet written or with a delivery pending, the run whose actions such a message
 * names) untouched and usable, then pruned by a later sweep once it is not; bounce attribution unchanged; the file's
 * pages given back; a clock set back prunes nothing new; a store of the version before (12) migrates and is swept.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import pino from "pino";
import { Retention } from "../../runtime/daemon/retention.js";
import { incrementalVacuum, openSchemaBefore, openSqliteStore, SCHEMA_VERSION } from "../../runtime/daemon/store/sqlite.js";
import type { RunAction } from "../../contract/index.js";
import type { PruneStep, RunCommit, StampedAhead, Store } from "../../runtime/daemon/store/types.js";
import { pick, rand } from "../properties/inputs.js";
import { writeOld } from "./old-store.js";

const LIST = "keep@example.org";
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const body = "x".repeat(3000);
const raw = (s: string): Buffer => Buffer.from(`From: a@example.org\r\nSubject: ${s}\r\nMessage-ID: <${s}@example.org>\r\n\r\n${body}\r\n`);
const send: RunAction = { kind: "send", to: ["b@example.org"], at: { line: 1, column: 1 }, subject: "s", text: body };

/**
 * A store opened by a test, closed after the file's tests if the test did not (an assertion failed before its close):
 * a store left open after many writes keeps its threads, and the file would never end.
 */
const opened = new Set<Store>();
function openStore(file: string): Store {
  const store = openSqliteStore(file);
  const close = store.close.bind(store);
  store.close = async () => {
    opened.delete(store);
    await close();
  };
  opened.add(store);
  return store;
}
after(async () => {
  for (const s of [...opened]) await s.close();
});

type Kind = "ok" | "failed" | "held" | "unwritten";

/** A message arriving at `at` and its run; one that is `ok` or `unwritten` sends one outgoing message. */
function commit(i: number, at: number, kind: Kind): RunCommit {
  const outcome = kind === "failed" ? "failed" : kind === "held" ? "held" : "ok";
  return {
    address: LIST,
    message: { raw: raw(`m${i}`), mailFrom: "a@example.org", rcptTo: LIST, receivedAt: at, status: kind === "failed" ? "failed" : kind === "held" ? "held" : "accepted", problems: [] },
    run: {
      trigger: "message", now: at, bundleHash: "h", replayOf: null, outcome, gasUsed: 1, gasBound: 9,
      error: outcome === "failed" ? { code: "TW5001", message: "out of gas", line: 1, column: 1 } : null,
      actions: (outcome === "ok" ? [send] : outcome === "held" ? [{ kind: "hold", to: [], at: { line: 1, column: 1 }, reason: "look" }] : []) as RunAction[],
    },
    ...(kind === "held" ? { held: { op: "hold" as const, reason: "look", from: "a@example.org", subject: `m${i}`, mailFrom: "a@example.org", at } } : {}),
    ...(outcome === "ok" ? { outbox: [{ file: `f${i}`, messageId: `out${i}@example.org`, recipients: ["b@example.org"], action: send, raw: raw(`out${i}`) }] } : {}),
  };
}

/** A whole sweep, step by step as retention.ts runs it; the totals (and the first record stamped ahead it stopped at). */
async function sweep(store: Store, cutoff: number, at: number, limit = 50): Promise<PruneStep & { steps: number }> {
  const cursor = { phase: 0, after: 0 };
  const total: PruneStep & { steps: number } = { messages: 0, runs: 0, outbox: 0, bytes: 0, kept: 0, done: false, steps: 0 };
  for (;;) {
    const s = await store.prune(cursor, cutoff, at, limit);
    for (const k of ["messages", "runs", "outbox", "bytes", "kept"] as const) total[k] += s[k];
    if (s.ahead) total.ahead ??= s.ahead;
    total.steps++;
    if (s.done) return { ...total, done: true };
  }
}

function look<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const bytes = (file: string): number => look(file, (db) => (db.pragma("page_count", { simple: true }) as number) * (db.pragma("page_size", { simple: true }) as number));

test("old payloads are blanked, their records kept; failed, held, unwritten and undelivered ones are kept and still usable, then pruned once not needed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-keep-"));
  try {
    const file = join(dir, "thwonkd.sqlite");
    const store = openStore(file);
    // 400 messages over 40 days, ten a day; every 25th fails, every 40th is held, the outgoing message of every 30th
    // is not yet written out (done = 0); every 50th goes to a relay whose delivery stays pending.
    const kindOf = (i: number): Kind => (i % 25 === 7 ? "failed" : i % 40 === 9 ? "held" : i % 30 === 11 ? "unwritten" : "ok");
    const ids: { i: number; at: number; kind: Kind; runId: number; messageId: number; outboxIds: number[] }[] = [];
    for (let day = 0; day < 40; day++) {
      const at = T0 + day * DAY;
      const cs = Array.from({ length: 10 }, (_, k) => commit(day * 10 + k, at + k * 1000, kindOf(day * 10 + k)));
      const got = await store.commitRuns(cs, at);
      got.forEach((g, k) => ids.push({ i: day * 10 + k, at: at + k * 1000, kind: kindOf(day * 10 + k), runId: g.runId, messageId: g.messageId!, outboxIds: g.outboxIds }));
    }
    const relayed = ids.filter((x) => x.kind === "ok" && x.i % 50 === 3);
    await store.markOutboxDone(ids.filter((x) => x.kind === "ok" && !relayed.includes(x)).flatMap((x) => x.outboxIds));
    await store.planDeliveries(relayed.map((x) => ({ outboxId: x.outboxIds[0]!, batches: [["b@example.org"]] })), T0);
    await store.sync?.();
    const before = bytes(file);

    // Keep 30 days, on day 40: the first 10 days' payloads go.
    const now = T0 + 40 * DAY;
    const cutoff = now - 30 * DAY;
    const r = await sweep(store, cutoff, now, 20);
    const old = ids.filter((x) => x.at < cutoff);
    const young = ids.filter((x) => x.at >= cutoff);
    const prunable = old.filter((x) => x.kind === "ok" && !relayed.includes(x));
    assert.equal(r.messages, old.filter((x) => x.kind !== "failed" && x.kind !== "held").length, "every old message but the failed and held ones");
    assert.equal(r.outbox, prunable.length, "every old outgoing message written out and not waiting for the relay");
    assert.equal(r.runs, prunable.length, "every old run but those of failed and held messages and of outgoing mail still needed");
    assert.ok(r.steps > 10, `a sweep in many steps (${r.steps})`);

    for (const x of old) {
      const m = (await store.message(x.messageId))!;
      const run = (await store.run(x.runId))!;
      const keptMessage = x.kind === "failed" || x.kind === "held";
      assert.equal(m.raw.length === 0, !keptMessage, `message ${x.i} (${x.kind}) blanked or kept`);
      assert.equal(m.prunedAt === now, !keptMessage);
      // Its record: times, addresses, status, size.
      assert.equal(m.receivedAt, x.at);
      assert.equal(m.mailFrom, "a@example.org");
      assert.equal(m.size, raw(`m${x.i}`).length);
      const runKept = keptMessage || x.kind === "unwritten" || relayed.includes(x);
      assert.equal(run.prunedAt === now, !runKept, `run of ${x.i} (${x.kind}) pruned or kept`);
      if (!runKept) {
        assert.deepEqual(run.actions, []);
        assert.equal(run.actionCount, 1, "a pruned run keeps how many actions it had");
        assert.equal(run.outcome, "ok");
        assert.equal(run.gasUsed, 1);
      }
    }
    for (const x of young) {
      assert.equal((await store.message(x.messageId))!.raw.length, raw(`m${x.i}`).length, "a young message is whole");
      assert.equal((await store.run(x.runId))!.prunedAt, undefined);
    }
    // Still usable: the failed runs replayable, the held messages waiting, unwritten rows pending with their actions,
    // the relay's deliveries due with their bytes.
    const failedRuns = await store.runs({ failed: true });
    assert.ok(failedRuns.filter((f) => f.createdAt < cutoff).every((f) => f.replayable), "old failed runs are still replayable");
    assert.equal((await store.heldMessages({ address: LIST })).length, ids.filter((x) => x.kind === "held").length);
    const pending = await store.pendingOutbox();
    assert.deepEqual(pending.map((p) => p.file), ids.filter((x) => x.kind === "unwritten").map((x) => `f${x.i}`));
    for (const p of pending) {
      assert.equal(p.raw.toString(), raw(`out${p.file.slice(1)}`).toString(), "an unwritten outgoing message keeps its bytes");
      assert.equal(p.action?.kind, "send", "and its action, from its run's actions");
    }
    const due = await store.dueDeliveries(now);
    assert.equal(due.length, relayed.length);
    for (const d of due) assert.ok(d.raw.length > 3000, "a pending delivery keeps its bytes");
    // Bounce attribution reads Message-ID, recipients and the run's time: a pruned outgoing message still names whom it went to.
    const oldSent = prunable[0]!;
    assert.deepEqual([...(await store.sentRecipients(LIST, `out${oldSent.i}@example.org`))], [["b@example.org", oldSent.at - (oldSent.at - T0) % DAY]]);

    // The pages: given back by incremental vacuum (a new store is made for it).
    assert.equal(look(file, (db) => db.pragma("auto_vacuum", { simple: true })), 2);
    let freed = 0;
    for (let n = await store.vacuumStep(64); n > 0; n = await store.vacuumStep(64)) freed += n;
    const after = bytes(file);
    assert.ok(freed > 0);
    assert.ok(after < before - r.bytes * 0.8, `the file shrank by most of what was removed: ${before} → ${after}, ${r.bytes} bytes removed`);

    // A sweep again: nothing new; what was kept is looked at again, and kept.
    const again = await sweep(store, cutoff, now);
    assert.equal(again.messages + again.runs + again.outbox, 0);
    assert.equal(again.kept, r.kept);

    // Once not needed: the failed message replayed, the held one decided, the rows written out, the deliveries sent.
    const f = old.find((x) => x.kind === "failed")!;
    const h = old.find((x) => x.kind === "held")!;
    await store.commitRuns([
      { address: LIST, messageId: f.messageId, messageStatus: "replayed", run: { ...commit(0, now, "ok").run, replayOf: f.runId } },
      { address: LIST, messageId: h.messageId, messageStatus: "rejected", run: { ...commit(0, now, "ok").run, outcome: "rejected", actions: [] }, held: { op: "decide", status: "rejected", at: now } },
    ], now);
    await store.markOutboxDone(pending.map((p) => p.id));
    for (const d of due) await store.settleDelivery(d, [{ recipients: d.recipients, status: "sent", attempts: 1 }], now);
    const later = await sweep(store, cutoff + DAY, now + DAY);
    const unwrittenOld = old.filter((x) => x.kind === "unwritten").length;
    assert.ok(later.messages >= 2, "the replayed and the decided message are pruned now");
    assert.equal((await store.message(f.messageId))!.raw.length, 0);
    assert.equal((await store.message(h.messageId))!.raw.length, 0);
    assert.ok(later.outbox >= unwrittenOld + relayed.filter((x) => x.at < cutoff).length, "the rows written out and delivered since are pruned");
    await store.close();
    const check = look(file, (db) => ({ integrity: db.pragma("integrity_check", { simple: true }), fk: db.pragma("foreign_key_check") as unknown[] }));
    assert.deepEqual(check, { integrity: "ok", fk: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a clock set back prunes nothing new: records stamped earlier than those before them wait for those", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-keep-"));
  try {
    const store = openStore(join(dir, "thwonkd.sqlite"));
    // Day 0..39, then the clock jumps back to day 5 for ten more messages.
    for (let day = 0; day < 40; day++) await store.commitRuns([commit(day, T0 + day * DAY, "ok")], T0 + day * DAY);
    const first = await sweep(store, T0 + 10 * DAY, T0 + 40 * DAY);
    assert.equal(first.messages, 10);
    const back: number[] = [];
    for (let k = 0; k < 10; k++) back.push((await store.commitRuns([commit(100 + k, T0 + 5 * DAY, "ok")], T0 + 5 * DAY))[0]!.messageId!);
    // On the clock set back (day 5): its cutoff is before everything left.
    const behind = await sweep(store, T0 - 25 * DAY, T0 + 5 * DAY);
    assert.equal(behind.messages + behind.runs + behind.outbox, 0, "nothing pruned while the clock is behind");
    // The clock right again (day 41): day 10 goes, and the messages stamped day 5 stay: they came after days 11..39.
    const right = await sweep(store, T0 + 11 * DAY, T0 + 41 * DAY);
    assert.equal(right.messages, 1);
    for (const id of back) assert.ok((await store.message(id))!.raw.length > 3000, "a message stamped back in time is not pruned before those that came before it");
    // Once those before them are old enough, they go too.
    const all = await sweep(store, T0 + 41 * DAY, T0 + 71 * DAY);
    assert.equal(all.messages, 29 + 10);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a step stops after 4 MiB of payload, whatever its records: large messages do not make one long transaction", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-keep-"));
  try {
    const store = openStore(join(dir, "thwonkd.sqlite"));
    const big = Buffer.alloc(2 * 1024 * 1024, "y");
    for (let i = 0; i < 12; i++) {
      await store.commitRuns([{ ...commit(i, T0, "failed"), message: { raw: big, mailFrom: "a@example.org", rcptTo: LIST, receivedAt: T0, status: "accepted", problems: [] } }], T0);
    }
    const cursor = { phase: 0, after: 0 };
    const steps: number[] = [];
    for (;;) {
      const st = await store.prune(cursor, T0 + DAY, T0 + DAY, 50);
      steps.push(st.bytes);
      if (st.done) break;
    }
    assert.equal(steps.reduce((a, b) => a + b, 0), 12 * big.length);
    assert.ok(steps.every((b) => b <= 4 * 1024 * 1024 + big.length), `each step at most 4 MiB and one message: ${steps}`);
    assert.ok(steps.length >= 6, `${steps.length} steps`);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a store of the version before (12) migrates to 13 with its rows, is switched to incremental vacuum once, and is swept", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-keep-"));
  try {
    const file = join(dir, "thwonkd.sqlite");
    const db = openSchemaBefore(file, "pruned_at");
    assert.equal(db.pragma("user_version", { simple: true }), 12);
    // Rows as version 12 wrote them (outgoing messages with their own action's JSON), over 40 days.
    const written = writeOld(db, Array.from({ length: 200 }, (_, i) => commit(i, T0 + Math.floor(i / 5) * DAY, i % 25 === 7 ? "failed" : "ok")), T0);
    db.prepare("UPDATE runs SET created_at = now").run();
    db.prepare("UPDATE outbox SET done = 1").run();
    db.close();
    assert.equal(look(file, (d) => d.pragma("auto_vacuum", { simple: true })), 0, "made without auto_vacuum, as before");
    const switched = incrementalVacuum(file)!;
    assert.ok(switched.before > 0 && switched.ms >= 0);
    assert.equal(look(file, (d) => d.pragma("auto_vacuum", { simple: true })), 2);
    assert.equal(incrementalVacuum(file), undefined, "once: a second start does not rewrite it again");
    const store = openStore(file);
    assert.equal(look(file, (d) => d.pragma("user_version", { simple: true })), SCHEMA_VERSION);
    const before = bytes(file);
    const r = await sweep(store, T0 + 30 * DAY, T0 + 40 * DAY);
    assert.equal(r.messages, 150 - 6, "30 days of messages but the failed ones");
    const run = (await store.run(written[0]!.runId))!;
    assert.equal(run.prunedAt, T0 + 40 * DAY);
    assert.equal(run.actionCount, 1);
    const row = look(file, (d) => d.prepare("SELECT action, raw, size, message_id, recipients FROM outbox WHERE id = ?").get(written[0]!.outboxIds[0]) as Record<string, unknown>);
    assert.deepEqual({ ...row, raw: (row["raw"] as Buffer).length }, { action: "null", raw: 0, size: raw("out0").length, message_id: "out0@example.org", recipients: '["b@example.org"]' });
    for (let n = await store.vacuumStep(64); n > 0; n = await store.vacuumStep(64));
    assert.ok(bytes(file) < before / 2, "the migrated file gives its space back");
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a removed list's failed messages and runs are not kept for a replay that can never come; a list deployed there since keeps its own", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-keep-"));
  try {
    const store = openStore(join(dir, "thwonkd.sqlite"));
    await store.putBundle({ hash: "h", rule: "r", compiler: "0", source: "", json: "{}", createdAt: T0 });
    await store.deploy(LIST, "h", T0);
    // Failed runs that logged before they failed (a failed run keeps its actions' record), and a loop's run, which has
    // no actions: nothing to remove, so never rewritten nor marked.
    const failing = (i: number, at: number): RunCommit => {
      const c = commit(i, at, "failed");
      c.run.actions = [{ kind: "log", to: [], at: { line: 1, column: 1 }, text: "before the failure" }];
      return c;
    };
    const loop: RunCommit = { ...commit(9, T0 + 1, "ok"), outbox: [] };
    loop.message!.status = "loop";
    loop.run = { ...loop.run, outcome: "loop", actions: [] };
    const before = await store.commitRuns([failing(1, T0), commit(2, T0 + 1, "ok"), loop], T0);
    await store.removeList(LIST, T0 + 2);
    await store.deploy(LIST, "h", T0 + 3);
    const after = await store.commitRuns([failing(3, T0 + 4)], T0 + 4);
    const r = await sweep(store, T0 + 10 * DAY, T0 + 50 * DAY);
    assert.equal(r.done, true);
    assert.deepEqual([r.messages, r.runs], [3, 1], "the three messages; of the runs, the failed one (the sent one waits for its outgoing mail, the loop's has no actions)");
    assert.equal((await store.run(before[2]!.runId))!.prunedAt, undefined);
    const pruned = (id: number) => (store as unknown as { db: Database.Database }).db.prepare("SELECT pruned_at FROM messages WHERE id = ?").pluck().get(id);
    assert.notEqual(pruned(before[0]!.messageId!), null, "the removed list's failed message is pruned");
    assert.equal(pruned(after[0]!.messageId!), null, "the new list's failed message is kept, to replay");
    const run = (id: number) => (store as unknown as { db: Database.Database }).db.prepare("SELECT pruned_at FROM runs WHERE id = ?").pluck().get(id);
    assert.notEqual(run(before[0]!.runId), null);
    assert.equal(run(after[0]!.runId), null);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Every column of every row of the tables retention rewrites, as SQL literals with their types, by table and id. */
function rows(file: string): Map<string, Record<string, string>> {
  return look(file, (db) => {
    const out = new Map<string, Record<string, string>>();
    for (const t of ["messages", "runs", "outbox"]) {
      const cols = db.prepare(`SELECT name FROM pragma_table_info('${t}')`).pluck().all() as string[];
      const sql = `SELECT rowid AS "#", ${cols.map((c) => `quote("${c}") || ' ' || typeof("${c}") AS "${c}"`).join(", ")} FROM ${t}`;
      for (const r of db.prepare(sql).all() as Record<string, string>[]) out.set(`${t} ${r["#"]}`, r);
    }
    return out;
  });
}

test("a record stamped years ahead (a clock ahead for a moment, then right) holds back those after it, and the sweep says so (TW6060) once; its fix frees them; every other column is kept; bytes are counted as bytes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-keep-"));
  try {
    const file = join(dir, "thwonkd.sqlite");
    let store = openStore(file);
    // 40 days of one post a day, the last ending 150 days ago, sent with an action whose text is past ASCII (3 bytes a
    // character); on day 10 the clock was ten years ahead for one post.
    const start = Date.now() - 190 * DAY;
    const wide: RunAction = { ...send, text: "日本語".repeat(400) };
    const ahead = start + 10 * DAY + 3650 * DAY;
    const ids: { runId: number; messageId: number }[] = [];
    for (let d = 0; d < 40; d++) {
      const at = d === 10 ? ahead : start + d * DAY;
      const c = commit(d, at, "ok");
      c.run.actions = [wide];
      c.outbox![0]!.action = wide;
      const [got] = await store.commitRuns([c], at);
      ids.push({ runId: got!.runId, messageId: got!.messageId! });
      await store.markOutboxDone(got!.outboxIds);
    }
    const before = rows(file);
    const old = ids.slice(0, 10);
    const expected = look(file, (db) =>
      old.reduce((n, x) => n + (db.prepare("SELECT length(raw) FROM messages WHERE id = ?").pluck().get(x.messageId) as number), 0) +
      old.reduce((n, x) => n + (db.prepare("SELECT length(raw) FROM outbox WHERE run_id = ?").pluck().get(x.runId) as number), 0) +
      10 * (Buffer.byteLength(JSON.stringify([wide])) - 2),
    );
    const now = Date.now();
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString("utf8").split("\n")) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const retention = new Retention({ store, clock: () => now, log: pino({ level: "info" }, sink), keepDays: 30 });
    const first = await retention.sweep();
    // Days 0..9 go; day 10 (stamped ten years on) stops the walk, and days 11..39 wait behind it.
    assert.deepEqual([first.messages, first.runs, first.outbox], [10, 10, 10]);
    const waiting: StampedAhead = { table: "runs", id: ids[10]!.runId, column: "created_at", at: ahead };
    assert.deepEqual(first.waitingBehind, waiting, "the sweep names the record the others wait for");
    const warned = () => lines.filter((l) => String(l["msg"]).startsWith("TW6060 "));
    assert.equal(warned().length, 1);
    assert.match(String(warned()[0]!["msg"]), new RegExp(`^TW6060 Retention waits behind run ${ids[10]!.runId}, whose time \\(runs.created_at\\) is ${new Date(ahead).toISOString().slice(0, 19)}Z, \\d{4} days after thwonkd's clock now`));
    const again = await retention.sweep();
    assert.equal(again.messages + again.runs + again.outbox, 0);
    assert.deepEqual(again.waitingBehind, waiting);
    assert.equal(warned().length, 1, "said once, not at each hourly sweep");

    // Bytes as bytes: each message's and outgoing message's raw, each run's actions in UTF-8 (not in characters).
    assert.equal(first.bytes, expected);

    // Every column of the rows pruned kept, but the payload and what records it (pruned_at, size, action_count).
    const after = rows(file);
    const payload = new Set(["#", "raw", "actions", "action", "pruned_at", "size", "action_count"]);
    let compared = 0;
    for (const [key, r] of before) {
      const a = after.get(key)!;
      for (const c of Object.keys(r)) if (!payload.has(c) || a["pruned_at"] === "NULL null") (assert.equal(a[c], r[c], `${key}.${c}`), compared++);
    }
    assert.ok(compared > 40 * 30, `${compared} columns compared`);
    assert.equal(after.size, before.size);

    // The fix TW6060 gives, with thwonkd stopped: each time ahead brought back to the earliest of those after it (day
    // 11's, which it came before). Then it and the rest go.
    await store.close();
    const fix = /sqlite3 DATA\/thwonkd\.sqlite "([^"]+)"/.exec(String(warned()[0]!["msg"]))![1]!;
    const db = new Database(file);
    db.exec(fix);
    db.close();
    store = openStore(file);
    const fixed = await sweep(store, Date.now() - 30 * DAY, Date.now());
    assert.deepEqual([fixed.messages, fixed.runs, fixed.outbox, fixed.ahead], [30, 30, 30, undefined]);
    assert.equal((await store.run(ids[10]!.runId))!.createdAt, start + 11 * DAY);
    await store.close();
    const check = look(file, (d) => ({ integrity: d.pragma("integrity_check", { simple: true }), fk: d.pragma("foreign_key_check") as unknown[] }));
    assert.deepEqual(check, { integrity: "ok", fk: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a trigger on a table retention rewrites (added by hand) stops the sweep with its name, before it fires; dropped, the sweep goes on", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-keep-"));
  try {
    const file = join(dir, "thwonkd.sqlite");
    const store = openStore(file);
    for (let d = 0; d < 3; d++) await store.commitRuns([commit(d, T0 + d * DAY, "ok")], T0 + d * DAY);
    // A count of messages kept by triggers, as an operator's report might: a rewrite (delete, insert) would fire both.
    const db = new Database(file);
    db.exec("CREATE TABLE gone (id INTEGER); CREATE TRIGGER count_gone AFTER DELETE ON messages BEGIN INSERT INTO gone VALUES (old.id); END;");
    await assert.rejects(sweep(store, T0 + 30 * DAY, T0 + 40 * DAY), /trigger on a table retention rewrites, count_gone \(on messages\): a pruned row is deleted and inserted again/);
    assert.equal(db.prepare("SELECT count(*) FROM gone").pluck().get(), 0, "it did not fire");
    assert.equal((await store.message(1))!.prunedAt, undefined, "and nothing was pruned");
    db.exec("DROP TRIGGER count_gone");
    db.close();
    assert.equal((await sweep(store, T0 + 30 * DAY, T0 + 40 * DAY)).messages, 3);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a clock set years ahead while thwonkd runs holds the next sweep an hour of real time (TW6061): set right within it, nothing young is pruned; left there, the sweep comes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-keep-"));
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter((l) => l.trim()));
      done();
    },
  });
  try {
    const store = openStore(join(dir, "thwonkd.sqlite"));
    const ids: number[] = [];
    for (let d = 0; d < 40; d++) ids.push((await store.commitRuns([commit(d, T0 + d * DAY, "ok")], T0 + d * DAY))[0]!.messageId!);
    // The daemon's clock and the time that really passed, both the test's.
    let now = T0 + 40 * DAY;
    let real = 0;
    const retention = new Retention({ store, clock: () => now, elapsed: () => real, log: pino({ level: "info" }, sink), keepDays: 30, tickMs: 2 });
    const ticks = async (): Promise<void> => {
      for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 3));
    };
    const whole = async (): Promise<number> => (await Promise.all(ids.map((id) => store.message(id)))).filter((m) => m!.prunedAt === undefined).length;
    retention.start();
    try {
    await until(() => retention.last);
    assert.equal(retention.last!.messages, 10, "the first sweep, at the start: days 0..9");

    // Ten years ahead in one second: no sweep, said once; young payloads whole.
    now += 3650 * DAY;
    real += 1000;
    await ticks();
    assert.equal(retention.last!.at, T0 + 40 * DAY, "no sweep at the clock ahead");
    assert.equal(await whole(), 30);
    assert.equal(lines.filter((l) => l.includes('"msg":"TW6061 ')).length, 1);
    assert.ok(retention.nextAt! >= now + 3_599_000, "the next sweep an hour of real time on");
    // Set right again within the hour: no sweep was made at the clock ahead, and the next comes an hour after the
    // last, by the clock set right (day 10's post then goes, as it would have).
    now = T0 + 40 * DAY + 2000;
    real += 1000;
    await ticks();
    assert.equal(retention.last!.at, T0 + 40 * DAY);
    assert.equal(await whole(), 30);
    now += 3_600_000;
    real += 3_600_000;
    await until(() => retention.last!.at === now || undefined);
    assert.equal(retention.last!.messages, 1);

    // 41 days ahead and left there (a machine resumed after 41 days): the sweep waits an hour of real time, then comes.
    const before = retention.last!.at;
    now += 41 * DAY;
    real += 1000;
    await ticks();
    assert.equal(retention.last!.at, before);
    assert.equal(lines.filter((l) => l.includes('"msg":"TW6061 ')).length, 2);
    real += 3_600_000;
    await until(() => retention.last!.at === now || undefined);
    assert.equal(retention.last!.messages, 29);
    } finally {
      await retention.stop();
    }
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function until<T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("timed out");
}

test("sweeps of one to three records a step, interleaved with replays, decisions, writes, relay retries, a removal and a deploy: nothing still needed is ever pruned, and once nothing is, everything old is", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-keep-"));
  try {
    const file = join(dir, "thwonkd.sqlite");
    const store = openStore(file);
    const r = rand(20261207);
    const lists = ["a@example.org", "b@example.org"];
    await store.putBundle({ hash: "h", rule: "r", compiler: "0", source: "", json: "{}", createdAt: T0 });
    for (const l of lists) await store.deploy(l, "h", T0);
    type Rec = { kind: Kind | "relay"; address: string; runId: number; messageId: number; outboxIds: number[] };
    const recs: Rec[] = [];
    for (let i = 0; i < 240; i++) {
      const kind = pick(r, ["ok", "ok", "failed", "held", "unwritten", "relay"] as const);
      const at = T0 + i * 3_600_000;
      const c = { ...commit(i, at, kind === "relay" ? "unwritten" : kind), address: lists[i % 2]! };
      c.message!.rcptTo = c.address;
      const [g] = await store.commitRuns([c], at);
      if (kind === "ok") await store.markOutboxDone(g!.outboxIds);
      if (kind === "relay") await store.planDeliveries([{ outboxId: g!.outboxIds[0]!, batches: [["b@example.org"], ["c@example.org"]] }], at);
      recs.push({ kind, address: c.address, runId: g!.runId, messageId: g!.messageId!, outboxIds: g!.outboxIds });
    }
    const now = T0 + 40 * DAY;
    const run = (outcome: "ok" | "rejected") => ({ trigger: "message", now, bundleHash: "h", replayOf: null, outcome, gasUsed: 1, gasBound: 1, error: null, actions: [] as RunAction[] });
    /** The rows whose payload is still needed (docs/daemon.md, "Retention") and was removed: none, ever. */
    const lost = (): unknown[] =>
      look(file, (db) => [
        ...db.prepare("SELECT 'message', id FROM messages m WHERE pruned_at IS NOT NULL AND (status = 'held' OR (status = 'failed' AND NOT EXISTS (SELECT 1 FROM list_removals x WHERE x.address = m.address)))").raw().all(),
        ...db.prepare("SELECT 'outbox', id FROM outbox o WHERE pruned_at IS NOT NULL AND (done = 0 OR EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id = o.id AND d.status = 'pending'))").raw().all(),
        ...db.prepare("SELECT 'run', r.id FROM runs r JOIN outbox o ON o.run_id = r.id WHERE r.pruned_at IS NOT NULL AND o.action_at IS NOT NULL AND (o.done = 0 OR EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id = o.id AND d.status = 'pending'))").raw().all(),
        ...db.prepare("SELECT 'run', r.id FROM runs r JOIN messages m ON m.id = r.message_id WHERE r.pruned_at IS NOT NULL AND (m.status = 'held' OR (m.status = 'failed' AND NOT EXISTS (SELECT 1 FROM list_removals x WHERE x.address = r.address)))").raw().all(),
      ]);
    /** One change between two steps, as the daemon's other work makes them. */
    const change = async (k: number): Promise<void> => {
      const x = pick(r, recs);
      const what = Math.floor(r() * 5);
      if (k === 40) await store.removeList(lists[1]!, now);
      else if (k === 80) await store.deploy(lists[1]!, "h", now);
      else if (what === 0 && x.kind === "failed") {
        await store.commitRuns([{ address: x.address, messageId: x.messageId, messageStatus: "replayed", run: { ...run("ok"), replayOf: x.runId } }], now);
        x.kind = "ok";
      } else if (what === 1 && x.kind === "held") {
        await store.commitRuns([{ address: x.address, messageId: x.messageId, messageStatus: "rejected", run: run("rejected"), held: { op: "decide", status: "rejected", at: now } }], now);
        x.kind = "ok";
      } else if (what === 2 && x.kind === "unwritten") {
        await store.markOutboxDone(x.outboxIds);
        x.kind = "ok";
      } else if (what === 3 && x.kind === "relay") {
        // A retry: sent, or deferred again.
        for (const d of (await store.dueDeliveries(now + DAY, 1000)).filter((d) => d.outboxId === x.outboxIds[0])) {
          assert.ok(d.raw.length > 3000, "a delivery due reads its bytes whole");
          await store.settleDelivery(d, [{ recipients: d.recipients, status: r() < 0.5 ? "sent" : "pending", attempts: 1, nextAt: now + 1 }], now);
        }
      }
    };
    const cursor = { phase: 0, after: 0 };
    let k = 0;
    for (let done = false; !done; k++) {
      done = (await store.prune(cursor, now - 30 * DAY, now, 1 + Math.floor(r() * 3))).done;
      await change(k);
      assert.deepEqual(lost(), [], `after step ${k}`);
    }
    assert.ok(k > 100, `${k} steps`);
    // Every need met: the rest replayed, decided, written, delivered. Then everything old goes, and nothing is kept.
    for (const x of recs) {
      if (x.kind === "failed" && x.address === lists[0]) await store.commitRuns([{ address: x.address, messageId: x.messageId, messageStatus: "replayed", run: { ...run("ok"), replayOf: x.runId } }], now);
      if (x.kind === "held" && x.address === lists[0]) await store.commitRuns([{ address: x.address, messageId: x.messageId, messageStatus: "rejected", run: run("rejected"), held: { op: "decide", status: "rejected", at: now } }], now);
    }
    await store.markOutboxDone(recs.flatMap((x) => x.outboxIds));
    for (const d of await store.dueDeliveries(now + DAY, 10_000)) await store.settleDelivery(d, [{ recipients: d.recipients, status: "sent", attempts: 2 }], now);
    await sweep(store, now + 20 * DAY, now + 50 * DAY);
    const left = look(file, (db) => ({
      kept: db.prepare("SELECT count(*) FROM retention_kept").pluck().get(),
      // A run with no actions (a rejection's, a failure's) has nothing to remove, and is left as it is.
      whole: ["messages", "runs", "outbox"].map((t) => db.prepare(`SELECT count(*) FROM ${t} WHERE pruned_at IS NULL AND ${t === "messages" ? "received_at" : t === "runs" ? "actions <> '[]' AND created_at" : "(SELECT created_at FROM runs WHERE runs.id = outbox.run_id)"} < ?`).pluck().get(T0 + 30 * DAY)),
      integrity: db.pragma("integrity_check", { simple: true }),
      fk: (db.pragma("foreign_key_check") as unknown[]).length,
    }));
    assert.deepEqual(left, { kept: 0, whole: [0, 0, 0], integrity: "ok", fk: 0 });
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
