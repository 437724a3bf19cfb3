/**
 * The outbox's catch-up looks for files once, not once a batch (outbox.ts, outbox-writer.ts `Look`): after a crash
 * the rows not marked done are read back 200 at a time, and each file already in new/ or in cur/ (where a reader
 * moved it, `NAME:2,FLAGS`) is kept, not written again. A reader's cur/ may hold hundreds of thousands of files and a
 * backlog hundreds of batches: listing cur/ for each batch made the catch-up quadratic. One listing of new/ then of
 * cur/ per catch-up, kept for its batches; a file the reader moves from new/ to cur/ after that look is still found
 * (its name was in new/), and a failed pass, whose batch may have left files in new/ unmarked, starts a catch-up with
 * a look of its own. Files arranged on disk before and between batches; real SQLite and the real writer thread.
 */
import assert from "node:assert/strict";
import fs, { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import pino from "pino";
import { MaildirOutbox, maildirBytes } from "../../runtime/daemon/outbox.js";
import { Look, type OutboxWriter, type WriteFile, writeBatch } from "../../runtime/daemon/outbox-writer.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { RunCommit } from "../../runtime/daemon/store/types.js";
import { countingMarks } from "./helpers.js";

const quiet = pino({ level: "silent" });
const LIST = "cu@example.org";

/** Run `n`: `per` messages, each its own file. */
function commit(n: number, per: number): RunCommit {
  const outbox = Array.from({ length: per }, (_, j) => {
    const raw = Buffer.from(`From: ${LIST}\r\nTo: m${n}@example.org\r\nSubject: c${n}.${j}\r\nMessage-ID: <c.${n}.${j}@example.org>\r\n\r\nbody ${n}.${j}\r\n`);
    return { file: `1700000000000.Tc${n}_${j}.test`, messageId: `c.${n}.${j}@example.org`, recipients: [`m${n}@example.org`], action: { kind: "send" as const, to: [`m${n}@example.org`], at: { line: 1, column: 1 } }, raw };
  });
  return { address: LIST, run: { trigger: "message", now: 1_700_000_000_000 + n, bundleHash: "test", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 1, actions: [] }, outbox };
}

/** Rows committed by a process that died before writing or marking them: pending in the store. */
async function backlog(dir: string, runs: number, per: number): Promise<{ commits: RunCommit[] }> {
  const store = openSqliteStore(join(dir, "thwonkd.sqlite"));
  const commits = Array.from({ length: runs }, (_, n) => commit(n, per));
  await store.commitRuns(commits);
  await store.sync?.();
  await store.close();
  return { commits };
}

function maildir(): string {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-catchup-"));
  for (const sub of ["tmp", "new", "cur"]) mkdirSync(join(dir, sub));
  return dir;
}

/** Counts readdirSync of each directory (the writer's own binding too: syncBuiltinESMExports), until `done`. */
function countListings(): { of: (dir: string) => number; done: () => void } {
  const real = fs.readdirSync;
  const counts = new Map<string, number>();
  fs.readdirSync = ((path: fs.PathLike, ...rest: unknown[]) => {
    counts.set(String(path), (counts.get(String(path)) ?? 0) + 1);
    return (real as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readdirSync;
  syncBuiltinESMExports();
  return {
    of: (dir) => counts.get(dir) ?? 0,
    done: () => {
      fs.readdirSync = real;
      syncBuiltinESMExports();
    },
  };
}

test("writeBatch: the batches of one catch-up list new/ and cur/ once; another catch-up, or one after a batch without look, lists again", () => {
  const dir = maildir();
  const listings = countListings();
  try {
    for (let i = 0; i < 2000; i++) writeFileSync(join(dir, "cur", `1600000000000.Told${i}_1.test:2,S`), "");
    const look = new Look();
    const file = (i: number): WriteFile => ({ name: `1700000000000.Tw${i}_1.test`, bytes: Buffer.from(`Subject: ${i}\r\n\r\n`) });
    for (let b = 0; b < 10; b++) writeBatch({ id: b, dir, look: 1, files: Array.from({ length: 200 }, (_, i) => file(b * 200 + i)) }, () => undefined, look);
    assert.equal(listings.of(join(dir, "cur")), 1, "cur/ listed for each batch of the catch-up");
    assert.equal(listings.of(join(dir, "new")), 1);
    assert.equal(readdirSync(join(dir, "new")).length, 2000);
    writeBatch({ id: 10, dir, look: 2, files: [file(2000)] }, () => undefined, look);
    assert.equal(listings.of(join(dir, "cur")), 2, "a new catch-up takes its own look");
    writeBatch({ id: 11, dir, look: false, files: [file(2001)] }, () => undefined, look);
    writeBatch({ id: 12, dir, look: 2, files: [file(2002)] }, () => undefined, look);
    assert.equal(listings.of(join(dir, "cur")), 3, "a batch without look ends the catch-up: its look is let go");
    assert.equal(look.looks, 3);
  } finally {
    listings.done();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a file in new/ when the catch-up looked, moved to cur/ (NAME:2,FLAGS) before its batch, is not written again", () => {
  const dir = maildir();
  try {
    const at = (sub: string, name: string, text: string): void => writeFileSync(join(dir, sub, name), text);
    const f = (name: string): WriteFile => ({ name, bytes: Buffer.from(`again ${name}`) });
    // Before the catch-up: files of its rows in new/ and in cur/ (a reader's move, with and without info suffix).
    at("new", "A", "first A");
    at("new", "D", "first D");
    at("new", "G", "first G");
    at("cur", "B:2,S", "first B");
    at("cur", "C", "first C");
    const look = new Look();
    // Its first batch takes the look.
    writeBatch({ id: 1, dir, look: 1, files: [f("A"), f("E")] }, () => undefined, look);
    assert.equal(look.looks, 1);
    assert.equal(readFileSync(join(dir, "new", "A"), "latin1"), "first A");
    assert.equal(readFileSync(join(dir, "new", "E"), "latin1"), "again E");
    // The reader takes messages between batches: D and G were in new/ at the look, are in cur/ now.
    renameSync(join(dir, "new", "D"), join(dir, "cur", "D:2,RS"));
    renameSync(join(dir, "new", "G"), join(dir, "cur", "G"));
    renameSync(join(dir, "new", "E"), join(dir, "cur", "E:2,S"));
    writeBatch({ id: 2, dir, look: 1, files: [f("B"), f("C"), f("D"), f("F")] }, () => undefined, look);
    renameSync(join(dir, "new", "A"), join(dir, "cur", "A:2,S"));
    // A name that only begins like another's is another message.
    writeBatch({ id: 3, dir, look: 1, files: [f("G"), f("Dx")] }, () => undefined, look);
    assert.equal(look.looks, 1, "one look for the catch-up");
    assert.deepEqual(readdirSync(join(dir, "new")).sort(), ["Dx", "F"], "a file the reader had moved was written again");
    assert.deepEqual(readdirSync(join(dir, "cur")).sort(), ["A:2,S", "B:2,S", "C", "D:2,RS", "E:2,S", "G"]);
    for (const [name, text] of [["A:2,S", "first A"], ["B:2,S", "first B"], ["C", "first C"], ["D:2,RS", "first D"], ["G", "first G"]] as const) assert.equal(readFileSync(join(dir, "cur", name), "latin1"), text);
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a restart's catch-up of 2,000 rows over a cur/ of 20,000 files: one look, each row's file once", async (t) => {
  const dir = maildir();
  const outboxDir = join(dir, "outbox");
  for (const sub of ["tmp", "new", "cur"]) mkdirSync(join(outboxDir, sub), { recursive: true });
  const { commits } = await backlog(dir, 200, 10);
  const names = commits.flatMap((c) => c.outbox!.map((o) => o.file));
  // Years of mail the reader keeps in cur/; of the backlog, some taken by the reader and some in new/ (a process
  // killed after its renames, before its marks), the rest not written.
  for (let i = 0; i < 20_000; i++) writeFileSync(join(outboxDir, "cur", `1600000000000.Told${i}_1.test:2,S`), "");
  const taken = names.filter((_, i) => i % 7 === 0);
  const there = names.filter((_, i) => i % 7 !== 0 && i % 11 === 0);
  for (const n of taken) writeFileSync(join(outboxDir, "cur", `${n}:2,S`), "taken");
  for (const n of there) writeFileSync(join(outboxDir, "new", n), "there");
  const real = openSqliteStore(join(dir, "thwonkd.sqlite"));
  const { store, marked } = countingMarks(real);
  const outbox = new MaildirOutbox(dir, store, quiet);
  try {
    const writer = (outbox as unknown as { writer: OutboxWriter }).writer;
    let batches = 0;
    const write = writer.write.bind(writer);
    writer.write = (at: string, look: number | false, files: WriteFile[]) => {
      batches++;
      return write(at, look, files);
    };
    const start = performance.now();
    await outbox.kick();
    t.diagnostic(`catch-up of ${names.length} rows in ${batches} batches, cur/ of ${20_000 + taken.length}: ${Math.round(performance.now() - start)} ms`);
    assert.equal(batches, 10);
    assert.equal(writer.looks, 1, "new/ and cur/ listed more than once in one catch-up");
    assert.equal(marked.size, names.length);
    assert.ok([...marked.values()].every((n) => n === 1));
    assert.equal((await real.pendingOutbox(10)).length, 0);
    const inNew = new Set(readdirSync(join(outboxDir, "new")));
    const takenSet = new Set(taken);
    for (const n of taken) assert.equal(inNew.has(n), false, `${n}, taken by the reader, was written again`);
    assert.equal(inNew.size, names.length - taken.length);
    for (const n of there) assert.equal(readFileSync(join(outboxDir, "new", n), "latin1"), "there", `${n} was written again`);
    const thereSet = new Set(there);
    for (const c of commits)
      for (const o of c.outbox!)
        if (!takenSet.has(o.file) && !thereSet.has(o.file)) assert.deepEqual(readFileSync(join(outboxDir, "new", o.file)), maildirBytes({ address: c.address, recipients: o.recipients, raw: o.raw }));
    assert.deepEqual(readdirSync(join(outboxDir, "tmp")), []);
  } finally {
    await outbox.close();
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a batch that failed after its files reached new/, one then moved to cur/ by the reader: the next pass looks again and writes none twice", async () => {
  const dir = maildir();
  const outboxDir = join(dir, "outbox");
  await backlog(dir, 45, 10);
  const real = openSqliteStore(join(dir, "thwonkd.sqlite"));
  const { store, marked } = countingMarks(real);
  const outbox = new MaildirOutbox(dir, store, quiet);
  try {
    const writer = (outbox as unknown as { writer: OutboxWriter }).writer;
    const write = writer.write.bind(writer);
    let batches = 0;
    let failed: string[] = [];
    writer.write = async (at: string, look: number | false, files: WriteFile[]) => {
      const k = batches++;
      await write(at, look, files);
      if (k === 1) {
        failed = files.map((f) => f.name);
        throw new Error("the sync of new/ failed after the renames");
      }
    };
    await outbox.kick();
    assert.equal(failed.length, 200);
    assert.equal(marked.size, 200, "the first batch only is marked");
    // The reader takes two of the failed batch's files, which are whole in new/ and not marked.
    renameSync(join(outboxDir, "new", failed[0]!), join(outboxDir, "cur", `${failed[0]}:2,S`));
    renameSync(join(outboxDir, "new", failed[199]!), join(outboxDir, "cur", failed[199]!));
    await outbox.kick();
    assert.equal(marked.size, 450);
    assert.equal((await real.pendingOutbox(10)).length, 0);
    const inNew = readdirSync(join(outboxDir, "new"));
    assert.equal(inNew.includes(failed[0]!), false, "a file the reader took after the failed batch was written again");
    assert.equal(inNew.includes(failed[199]!), false, "a file the reader took after the failed batch was written again");
    assert.equal(inNew.length, 450 - 2);
    assert.deepEqual(readdirSync(join(outboxDir, "cur")).sort(), [`${failed[0]}:2,S`, failed[199]!].sort());
    assert.equal(writer.looks, 2, "one look for the first catch-up, one for the one after the failed pass");
  } finally {
    await outbox.close();
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
