/**
 * The adversary of the run-time state bound checks (TW5012, compiler/emit/state.ts boundsOf) for fields whose names
 * are JavaScript's own (`__proto__`): a write over a `max` must be stopped there as anywhere, or the run commits
 * state that every later run refuses to load (TW5070) and the list is wedged. The rule is emitted from the checker's
 * model and run on real QuickJS whatever the static checks say, as test/runtime/state-bounds.test.ts does.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources } from "../../compiler/program.js";
import { emitRule } from "../../compiler/emit/emitter.js";
import { runOnce } from "../../runtime/sandbox/index.js";
import { assertOk } from "../runtime/harness.js";

function code(src: string): string {
  const r = checkSources([{ fileName: "t.thwonk", text: src }]);
  const unit = r.units[0];
  assert.ok(unit, "a rule");
  return emitRule(unit.rule, unit.check.model).code;
}

async function run(src: string, subject: string): Promise<{ error: { code: string; args: unknown[] } | null; state: unknown }> {
  const input = {
    gas: 1e9, fanout: 100, now: Date.UTC(2026, 10, 25, 12), tz: [],
    list: { address: "news@example.org", name: "News", owners: [] }, members: [], state: null,
    limits: { members: 3, logs: 3, page: 20 },
    message: {
      from: "ann@example.org", to: ["news@example.org"], cc: [], subject, text: "Some text", html: null,
      headers: [["From", "ann@example.org"]], attachments: [], date: null, messageId: "m1@example.org",
      envelope: { sender: "ann@example.org", recipient: "news@example.org", isRequest: false, tag: null },
    },
  };
  return JSON.parse(assertOk(await runOnce(code(src), "message", JSON.stringify(input))));
}

test("a write over the max of a record field named __proto__ is stopped (TW5012), nothing kept", async () => {
  const src = 'rule s\nstate { r: { __proto__: string max 3, b: string max 3 } = { __proto__: "", b: "" } }\non message(m: Message) {\n  state.r.__proto__ = m.subject\n}\n';
  const r = await run(src, "abcdef");
  assert.equal(r.error?.code, "TW5012", JSON.stringify(r));
  assert.deepEqual(r.error!.args, ["r.__proto__", 3, 6]);
  assert.equal(r.state, null);
});
