/**
 * The worker keeps a chain's answers back to post several at once (runtime/sandbox/worker.ts): the adversary's
 * view. Two lists' chains on one worker each get their own answers; a chained run that goes on until its time
 * limit does not hold back the answers before it; a run that stops the worker (a crash, a built-in that never
 * polls the interrupt handler) does not fail the answers kept back before it: the first run is run again and is
 * the same, the others are answered "not run"; a hostile first run is still stopped, once; and the answers are
 * byte for byte what each run gives alone.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createSandboxPool } from "../../runtime/sandbox/pool.js";
import type { RunAhead, SandboxPool, SandboxResult } from "../../runtime/sandbox/types.js";
import { bundle } from "./harness.js";

// state.seen lists the `x` of every run so far; input.list says whose run it is, and is echoed.
const RULE = bundle(`
  const input = JSON.parse(i);
  if (input.x === "spin") for (;;) {}
  if (input.x === "block") __host_testHang();
  if (input.x === "crash") __host_testCrash();
  const seen = input.state === null ? [] : input.state.seen;
  if (input.x === "same") return JSON.stringify({ actions: [], state: input.state, error: null, gas: { used: 1 } });
  return JSON.stringify({ actions: [{ kind: "send", list: input.list, secret: input.secret }], state: { seen: [...seen, input.list + ":" + input.x] }, error: null, gas: { used: 1 } });
`);

type Ran = { inputJson: string; result: SandboxResult } | undefined;
const input = (list: string, x: string, state: unknown, secret = ""): string => JSON.stringify({ x, list, secret, state, now: 1 });

/** A run of `list` with `xs` chained after it; `at` gets when each answer came (ms since the start). */
function chain(pool: SandboxPool, list: string, first: string, xs: string[], timeLimitMs = 2000, secret = "", at: number[] = []) {
  const t0 = performance.now();
  const got: Promise<Ran>[] = [];
  const ahead: RunAhead[] = xs.map((x, k) => {
    let done!: (r: Ran) => void;
    got.push(new Promise<Ran>((r) => (done = r)));
    return {
      inputJson: input(list, x, { seen: [`${list}:${first}`] }, secret),
      timeLimitMs,
      done: (r) => {
        at[k + 1] = performance.now() - t0;
        done(r);
      },
    };
  });
  const run = pool.run(RULE, "rule", "message", input(list, first, null, secret), undefined, { timeLimitMs, list, ahead }).then((r) => {
    at[0] = performance.now() - t0;
    return r;
  });
  return { first: run, ahead: Promise.all(got) };
}

const out = (r: SandboxResult | undefined): unknown => (r?.ok ? JSON.parse(r.output) : r ? `not ok: ${r.error.code}` : "not run");
/** The states' `seen` of a chained run's answer, or what it was instead. */
function seen(r: Ran): unknown {
  if (!r) return "not run";
  const o = out(r.result);
  return typeof o === "object" && o !== null ? (o as { state: { seen: string[] } }).state.seen : o;
}

test("two lists' chains on one worker: each run's answer is its own, with its own list's input and nothing of the other's", async () => {
  const pool = createSandboxPool({ workers: 1 });
  try {
    const a = chain(pool, "a@example.org", "a0", ["a1", "a2", "a3"], 2000, "secret-of-a");
    const b = chain(pool, "b@example.org", "b0", ["b1", "b2"], 2000, "secret-of-b");
    const [fa, fb, ra, rb] = await Promise.all([a.first, b.first, a.ahead, b.ahead]);
    assert.deepEqual((out(fa) as { actions: unknown[] }).actions, [{ kind: "send", list: "a@example.org", secret: "secret-of-a" }]);
    assert.deepEqual((out(fb) as { actions: unknown[] }).actions, [{ kind: "send", list: "b@example.org", secret: "secret-of-b" }]);
    assert.deepEqual(ra.map(seen), [
      ["a@example.org:a0", "a@example.org:a1"],
      ["a@example.org:a0", "a@example.org:a1", "a@example.org:a2"],
      ["a@example.org:a0", "a@example.org:a1", "a@example.org:a2", "a@example.org:a3"],
    ]);
    assert.deepEqual(rb.map(seen), [["b@example.org:b0", "b@example.org:b1"], ["b@example.org:b0", "b@example.org:b1", "b@example.org:b2"]]);
    for (const r of [...ra, ...rb]) {
      const text = JSON.stringify(r);
      const own = r!.inputJson.includes("secret-of-a") ? "a" : "b";
      assert.ok(!text.includes(own === "a" ? "secret-of-b" : "secret-of-a"), text);
    }
  } finally {
    await pool.close();
  }
});

test("answers kept back are byte for byte what each run gives alone, and an input the worker did not change comes back as the very text sent", async () => {
  const pool = createSandboxPool({ workers: 1 });
  const alone = createSandboxPool({ workers: 1 });
  try {
    const sent = input("a@example.org", "same", { seen: ["a@example.org:a0"] });
    let same: Ran;
    const got: Ran[] = [];
    const xs = ["a1", "é😀\u2028", "__proto__", "a3"];
    const ahead: RunAhead[] = [
      { inputJson: sent, timeLimitMs: 2000, done: (r) => void (same = r) },
      ...xs.map((x): RunAhead => ({ inputJson: input("a@example.org", x, { seen: ["a@example.org:a0"] }), timeLimitMs: 2000, done: (r) => void got.push(r) })),
    ];
    const first = await pool.run(RULE, "rule", "message", input("a@example.org", "a0", null), undefined, { timeLimitMs: 2000, list: "a@example.org", ahead });
    while (got.length < xs.length) await new Promise((r) => setTimeout(r, 5));
    assert.equal(same!.inputJson, sent);
    for (const [k, r] of [[-1, { inputJson: sent, result: same!.result }] as const, ...got.map((r, k) => [k, r] as const)]) {
      const byItself = await alone.run(RULE, "rule", "message", r!.inputJson, undefined, { timeLimitMs: 2000, list: "a@example.org" });
      assert.ok(r!.result.ok && byItself.ok, `run ${k}`);
      assert.equal(r!.result.output, byItself.output);
    }
    assert.ok(first.ok);
    assert.deepEqual(JSON.parse(got.at(-1)!.inputJson).state.seen, ["a@example.org:a0", "a@example.org:a1", "a@example.org:é😀\u2028", "a@example.org:__proto__"]);
  } finally {
    await Promise.all([pool.close(), alone.close()]);
  }
});

test("a chained run that spins until its time limit does not hold back the answers before it", async () => {
  const pool = createSandboxPool({ workers: 1 });
  try {
    const at: number[] = [];
    const c = chain(pool, "a@example.org", "a0", ["a1", "spin", "a3"], 1500, "", at);
    const [first, ahead] = await Promise.all([c.first, c.ahead]);
    assert.ok(first.ok);
    assert.deepEqual(ahead.map((r) => (r ? (r.result.ok ? "ok" : r.result.error.code) : "not run")), ["ok", "TW5004", "not run"]);
    // The spinning run took its 1.5 s; the two answers before it came long before it ended.
    assert.ok(at[2]! >= 1400, `the spin ended at ${at[2]} ms`);
    assert.ok(at[0]! < 700 && at[1]! < 700, `answers before the spin came at ${at[0]} and ${at[1]} ms`);
  } finally {
    await pool.close();
  }
});

test("a chained run that stops the worker does not fail the answers kept back before it; a hostile first run is stopped once", async () => {
  const pool = createSandboxPool({ workers: 1, testHooks: true });
  try {
    // Blocked in a built-in that never polls the interrupt handler: the watchdog replaces the worker.
    let c = chain(pool, "a@example.org", "a0", ["a1", "block", "a3"], 300);
    let [first, ahead] = await Promise.all([c.first, c.ahead]);
    assert.deepEqual(out(first), { actions: [{ kind: "send", list: "a@example.org", secret: "" }], state: { seen: ["a@example.org:a0"] }, error: null, gas: { used: 1 } });
    // a1's answer is either still kept back when the worker is replaced (then "not run": it runs again in its turn) or
    // was posted before the block began (its 2 ms had passed, as on a loaded machine): never failed, never wrong.
    const a1 = seen(ahead[0]);
    assert.ok(a1 === "not run" || JSON.stringify(a1) === JSON.stringify(["a@example.org:a0", "a@example.org:a1"]), `a1: ${JSON.stringify(a1)}`);
    assert.deepEqual(ahead.slice(1).map(seen), ["not run", "not run"]);
    // The worker exits in a chained run.
    c = chain(pool, "b@example.org", "b0", ["crash", "b2"]);
    [first, ahead] = await Promise.all([c.first, c.ahead]);
    assert.deepEqual((out(first) as { state: unknown }).state, { seen: ["b@example.org:b0"] });
    assert.deepEqual(ahead.map(seen), ["not run", "not run"]);
    // The first run itself stops the worker: it fails (not run again and again), and nothing after it runs.
    c = chain(pool, "c@example.org", "crash", ["c1"]);
    [first, ahead] = await Promise.all([c.first, c.ahead]);
    assert.equal(out(first), "not ok: TW5006");
    assert.deepEqual(ahead, [undefined]);
    const t0 = performance.now();
    c = chain(pool, "c@example.org", "block", ["c1"], 300);
    [first, ahead] = await Promise.all([c.first, c.ahead]);
    assert.equal(out(first), "not ok: TW5004");
    assert.ok(performance.now() - t0 < 2500, `stopped after ${performance.now() - t0} ms: once, not twice`);
    // The pool goes on.
    c = chain(pool, "d@example.org", "d0", ["d1"]);
    [first, ahead] = await Promise.all([c.first, c.ahead]);
    assert.ok(first.ok);
    assert.deepEqual(ahead.map(seen), [["d@example.org:d0", "d@example.org:d1"]]);
  } finally {
    await pool.close();
  }
});
