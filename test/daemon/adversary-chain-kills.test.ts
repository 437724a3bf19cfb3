/**
 * A daemon whose sandbox workers are killed at random while two lists take hundreds of messages at once (their
 * runs chained on the workers, answers kept back: runtime/sandbox/worker.ts): what is committed must be what one
 * message at a time would commit with the same failures. Each message has exactly one run; a run a kill failed
 * (TW5006, or the watchdog's TW5004) changes nothing; every other run counts on from the state the runs before it
 * left, so the counts in the sends are 1, 2, 3... in the order of arrival with no gap and no repeat; the list's
 * state is the last count; each send has one outbox row, whose action (by its place, outbox.action_at) is that
 * send. Then the failed messages are replayed: their new runs' actions differ from anything run before (the count
 * went on), and their outbox rows name those new actions. The members change three times during the feed: each
 * run sends to the members of its turn.
 */
import assert from "node:assert/strict";
import { syncBuiltinESMExports } from "node:module";
import { test } from "node:test";
import wt from "node:worker_threads";
import { aheadCounts } from "../../runtime/daemon/ahead.js";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import type { RunRecord } from "../../runtime/daemon/store/types.js";
import { COUNTER, listDaemon, readStore } from "./helpers.js";

// Every sandbox worker the pool starts, once it said it is ready (a worker killed before that counts as one that
// could not start: the pool gives up after three).
const ready = new Set<wt.Worker>();
const Original = wt.Worker;
let started = 0;
class Watched extends Original {
  constructor(url: string | URL, options?: wt.WorkerOptions) {
    super(url, options);
    if (!String(url).includes("sandbox/worker")) return;
    started++;
    this.on("message", (m: { type?: string }) => void (m?.type === "ready" && ready.add(this)));
    this.on("exit", () => ready.delete(this));
  }
}
(wt as { Worker: typeof wt.Worker }).Worker = Watched;
syncBuiltinESMExports();

const LISTS = ["count-a@example.org", "count-b@example.org"];
const N = 240;

/** A small deterministic generator: the kills' times and targets are the same each time. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

async function runsOf(daemon: Daemon, address: string): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for (let after = 0; ; ) {
    const page = await daemon.store.runs({ address, after, limit: 1000 });
    if (page.length === 0) return out.sort((a, b) => a.id - b.id);
    out.push(...page);
    after = Math.max(...page.map((r) => r.id));
  }
}

type Row = { id: number; run_id: number; action: string; action_at: number | null; actions: string; subject: string };

test("workers killed at random under two lists' chained runs: what is committed is what one at a time commits", async () => {
  const d = await listDaemon({ source: COUNTER, fileName: "counter.thwonk", addresses: LISTS });
  const random = rng(20261206);
  let kills = 0;
  let feeding = true;
  const killer = (async () => {
    while (feeding) {
      await new Promise((r) => setTimeout(r, 25 + random() * 80));
      const live = [...ready];
      if (live.length === 0) continue;
      const w = live[Math.floor(random() * live.length)]!;
      ready.delete(w);
      kills++;
      void w.terminate();
    }
  })();
  try {
    const taken = aheadCounts.taken;
    // The members change between messages, queued in the list's order: each run sends to the members of its turn.
    const changes: Promise<unknown>[] = [];
    const delivered = [];
    for (let n = 0; n < N; n++) {
      for (const [l, list] of LISTS.entries()) {
        if (n === 50) changes.push(d.daemon.addMembers(list, [{ address: "bob@example.org", name: "Bob" }]));
        if (n === 100) changes.push(d.daemon.removeMembers(list, ["ann@example.org"]));
        if (n === 150) changes.push(d.daemon.addMembers(list, [{ address: "ann@example.org", name: "Ann" }]));
        const raw = Buffer.from(`From: <s${n % 5}@example.org>\r\nTo: <${list}>\r\nSubject: m${n}\r\nMessage-ID: <k.${l}.${n}@example.org>\r\n\r\nbody ${n}\r\n`);
        delivered.push(d.daemon.runner.deliver({ address: list, rcptTo: list, mailFrom: `s${n % 5}@example.org`, raw, receivedAt: 1_765_000_000_000 + n * 1000 }));
      }
    }
    const answers = await Promise.all(delivered);
    await Promise.all(changes);
    feeding = false;
    await killer;
    assert.ok(answers.every((a) => a.code === 250 && a.runId !== undefined), JSON.stringify(answers.find((a) => a.code !== 250)));
    assert.ok(kills >= 10, `only ${kills} kills`);
    assert.ok(aheadCounts.taken > taken, "no run given ahead was taken: the chains were not exercised");
    let failedSeen = 0;
    for (const list of LISTS) {
      const runs = await runsOf(d.daemon, list);
      const messageRuns = runs.filter((r) => r.trigger === "message");
      assert.equal(messageRuns.length, N, `${list}: one run per message`);
      assert.equal(new Set(messageRuns.map((r) => r.messageId)).size, N, `${list}: no message run twice`);
      let count = 0;
      const subjects: string[] = [];
      for (const r of messageRuns.sort((a, b) => a.now - b.now)) {
        const n = (r.now - 1_765_000_000_000) / 1000;
        if (r.outcome !== "ok") {
          assert.ok(["TW5006", "TW5004"].includes(r.error?.code ?? ""), `${list} m${n}: failed with ${JSON.stringify(r.error)}`);
          assert.deepEqual(r.actions, []);
          failedSeen++;
          continue;
        }
        count++;
        const send = r.actions.find((a) => a.kind === "send") as { subject: string; to: string[] } | undefined;
        const members = n < 50 ? ["ann@example.org"] : n < 100 || n >= 150 ? ["ann@example.org", "bob@example.org"] : ["bob@example.org"];
        assert.deepEqual([...(send?.to ?? [])].sort(), members, `${list} m${n}: sent to the members of its turn`);
        subjects.push(send?.subject ?? "none");
        assert.equal(send?.subject, `${count} m${n}`, `${list}: m${n}'s run counted from the state the runs before it left`);
      }
      const state = await d.daemon.store.state(list);
      assert.deepEqual(state.state, { count }, `${list}: the state is the last run's`);
    }
    // Replays of the failed messages: their new runs count on (actions none of the first runs had).
    const failed = await d.daemon.failedMessages();
    assert.equal(failed.length, failedSeen);
    const failedRuns = (await Promise.all(LISTS.map((l) => runsOf(d.daemon, l)))).flat().filter((r) => r.outcome !== "ok");
    for (const r of failedRuns) {
      const a = await d.daemon.replay(r.id);
      assert.ok(a.runId !== undefined, JSON.stringify(a));
    }
    assert.deepEqual(await d.daemon.failedMessages(), []);
    // Every outbox row's action, read by its place in its run's actions, is the send its file carries.
    const rows = readStore(d.dir, (db) =>
      db.prepare("SELECT o.id, o.run_id, o.action, o.action_at, r.actions, CAST(substr(o.raw, 1, 4000) AS TEXT) AS subject FROM outbox o JOIN runs r ON r.id = o.run_id ORDER BY o.id").all() as Row[],
    );
    const okRuns = (await Promise.all(LISTS.map((l) => runsOf(d.daemon, l)))).flat().filter((r) => r.outcome === "ok");
    assert.equal(rows.length, okRuns.length, "one outbox row per send");
    assert.equal(new Set(rows.map((r) => r.run_id)).size, rows.length);
    for (const row of rows) {
      assert.notEqual(row.action_at, null, `row ${row.id}: named by its place`);
      assert.equal(row.action, "");
      const action = (JSON.parse(row.actions) as { kind: string; subject: string }[])[row.action_at!]!;
      assert.equal(action.kind, "send");
      assert.match(row.subject, new RegExp(`\r\nSubject: ${action.subject}\r\n`), `row ${row.id}: its file is its action's`);
    }
    console.log(`kills ${kills}, sandbox workers started ${started}, failed runs ${failedSeen}, taken ahead ${aheadCounts.taken - taken}`);
  } finally {
    feeding = false;
    await killer;
    await d.close();
  }
});
