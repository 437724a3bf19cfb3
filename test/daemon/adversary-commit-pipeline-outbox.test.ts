/**
 * The outbox hand-off against the pipelined group commit (commit.ts): two groups' syncs in flight, ended in reverse
 * order, on a real SQLite store and a real Maildir. A group's rows are handed over from memory only once its own sync
 * and every earlier group's ended (no file before), and each row is written and marked once, also when a backlog pass
 * read both groups' rows from the store while their syncs ran. A backlog pass given the committer's durability
 * (GroupCommitter.synced, as the daemon gives it) hands on nothing it read before every sync under way ended, and
 * nothing at all when one of them failed (those messages were answered 451: their senders send them again).
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
import { until, countingMarks } from "./helpers.js";

const LIST = "pipeoutbox@example.org";
const quiet = pino({ level: "silent" });

function commit(n: number): RunCommit {
  const raw = Buffer.from(`From: ${LIST}\r\nTo: ${LIST}\r\nSubject: n ${n}\r\nMessage-ID: <p.${n}@example.org>\r\n\r\nbody ${n}\r\n`);
  return {
    address: LIST,
    run: { trigger: "message", now: 1_700_000_000_000 + n, bundleHash: "test", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 1, actions: [] },
    outbox: [{ file: `1700000000000.Tp${n}_1.test`, messageId: `p.${n}@example.org`, recipients: [`m${n}@example.org`], action: { kind: "send", to: [`m${n}@example.org`], at: { line: 1, column: 1 } }, raw }],
  };
}

/** A real store whose syncs wait for the test, and each outbox id marked done counted. */
function held(): { real: Store; store: Store; dir: string; syncs: (() => Promise<void>)[]; marked: Map<number, number> } {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-adv-pipe-outbox-"));
  const real = openSqliteStore(join(dir, "thwonkd.sqlite"));
  const { store, marked } = countingMarks(real);
  const syncs: (() => Promise<void>)[] = [];
  store.sync = () => new Promise<void>((resolve, reject) => syncs.push(() => real.sync!().then(resolve, reject)));
  return { real, store, dir, syncs, marked };
}

const turns = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};
const files = (dir: string): string[] => readdirSync(join(dir, "outbox", "new")).sort();

test("no file for a group before its own sync and the earlier group's ended, whatever order they end in", async () => {
  const h = held();
  try {
    const outbox = new MaildirOutbox(h.dir, h.store, quiet);
    await outbox.kick(); // caught up: nothing pending, rows come from memory from now on
    const c = new GroupCommitter(h.store, (rows) => outbox.committed(rows));
    const one = c.commit(commit(1));
    await turns();
    const two = [c.commit(commit(2)), c.commit(commit(3))];
    await turns();
    assert.equal(h.syncs.length, 2);
    await h.syncs[1]!();
    // Longer than the outbox's gathering (25 ms), and a kick besides.
    await new Promise((r) => setTimeout(r, 80));
    await outbox.kick();
    assert.deepEqual(files(h.dir), [], "the second group's rows were handed on before the first group's sync ended");
    await h.syncs[0]!();
    await Promise.all([one, ...two]);
    await until("three files", async () => {
      await outbox.kick();
      return files(h.dir).length >= 3 || undefined;
    });
    assert.deepEqual([...h.marked.values()], [1, 1, 1]);
    await outbox.close();
  } finally {
    await h.real.close();
    rmSync(h.dir, { recursive: true, force: true });
  }
});

test("a backlog pass that read two groups' rows while both syncs ran: each row written and marked once", async () => {
  const h = held();
  try {
    // A backlog: the outbox is not caught up, so its next pass reads the store, which shows committed rows not yet synced.
    await h.real.commitRuns(Array.from({ length: 30 }, (_, i) => commit(i)));
    const outbox = new MaildirOutbox(h.dir, h.store, quiet);
    const c = new GroupCommitter(h.store, (rows) => outbox.committed(rows));
    const first = Array.from({ length: 5 }, (_, i) => c.commit(commit(100 + i)));
    await turns();
    const second = Array.from({ length: 5 }, (_, i) => c.commit(commit(200 + i)));
    await turns();
    assert.equal(h.syncs.length, 2);
    await outbox.kick();
    // The later group's sync first, then the earlier's: both groups' rows handed over after the pass read them.
    await h.syncs[1]!();
    await turns();
    await h.syncs[0]!();
    await Promise.all([...first, ...second]);
    await new Promise((r) => setTimeout(r, 80));
    await outbox.kick();
    assert.deepEqual([...h.marked].filter(([, n]) => n !== 1), [], "rows marked done twice (id, times)");
    assert.equal(h.marked.size, 40);
    assert.equal(files(h.dir).length, 40);
    assert.deepEqual(await h.real.pendingOutbox(), []);
    await outbox.close();
  } finally {
    await h.real.close();
    rmSync(h.dir, { recursive: true, force: true });
  }
});

/** A backlog of 30 rows, then two groups committed whose syncs the test holds; the outbox told of the committer's durability. */
async function backlogBehindSyncs(h: ReturnType<typeof held>) {
  await h.real.commitRuns(Array.from({ length: 30 }, (_, i) => commit(i)));
  const c = new GroupCommitter(h.store, (rows) => outbox.committed(rows));
  const outbox = new MaildirOutbox(h.dir, h.store, quiet, undefined, () => c.synced());
  const first = Array.from({ length: 5 }, (_, i) => c.commit(commit(100 + i)));
  await turns();
  const second = Array.from({ length: 5 }, (_, i) => c.commit(commit(200 + i)));
  await turns();
  assert.equal(h.syncs.length, 2);
  return { outbox, first, second };
}

test("a backlog pass hands on no row it read before every sync under way ended", async () => {
  const h = held();
  try {
    const { outbox, first, second } = await backlogBehindSyncs(h);
    const pass = outbox.kick();
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(files(h.dir), [], "rows of groups not yet on the disk were written out");
    await h.syncs[1]!();
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(files(h.dir), [], "rows written out before the earlier group's sync ended");
    await h.syncs[0]!();
    await Promise.all([pass, ...first, ...second]);
    await outbox.kick();
    assert.equal(files(h.dir).length, 40);
    assert.deepEqual([...h.marked].filter(([, n]) => n !== 1), [], "rows marked done twice (id, times)");
    await outbox.close();
  } finally {
    await h.real.close();
    rmSync(h.dir, { recursive: true, force: true });
  }
});

test("a failed sync: the backlog pass that read its group's rows writes none of them", async () => {
  const h = held();
  try {
    const { outbox, first, second } = await backlogBehindSyncs(h);
    const pass = outbox.kick().catch(() => undefined);
    await turns();
    // The earlier group's sync fails: its messages and the later group's get 451, and their senders send them again.
    const failing = h.syncs[0]!;
    h.real.sync = () => Promise.reject(new Error("EIO: the disk failed"));
    await failing().catch(() => undefined);
    for (const p of [...first, ...second]) await assert.rejects(p, /the disk sync of a group commit failed/);
    await pass;
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(files(h.dir), [], "mail written out for messages answered 451");
    assert.equal(h.marked.size, 0);
    await outbox.close();
  } finally {
    await h.real.close();
    rmSync(h.dir, { recursive: true, force: true });
  }
});

test("a store that answers after it wrote (as a networked one would): a pass reading in between waits for that group's sync", async () => {
  const h = held();
  try {
    await h.real.commitRuns(Array.from({ length: 3 }, (_, i) => commit(i)));
    // The transaction is in the store at once; its answer comes later.
    let written!: () => void;
    const inStore = new Promise<void>((r) => (written = r));
    h.store.commitRuns = async (commits) => {
      const ids = await h.real.commitRuns(commits);
      written();
      await new Promise((r) => setTimeout(r, 50));
      return ids;
    };
    const c = new GroupCommitter(h.store, (rows) => outbox.committed(rows));
    const outbox = new MaildirOutbox(h.dir, h.store, quiet, undefined, () => c.synced());
    const one = c.commit(commit(100));
    await inStore;
    const pass = outbox.kick();
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(h.syncs.length, 1, "the group's sync began");
    assert.deepEqual(files(h.dir), [], "a row read while its group's answer was on its way was written before its sync");
    await h.syncs[0]!();
    await Promise.all([pass, one]);
    await outbox.kick();
    assert.equal(files(h.dir).length, 4);
    await outbox.close();
  } finally {
    await h.real.close();
    rmSync(h.dir, { recursive: true, force: true });
  }
});
