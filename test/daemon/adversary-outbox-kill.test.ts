/**
 * The Maildir outbox killed (SIGKILL) in the middle of its batches, then
 * restarted: a process works off a backlog of committed rows (files of 4 to
 * 90 KB, batches of up to 200) and is killed while a batch's files are in
 * tmp/, again just after a batch's renames into new/ began, and again later;
 * each restart starts on what the last one left. At the end every row has
 * exactly one file in new/, under its name, with exactly the bytes the row
 * makes (none short, none twice), tmp/ is empty and no row is pending. Real
 * SQLite, real files, a real process killed by the kernel.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { test } from "node:test";
import { maildirBytes } from "../../runtime/daemon/outbox.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { OutboxRow, RunCommit } from "../../runtime/daemon/store/types.js";

const LIST = "killed@example.org";
const ROWS = 700;

function commit(n: number): RunCommit {
  // Sizes from 4 to 90 KB, so that a batch's writes and syncs take long enough to be killed in.
  const body = `${n} ✉ línea ${"x".repeat(60)}\r\n`.repeat(50 + ((n * 37) % 1100));
  const raw = Buffer.from(`From: ${LIST}\r\nTo: m${n}@example.org\r\nSubject: killed ${n} 🙂\r\nMessage-ID: <k.${n}@example.org>\r\n\r\n${body}`);
  return {
    address: LIST,
    run: { trigger: "message", now: 1_700_000_000_000 + n, bundleHash: "test", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 1, actions: [] },
    outbox: [{ file: `1700000000000.Tk${n}_1.test`, messageId: `k.${n}@example.org`, recipients: [`m${n}@example.org`], action: { kind: "send", to: [`m${n}@example.org`], at: { line: 1, column: 1 } }, raw }],
  };
}

/** A process that opens the store and writes the outbox until no row is pending, then prints "done". */
function writer(data: string): { proc: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const code = `
    const [outboxJs, storeJs, data] = process.argv.slice(2);
    const { MaildirOutbox } = await import(outboxJs);
    const { openSqliteStore } = await import(storeJs);
    const store = openSqliteStore(data + "/thwonkd.sqlite");
    const log = { error: (o, m) => console.error(m, o), debug: () => {}, info: () => {}, warn: () => {} };
    const outbox = new MaildirOutbox(data, store, log);
    await outbox.kick();
    if ((await store.pendingOutbox(1)).length === 0) console.log("done");
    await outbox.close();
    await store.close();`;
  const urls = [new URL("../../runtime/daemon/outbox.js", import.meta.url).href, new URL("../../runtime/daemon/store/sqlite.js", import.meta.url).href];
  // A script file, not `--eval`: the writer's worker thread takes the process's flags, and --input-type would stop it.
  const script = join(data, "..", `${basename(data)}.mjs`);
  writeFileSync(script, code);
  const proc = spawn(process.execPath, [script, ...urls, data], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  return { proc, exited: new Promise((r) => proc.on("exit", (c) => r(c))), output: () => out };
}

/** Files in a folder; 0 before the writer made it. */
const count = (dir: string): number => {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
};

/** A reader of new/: every file that appears there must already be whole (Maildir's promise to readers). */
function reader(outbox: string, want: Map<string, Buffer>): () => number {
  const checked = new Set<string>();
  return () => {
    let names: string[] = [];
    try {
      names = readdirSync(join(outbox, "new"));
    } catch {
      return 0;
    }
    for (const name of names) {
      if (checked.has(name)) continue;
      checked.add(name);
      assert.ok(readFileSync(join(outbox, "new", name)).equals(want.get(name)!), `${name}: in new/ before it was whole`);
    }
    return names.length;
  };
}

/** Starts a writer and SIGKILLs it as soon as `when` holds (looked at every turn of the event loop, reading new/). */
async function killWhen(data: string, read: () => number, what: string, when: (tmp: number, fresh: number) => boolean): Promise<{ tmp: number; fresh: number }> {
  const w = writer(data);
  const outbox = join(data, "outbox");
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      const seen = { tmp: count(join(outbox, "tmp")), fresh: read() };
      if (when(seen.tmp, seen.fresh)) return seen;
      if (w.proc.exitCode !== null) throw new Error(`the writer ended before it could be killed ${what}: ${w.output()}`);
      if (Date.now() > deadline) throw new Error(`not killed ${what} within 60 s`);
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    w.proc.kill("SIGKILL");
    await w.exited;
  }
}

test("SIGKILL mid-batch, three times, then a restart: each row exactly once in new/, whole", async (t) => {
  const data = mkdtempSync(join(tmpdir(), "thwonk-outbox-kill-"));
  try {
    const store = openSqliteStore(join(data, "thwonkd.sqlite"));
    await store.commitRuns(Array.from({ length: ROWS }, (_, i) => commit(i)));
    await store.sync?.();
    const rows: OutboxRow[] = await store.pendingOutbox(ROWS + 1);
    await store.close();
    assert.equal(rows.length, ROWS);
    const outbox = join(data, "outbox");
    const read = reader(outbox, new Map(rows.map((r) => [r.file, maildirBytes(r)])));

    // 1. While the first batch's files are in tmp/, none renamed yet.
    const first = await killWhen(data, read, "with files in tmp/", (tmp) => tmp >= 20);
    // 2. Once renames into new/ have begun, with files still in tmp/ (the kill lands during or just after them).
    const second = await killWhen(data, read, "during the renames", (tmp, fresh) => fresh > 0 && tmp > 0);
    assert.ok(second.fresh > 0);
    // 3. Later, once more than half the rows have a file.
    const before = count(join(data, "outbox", "new"));
    const third = await killWhen(data, read, "later", (_tmp, fresh) => fresh > Math.max(before, ROWS / 2));

    t.diagnostic(`killed with (tmp/, new/) at ${[first, second, third].map((k) => `(${k.tmp}, ${k.fresh})`).join(", ")}`);

    // The restart writes what is missing and nothing twice.
    const last = writer(data);
    assert.equal(await last.exited, 0, last.output());
    assert.match(last.output(), /^done$/m);
    const names = readdirSync(join(outbox, "new")).sort();
    assert.deepEqual(names, rows.map((r) => r.file).sort(), "one file per row, under its name");
    for (const r of rows) assert.ok(readFileSync(join(outbox, "new", r.file)).equals(maildirBytes(r)), `${r.file}: the row's bytes, whole`);
    assert.deepEqual(readdirSync(join(outbox, "tmp")), [], "nothing left in tmp/");
    assert.deepEqual(readdirSync(join(outbox, "cur")), []);
    const after = openSqliteStore(join(data, "thwonkd.sqlite"));
    try {
      assert.deepEqual(await after.pendingOutbox(10), [], "every row marked done");
    } finally {
      await after.close();
    }
  } finally {
    rmSync(data, { recursive: true, force: true });
    rmSync(`${data}.mjs`, { force: true });
  }
});
