/**
 * The commit's layout (an outbox row names its action's place in its run's
 * actions, outbox.action_at; failed messages indexed alone) attacked three
 * ways, on real SQLite files, a real Maildir and real processes:
 * - a process committing runs through the group commit, its outbox writing
 *   each group's files from memory, is SIGKILLed twice while it works (the
 *   second time while it also works off what the first left), then a last
 *   process writes what is pending: every acknowledged run is stored, each
 *   outbox row has exactly one file in new/, whole, and every pending row
 *   read back had its run's action;
 * - a group that fails at its last statement (after a run's state, members
 *   and outbox rows were written): every run in it is refused, nothing of it
 *   stays or is handed on, and the next group's rows name the right actions;
 * - a database of the version before, with outbox rows pending (one with the
 *   envelope in its bytes, as older builds wrote them) and a failed message,
 *   migrated: its rows are read and written as before, next to new ones.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import pino from "pino";
import { GroupCommitter } from "../../runtime/daemon/commit.js";
import { MaildirOutbox, maildirBytes } from "../../runtime/daemon/outbox.js";
import { openSchemaBefore, openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { OutboxRow } from "../../runtime/daemon/store/types.js";
import { commit, LIST } from "./layout-commit.js";
import { writeOld } from "./old-store.js";

const quiet = pino({ level: "silent" });

/**
 * A process that commits runs as thwonkd does (10 clients, one run at a time each, through the group commit, the
 * outbox fed from memory), printing each run's file once its commit is answered; it first works off what is
 * pending. With `drain` it commits nothing: it writes what is pending and prints "done".
 */
function worker(data: string, from: number, drain = false): { proc: ChildProcess; exited: Promise<number | null>; acked: string[]; output: () => string } {
  const code = `
    const [commitJs, outboxJs, storeJs, runsJs, data, from, drain] = process.argv.slice(2);
    const { GroupCommitter } = await import(commitJs);
    const { MaildirOutbox } = await import(outboxJs);
    const { openSqliteStore } = await import(storeJs);
    const { commit } = await import(runsJs);
    const store = openSqliteStore(data + "/thwonkd.sqlite");
    const log = { error: (o, m) => console.error(m, o), debug: () => {}, info: () => {}, warn: () => {} };
    const outbox = new MaildirOutbox(data, store, log);
    const committer = new GroupCommitter(store, (rows) => outbox.committed(rows));
    await outbox.kick();
    if (drain === "1") {
      if ((await store.pendingOutbox(1)).length === 0) console.log("done");
      await outbox.close();
      await store.close();
    } else {
      let n = Number(from);
      await Promise.all(Array.from({ length: 10 }, async () => {
        for (;;) {
          const c = commit(n++, "k");
          await committer.commit(c);
          process.stdout.write("ack " + c.outbox[0].file + "\\n");
        }
      }));
    }`;
  const urls = ["../../runtime/daemon/commit.js", "../../runtime/daemon/outbox.js", "../../runtime/daemon/store/sqlite.js", "./layout-commit.js"].map(
    (p) => new URL(p, import.meta.url).href,
  );
  // A script file, not `--eval`: the writer's worker thread takes the process's flags.
  const script = `${data}.mjs`;
  writeFileSync(script, code);
  const proc = spawn(process.execPath, [script, ...urls, data, String(from), drain ? "1" : "0"], { stdio: ["ignore", "pipe", "pipe"] });
  const acked: string[] = [];
  let out = "";
  let partial = "";
  proc.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
    const lines = (partial + c.toString()).split("\n");
    partial = lines.pop()!;
    for (const l of lines) if (l.startsWith("ack ")) acked.push(l.slice(4));
  });
  proc.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  return { proc, exited: new Promise((r) => proc.on("exit", (c) => r(c))), acked, output: () => out };
}

const count = (dir: string): number => {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
};

/** Starts a committing process and SIGKILLs it once `when` holds; the files it acknowledged. */
async function killWhen(data: string, from: number, when: (acked: number, fresh: number) => boolean): Promise<string[]> {
  const w = worker(data, from);
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (when(w.acked.length, count(join(data, "outbox", "new")))) return [...w.acked];
      if (w.proc.exitCode !== null) throw new Error(`the process ended before it was killed: ${w.output()}`);
      if (Date.now() > deadline) throw new Error(`not killed within 60 s: ${w.output()}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    w.proc.kill("SIGKILL");
    await w.exited;
  }
}

/** The number a run of layout-commit.ts was made from: its send's recipient's. */
const numberOf = (actions: readonly { to: string[] }[]): number => Number(/^m(\d+)@/.exec(actions[2]!.to[0]!)![1]);

test("SIGKILL while groups commit and their files are written from memory, twice: each row once in new/, whole, with its action", async (t) => {
  const data = mkdtempSync(join(tmpdir(), "thwonk-layout-kill-"));
  try {
    const file = join(data, "thwonkd.sqlite");
    await openSqliteStore(file).close();
    const first = await killWhen(data, 0, (acked, fresh) => acked >= 300 && fresh > 50);
    // What the next process starts from: each pending row read back with its run's action.
    const check = openSqliteStore(file);
    const pendingAfterKill = await check.pendingOutbox(100_000);
    await check.close();
    for (const r of pendingAfterKill) assert.deepEqual(r.action, commit(Number(/Tk(\d+)_/.exec(r.file)![1]), "k").run.actions[2], r.file);
    const second = await killWhen(data, 1_000_000, (acked) => acked >= 300);
    t.diagnostic(`acknowledged ${first.length}, then ${second.length}; ${pendingAfterKill.length} rows pending after the first kill`);
    const last = worker(data, 0, true);
    assert.equal(await last.exited, 0, last.output());
    assert.match(last.output(), /^done$/m);

    const store = openSqliteStore(file);
    let rows: OutboxRow[];
    try {
      rows = (await store.runs({ limit: 1_000_000 })).map((r) => {
        const c = commit(numberOf(r.actions), "k");
        assert.deepEqual(r.actions, c.run.actions, `run ${r.id}: its actions as given`);
        return { ...c.outbox![0]!, id: 0, runId: r.id, address: LIST };
      });
      assert.deepEqual(await store.pendingOutbox(10), [], "nothing pending");
    } finally {
      await store.close();
    }
    const stored = new Set(rows.map((r) => r.file));
    for (const f of [...first, ...second]) assert.ok(stored.has(f), `${f}: acknowledged, so committed`);
    const db = new Database(file, { readonly: true });
    const named = (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE action = '' AND action_at = 2").get() as { n: number }).n;
    const all = (db.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n;
    db.close();
    assert.equal(all, rows.length, "one row per run");
    assert.equal(named, rows.length, "every row names its action's place");
    assert.deepEqual(readdirSync(join(data, "outbox", "new")).sort(), [...stored].sort(), "one file per row, none other");
    for (const r of rows) assert.ok(readFileSync(join(data, "outbox", "new", r.file)).equals(maildirBytes(r)), `${r.file}: whole`);
    assert.deepEqual(readdirSync(join(data, "outbox", "tmp")), []);
  } finally {
    rmSync(data, { recursive: true, force: true });
    rmSync(`${data}.mjs`, { force: true });
  }
});

test("a group that fails at its last statement leaves nothing, hands nothing on, and the next group's rows name their actions", async () => {
  const data = mkdtempSync(join(tmpdir(), "thwonk-layout-fail-"));
  try {
    const store = openSqliteStore(join(data, "thwonkd.sqlite"));
    // The rows each group hands over from memory, as the outbox would take them.
    const handed: OutboxRow[] = [];
    const committer = new GroupCommitter(store, (rows) => handed.push(...rows));
    const a = commit(1);
    a.members = [{ op: "add", member: { address: "new@example.org", name: "N", role: "member", joined: 1 } }];
    // The third run's file is the first's again (UNIQUE): the group fails at its last statement.
    const bad = { ...commit(3), outbox: [{ ...commit(3).outbox![0]!, file: a.outbox![0]!.file }] };
    const results = await Promise.allSettled([committer.commit(a), committer.commit(commit(2)), committer.commit(bad)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["rejected", "rejected", "rejected"],
    );
    assert.equal(handed.length, 0);
    assert.deepEqual(await store.runs(), []);
    assert.deepEqual(await store.messages(), []);
    assert.deepEqual(await store.pendingOutbox(), []);
    assert.equal((await store.state(LIST)).state, null, "the failed group's state is not kept");
    assert.deepEqual((await store.members(LIST)).members, []);
    // The same runs again, committed: their rows name the send (the third action), in memory and in the store.
    const again = [commit(1), commit(2), commit(3)];
    const ids = await Promise.all(again.map((c) => committer.commit(c)));
    const want = again.map((c, i) => [ids[i]!.runId, c.run.actions[2]]);
    assert.deepEqual(
      handed.map((r) => [r.runId, r.action]),
      want,
    );
    const pending = await store.pendingOutbox();
    assert.deepEqual(
      pending.map((r) => [r.runId, r.action]),
      want,
    );
    assert.deepEqual((await store.state(LIST)).state, { n: 3 });
    const outbox = new MaildirOutbox(data, store, quiet);
    await outbox.kick();
    assert.deepEqual(await store.pendingOutbox(), []);
    for (const r of pending) assert.ok(readFileSync(join(data, "outbox", "new", r.file)).equals(maildirBytes(r)));
    await outbox.close();
    await store.close();
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});

test("a database of the version before, with rows pending, migrates: old rows read and written as before, next to new ones", async () => {
  const data = mkdtempSync(join(tmpdir(), "thwonk-layout-old-"));
  try {
    const file = join(data, "thwonkd.sqlite");
    const db = openSchemaBefore(file, "action_at");
    const old = [commit(1, "o"), commit(2, "o"), commit(3, "o"), commit(4, "o")];
    // An older build's row: the envelope already in its bytes (kept as it is).
    const withEnvelope = Buffer.from(`X-Thwonk-Recipients: m2@example.org\r\n${old[1]!.outbox![0]!.raw.toString()}`);
    old[1]!.outbox![0]!.raw = withEnvelope;
    old[3]!.message!.status = "failed";
    old[2]!.outbox![0]!.action = { kind: "reply", to: ["x@example.org"], text: "not the run's", at: { line: 9, column: 9 } };
    const ids = writeOld(db, old);
    db.prepare("UPDATE outbox SET done = 1 WHERE id = ?").run(ids[0]!.outboxIds[0]);
    db.close();

    const store = openSqliteStore(file);
    const runs = await store.runs();
    assert.deepEqual(
      runs.map((r) => r.actions),
      old.map((c) => c.run.actions),
      "old runs read as before",
    );
    assert.deepEqual(
      (await store.messages({ status: "failed" })).map((m) => m.id),
      [runs[3]!.messageId],
    );
    // New runs committed next to the old rows; all read from the store, as after a restart.
    const fresh = [commit(5), commit(6)];
    const committer = new GroupCommitter(store);
    await Promise.all(fresh.map((c) => committer.commit(c)));
    const pending = await store.pendingOutbox();
    assert.deepEqual(
      pending.map((r) => [r.file, r.action]),
      [...old.slice(1), ...fresh].map((c) => [c.outbox![0]!.file, c.outbox![0]!.action]),
      "old rows with their own action's JSON, new ones with their run's",
    );
    const outbox = new MaildirOutbox(data, store, quiet);
    await outbox.kick();
    assert.deepEqual(await store.pendingOutbox(), []);
    assert.deepEqual(readdirSync(join(data, "outbox", "new")).sort(), pending.map((r) => r.file).sort(), "the row marked done before is not written");
    for (const r of pending) assert.ok(readFileSync(join(data, "outbox", "new", r.file)).equals(maildirBytes(r)), r.file);
    assert.ok(readFileSync(join(data, "outbox", "new", old[1]!.outbox![0]!.file)).equals(withEnvelope), "an old row's own envelope kept, not doubled");
    await outbox.close();
    await store.close();
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});
