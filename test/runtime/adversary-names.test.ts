/**
 * Issue 15's adversary on member names, which stay bounded in UTF-16 units
 * while everything else counts characters (docs/language.md, "Names are the
 * exception": counting characters would double every bound over the
 * members' names). What must hold then is that the three places agree: the
 * input checks refuse a name over 256 units, `members.add` keeps the longest
 * start within 256 units without splitting a character, and what it keeps
 * passes the checks (the next run accepts the member the rule made); and the
 * cut of a name as long as the longest text stays within the call's
 * constant cost. On real QuickJS with a compiled rule.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkList, checkMembers } from "../../runtime/input/limits.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";
import { compileCase, inputOf, TEXT_MAX } from "./gas-cases.js";

const engine = new Engine({ limits: resolveLimits({}), strategy: "reuse", cacheSize: 2 });
const member = (name: string) => ({ address: "a@x.org", name, role: "member" as const, joined: 0 });
const cps = (s: string): number => Array.from(s).length;

test("adversary: the input checks bound a name by 256 UTF-16 units and say that emoji count twice", () => {
  assert.deepEqual(checkMembers([member("🌞".repeat(128))]), []);
  assert.deepEqual(checkMembers([member("n".repeat(256))]), []);
  assert.deepEqual(checkMembers([member("ж".repeat(256))]), [], "a name in the Basic Multilingual Plane: 256 characters");
  assert.match(checkMembers([member("🌞".repeat(129))])[0]!.message, /name is 129 characters long; a name has at most 256 \(characters beyond the Basic Multilingual Plane, such as emoji, count twice\)/);
  assert.match(checkMembers([member("n".repeat(257))])[0]!.message, /name is 257 characters long/);
  assert.deepEqual(checkList({ address: "l@x.org", name: "🌞".repeat(128), owners: [] }), []);
  assert.equal(checkList({ address: "l@x.org", name: "🌞".repeat(129), owners: [] }).length, 1);
});

/** The names members.add recorded for a subject of `name` (the rule adds the sender with the subject, or the text, as its name). */
async function added(name: string, fromText = false): Promise<{ names: string[]; used: number; bound: number }> {
  const cc = compileCase({
    name: `names ${fromText}`,
    limits: `text: ${TEXT_MAX}, subject: 2000, members: 10`,
    pre: `members.add("new@example.org", ${fromText ? "m.text" : "m.subject"})`,
    body: "",
    reps: 1,
    ...(fromText ? { text: name } : { subject: name }),
  });
  assert.ok(cc.bundle, cc.refused?.join("; "));
  const input = inputOf(cc);
  const r = await engine.run(cc.bundle.code.text, cc.case.name, "message", input.inputJson, input.members);
  assert.ok(r.result.ok, JSON.stringify(r.result));
  const out = JSON.parse(r.result.output) as { gas: { used: number }; error: unknown; actions: { kind: string; name?: string }[] };
  assert.equal(out.error, null, JSON.stringify(out.error));
  return { names: out.actions.filter((a) => a.kind === "members.add").map((a) => a.name!), used: out.gas.used, bound: cc.bound };
}

test("adversary: members.add keeps the longest start within 256 units, never half a character, and the host accepts what it kept", async () => {
  const cases: [string, string][] = [
    ["🌞".repeat(300), "🌞".repeat(128)],
    ["🌞".repeat(128), "🌞".repeat(128)],
    ["a".repeat(300), "a".repeat(256)],
    ["a".repeat(255) + "🌞🌞", "a".repeat(255)],
    ["a".repeat(254) + "🌞🌞", "a".repeat(254) + "🌞"],
    ["a" + "🌞".repeat(200), "a" + "🌞".repeat(127)],
  ];
  for (const [given, want] of cases) {
    const { names } = await added(given);
    assert.equal(names.length, 1);
    assert.equal(names[0], want, `${cps(given)} characters given: kept ${cps(names[0]!)}`);
    assert.deepEqual(checkMembers([member(names[0]!)]), [], "the next run accepts the member the rule made");
  }
});

test("adversary: a name as long as the longest text is cut within members.add's constant cost", async () => {
  for (const text of ["a".repeat(TEXT_MAX), "🌞".repeat(TEXT_MAX / 2)]) {
    const { names, used, bound } = await added(text, true);
    assert.equal(names[0]!.length, 256);
    assert.ok(!/[\ud800-\udbff]$/.test(names[0]!), "no half of a pair kept");
    assert.ok(used <= bound, `used ${used} over ${bound}`);
  }
});
