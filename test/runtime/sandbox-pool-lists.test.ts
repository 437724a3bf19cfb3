/**
 * The pool serving many lists: contexts per bundle and memory limit, each
 * list's members kept by version (sent to a worker only when it lacks that
 * version), each run's memory limit its own.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSandboxPool, type MemberColumns, type SandboxPool } from "../../runtime/sandbox/index.js";
import { assertFails, assertOk, bundle } from "./harness.js";

/** Returns the members' addresses it was given. */
const MEMBERS = "function __thwonk_run(t, i, m) { return JSON.stringify(m ? m.col('address') : null); }\n";
/** Holds about `i.mb` MiB of strings at once. */
const HOG = bundle("const n = JSON.parse(i).mb; const a = []; for (let k = 0; k < n; k++) a.push('x'.repeat(1 << 20) + k); return String(a.length);");

const cols = (...addresses: string[]): MemberColumns => ({
  address: addresses.join("\n"),
  name: addresses.map((_, k) => `N${k}`).join("\n"),
  role: addresses.map(() => "member").join("\n"),
  joined: addresses.map(() => "0").join("\n"),
});

async function withPool<T>(pool: SandboxPool, body: (pool: SandboxPool) => Promise<T>): Promise<T> {
  try {
    return await body(pool);
  } finally {
    await pool.close();
  }
}

const seen = async (pool: SandboxPool, list: string, version: number, members: MemberColumns): Promise<unknown> =>
  JSON.parse(assertOk(await pool.run(MEMBERS, "members", "message", "{}", members, { list, membersVersion: version })));

test("one bundle at many lists: each run gets its own list's members, by version", async () => {
  await withPool(createSandboxPool({ workers: 1 }), async (pool) => {
    assert.deepEqual(await seen(pool, "a@x", 1, cols("a1@x", "a2@x")), ["a1@x", "a2@x"]);
    assert.deepEqual(await seen(pool, "b@x", 7, cols("b1@x")), ["b1@x"]);
    assert.deepEqual(await seen(pool, "a@x", 1, cols("a1@x", "a2@x")), ["a1@x", "a2@x"], "a's members kept beside b's");
    // A new version is sent and used.
    assert.deepEqual(await seen(pool, "a@x", 2, cols("a3@x")), ["a3@x"]);
    // The same version is trusted, not compared: members given under a version the worker has are not sent again.
    // (The store bumps the version on every change, so this never happens in the daemon; here it shows what was shipped.)
    assert.deepEqual(await seen(pool, "a@x", 2, cols("other@x")), ["a3@x"]);
    assert.deepEqual(await seen(pool, "b@x", 7, cols("other@x")), ["b1@x"]);
  });
});

test("a worker that dropped a list's context gets the members again", async () => {
  await withPool(createSandboxPool({ workers: 1 }), async (pool) => {
    assert.deepEqual(await seen(pool, "a@x", 1, cols("a1@x")), ["a1@x"]);
    // A failed run of the same bundle drops its context, and the members kept in it.
    assertFails(await pool.run(MEMBERS.replace("return", "null.x; return"), "members", "message", "{}", cols("a1@x"), { list: "a@x", membersVersion: 1 }), "TW5005");
    assert.deepEqual(await seen(pool, "a@x", 1, cols("a1@x")), ["a1@x"]);
  });
});

test("runs without members columns (members in the input JSON) need none, with a list and version", async () => {
  await withPool(createSandboxPool({ workers: 1 }), async (pool) => {
    for (let n = 0; n < 3; n++) {
      assert.equal(JSON.parse(assertOk(await pool.run(MEMBERS, "members", "message", "{}", undefined, { list: "a@x", membersVersion: 1 }))), null);
    }
  });
});

test("each run's memory limit is its own, in one pool", async () => {
  // The pool's own limit is the largest; a run that declares less gets less.
  await withPool(createSandboxPool({ workers: 1, memoryLimitBytes: 64 << 20, timeLimitMs: 10_000 }), async (pool) => {
    const small = { memoryLimitBytes: 4 << 20 };
    assert.equal(assertOk(await pool.run(HOG, "hog", "message", '{"mb":12}', undefined, {})), "12");
    assertFails(await pool.run(HOG, "hog", "message", '{"mb":12}', undefined, small), "TW5002");
    // The large limit's context is still there and still large; the small one's still small.
    assert.equal(assertOk(await pool.run(HOG, "hog", "message", '{"mb":12}', undefined, { memoryLimitBytes: 64 << 20 })), "12");
    assertFails(await pool.run(HOG, "hog", "message", '{"mb":12}', undefined, small), "TW5002");
    assert.equal(assertOk(await pool.run(HOG, "hog", "message", '{"mb":1}', undefined, small)), "1");
  });
});

test("lists run in parallel on several workers each get their own members", async () => {
  await withPool(createSandboxPool({ workers: 2 }), async (pool) => {
    const runs = Array.from({ length: 60 }, (_, n) => {
      const list = `l${n % 6}@x`;
      return seen(pool, list, n % 6, cols(`m${n % 6}@x`)).then((got) => assert.deepEqual(got, [`m${n % 6}@x`], list));
    });
    await Promise.all(runs);
  });
});
