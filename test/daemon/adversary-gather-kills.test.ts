/**
 * Gathered chains (ahead.ts GATHER_TURNS) under worker kills at each point: a lone run waits a few turns, the
 * message arriving meanwhile goes with it, and the worker is terminated 0, 1, 2... turns after that message came
 * (before the chain is posted, while its first run runs, while the second runs, after the answers). Whatever the
 * point, each message has exactly one run, a run the kill failed (TW5006, or the watchdog's TW5004) changes
 * nothing, every other run counts on from the state the runs before it left, in arrival order, and each send has
 * one outbox row.
 */
import assert from "node:assert/strict";
import { syncBuiltinESMExports } from "node:module";
import { test } from "node:test";
import wt from "node:worker_threads";
import { aheadCounts } from "../../runtime/daemon/ahead.js";
import { COUNTER, listDaemon, readStore } from "./helpers.js";

// The sandbox workers ready to run (a worker killed before it said so counts as one that could not start).
const ready = new Set<wt.Worker>();
const Original = wt.Worker;
class Watched extends Original {
  constructor(url: string | URL, options?: wt.WorkerOptions) {
    super(url, options);
    if (!String(url).includes("sandbox/worker")) return;
    this.on("message", (m: { type?: string }) => void (m?.type === "ready" && ready.add(this)));
    this.on("exit", () => ready.delete(this));
  }
}
(wt as { Worker: typeof wt.Worker }).Worker = Watched;
syncBuiltinESMExports();

const A = "gk@example.org";
const T0 = 1_765_000_000_000;
const macrotask = () => new Promise<void>((r) => setImmediate(r));

async function readyWorkers(): Promise<void> {
  while (ready.size < 2) await new Promise((r) => setTimeout(r, 5));
}

test("a gathered pair's worker killed at each turn from its arrival on: one run per message, counted in order, nothing twice", async () => {
  const d = await listDaemon({ source: COUNTER, fileName: "counter.thwonk", addresses: [A] });
  try {
    const taken = aheadCounts.taken;
    const answers = [];
    let n = 0;
    const send = () => {
      const i = n++;
      const raw = Buffer.from(`From: <ann@example.org>\r\nTo: <${A}>\r\nSubject: m${i}\r\nMessage-ID: <gk.${i}@example.org>\r\n\r\nbody ${i} ✂️\r\n`);
      return d.daemon.runner.deliver({ address: A, rcptTo: A, mailFrom: "ann@example.org", raw, receivedAt: T0 + i * 1000 });
    };
    // Pairs without a kill first: the gathering works here (taken), so the killed pairs are gathered ones.
    for (let i = 0; i < 4; i++) {
      const first = send();
      await macrotask();
      answers.push(first, send());
      await Promise.all(answers.slice(-2));
    }
    assert.ok(aheadCounts.taken - taken >= 3, `pairs gathered (${aheadCounts.taken - taken} of 4)`);
    let kills = 0;
    for (let at = 0; at < 12; at++) {
      await readyWorkers();
      const first = send();
      await macrotask();
      const second = send();
      for (let t = 0; t < at; t++) await macrotask();
      for (const w of [...ready]) {
        ready.delete(w);
        kills++;
        void w.terminate();
      }
      answers.push(first, second);
      await Promise.all([first, second]);
    }
    const all = await Promise.all(answers);
    assert.ok(all.every((a) => a.code === 250 && a.runId !== undefined), JSON.stringify(all.find((a) => a.code !== 250)));
    const runs = (await d.daemon.runs({ address: A })).filter((r) => r.trigger === "message").sort((a, b) => a.now - b.now);
    assert.equal(runs.length, n, "one run per message");
    assert.equal(new Set(runs.map((r) => r.messageId)).size, n, "no message run twice");
    let count = 0;
    let failed = 0;
    for (const r of runs) {
      const i = (r.now - T0) / 1000;
      if (r.outcome !== "ok") {
        assert.ok(["TW5006", "TW5004"].includes(r.error?.code ?? ""), `m${i}: failed with ${JSON.stringify(r.error)}`);
        assert.deepEqual(r.actions, []);
        failed++;
        continue;
      }
      count++;
      const s = r.actions.find((a) => a.kind === "send") as { subject: string } | undefined;
      assert.equal(s?.subject, `${count} m${i}`, `m${i} counted from the state the runs before it left`);
    }
    assert.deepEqual((await d.daemon.state(A)).state, { count });
    const rows = readStore(d.dir, (db) => db.prepare("SELECT run_id FROM outbox").all() as { run_id: number }[]);
    assert.equal(rows.length, count, "one outbox row per send");
    assert.equal(new Set(rows.map((r) => r.run_id)).size, count);
    assert.ok(kills >= 12, `${kills} kills`);
    console.log(`kills ${kills}, failed runs ${failed}, taken ahead ${aheadCounts.taken - taken}; outcomes ${runs.map((r) => (r.outcome === "ok" ? "." : "x")).join("")}`);
  } finally {
    await d.close();
  }
});
