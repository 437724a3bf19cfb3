/**
 * A run with nothing queued behind it waits a few turns of the event loop (ahead.ts GATHER_TURNS) so that the list's
 * messages arriving meanwhile go with it as a chain: one wake of the worker for several runs. Each run still counts
 * once, in arrival order, from its predecessor's state.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { aheadCounts } from "../../runtime/daemon/ahead.js";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { COUNTER, listDaemon } from "./helpers.js";

const A = "gather@example.org";
let daemon: Daemon;
let close: () => Promise<void>;

before(async () => {
  ({ daemon, close } = await listDaemon({ source: COUNTER, fileName: "counter.thwonk", addresses: [A] }));
});

after(() => close());

let n = 0;
function send(subject: string) {
  const raw = Buffer.from(`From: <ann@example.org>\r\nTo: <${A}>\r\nSubject: ${subject}\r\nMessage-ID: <g.${n++}@example.org>\r\n\r\nhello ✉️\r\n`);
  return daemon.runner.deliver({ address: A, rcptTo: A, mailFrom: "ann@example.org", raw, receivedAt: Date.now() });
}

const macrotask = () => new Promise<void>((r) => setImmediate(r));

test("a message arriving a turn after a lone run started goes with it", async () => {
  const before = { ...aheadCounts };
  const answers = [];
  for (let i = 0; i < 20; i++) {
    const first = send(`p${i}a`);
    await macrotask();
    answers.push(first, send(`p${i}b`));
    await Promise.all(answers.slice(-2));
  }
  for (const a of await Promise.all(answers)) assert.equal(a.code, 250);
  const taken = aheadCounts.taken - before.taken;
  // Without the wait each first run goes alone, and its pair's second after it: none taken.
  assert.ok(taken >= 15, `the second of most pairs went with the first (${taken} of 20)`);
  const runs = (await daemon.runs({ address: A })).filter((r) => r.outcome === "ok").sort((a, b) => a.id - b.id);
  const subjects = runs.map((r) => String((r.actions[0] as { subject?: string }).subject));
  assert.deepEqual(subjects.map((s) => Number(s.split(" ")[0])), Array.from({ length: 40 }, (_, i) => i + 1), "each from its predecessor's state");
  assert.deepEqual(subjects.map((s) => s.split(" ")[1]), Array.from({ length: 40 }, (_, i) => `p${i >> 1}${i % 2 ? "b" : "a"}`), "in arrival order");
});

test("a lone run with nothing arriving still runs, and alone", async () => {
  const before = { ...aheadCounts };
  const a = await send("alone");
  assert.equal(a.code, 250);
  assert.equal(aheadCounts.taken, before.taken);
  assert.deepEqual((await daemon.state(A)).state, { count: 41 });
});
