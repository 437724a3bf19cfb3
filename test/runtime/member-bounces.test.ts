/**
 * `Member.bounces` through the real input and sandbox: the counts go in a
 * fifth members column (only when some member has one), a reused context
 * sees a change of counts alone (the members are compared in full, or by
 * the store's version), a member added in the run has 0, and members given
 * without counts read 0.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/index.js";
import type { MemberJson } from "../../contract/index.js";
import { memberColumns } from "../../runtime/input/build.js";
import { bundleInput } from "../../runtime/run/input.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { createSandboxPool } from "../../runtime/sandbox/index.js";
import { ruleErrorWords } from "../helpers/run-input.js";

const SOURCE = `rule counts

limits { members: 50 }

every day at 03:00 {
  members.add("new@example.org")
  var seen: List<string> = []
  for member in members {
    seen.push("{member.address}={member.bounces}")
  }
  let g = members.get("bob@example.org")
  if g != none {
    log("bob has {g.bounces}")
  }
  log(seen.join(","))
}
`;

const bundle = compileSource("counts.thwonk", SOURCE).bundle!;
const TRIGGER = "every day at 03:00";
const at = Date.UTC(2026, 10, 25, 3);
const member = (address: string, bounces?: number): MemberJson => ({ address, name: "", role: "member", joined: 0, ...(bounces !== undefined ? { bounces } : {}) });

test("members' bounce counts: a fifth column only when some member has one", () => {
  assert.ok(bundle, "the rule compiles");
  assert.equal(memberColumns([member("a@example.org"), member("b@example.org", 0)]).bounces, undefined);
  assert.equal(memberColumns([member("a@example.org"), member("b@example.org", 3)]).bounces, "0\n3");
});

test("a rule reads each member's count, in a reused context that sees a change of the counts alone", async () => {
  const pool = createSandboxPool({ workers: 1 });
  try {
    const run = async (members: MemberJson[], membersVersion?: number): Promise<string[]> => {
      const input = bundleInput(bundle, { now: at, address: "counts@example.org", members, state: null });
      const p = membersVersion === undefined ? pool : { run: (...a: Parameters<typeof pool.run>) => pool.run(a[0], a[1], a[2], a[3], a[4], { ...a[5], list: "counts@example.org", membersVersion }), close: () => pool.close() };
      const r = await runBundle(bundle, { trigger: TRIGGER, input, pool: p }, ruleErrorWords);
      assert.equal(r.error, null, JSON.stringify(r.error));
      return r.actions.filter((a) => a.kind === "log").map((a) => String(a["text"] ?? a["message"]));
    };
    assert.deepEqual(await run([member("ann@example.org"), member("bob@example.org", 2)]), ["bob has 2", "ann@example.org=0,bob@example.org=2,new@example.org=0"]);
    assert.deepEqual(await run([member("ann@example.org"), member("bob@example.org", 5)]), ["bob has 5", "ann@example.org=0,bob@example.org=5,new@example.org=0"]);
    assert.deepEqual(await run([member("ann@example.org", 1_000_000), member("bob@example.org")]), ["bob has 0", "ann@example.org=1000000,bob@example.org=0,new@example.org=0"]);
    // By version (the daemon): a bounce bumps the version, and the new counts are shipped.
    assert.deepEqual(await run([member("ann@example.org"), member("bob@example.org", 1)], 1), ["bob has 1", "ann@example.org=0,bob@example.org=1,new@example.org=0"]);
    assert.deepEqual(await run([member("ann@example.org"), member("bob@example.org", 4)], 2), ["bob has 4", "ann@example.org=0,bob@example.org=4,new@example.org=0"]);
  } finally {
    await pool.close();
  }
});

test("members given as records (a test's, a hand-made input) read their counts, 0 when absent or not a count", async () => {
  const input = {
    ...bundleInput(bundle, { now: at, address: "counts@example.org", members: [], state: null }),
    members: [
      { address: "ann@example.org", bounces: 7 },
      { address: "bob@example.org", bounces: -3 },
      { address: "cat@example.org", bounces: "9" },
      { address: "dan@example.org", bounces: 2.5 },
    ],
  };
  const r = await runBundle(bundle, { trigger: TRIGGER, input }, ruleErrorWords);
  assert.equal(r.error, null, JSON.stringify(r.error));
  const logs = r.actions.filter((a) => a.kind === "log").map((a) => String(a["text"] ?? a["message"]));
  assert.deepEqual(logs, ["bob has 0", "ann@example.org=7,bob@example.org=0,cat@example.org=0,dan@example.org=2,new@example.org=0"]);
});
