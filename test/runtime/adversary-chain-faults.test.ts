/**
 * Chains whose answers the worker keeps back (runtime/sandbox/worker.ts), attacked with faults at every place of
 * a chain: two lists' chains interleaved on one worker, each run of a chain one of: a plain run, a run whose output
 * is megabytes, a run that spins until its own (short) time limit, one that runs out of memory, one that throws,
 * one that kills the worker. Whatever happens, every answer given is the very answer the run gives alone, from the
 * state the runs before it left (never a second, different answer; never a run's answer for another's input); the
 * first run of a chain that a later run killed is answered once, as it would be alone; chained runs after a
 * failure are "not run"; and runs before a fault are never lost unless a kill took them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { createSandboxPool } from "../../runtime/sandbox/pool.js";
import type { RunAhead, SandboxPool, SandboxResult } from "../../runtime/sandbox/types.js";
import { bundle } from "./harness.js";

const BIG = 6 * 1024 * 1024;
const RULE = bundle(`
  const input = JSON.parse(i);
  const x = input.x;
  if (x === "spin") for (;;) {}
  if (x === "crash") __host_testCrash();
  if (x === "block") __host_testHang();
  if (x === "throw") throw new Error("thrown by " + input.list);
  if (x === "oom") { const a = []; for (;;) a.push("m".repeat(1 << 16) + a.length); }
  const seen = input.state === null ? [] : input.state.seen;
  const pad = x === "big" ? "y".repeat(${BIG}) : "";
  return JSON.stringify({ actions: [{ kind: "send", list: input.list, x, pad }], state: { seen: [...seen, x] }, error: null, gas: { used: 1 } });
`);

type Op = "ok" | "big" | "spin" | "crash" | "oom" | "throw";
const LONG = 5000;
// Long enough that "before the spin had run half of it" survives a loaded machine's scheduling; far from LONG.
const SPIN = 1000;
const limitOf = (op: Op): number => (op === "spin" ? SPIN : LONG);
const input = (list: string, x: string, state: unknown): string => JSON.stringify({ x, list, state, now: 1 });

type Given = { inputJson: string; result: SandboxResult } | undefined;
interface Chain {
  list: string;
  ops: Op[];
  first: Promise<SandboxResult>;
  /** Each chained run's answer, and how many times done() was called for it. */
  ahead: Promise<Given>[];
  calls: number[];
  at: number[];
}

function start(pool: SandboxPool, list: string, ops: Op[]): Chain {
  const t0 = performance.now();
  const calls = ops.slice(1).map(() => 0);
  const at: number[] = [];
  const ahead: Promise<Given>[] = [];
  const runs: RunAhead[] = ops.slice(1).map((x, k) => {
    let done!: (r: Given) => void;
    ahead.push(new Promise<Given>((r) => (done = r)));
    // The state sent is a guess (the worker puts in the one the run before left).
    return { inputJson: input(list, x, { seen: ["guess"] }), timeLimitMs: limitOf(x), done: (r) => ((calls[k]! += 1), (at[k + 1] = performance.now() - t0), done(r)) };
  });
  const first = pool.run(RULE, "rule", "message", input(list, ops[0]!, null), undefined, { timeLimitMs: limitOf(ops[0]!), list, ahead: runs }).then((r) => {
    at[0] = performance.now() - t0;
    return r;
  });
  return { list, ops, first, ahead, calls, at };
}

const failsAs: Partial<Record<Op, string>> = { spin: "TW5004", crash: "TW5006" };

/** Checks one chain against running each of its runs alone on `alone`. */
async function check(c: Chain, alone: SandboxPool): Promise<void> {
  const first = await c.first;
  const given = await Promise.all(c.ahead);
  await new Promise((r) => setTimeout(r, 20)); // a second done() would come here
  assert.deepEqual(c.calls, c.ahead.map(() => 1), `${c.list} ${c.ops}: each chained run answered exactly once`);
  const byItself = await alone.run(RULE, "rule", "message", input(c.list, c.ops[0]!, null), undefined, { timeLimitMs: limitOf(c.ops[0]!), list: c.list });
  same(first, byItself, `${c.list} ${c.ops} first`);
  if (failsAs[c.ops[0]!]) assert.equal(!first.ok && first.error.code, failsAs[c.ops[0]!]);
  let state: unknown = first.ok ? JSON.parse(first.output).state : undefined;
  // Once a run failed or the worker died, no later run of the chain may be answered.
  let over = !first.ok;
  const crashAt = c.ops.indexOf("crash", 1);
  for (let k = 0; k < given.length; k++) {
    const op = c.ops[k + 1]!;
    const g = given[k];
    const where = `${c.list} ${c.ops} run ${k + 1} (${op})`;
    if (over || (crashAt > 0 && k + 1 >= crashAt)) {
      assert.equal(g, undefined, `${where}: not run`);
      continue;
    }
    // Before a kill, an answer kept back may die with the worker; without one, every run up to a failure answers.
    if (g === undefined) {
      assert.ok(crashAt > 0, `${where}: not answered, and no run killed the worker`);
      over = true;
      continue;
    }
    assert.deepEqual(JSON.parse(g.inputJson).state, state, `${where}: ran from the state the run before left`);
    assert.equal(JSON.parse(g.inputJson).list, c.list, `${where}: its own list's input`);
    same(g.result, await alone.run(RULE, "rule", "message", g.inputJson, undefined, { timeLimitMs: limitOf(op), list: c.list }), where);
    if (op === "spin") assert.ok(g.result.wallMs < (SPIN + LONG) / 2 + 500, `${where}: stopped at its own limit, after ${g.result.wallMs} ms`);
    if (!g.result.ok) over = true;
    else state = JSON.parse(g.result.output).state;
  }
}

function same(r: SandboxResult, alone: SandboxResult, where: string): void {
  if (alone.ok) {
    assert.ok(r.ok, `${where}: ${JSON.stringify(r).slice(0, 300)}`);
    assert.equal(r.output.length, alone.output.length, where);
    assert.ok(r.output === alone.output, `${where}: the output differs from the run's alone`);
  } else assert.equal(!r.ok && r.error.code, alone.error.code, `${where}: ${JSON.stringify(r).slice(0, 300)}`);
}

const op = fc.constantFrom<Op>("ok", "ok", "ok", "ok", "big", "spin", "crash", "oom", "throw");
const chainOps = fc.tuple(fc.constantFrom<Op>("ok", "ok", "ok", "big", "crash", "throw"), fc.array(op, { minLength: 1, maxLength: 5 })).map(([f, xs]) => [f, ...xs]);

test("faults at every place of two lists' interleaved chains on one worker: every answer is the run's own, once", async () => {
  const pool = createSandboxPool({ workers: 1, testHooks: true });
  const alone = createSandboxPool({ workers: 1, testHooks: true });
  try {
    await fc.assert(
      fc.asyncProperty(chainOps, chainOps, chainOps, async (a, b, a2) => {
        // a and b interleaved on the one worker; a2 is list a's next chain, queued behind b.
        const chains = [start(pool, "a@example.org", a), start(pool, "b@example.org", b), start(pool, "a@example.org", a2)];
        for (const c of chains) await check(c, alone);
      }),
      { numRuns: 14, seed: 4242, endOnFailure: true },
    );
  } finally {
    await Promise.all([pool.close(), alone.close()]);
  }
});

test("a chained run is stopped at its own limit, not the first run's; the answers before it do not wait for it", async () => {
  const pool = createSandboxPool({ workers: 1, testHooks: true });
  try {
    for (const ops of [["ok", "ok", "spin", "ok"], ["big", "big", "spin"], ["ok", "spin"]] as Op[][]) {
      const c = start(pool, "a@example.org", ops);
      const [first, given] = await Promise.all([c.first, Promise.all(c.ahead)]);
      assert.ok(first.ok);
      const s = ops.indexOf("spin");
      const spun = given[s - 1]!;
      assert.equal(!spun.result.ok && spun.result.error.code, "TW5004");
      // The first run's limit is 5 s; the spin's own is SPIN.
      assert.ok(c.at[s]! < (SPIN + LONG) / 2 + 500, `${ops}: the spin ended at ${c.at[s]} ms`);
      // Every answer before the spin came before the spin had run half its limit: kept back 2 ms at most, not for it.
      for (let k = 0; k < s; k++) assert.ok(c.at[k]! < c.at[s]! - SPIN / 2, `${ops}: answer ${k} at ${c.at[k]} ms, the spin's at ${c.at[s]} ms`);
      for (const g of given.slice(s)) assert.ok(g === undefined || g === spun);
    }
  } finally {
    await pool.close();
  }
});

test("a chained run that hangs in a built-in (never polling) is stopped by the watchdog of its own limit, not the first run's", async () => {
  const pool = createSandboxPool({ workers: 1, testHooks: true });
  try {
    // The first run's limit is 5 s (its watchdog 10 s), the hanging chained run's 100 ms (its watchdog 1.1 s).
    const t0 = performance.now();
    let doneAt = 0;
    let given: Given | "unanswered" = "unanswered";
    const ahead: RunAhead[] = [{ inputJson: input("a@example.org", "block", null), timeLimitMs: 100, done: (r) => ((given = r), (doneAt = performance.now() - t0)) }];
    const first = await pool.run(RULE, "rule", "message", input("a@example.org", "ok", null), undefined, { timeLimitMs: LONG, list: "a@example.org", ahead });
    const firstAt = performance.now() - t0;
    assert.ok(first.ok);
    assert.deepEqual(JSON.parse(first.output).state, { seen: ["ok"] });
    assert.equal(given, undefined, "the hanging run is answered not run");
    // The worker was stopped within two of the chained run's watchdog periods, not at the first run's (10 s).
    assert.ok(doneAt < 4000 && firstAt < 4500, `the chain was stopped at ${Math.round(doneAt)} ms, the first run answered at ${Math.round(firstAt)} ms`);
    // The pool goes on.
    const c = start(pool, "b@example.org", ["ok", "ok"]);
    assert.ok((await c.first).ok);
    assert.deepEqual(JSON.parse((await c.ahead[0])!.inputJson).state, { seen: ["ok"] });
  } finally {
    await pool.close();
  }
});
