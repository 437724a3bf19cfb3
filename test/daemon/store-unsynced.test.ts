/**
 * The group commit and the outbox's marks go through a second connection that stays at `synchronous = NORMAL`
 * (store/sqlite.ts): what they write is read at once through the store's other methods, the first connection keeps
 * FULL for every other write, and a store opened with NORMAL has one connection. Members, moderation records,
 * state and published pages written in a group are all seen; a group that throws leaves nothing.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { RunCommit, Store } from "../../runtime/daemon/store/types.js";

const LIST = "unsynced@example.org";
const raw = (s: string): Buffer => Buffer.from(`Subject: ${s}\r\n\r\nbody ☕\r\n`);
const run = (): RunCommit["run"] => ({ trigger: "message", now: 5, bundleHash: "h", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 2, actions: [] });

function synchronous(store: Store): number {
  return (store as unknown as { db: Database.Database }).db.pragma("synchronous", { simple: true }) as number;
}

async function withStore(options: Parameters<typeof openSqliteStore>[1], work: (store: Store, file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-unsynced-"));
  try {
    const file = join(dir, "thwonkd.sqlite");
    const store = openSqliteStore(file, options);
    try {
      await work(store, file);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a group's rows are read at once through the first connection, which stays at FULL", async () => {
  await withStore({}, async (store, file) => {
    assert.equal(synchronous(store), 2);
    await store.setMembers(LIST, [{ address: "ann@example.org", name: "Ann", role: "member", joined: 1 }]);
    const before = await store.members(LIST);
    const ids = await store.commitRuns([
      {
        address: LIST,
        message: { raw: raw("one"), mailFrom: "x@example.org", rcptTo: LIST, receivedAt: 3, status: "held", problems: [] },
        run: run(),
        state: { n: 1, "__proto__": "p" } as never,
        members: [{ op: "add", member: { address: "bob@example.org", name: "Bøb", role: "member", joined: 5 } }, { op: "remove", address: "ANN@example.org" }],
        outbox: [{ file: "f1", messageId: "m1@example.org", recipients: ["bob@example.org"], action: { kind: "send", to: ["bob@example.org"], at: { line: 1, column: 1 } }, raw: raw("out") }],
        published: [{ path: "index.html", html: "<p>☕</p>" }],
        held: { op: "hold", reason: "why", from: "x@example.org", subject: "one", mailFrom: "x@example.org", at: 3 },
      },
      { address: LIST, run: run(), state: { n: 2 } as never, due: { trigger: "every day at 00:00", at: 7 } },
    ]);
    await store.sync?.();
    assert.equal(synchronous(store), 2, "the commit left the first connection at FULL");
    const [a, b] = ids;
    assert.equal((await store.run(a!.runId))?.messageId, a!.messageId);
    assert.deepEqual((await store.message(a!.messageId!))?.raw, raw("one"));
    assert.deepEqual((await store.state(LIST)).state, { n: 2 });
    const after = await store.members(LIST);
    assert.deepEqual(after.members.map((m) => m.address), ["bob@example.org"]);
    assert.ok(after.version > before.version);
    assert.equal((await store.heldMessage(a!.messageId!))?.status, "held");
    assert.equal((await store.published(LIST, "index.html"))?.html, "<p>☕</p>");
    assert.equal((await store.schedule(LIST)).last.get("every day at 00:00"), 7);
    assert.deepEqual((await store.pendingOutbox()).map((r) => r.id), a!.outboxIds);
    await store.markOutboxDone(a!.outboxIds);
    assert.deepEqual(await store.pendingOutbox(), []);
    assert.equal(synchronous(store), 2);
    assert.ok(b!.runId > a!.runId);
    // Read by another process's connection too, from the file.
    const other = new Database(file, { readonly: true });
    try {
      assert.equal((other.prepare("SELECT COUNT(*) AS n FROM runs").get() as { n: number }).n, 2);
      assert.equal((other.prepare("SELECT done FROM outbox").get() as { done: number }).done, 1);
    } finally {
      other.close();
    }
  });
});

test("a group that fails leaves nothing, and the store goes on", async () => {
  await withStore({}, async (store) => {
    const ok: RunCommit = { address: LIST, message: { raw: raw("a"), mailFrom: null, rcptTo: LIST, receivedAt: 1, status: "accepted", problems: [] }, run: run(), outbox: [{ file: "same", messageId: "m@x", recipients: [], action: { kind: "send", to: [], at: { line: 1, column: 1 } }, raw: raw("o") }] };
    // The second row's file name is taken: UNIQUE fails inside the transaction.
    await assert.rejects(store.commitRuns([ok, { ...ok, outbox: [{ ...ok.outbox![0]! }] }]));
    assert.deepEqual(await store.runs({}), []);
    assert.deepEqual(await store.pendingOutbox(), []);
    const ids = await store.commitRuns([ok]);
    assert.equal(ids.length, 1);
    assert.equal((await store.runs({})).length, 1);
  });
});

test("closing closes both connections: the log is folded into the file and removed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-unsynced-"));
  try {
    const path = join(dir, "thwonkd.sqlite");
    const store = openSqliteStore(path);
    await store.commitRuns([{ address: LIST, run: run() }]);
    await store.sync?.();
    assert.ok(existsSync(`${path}-wal`));
    await store.close();
    assert.ok(!existsSync(`${path}-wal`), "the last connection to close checkpoints and removes the log");
    const again = openSqliteStore(path);
    assert.equal((await again.runs({})).length, 1);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a store opened with synchronous NORMAL commits on its one connection", async () => {
  await withStore({ synchronous: "NORMAL" }, async (store) => {
    assert.equal(synchronous(store), 1);
    const [a] = await store.commitRuns([{ address: LIST, message: { raw: raw("n"), mailFrom: null, rcptTo: LIST, receivedAt: 1, status: "accepted", problems: [] }, run: run() }]);
    assert.deepEqual((await store.message(a!.messageId!))?.raw, raw("n"));
    assert.equal(synchronous(store), 1);
  });
});
