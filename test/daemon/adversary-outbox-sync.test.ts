/**
 * The outbox's hand-off from memory against the group commit's disk sync
 * (commit.ts): a group's rows are in the store (and visible to a read) as
 * soon as its transaction ends, but handed over from memory only after the
 * sync that follows, off the event loop. A pass reading the store's backlog
 * in that window hands the rows on from the store; the hand-over that comes
 * after must not hand them on again (a second file write and mark, and with a
 * relay a second planned delivery: the same message delivered twice). Real
 * SQLite, real Maildir, a real relay (smtp-server on 127.0.0.1); the sync is
 * made slow the way a loaded disk is.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import pino from "pino";
import { sink } from "../mail/helpers.js";
import { GroupCommitter } from "../../runtime/daemon/commit.js";
import { RelayDelivery } from "../../runtime/daemon/delivery.js";
import { MaildirOutbox } from "../../runtime/daemon/outbox.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { RunCommit, Store } from "../../runtime/daemon/store/types.js";
import { until } from "./helpers.js";

const LIST = "slowsync@example.org";
const quiet = pino({ level: "silent" });

function commit(n: number): RunCommit {
  const raw = Buffer.from(`From: ${LIST}\r\nTo: ${LIST}\r\nSubject: n ${n}\r\nMessage-ID: <s.${n}@example.org>\r\n\r\nbody ${n}\r\n`);
  return {
    address: LIST,
    run: { trigger: "message", now: 1_700_000_000_000 + n, bundleHash: "test", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 1, actions: [] },
    outbox: [{ file: `1700000000000.Ts${n}_1.test`, messageId: `s.${n}@example.org`, recipients: [`m${n}@example.org`], action: { kind: "send", to: [`m${n}@example.org`], at: { line: 1, column: 1 } }, raw }],
  };
}

/** The store with a slow disk sync, and each outbox id marked done or planned for delivery counted. */
function slowSync(store: Store, ms: number): { store: Store; handed: Map<number, number> } {
  const handed = new Map<number, number>();
  const count = (ids: number[]): void => ids.forEach((id) => handed.set(id, (handed.get(id) ?? 0) + 1));
  const wrapped = Object.create(store) as Store;
  const sync = store.sync?.bind(store);
  wrapped.sync = async () => {
    await new Promise((r) => setTimeout(r, ms));
    await sync?.();
  };
  wrapped.markOutboxDone = async (ids) => {
    count(ids);
    return store.markOutboxDone(ids);
  };
  wrapped.planDeliveries = async (plans, at) => {
    count(plans.map((p) => p.outboxId));
    return store.planDeliveries(plans, at);
  };
  return { store: wrapped, handed };
}

/** Commits 40 groups while the outbox reads a backlog of 450 rows; their syncs end after the backlog is read. */
async function backlogAndGroups(store: Store, real: Store, outbox: MaildirOutbox): Promise<void> {
  await real.commitRuns(Array.from({ length: 450 }, (_, i) => commit(i)));
  const committer = new GroupCommitter(store, (rows) => outbox.committed(rows));
  const groups: Promise<unknown>[] = [];
  for (let i = 0; i < 40; i++) groups.push(committer.commit(commit(1000 + i)));
  // The first group's transaction ends at the next turn; its sync takes longer than the backlog's reads.
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  const pass = outbox.kick();
  await Promise.all([pass, ...groups]);
}

test("rows a backlog pass read during their group's sync are not handed on again from memory (Maildir)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-slowsync-"));
  const real = openSqliteStore(join(dir, "thwonkd.sqlite"));
  const { store, handed } = slowSync(real, 300);
  try {
    const outbox = new MaildirOutbox(dir, store, quiet);
    await backlogAndGroups(store, real, outbox);
    await until("490 rows handed on", async () => {
      await outbox.kick();
      return handed.size >= 490 || undefined;
    });
    await new Promise((r) => setTimeout(r, 200));
    await outbox.kick();
    assert.deepEqual([...handed].filter(([, n]) => n !== 1), [], "rows handed on twice (id, times)");
    assert.equal(readdirSync(join(dir, "outbox", "new")).length, 490);
    await outbox.close();
  } finally {
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("with a relay, each row read by a backlog pass during its group's sync is delivered once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-slowsync-"));
  const real = openSqliteStore(join(dir, "thwonkd.sqlite"));
  const { store, handed } = slowSync(real, 300);
  const relaySink = await sink();
  const { port } = relaySink;
  const ids = (): string[] => relaySink.got.map((t) => /Message-ID: <([^>]+)>/i.exec(t.raw.toString("latin1"))?.[1] ?? "?");
  const relay = new RelayDelivery({ url: `smtp://127.0.0.1:${port}?ignoreTLS=true`, store, log: quiet, clock: Date.now, batch: 50, retryMin: 50, retryMax: 200, deadAfter: 60_000 });
  try {
    const outbox = new MaildirOutbox(dir, store, quiet);
    outbox.useRelay(relay);
    await backlogAndGroups(store, real, outbox);
    await until("490 messages at the relay", () => (relaySink.got.length >= 490 ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    await relay.kick();
    assert.deepEqual([...handed].filter(([, n]) => n !== 1), [], "rows planned for delivery twice (id, times)");
    const got = ids();
    const twice = got.filter((id, i) => got.indexOf(id) !== i);
    assert.deepEqual(twice, [], "messages the relay got twice");
    assert.equal(got.length, 490);
    await outbox.close();
  } finally {
    await relay.stop();
    await relaySink.close();
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
