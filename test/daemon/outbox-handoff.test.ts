/**
 * The outbox takes each group's rows from memory once the store's backlog is
 * written (outbox.ts). The two ways that could lose or double a file are
 * driven here on a real SQLite store and a real Maildir: groups committed
 * while the backlog is being read, and a pass that fails half way (its rows
 * then come from the store again). Every row must be handed on exactly once
 * (marked done once) and have exactly one file.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import pino from "pino";
import { GroupCommitter } from "../../runtime/daemon/commit.js";
import { MaildirOutbox } from "../../runtime/daemon/outbox.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { RunCommit, Store } from "../../runtime/daemon/store/types.js";
import { until } from "./helpers.js";

const LIST = "handoff@example.org";
const quiet = pino({ level: "silent" });

function commit(n: number): RunCommit {
  const raw = Buffer.from(`From: ${LIST}\r\nTo: ${LIST}\r\nSubject: n ${n}\r\nMessage-ID: <h.${n}@example.org>\r\n\r\nbody ${n}\r\n`);
  return {
    address: LIST,
    run: { trigger: "message", now: 1_700_000_000_000 + n, bundleHash: "test", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 1, actions: [] },
    outbox: [{ file: `1700000000000.Th${n}_1.test`, messageId: `h.${n}@example.org`, recipients: [`m${n}@example.org`], action: { kind: "send", to: [`m${n}@example.org`], at: { line: 1, column: 1 } }, raw }],
  };
}

/**
 * The store, with every id it marked done counted (and the calls: one a batch), a way to make the next marks fail,
 * and one to hold every mark until released (an outbox that falls behind: a slow disk).
 */
function counting(store: Store): { store: Store; marked: Map<number, number>; batches: () => number; failNext: (n: number) => void; hold: () => () => void } {
  const marked = new Map<number, number>();
  let failing = 0;
  let batches = 0;
  let held: Promise<void> | undefined;
  const wrapped = Object.create(store) as Store;
  wrapped.markOutboxDone = async (ids: number[]) => {
    // Checked once: a mark already waiting goes on when its hold is released, whatever holds after it.
    if (held) await held;
    if (failing > 0) {
      failing--;
      throw new Error("injected: marking the rows done failed");
    }
    batches++;
    for (const id of ids) marked.set(id, (marked.get(id) ?? 0) + 1);
    return store.markOutboxDone(ids);
  };
  const hold = (): (() => void) => {
    let release!: () => void;
    held = new Promise((r) => (release = r));
    return () => {
      held = undefined;
      release();
    };
  };
  return { store: wrapped, marked, batches: () => batches, failNext: (n) => (failing = n), hold };
}

async function settle(outbox: MaildirOutbox, total: number, marked: Map<number, number>): Promise<void> {
  await until(`${total} rows marked done`, async () => {
    await outbox.kick();
    return marked.size >= total || undefined;
  });
}

/** A real store in a temporary folder with its outbox and group committer wired as the daemon wires them; `done` cleans up. */
async function outboxAt(run: (o: { dir: string; real: Store; outbox: MaildirOutbox; committer: GroupCommitter } & ReturnType<typeof counting>) => Promise<void>, freshBytes?: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-handoff-"));
  const real = openSqliteStore(join(dir, "thwonkd.sqlite"));
  const counted = counting(real);
  const outbox = new MaildirOutbox(dir, counted.store, quiet, freshBytes);
  const committer = new GroupCommitter(counted.store, (rows) => outbox.committed(rows));
  try {
    await run({ dir, real, outbox, committer, ...counted });
  } finally {
    await outbox.close();
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("groups committed while the backlog is read are written once each, none lost", () =>
  outboxAt(async ({ dir, real, outbox, committer, marked }) => {
    // A backlog of 450 rows left by an earlier process: more than two reads of the store.
    await real.commitRuns(Array.from({ length: 450 }, (_, i) => commit(i)));
    const first = outbox.kick();
    // Groups committed at every turn while the backlog is written: before, between and after the store's reads.
    const more: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) {
      more.push(committer.commit(commit(1000 + i)));
      if (i % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all([first, ...more]);
    await settle(outbox, 510, marked);
    assert.equal(marked.size, 510);
    assert.deepEqual([...marked.values()].filter((n) => n !== 1), [], "a row handed on twice");
    assert.equal(readdirSync(join(dir, "outbox", "new")).length, 510);
    assert.deepEqual((await real.pendingOutbox(1000)).map((r) => r.id), []);
  }));

test("after a pass fails, the rows come from the store again: each has one file, none is lost", () =>
  outboxAt(async ({ dir, real, outbox, committer, marked, failNext }) => {
    await outbox.kick(); // nothing pending: from now on rows come from memory
    for (let i = 0; i < 20; i++) await committer.commit(commit(i));
    await settle(outbox, 20, marked);
    // The files of the next groups are written but their marks fail: the outbox must not take them as handed on.
    failNext(1);
    await Promise.all(Array.from({ length: 30 }, (_, i) => committer.commit(commit(100 + i))));
    await outbox.kick().catch(() => undefined);
    for (let i = 0; i < 25; i++) await committer.commit(commit(200 + i));
    await settle(outbox, 75, marked);
    assert.equal(marked.size, 75);
    assert.equal(readdirSync(join(dir, "outbox", "new")).length, 75, "one file per row");
    assert.deepEqual((await real.pendingOutbox(1000)).map((r) => r.id), []);
  }));

test("a group commit writes each list's state as its last run in the group left it, and returns each run's ids in order", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-handoff-"));
  const store = openSqliteStore(join(dir, "thwonkd.sqlite"));
  try {
    const other = "other@example.org";
    const withState = (address: string, n: number, state?: Record<string, unknown>): RunCommit => ({ ...commit(n), address, ...(state ? { state } : {}) });
    const ids = await store.commitRuns([
      withState(LIST, 1, { count: 1 }),
      withState(other, 2, { count: 20 }),
      withState(LIST, 3, { count: 3 }),
      withState(LIST, 4), // no state of its own: the list's state stays what run 3 left
      withState(other, 5, { count: 50, __proto__: { polluted: true } }),
    ]);
    assert.deepEqual(ids.map((i) => i.outboxIds.length), [1, 1, 1, 1, 1]);
    assert.deepEqual(ids.map((i) => i.runId), [...ids.map((i) => i.runId)].sort((a, b) => a - b), "run ids in commit order");
    assert.deepEqual((await store.state(LIST)).state, { count: 3 });
    assert.deepEqual((await store.state(other)).state, { count: 50 });
    // Outbox ids name the rows as committed.
    const rows = await store.pendingOutbox(10);
    assert.deepEqual(rows.map((r) => r.id), ids.map((i) => i.outboxIds[0]));
    assert.deepEqual(rows.map((r) => r.address), [LIST, other, LIST, LIST, other]);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a pass that failed is tried again on its own: a quiet list's acknowledged mail does not wait for the next commit", () =>
  outboxAt(async ({ dir, outbox, committer, marked, failNext }) => {
    await outbox.kick();
    failNext(1);
    await committer.commit(commit(7));
    // No other commit, no kick: the retry alone writes and marks it.
    await until("the row marked done by the retry", () => marked.size === 1 || undefined, 10_000);
    assert.equal(readdirSync(join(dir, "outbox", "new")).length, 1);
  }));

test("groups handed over close together wait for each other and are written in one batch, with no kick", () =>
  outboxAt(async ({ dir, real, outbox, marked, batches }) => {
    await outbox.kick(); // nothing pending: from now on rows come from memory
    await real.commitRuns(Array.from({ length: 30 }, (_, i) => commit(i)));
    const rows = await real.pendingOutbox(100);
    // Thirty groups of one row in one turn: the first waits for the others instead of going out alone.
    for (const r of rows) outbox.committed([r]);
    await until("the 30 rows marked done", () => marked.size === 30 || undefined);
    assert.equal(batches(), 1, "one batch: one sync of new/, one mark");
    assert.equal(readdirSync(join(dir, "outbox", "new")).length, 30);
    assert.deepEqual((await real.pendingOutbox(100)).map((r) => r.id), []);
  }));

test("a group's rows waiting for more are written at once by a kick", () =>
  outboxAt(async ({ dir, real, outbox, marked }) => {
    await outbox.kick();
    await real.commitRuns([commit(1), commit(2)]);
    const [a, b] = await real.pendingOutbox(10);
    outbox.committed([a!]);
    await outbox.kick(); // written now, not after the wait
    assert.equal(marked.size, 1);
    outbox.committed([b!]);
    await outbox.kick();
    assert.equal(readdirSync(join(dir, "outbox", "new")).length, 2);
    assert.deepEqual((await real.pendingOutbox(10)).map((r) => r.id), []);
  }));

test("an outbox that falls behind holds at most its bytes of rows in memory, lets the rest go to the store, and writes each row once", () =>
  outboxAt(async ({ dir, real, outbox, committer, marked, hold }) => {
    await outbox.kick(); // nothing pending: from now on rows come from memory
    for (let i = 0; i < 5; i++) await committer.commit(commit(i));
    await settle(outbox, 5, marked);
    // Every mark waits: the pass under way stops in the middle of the rows it took from memory, while groups go on
    // being committed and handed over.
    const release = hold();
    const group = commit(0).outbox![0]!.raw.length * 10;
    let peak = 0;
    for (let g = 0; g < 150; g++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => committer.commit(commit(1000 + g * 10 + i))));
      peak = Math.max(peak, outbox.stats.freshBytes);
    }
    assert.ok(outbox.stats.letGo > 1000, `rows let go to the store: ${outbox.stats.letGo}`);
    assert.ok(peak <= 4000 + group, `at most 4,000 bytes and a group in memory, not ${peak}`);
    release();
    await settle(outbox, 1505, marked);
    assert.equal(marked.size, 1505);
    assert.deepEqual([...marked.values()].filter((n) => n !== 1), [], "a row handed on twice");
    assert.equal(readdirSync(join(dir, "outbox", "new")).length, 1505, "one file per row");
    assert.deepEqual((await real.pendingOutbox(2000)).map((r) => r.id), []);
    // Caught up again: the next rows come from memory.
    await Promise.all(Array.from({ length: 10 }, (_, i) => committer.commit(commit(5000 + i))));
    await settle(outbox, 1515, marked);
    assert.equal(outbox.stats.freshBytes, 0);
  }, 4000));

test("rows let go while a pass is writing a long run of them from memory: the pass ends, the store gives the rest, each row once", () =>
  outboxAt(async ({ dir, real, outbox, committer, marked, hold }) => {
    await outbox.kick();
    const release1 = hold();
    // Pass 1 takes the first rows and waits at their mark; 250 more wait in memory (under the 30,000 bytes).
    await Promise.all(Array.from({ length: 64 }, (_, i) => committer.commit(commit(i))));
    await Promise.all(Array.from({ length: 250 }, (_, i) => committer.commit(commit(100 + i))));
    assert.equal(outbox.stats.letGo, 0);
    // Pass 1 goes on; pass 2 starts with the 250 (more than one batch of 200) and waits at its first batch's mark.
    const release2 = hold();
    release1();
    await until("pass 2 waits at its first mark", async () => (marked.size >= 64 ? true : undefined));
    // Let go with nothing after it: the rows pass 2 has yet to take are gone from memory.
    let total = 314;
    for (let g = 0; outbox.stats.letGo === 0 || outbox.stats.freshBytes !== 0; g++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => committer.commit(commit(1000 + g * 10 + i))));
      total += 10;
    }
    release2();
    await settle(outbox, total, marked);
    assert.equal(marked.size, total);
    assert.deepEqual([...marked.values()].filter((n) => n !== 1), [], "a row handed on twice");
    assert.equal(readdirSync(join(dir, "outbox", "new")).length, total, "one file per row");
    assert.deepEqual((await real.pendingOutbox(5000)).map((r) => r.id), []);
  }, 30_000));
