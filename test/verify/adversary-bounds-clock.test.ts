/**
 * The adversary of the bounds, on the clock: gas bounds time only if each
 * unit of gas buys about the same work. `List.contains` was charged 2 an
 * element whatever the elements: on a list of strings each comparison
 * walks the shorter string (two equal-length texts differing at their
 * end), so 1,000 names for a text of 100,000 emoji (the same string pushed,
 * no copy, 2 gas each) searched once per member, 1,000 times, ran 102 s
 * where the time limit of its bound was 52 s: every run stopped by the
 * clock (TW5004). Now each element's comparison is charged as `==` is
 * (over the shorter length, a gas per 16 units), so the bound is the work;
 * at those limits the rule is over any budget. Real compiler, real QuickJS;
 * gas compared, never time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/emit/bundle.js";
import { emitRule } from "../../compiler/emit/emitter.js";
import { checkSources } from "../../compiler/program.js";
import { runOnce } from "../../runtime/sandbox/index.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { ruleErrorWords as WORDS } from "../helpers/run-input.js";

const rule = (members: number) => `rule t
limits { members: ${members}, text: 100000, budget: 100000000, memory: 512 * 1024 * 1024 }
on message(m: Message) {
  var xs: List<string> = []
  for _i in members {
    xs.push(m.text)
  }
  let x = m.text.slice(0, -1) + "😃"
  var n = 0
  for _j in members {
    if xs.contains(x) {
      n += 1
    }
  }
  log("{n}")
}
`;

test("the clock's case, 1,000 members: refused, the comparisons over any budget", () => {
  const r = compileSource("t.thwonk", rule(1000));
  assert.equal(r.bundle, undefined);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), ["TW3001"]);
});

test("30 members × 30 searches of a text of 100,000 emoji: the run is charged for every unit compared, within its bound", async () => {
  const r = compileSource("t.thwonk", rule(30));
  assert.ok(r.bundle, r.diagnostics.map((d) => d.message).join("\n"));
  const members = Array.from({ length: 30 }, (_, i) => ({ address: `m${i}@example.org`, name: "M", role: "member", joined: 0 }));
  const input = {
    now: Date.UTC(2026, 10, 25, 12), tz: [], list: { address: "news@example.org", name: "News", owners: [] }, members, state: null,
    limits: Object.fromEntries(Object.entries(r.bundle.manifest.limits).map(([k, l]) => [k, l.value])),
    message: {
      from: "m0@example.org", to: [], cc: [], subject: "h", text: "😀".repeat(100_000), html: null, headers: [["From", "m0@example.org"]], attachments: [], date: null,
      messageId: "m1@example.org", envelope: { sender: "m0@example.org", recipient: "news@example.org", isRequest: false, tag: null },
    },
  };
  const run = await runBundle(r.bundle, { trigger: "message", input }, WORDS);
  assert.equal(run.error, null, `${run.error?.code} ${run.error?.message}`);
  // 30 searches, each comparing 30 elements over 200,000 UTF-16 units, a gas per 16.
  const compared = (30 * 30 * 200_000) / 16;
  assert.ok(run.gas.used >= compared, `used ${run.gas.used} gas for ${compared * 16} units compared`);
  assert.ok(run.gas.used <= run.gas.bound, `used ${run.gas.used} > bound ${run.gas.bound}`);
});

/*
 * A write into a state string counted its characters (a regular expression's replace over the string) whenever its
 * UTF-16 length was over the max: work no gas paid for. `state.s = t` once per member, `t` 100,000 emoji into
 * `string max 100000`, 1,000 members: 3.7 s where the bound's time limit was under 2 s. A string within twice its max
 * in units is now left to the run's last check, which counts once per run (a verified rule never writes over a
 * bound, and the units its costs assume hold at the write). What shows it without a clock: a write of 4 characters
 * into `string max 3` (refused by check; emitted here without it) is stopped by the last check, not at the write.
 */
test("a write into a state string does not count its characters when it is within twice its max in UTF-16 units", async () => {
  const src = `rule s\nstate { s: string max 3 = "" }\non message(m: Message) {\n  state.s = m.subject\n}\n`;
  const unit = checkSources([{ fileName: "t.thwonk", text: src }]).units[0]!;
  const code = emitRule(unit.rule, unit.check.model).code;
  const run = async (subject: string) => {
    const input = {
      gas: 1e9, fanout: 100, now: Date.UTC(2026, 10, 25, 12), tz: [], list: { address: "news@example.org", name: "News", owners: [] }, members: [], state: null,
      limits: { members: 3, logs: 3, page: 20 },
      message: {
        from: "ann@example.org", to: [], cc: [], subject, text: "x", html: null, headers: [["From", "ann@example.org"]], attachments: [], date: null,
        messageId: "m1@example.org", envelope: { sender: "ann@example.org", recipient: "news@example.org", isRequest: false, tag: null },
      },
    };
    const r = await runOnce(code, "message", JSON.stringify(input));
    assert.ok(r.ok, JSON.stringify(r));
    return JSON.parse(r.output) as { error: { code: string; args: unknown[]; line: number } | null; state: unknown };
  };
  const fits = await run("😀😀😀");
  assert.deepEqual([fits.error, fits.state], [null, { s: "😀😀😀" }]);
  const within = await run("abcd");
  assert.deepEqual([within.error?.code, within.error?.args, within.error?.line], ["TW5012", ["s", 3, 4], 0]);
  const atWrite = await run("abcdefg");
  assert.deepEqual([atWrite.error?.code, atWrite.error?.args, atWrite.error?.line], ["TW5012", ["s", 3, 7], 4]);
});
