/**
 * The engine's context strategies: what is compiled and created per run,
 * and what the reuse cache keeps.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../runtime/sandbox/engine.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";
import { assertEcho, assertOk, bundle, ECHO } from "./harness.js";

test("with the reuse strategy the bundle is compiled once and its context really is reused", async () => {
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  for (let n = 0; n < 5; n++) assertEcho((await engine.run(ECHO, "echo", "message", `{"n":${n}}`)).result, n);
  assert.deepEqual(engine.stats, { instances: 1, loads: 1, preludes: 0, members: 0 });
  // A failed run drops the context; the next run loads the bundle anew.
  await engine.run(ECHO, "echo", "message", "not json");
  assertEcho((await engine.run(ECHO, "echo", "message", '{"n":9}')).result, 9);
  assert.deepEqual(engine.stats, { instances: 2, loads: 2, preludes: 0, members: 0 });
  // The same codeId with other code is not served the old code.
  assertOk((await engine.run(bundle("return '\"other\"';"), "echo", "message", "{}")).result);
  assert.equal(engine.stats.loads, 3);
});

test("with the fresh strategy each run gets a new context on the same engine instance", async () => {
  const engine = new Engine({ limits: resolveLimits(), strategy: "fresh" });
  for (let n = 0; n < 3; n++) assertEcho((await engine.run(ECHO, "echo", "message", `{"n":${n}}`)).result, n);
  assert.deepEqual(engine.stats, { instances: 1, loads: 3, preludes: 0, members: 0 });
});

test("the reuse cache keeps the most recently used bundles, up to its count", async () => {
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse", cacheSize: 2 });
  const ids = ["a", "b", "c", "a", "c", "b"];
  for (const id of ids) assertEcho((await engine.run(ECHO, id, "message", '{"n":1}')).result, 1);
  // a, b, c load; a again (evicted by c) loads; c is still there; b (evicted by a) loads.
  assert.equal(engine.stats.loads, 5);
});

test("the reuse cache drops bundles whose engines' memory exceeds its byte budget", async () => {
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse", cacheBytes: 1 });
  for (let n = 0; n < 3; n++) assertEcho((await engine.run(ECHO, "echo", "message", `{"n":${n}}`)).result, n);
  assert.equal(engine.stats.loads, 3);
});
