/**
 * encodeInputWith (a trigger's bounds put in without copying the input:
 * runtime/run/run-rule.ts encodeRun) against what it replaced,
 * encodeInput({ ...input, gas, fanout }): the same JSON byte for byte and the
 * same member columns, for inputs as assembleInput makes them (kept members
 * and lists, asked again and again) and for hand-made ones with `gas` or
 * `fanout` of their own, undefined values, records instead of columns, a
 * NUL in a column, `__proto__` keys and keys that are array indices.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { assembleInput, encodeInput, encodeInputWith } from "../../runtime/input/build.js";
import type { MemberJson, RuleLimits } from "../../runtime/input/index.js";

const value = fc.oneof(fc.string(), fc.integer(), fc.constant(undefined), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.string(), { maxKeys: 3 }));
const columns = fc.oneof(
  fc.record({ address: fc.constantFrom("a@b.c", "a@b.c\nd@e.f", "", "a\u0000@b.c"), name: fc.constantFrom("A", "A\nD", ""), role: fc.constant("member"), joined: fc.constant("1") }),
  fc.constant([{ address: "a@b.c", name: "A", role: "member", joined: 1 }]),
  fc.constant(undefined),
);
const key = fc.oneof(fc.constantFrom("gas", "fanout", "now", "tz", "list", "state", "limits", "message", "trace", "__proto__", "0", "12", "members"), fc.string({ maxLength: 6 }));

test("encodeInputWith writes what encodeInput wrote of the input with the bounds spread in, on hand-made inputs", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(key, value), { maxLength: 8 }), columns, fc.boolean(), fc.nat(), fc.nat(), (entries, members, freeze, gas, fanout) => {
      const input: Record<string, unknown> = {};
      for (const [k, v] of entries) Object.defineProperty(input, k, { value: v, enumerable: true, writable: true, configurable: true });
      if (members !== undefined) input["members"] = freeze && typeof members === "object" ? Object.freeze(members) : members;
      const before = encodeInput({ ...input, gas, fanout } as never);
      for (let i = 0; i < 2; i++) assert.deepEqual(encodeInputWith(input as never, gas, fanout), before, JSON.stringify(input));
    }),
    { numRuns: 2000 },
  );
});

test("encodeInputWith on inputs assembleInput makes, the list's members and settings kept across runs", () => {
  const limits: RuleLimits = Object.freeze({ members: Object.freeze({ value: 10, unit: "members" as never }) });
  const members: readonly MemberJson[] = Object.freeze([Object.freeze({ address: "ann@example.org", name: "Ann", role: "owner", joined: 5 }), Object.freeze({ address: "bob@example.org", name: "", role: "member", joined: 6 })]);
  for (const list of [{ address: "list@example.org", name: "List" }, { address: "List@Example.org" }, { address: "other@example.org", name: "" }, { address: "bad" }]) {
    for (let run = 0; run < 3; run++) {
      let input;
      try {
        input = assembleInput({ now: 1_800_000_000_000 + run, members, limits, list, state: run ? { n: run } : null });
      } catch (e) {
        assert.equal(list.address, "bad", String(e));
        continue;
      }
      const before = encodeInput({ ...input, gas: 77, fanout: 3 });
      assert.deepEqual(encodeInputWith(input, 77, 3), before);
      // The same input as members not kept give (thawed copies: nothing is kept of them).
      const thawed = assembleInput({ now: 1_800_000_000_000 + run, members: members.map((m) => ({ ...m })), limits: { ...limits }, list: { ...list }, state: run ? { n: run } : null });
      assert.equal(encodeInputWith(input, 77, 3).inputJson, encodeInput({ ...thawed, gas: 77, fanout: 3 }).inputJson);
      assert.deepEqual(input.list.owners, ["ann@example.org"]);
    }
  }
});
