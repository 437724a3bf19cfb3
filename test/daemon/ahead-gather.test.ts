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
const B = "gather-b@example.org";
let daemon: Daemon;
let close: () => Promise<void>;

before(async () => {
  ({ daemon, close } = await listDaemon({ source: COUNTER, fileName: "counter.thwonk", addresses: [A, B] }));
});

after(() => close());

let n = 0;
function send(subject: string, list = A) {
  const raw = Buffer.from(`From: <ann@example.org>\r\nTo: <${list}>\r\nSubject: ${subject}\r\nMessage-ID: <g.${n++}@example.org>\r\n\r\nhello ✉️\r\n`);
  return daemon.runner.deliver({ address: list, rcptTo: list, mailFrom: "ann@example.org", raw, receivedAt: Date.now() });
}

async function sendsOf(list: string): Promise<{ subject: string; to: string[] }[]> {
  const runs = (await daemon.runs({ address: list })).filter((r) => r.outcome === "ok").sort((a, b) => a.id - b.id);
  return runs.map((r) => r.actions[0] as unknown as { subject: string; to: string[] });
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

test("the members change between a lone run and the message that arrives a turn later: each runs with its turn's members", async () => {
  const base = (await daemon.state(A)).state as { count: number };
  const again = aheadCounts.again;
  const answers = [];
  for (let i = 0; i < 6; i++) {
    const first = send(`m${i}a`);
    await macrotask();
    // Queued in the list's order after the first run (runner.withList), before the second: the second's turn sees it.
    const change = i % 2 === 0 ? daemon.addMembers(A, [{ address: `bob${i}@example.org`, name: "Bob 🐝" }]) : daemon.removeMembers(A, [`bob${i - 1}@example.org`]);
    answers.push(first, send(`m${i}b`));
    await Promise.all([...answers.slice(-2), change]);
  }
  for (const a of await Promise.all(answers)) assert.equal(a.code, 250);
  const sends = (await sendsOf(A)).slice(-12);
  for (let i = 0; i < 6; i++) {
    const withBob = i % 2 === 0 ? ["ann@example.org", `bob${i}@example.org`] : ["ann@example.org"];
    const before = i % 2 === 0 ? ["ann@example.org"] : ["ann@example.org", `bob${i - 1}@example.org`];
    assert.deepEqual([...sends[2 * i]!.to].sort(), before, `m${i}a: the members before the change`);
    assert.deepEqual([...sends[2 * i + 1]!.to].sort(), withBob, `m${i}b: the members after it`);
  }
  assert.deepEqual(
    sends.map((x) => Number(x.subject.split(" ")[0])),
    Array.from({ length: 12 }, (_, i) => base.count + i + 1),
  );
  // The second of each pair went with the first, with the members before the change: its turn ran it again.
  assert.ok(aheadCounts.again - again >= 3, `the guesses made wrong by the change were exercised (${aheadCounts.again - again} of 6)`);
});

test("two lists' messages interleaved turn by turn: each list's runs in its own order from its own state", async () => {
  const base = { a: ((await daemon.state(A)).state as { count: number }).count, b: ((await daemon.state(B)).state as { count: number } | null)?.count ?? 0 };
  const answers = [];
  for (let i = 0; i < 30; i++) {
    answers.push(send(`a${i}`, A), send(`b${i}`, B));
    if (i % 3 === 2) await macrotask();
  }
  for (const a of await Promise.all(answers)) assert.equal(a.code, 250);
  for (const [list, from, tag] of [[A, base.a, "a"], [B, base.b, "b"]] as const) {
    const sends = (await sendsOf(list)).slice(-30);
    assert.deepEqual(sends.map((x) => x.subject), Array.from({ length: 30 }, (_, i) => `${from + i + 1} ${tag}${i}`), list);
    assert.deepEqual((await daemon.state(list)).state, { count: from + 30 });
  }
});
