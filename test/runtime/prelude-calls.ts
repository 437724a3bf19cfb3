/**
 * Calling the prelude's own functions on real QuickJS, many calls in one
 * run: the real prelude, then a hand-written `__thwonk_run` that applies
 * each call and returns the results. For property tests that need hundreds
 * of calls (a context per call would be slow), with the strings going in and
 * out as JSON (lone surrogates too: JSON.stringify escapes them).
 */
import assert from "node:assert/strict";
import { PRELUDE } from "../../contract/index.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";

/** A call: the prelude function's name and its arguments. */
export type PreludeCall = [string, ...unknown[]];

/** The functions the tests call (the prelude's bindings are script constants, not properties of the global object). */
const NAMES = ["G$string$length", "string$slice", "string$truncate", "string$indexOf", "string$split", "string$replace", "string$contains", "string$startsWith", "string$endsWith", "string$matches", "string$toInt", "__cpLen"];

const CODE = `${PRELUDE}
var __calls = { ${NAMES.map((n) => `${JSON.stringify(n)}: ${n}`).join(", ")} };
function __thwonk_run(t, i) {
  var calls = JSON.parse(i), out = [];
  for (var k = 0; k < calls.length; k++) {
    var c = calls[k], f = __calls[c[0]];
    try { out.push({ v: f.apply(null, c.slice(1)) }); } catch (e) { out.push({ error: String(e && e.message || e) }); }
  }
  return JSON.stringify(out);
}
`;

const engine = new Engine({ limits: resolveLimits({}), strategy: "reuse" });

/** Each call's result, in order; a call that throws fails the test with its message. */
export async function preludeCalls(calls: PreludeCall[]): Promise<unknown[]> {
  const r = await engine.run(CODE, "prelude-calls", "message", JSON.stringify(calls));
  assert.ok(r.result.ok, JSON.stringify(r.result));
  const out = JSON.parse(r.result.output) as { v?: unknown; error?: string }[];
  return out.map((x, i) => {
    assert.equal(x.error, undefined, `${JSON.stringify(calls[i])} threw ${x.error}`);
    return x.v === undefined ? null : x.v;
  });
}
