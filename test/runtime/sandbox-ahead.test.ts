/**
 * Runs chained in one worker (RunLimits.ahead, runtime/sandbox/chain.ts):
 * each starts from the state the one before left, a failed run leaves the
 * state as it was, a change of members, a run over its time limit or a
 * worker that dies ends the chain (the rest answered "not run"), and the
 * pool goes on after each.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createSandboxPool } from "../../runtime/sandbox/pool.js";
import type { RunAhead, SandboxResult } from "../../runtime/sandbox/types.js";
import { bundle } from "./harness.js";

// A rule's shape: state.n counts the runs; input.x says what this run does.
const COUNT = bundle(`
  const input = JSON.parse(i);
  const n = input.state === null ? 0 : input.state.n;
  if (input.x === "fail") return JSON.stringify({ actions: [], state: { n: -1 }, error: { code: "TW5020" }, gas: { used: 1 } });
  if (input.x === "hang") for (;;) {}
  if (input.x === "crash") __host_testCrash();
  const actions = input.x === "join" ? [{ kind: "members.add", address: "new@example.org" }] : [{ kind: "send", n: n + 1 }];
  return JSON.stringify({ actions, state: { n: n + 1, x: input.x }, error: null, gas: { used: 1 } });
`);

type Ran = { inputJson: string; result: SandboxResult } | undefined;

/** Runs `first`, then `xs` ahead of it, all built from the first run's state; resolves with each done. */
async function chain(pool: ReturnType<typeof createSandboxPool>, xs: string[], timeLimitMs = 2000): Promise<{ first: SandboxResult; ahead: Ran[] }> {
  const got: Promise<Ran>[] = [];
  const ahead: RunAhead[] = xs.map((x) => {
    let done!: (r: Ran) => void;
    got.push(new Promise<Ran>((r) => (done = r)));
    return { inputJson: JSON.stringify({ x, state: { n: 0, x: "first" }, now: 1 }), timeLimitMs, done };
  });
  const first = await pool.run(COUNT, "count", "message", JSON.stringify({ x: "first", state: null, now: 1 }), undefined, { timeLimitMs, list: "l@example.org", ahead });
  return { first, ahead: await Promise.all(got) };
}

const stateOut = (r: Ran): unknown => (r?.result.ok ? JSON.parse(r.result.output).state : r ? `not ok: ${r.result.ok ? "" : r.result.error.code}` : "not run");
const stateIn = (r: Ran): unknown => (r ? JSON.parse(r.inputJson).state : "not run");

test("chained runs: each from the state the one before left; a failed run leaves it; the input otherwise as built", async () => {
  const pool = createSandboxPool({ workers: 1 });
  try {
    assert.equal(pool.runsAhead, true);
    const { first, ahead } = await chain(pool, ["a", "fail", "b", "c"]);
    assert.ok(first.ok);
    assert.deepEqual(JSON.parse(first.output).state, { n: 1, x: "first" });
    assert.deepEqual(ahead.map(stateIn), [{ n: 1, x: "first" }, { n: 2, x: "a" }, { n: 2, x: "a" }, { n: 3, x: "b" }]);
    assert.deepEqual(ahead.map(stateOut), [{ n: 2, x: "a" }, { n: -1 }, { n: 3, x: "b" }, { n: 4, x: "c" }]);
    // Only the state is replaced: key order and the other fields as the host wrote them.
    assert.equal(ahead[0]!.inputJson, JSON.stringify({ x: "a", state: { n: 1, x: "first" }, now: 1 }));
  } finally {
    await pool.close();
  }
});

test("chained runs stop after a change of members, after a run over its time limit, and when the worker dies; the pool goes on", async () => {
  const pool = createSandboxPool({ workers: 1, testHooks: true });
  try {
    let r = await chain(pool, ["a", "join", "b"]);
    assert.deepEqual(r.ahead.map(stateOut), [{ n: 2, x: "a" }, { n: 3, x: "join" }, "not run"]);
    r = await chain(pool, ["hang", "b"], 300);
    assert.equal(stateOut(r.ahead[0]), "not ok: TW5004");
    assert.equal(stateOut(r.ahead[1]), "not run");
    r = await chain(pool, ["a", "crash", "b"]);
    // The answers kept back to go in one post (worker.ts) die with the worker: "a" ran, but is answered "not run"
    // (its turn runs it), unless the first run and "a" took over the 2 ms the worker keeps answers back, so they
    // were posted before the crash (a loaded machine): then "a" has its own answer. Either way the first run is ok
    // (run again alone if its answer died), and nothing from the crash on is answered.
    assert.ok(r.first.ok);
    assert.deepEqual(JSON.parse(r.first.output).state, { n: 1, x: "first" });
    const a = stateOut(r.ahead[0]);
    if (a !== "not run") assert.deepEqual(a, { n: 2, x: "a" });
    assert.deepEqual(r.ahead.slice(1).map(stateOut), ["not run", "not run"]);
    // A first run that is not ok runs nothing after it.
    const after: Ran[] = [];
    const bad = await pool.run(COUNT, "count", "message", JSON.stringify({ x: "hang", state: null }), undefined, {
      timeLimitMs: 300,
      ahead: [{ inputJson: "{}", timeLimitMs: 1000, done: (x) => void after.push(x) }],
    });
    assert.equal(bad.ok, false);
    assert.deepEqual(after, [undefined]);
    r = await chain(pool, ["a"]);
    assert.deepEqual(r.ahead.map(stateOut), [{ n: 2, x: "a" }]);
  } finally {
    await pool.close();
  }
});

test("a closed pool answers every run asked ahead: not run", async () => {
  const pool = createSandboxPool({ workers: 1 });
  await pool.close();
  const { first, ahead } = await chain(pool, ["a", "b"]);
  assert.equal(first.ok, false);
  assert.deepEqual(ahead, [undefined, undefined]);
});

test("the chain's last answer frees the worker: a run asked from it goes on at once, and chains keep their states", async () => {
  const pool = createSandboxPool({ workers: 1 });
  try {
    let next: Promise<SandboxResult> | undefined;
    const got: Ran[] = [];
    const mk = (x: string, done: (r: Ran) => void): RunAhead => ({ inputJson: JSON.stringify({ x, state: null, now: 1 }), timeLimitMs: 2000, done });
    const first = await pool.run(COUNT, "count", "message", JSON.stringify({ x: "first", state: null, now: 1 }), undefined, {
      timeLimitMs: 2000,
      list: "l@example.org",
      ahead: [
        mk("a", (r) => void got.push(r)),
        mk("b", (r) => {
          got.push(r);
          // Asked while the last answer is handled: the worker is free (no chainDone to wait for).
          next = pool.run(COUNT, "count", "message", JSON.stringify({ x: "again", state: { n: 10 }, now: 1 }), undefined, { timeLimitMs: 2000, list: "l@example.org" });
        }),
      ],
    });
    assert.ok(first.ok);
    while (!next) await new Promise((r) => setTimeout(r, 5));
    const again = await next;
    assert.deepEqual(got.map(stateOut), [{ n: 2, x: "a" }, { n: 3, x: "b" }]);
    assert.ok(again.ok);
    assert.deepEqual(JSON.parse(again.output).state, { n: 11, x: "again" });
  } finally {
    await pool.close();
  }
});
