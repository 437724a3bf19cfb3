/**
 * The outbox's let-go (outbox.ts FRESH_BYTES: past it the committed rows waiting in memory are let go, as they are
 * durable in the store, and read back in their turn) against the passes it can land in, on a real SQLite store and a
 * real Maildir: a let-go while the store's read that finds nothing pending is on its way back (a store that answers
 * later than it reads, as the Store interface allows), during a pass whose mark then fails, during a pass over a
 * backlog left by an earlier process, with every group over the bytes on its own, and with a relay taking the rows.
 * Every committed row must be handed on exactly once (marked done once, one file), none left pending.
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
import type { OutboxRow, RunCommit, Store } from "../../runtime/daemon/store/types.js";
import { until } from "./helpers.js";

const LIST = "letgo@example.org";
const quiet = pino({ level: "silent" });

function commit(n: number, pad = 0): RunCommit {
  const raw = Buffer.from(`From: ${LIST}\r\nTo: ${LIST}\r\nSubject: n ${n}\r\nMessage-ID: <l.${n}@example.org>\r\n\r\nbody ${n}${"x".repeat(pad)}\r\n`);
  return {
    address: LIST,
    run: { trigger: "message", now: 1_700_000_000_000 + n, bundleHash: "test", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 1, actions: [] },
    outbox: [{ file: `1700000000000.Tl${n}_1.test`, messageId: `l.${n}@example.org`, recipients: [`m${n}@example.org`], action: { kind: "send", to: [`m${n}@example.org`], at: { line: 1, column: 1 } }, raw }],
  };
}

interface Gate {
  /** Resolves once a call waits at the gate. */
  reached: Promise<void>;
  open(): void;
}

function gate(): Gate & { wait(): Promise<void> } {
  let open!: () => void;
  let arrived!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (arrived = r));
  return {
    reached,
    open,
    wait() {
      arrived();
      return opened;
    },
  };
}

/**
 * The store with every id marked done counted; gates for the next mark (an outbox that falls behind) and for the next
 * read that finds nothing pending (read at once, answered when the gate opens); and marks made to fail.
 */
function instrumented(store: Store) {
  const marked = new Map<number, number>();
  let markGate: ReturnType<typeof gate> | undefined;
  let emptyReadGate: ReturnType<typeof gate> | undefined;
  let failing = 0;
  const wrapped = Object.create(store) as Store;
  wrapped.markOutboxDone = async (ids: number[]) => {
    const g = markGate;
    markGate = undefined;
    if (g) await g.wait();
    if (failing > 0) {
      failing--;
      throw new Error("injected: marking the rows done failed");
    }
    for (const id of ids) marked.set(id, (marked.get(id) ?? 0) + 1);
    return store.markOutboxDone(ids);
  };
  wrapped.pendingOutbox = async (limit?: number, maxBytes?: number) => {
    const rows = await store.pendingOutbox(limit, maxBytes);
    const g = emptyReadGate;
    if (rows.length === 0 && g) {
      emptyReadGate = undefined;
      await g.wait();
    }
    return rows;
  };
  return {
    store: wrapped,
    marked,
    holdNextMark: (): Gate => (markGate = gate()),
    holdNextEmptyRead: (): Gate => (emptyReadGate = gate()),
    failNextMark: () => failing++,
  };
}

async function outboxAt(run: (o: { dir: string; real: Store; outbox: MaildirOutbox; committer: GroupCommitter } & ReturnType<typeof instrumented>) => Promise<void>, freshBytes: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-letgo-"));
  const real = openSqliteStore(join(dir, "thwonkd.sqlite"));
  const inst = instrumented(real);
  const outbox = new MaildirOutbox(dir, inst.store, quiet, freshBytes);
  const committer = new GroupCommitter(inst.store, (rows) => outbox.committed(rows));
  // The outbox's timers are unref'd: the test keeps the process up while it waits for a pass they started.
  const alive = setInterval(() => undefined, 1000);
  try {
    await run({ dir, real, outbox, committer, ...inst });
  } finally {
    clearInterval(alive);
    await outbox.close();
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every committed row handed on once: marked done once, one file in new/, none pending. */
async function eachOnce(o: { dir: string; real: Store; outbox: MaildirOutbox; marked: Map<number, number> }, total: number): Promise<void> {
  await until(
    `${total} rows marked done`,
    async () => {
      await o.outbox.kick();
      return o.marked.size >= total || undefined;
    },
    15_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}: ${o.marked.size} marked, ${total - o.marked.size} never handed on`);
  });
  assert.equal(o.marked.size, total);
  assert.deepEqual([...o.marked.entries()].filter(([, n]) => n !== 1), [], "a row handed on twice");
  assert.equal(readdirSync(join(o.dir, "outbox", "new")).length, total, "one file per row");
  assert.deepEqual((await o.real.pendingOutbox(10_000)).map((r) => r.id), [], "rows left pending");
}

const ROW = commit(0).outbox![0]!.raw.length;

test("a let-go while the read that found nothing pending is on its way back: the rows let go are still read from the store", { timeout: 60_000 }, () =>
  outboxAt(async (o) => {
    // The first pass reads the store (nothing pending); its answer comes late, and meanwhile a group is committed
    // whose rows are over the bytes in memory: they are let go, to be read from the store.
    const read = o.holdNextEmptyRead();
    const first = o.outbox.kick();
    await read.reached;
    await Promise.all(Array.from({ length: 20 }, (_, i) => o.committer.commit(commit(i))));
    assert.ok(o.outbox.stats.letGo > 0, "the rows were let go");
    read.open();
    await first;
    // Later groups come from memory; the ones let go must not wait for a restart.
    for (let i = 0; i < 5; i++) await o.committer.commit(commit(100 + i));
    await eachOnce(o, 25);
  }, ROW * 10));

test("a let-go during a pass whose mark then fails: the rows come from the store again, each once", { timeout: 60_000 }, () =>
  outboxAt(async (o) => {
    await o.outbox.kick(); // caught up: rows come from memory
    const mark = o.holdNextMark();
    o.failNextMark();
    // The group's own timer starts the pass, which writes the row's file and waits at its mark.
    await o.committer.commit(commit(0));
    await mark.reached;
    let n = 1;
    while (o.outbox.stats.letGo === 0) await Promise.all(Array.from({ length: 10 }, () => o.committer.commit(commit(n++))));
    for (let i = 0; i < 10; i++) await o.committer.commit(commit(n++));
    mark.open();
    await eachOnce(o, n);
  }, ROW * 30));

test("a let-go during a pass over a backlog left by an earlier process: each row once", { timeout: 60_000 }, () =>
  outboxAt(async (o) => {
    await o.real.commitRuns(Array.from({ length: 450 }, (_, i) => commit(i)));
    const mark = o.holdNextMark();
    const pass = o.outbox.kick();
    await mark.reached;
    let n = 1000;
    while (o.outbox.stats.letGo < 100) await Promise.all(Array.from({ length: 10 }, () => o.committer.commit(commit(n++))));
    mark.open();
    await pass;
    await eachOnce(o, 450 + (n - 1000));
  }, ROW * 40));

test("every group over the bytes on its own: each is let go and read back, each row once, nothing left counted in memory", { timeout: 60_000 }, () =>
  outboxAt(async (o) => {
    await o.outbox.kick();
    for (let g = 0; g < 30; g++) await Promise.all(Array.from({ length: 5 }, (_, i) => o.committer.commit(commit(g * 5 + i, 200))));
    await eachOnce(o, 150);
    assert.ok(o.outbox.stats.letGo >= 30, `let go: ${o.outbox.stats.letGo}`);
    assert.equal(o.outbox.stats.freshBytes, 0);
  }, 100));

test("with a relay: rows let go while the relay falls behind are each taken once", { timeout: 60_000 }, () =>
  outboxAt(async (o) => {
    const taken = new Map<number, number>();
    const firstTake = gate();
    let slow: ReturnType<typeof gate> | undefined = firstTake;
    o.outbox.useRelay({
      async take(rows: OutboxRow[]) {
        const g = slow;
        slow = undefined;
        if (g) await g.wait();
        for (const r of rows) taken.set(r.id, (taken.get(r.id) ?? 0) + 1);
        await o.store.markOutboxDone(rows.map((r) => r.id));
      },
    });
    await o.outbox.kick();
    await o.committer.commit(commit(0));
    let n = 1;
    while (o.outbox.stats.letGo === 0) await Promise.all(Array.from({ length: 10 }, () => o.committer.commit(commit(n++))));
    for (let i = 0; i < 10; i++) await o.committer.commit(commit(n++));
    await firstTake.reached;
    firstTake.open();
    await until("every row taken", async () => {
      await o.outbox.kick();
      return taken.size >= n || undefined;
    });
    assert.deepEqual([...taken.entries()].filter(([, k]) => k !== 1), [], "a row taken twice");
    assert.deepEqual((await o.real.pendingOutbox(10_000)).map((r) => r.id), []);
  }, ROW * 20));
