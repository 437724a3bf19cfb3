/**
 * The group commit's hand-off under a burst (commit.ts, outbox.ts): runs of three lists commit together, the
 * hand-off throws for some groups (after it gave the outbox part of their rows) and not for others, and the writer's
 * batches fail now and then, some before their files are written and some after (files in new/, the error reported
 * anyway, as when the sync of new/ fails). Groups keep coming from memory while the rows of the groups that threw
 * are read back from the store. Every commit must be answered as committed (no 451 for a group on the disk), every
 * row written once, under its name, whole, and marked done once. Real SQLite, the real writer thread and syncfs.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import pino from "pino";
import { GroupCommitter } from "../../runtime/daemon/commit.js";
import { MaildirOutbox, maildirBytes } from "../../runtime/daemon/outbox.js";
import type { OutboxWriter, WriteFile } from "../../runtime/daemon/outbox-writer.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { OutboxRow, RunCommit } from "../../runtime/daemon/store/types.js";
import { until, countingMarks } from "./helpers.js";

const LISTS = ["a@example.org", "b@example.org", "c@example.org"];
const quiet = pino({ level: "silent" });

/** Run `n` of a list: one to three messages, each its own file. */
function commit(n: number): RunCommit {
  const address = LISTS[n % LISTS.length]!;
  const outbox = Array.from({ length: 1 + (n % 3) }, (_, j) => {
    const raw = Buffer.from(`From: ${address}\r\nTo: m${n}@example.org\r\nSubject: r${n}.${j}\r\nMessage-ID: <b.${n}.${j}@example.org>\r\n\r\n${`body ${n}.${j} `.repeat(1 + (n % 40))}\r\n`);
    return { file: `1700000000000.Tb${n}_${j}.test`, messageId: `b.${n}.${j}@example.org`, recipients: [`m${n}@example.org`], action: { kind: "send" as const, to: [`m${n}@example.org`], at: { line: 1, column: 1 } }, raw };
  });
  return {
    address,
    run: { trigger: "message", now: 1_700_000_000_000 + n, bundleHash: "test", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 1, actions: [] },
    outbox,
  };
}

test("a burst of groups, hand-offs that throw midway and writer batches that fail: each row once, every commit answered", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-burst-"));
  const real = openSqliteStore(join(dir, "thwonkd.sqlite"));
  const { store, marked } = countingMarks(real);
  // A slow disk: the outbox's reads of the store (after a hand-off threw) see groups whose sync is still under way,
  // whose rows then come from memory too.
  store.sync = async () => {
    await new Promise((r) => setTimeout(r, 4));
    return real.sync?.();
  };
  const outbox = new MaildirOutbox(dir, store, quiet);
  try {
    // Two batches in ten fail: one before writing, one after its files reached new/.
    const writer = (outbox as unknown as { writer: OutboxWriter }).writer;
    const write = writer.write.bind(writer);
    let batches = 0;
    writer.write = async (at: string, look: number | false, files: WriteFile[]) => {
      const k = batches++;
      if (k % 10 === 3) throw new Error("the batch failed before its files were written");
      await write(at, look, files);
      if (k % 10 === 7) throw new Error("the sync of new/ failed after the renames");
    };
    await outbox.kick(); // nothing pending: caught up, so groups come from memory
    let groups = 0;
    let threw = 0;
    const c = new GroupCommitter(
      store,
      (rows: OutboxRow[]) => {
        const g = groups++;
        if (g % 8 === 2) {
          // Part of the group handed over, then a throw: the rest is in the store only.
          outbox.committed(rows.slice(0, Math.ceil(rows.length / 2)));
          threw++;
          throw new Error(`hand-off of group ${g} broke`);
        }
        outbox.committed(rows);
      },
      (err) => outbox.handOffFailed(err),
    );
    const all: RunCommit[] = [];
    const answers: Promise<unknown>[] = [];
    // Waves of commits, each spread over a few turns, so that groups form while earlier ones are written; a pause now
    // and then lets the outbox catch up, so that later groups come from memory while a read of the store is under way.
    for (let wave = 0; wave < 40; wave++) {
      for (let i = 0; i < 12; i++) {
        const rc = commit(wave * 12 + i);
        all.push(rc);
        answers.push(c.commit(rc));
        if (i % 5 === 0) await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setTimeout(r, wave % 4 === 0 ? 30 : 2));
    }
    const settled = await Promise.allSettled(answers);
    assert.deepEqual(
      settled.filter((s) => s.status === "rejected").map((s) => String((s as PromiseRejectedResult).reason)),
      [],
      "a commit on the disk was answered as failed",
    );
    assert.ok(threw > 0 && groups > threw, `some groups threw (${threw} of ${groups})`);
    await until(
      "every row written and marked",
      async () => {
        await outbox.kick();
        return (await real.pendingOutbox()).length === 0 || undefined;
      },
      15_000,
    );
    const rows = all.flatMap((rc) => rc.outbox!);
    assert.deepEqual(readdirSync(join(dir, "outbox", "tmp")), []);
    assert.deepEqual(readdirSync(join(dir, "outbox", "new")).sort(), rows.map((r) => r.file).sort());
    for (const [i, rc] of all.entries()) {
      for (const o of rc.outbox!) {
        assert.deepEqual(readFileSync(join(dir, "outbox", "new", o.file)), maildirBytes({ address: rc.address, recipients: o.recipients, raw: o.raw }), `run ${i}: ${o.file}`);
      }
    }
    assert.equal(marked.size, rows.length, "every row marked done");
    assert.deepEqual([...marked].filter(([, n]) => n !== 1), [], "rows marked done more than once (id, times)");
  } finally {
    await outbox.close();
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
