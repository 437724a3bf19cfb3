/**
 * What runtime/input/build.ts keeps of a members array (its checks, columns
 * and owners, once per frozen array and limits object) must never serve a
 * members list that changed since, nor one checked against other limits:
 * a frozen array whose members can still change, a smaller limit in a new
 * limits object, a limits object that is not frozen.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { assembleInput } from "../../runtime/input/build.js";
import type { RuleLimits } from "../../runtime/input/limits.js";
import type { MemberJson } from "../../contract/input.js";

const limit = (n: number): RuleLimits => ({ members: { value: n, unit: "members" } }) as RuleLimits;
const member = (address: string, role: MemberJson["role"] = "member"): MemberJson => ({ address, name: address.split("@")[0]!, role, joined: 0 });
const refused = (f: () => unknown): boolean => {
  try {
    f();
    return false;
  } catch {
    return true;
  }
};

test("a frozen array of members that can still change is checked again at each input", () => {
  const ann = member("ann@example.org");
  const members = Object.freeze([ann, member("bob@example.org")]);
  const limits = Object.freeze(limit(10));
  assert.equal(assembleInput({ now: 0, members, limits }).members.address, "ann@example.org\nbob@example.org");
  ann.address = "not an address";
  assert.ok(refused(() => assembleInput({ now: 0, members, limits })), "the changed member is checked");
  ann.address = "cat@example.org";
  ann.role = "owner";
  const input = assembleInput({ now: 0, members, limits });
  assert.equal(input.members.address, "cat@example.org\nbob@example.org");
  assert.deepEqual(input.list.owners, ["cat@example.org"]);
});

test("frozen members are checked against each limits object: a smaller limit refuses, a changed unfrozen one too", () => {
  const members = Object.freeze([member("ann@example.org"), member("bob@example.org"), member("cy@example.org")].map((m) => Object.freeze(m)));
  assert.equal(assembleInput({ now: 0, members, limits: Object.freeze(limit(3)) }).members.address.split("\n").length, 3);
  assert.ok(refused(() => assembleInput({ now: 0, members, limits: Object.freeze(limit(2)) })), "a redeploy's smaller limit");
  const open = limit(3);
  assembleInput({ now: 0, members, limits: open });
  (open as Record<string, unknown>)["members"] = { value: 1, unit: "members" };
  assert.ok(refused(() => assembleInput({ now: 0, members, limits: open })), "a limits object changed in place");
});
