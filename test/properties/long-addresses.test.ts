/**
 * The property inputs' addresses reach the longest the address rule takes (contract/values.ts): each long address
 * is exactly ADDRESS_MAX units, their local parts go from RFC 5321's 64 to LOCAL_MAX, and the list's longest
 * address still leaves its `-request+tag` form an address. The inputs stay inputs a host would build.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ADDRESS_MAX, canonicalAddress, LOCAL_MAX } from "../../contract/values.js";
import { examples, inputProblems } from "./examples.js";
import { buildInput, listAddress, maxPlan } from "./inputs.js";

const localLength = (a: string): number => a.lastIndexOf("@");

test("long addresses are ADDRESS_MAX units, with local parts from 64 to LOCAL_MAX", () => {
  const ex = examples().find((e) => e.name === "trim140")!;
  const input = buildInput(ex, maxPlan(ex, "message", "astral", { members: 30, state: "empty" }, { recipient: "requestTag" }));
  const members = (input["members"] as { address: string }[]).map((m) => m.address);
  for (const a of members) {
    assert.equal(a.length, ADDRESS_MAX, a);
    assert.equal(canonicalAddress(a), a);
  }
  const locals = new Set(members.map(localLength));
  assert.ok(locals.has(64) && locals.has(LOCAL_MAX) && locals.size >= 3, [...locals].join(" "));
  assert.deepEqual(inputProblems(ex, input), []);
  // The list at its longest on either shape: its `-request+x` form is an address.
  for (const shape of [0, 1]) {
    const list = listAddress(ex, true, shape);
    const at = list.lastIndexOf("@");
    const request = `${list.slice(0, at)}-request+x${list.slice(at)}`;
    assert.equal(request.length, ADDRESS_MAX);
    assert.equal(canonicalAddress(request), request);
  }
  const recipient = (input["message"] as { envelope: { recipient: string } }).envelope.recipient;
  assert.ok(recipient.length <= ADDRESS_MAX && canonicalAddress(recipient) !== undefined, recipient);
});
