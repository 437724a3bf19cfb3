/**
 * Issue 15's list methods compiled by the real compiler and run on real
 * QuickJS: `sort` and `sortBy` (ascending, stable, the receiver unchanged),
 * `slice` (negative positions from the end), `remove` (every equal element,
 * in place, on state too) and `join` on lists of non-strings (each element
 * as `{x}` shows it); each run within its gas bound, and the calibration's
 * worst inputs (test/runtime/gas-cases.ts) within theirs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/emit/bundle.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";
import { handInput, ruleErrorWords } from "../helpers/run-input.js";
import { compileCase, GAS_CASES, runCase } from "./gas-cases.js";

/** Runs `body` as a message trigger; returns its log lines (and the run, checked within its gas bound). */
async function logsOf(body: string, decls = "", input: Record<string, unknown> = {}, limits = ""): Promise<{ lines: string[]; state: unknown }> {
  const src = `rule lists\nlimits { logs: 50, members: 10${limits} }\n${decls}\non message(_m: Message) {\n${body}\n}\n`;
  const { bundle, diagnostics } = compileSource("lists.thwonk", src);
  assert.ok(bundle, diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  const r = await runBundle(bundle, { trigger: "message", input: handInput({ limits: { members: 10, logs: 50, page: 20 }, ...input }) }, ruleErrorWords);
  assert.equal(r.error, null, JSON.stringify(r.error));
  assert.ok(r.gas.used <= r.gas.bound, `gas ${r.gas.used} over its bound ${r.gas.bound}`);
  return { lines: r.actions.filter((a) => a.kind === "log").map((a) => (a as unknown as { text: string }).text), state: r.state };
}

test("sort orders ints, strings (by UTF-16 units, as < does), Addresses, Times and Durations, into a new list", async () => {
  const { lines } = await logsOf(`
  let xs = [5, -2, 9, 0, -2, 7]
  log(xs.sort().join(","))
  log(xs.join(","))
  log(["pear", "Apple", "😀", "apple", "", "zz", "ﬃ"].sort().join("|"))
  let as: List<Address> = ["zed@example.org", "ann@example.org", "bob@example.org"]
  log(as.sort().join(" "))
  log([2026-01-02T00:00:00Z, 2025-12-31T23:59:59Z, 2026-01-01T00:00:00Z].sort().join(" "))
  log([3d, 90m, 1s, 0s].sort().join(" "))
  let empty: List<int> = []
  log("[{empty.sort().join(",")}] [{[42].sort().join(",")}]")`);
  assert.deepEqual(lines, [
    "-2,-2,0,5,7,9",
    "5,-2,9,0,-2,7",
    "|Apple|apple|pear|zz|😀|ﬃ",
    "ann@example.org bob@example.org zed@example.org",
    "2025-12-31T23:59:59Z 2026-01-01T00:00:00Z 2026-01-02T00:00:00Z",
    "0s 1s 1h 30m 3d",
    "[] [42]",
  ]);
});

test("sortBy is stable: records with equal fields keep their order; it reads a member's fields too", async () => {
  const { lines } = await logsOf(
    `
  var posts: List<Post> = []
  for i in [4, 1, 3, 1, 2, 3, 1] {
    posts.push({ n: i, tag: "p{posts.size}", at: 2026-01-01T00:00:00Z + 1d * (10 - i) })
  }
  var out: List<string> = []
  for p in posts.sortBy("n") { out.push("{p.n}{p.tag}") }
  log(out.join(" "))
  var byAt: List<string> = []
  for p in posts.sortBy("at") { byAt.push(p.tag) }
  log(byAt.join(" "))
  var byTag: List<string> = []
  for p in posts.sortBy("tag") { byTag.push(p.tag) }
  log(byTag.join(" "))
  var names: List<string> = []
  for o in members.owners().sortBy("name") { names.push(o.name) }
  log(names.join(","))`,
    "type Post = { n: int, tag: string, at: Time }",
    {
      members: [
        { address: "zoe@example.org", name: "Zoë", role: "owner", joined: 3 },
        { address: "ann@example.org", name: "Ann", role: "owner", joined: 2 },
        { address: "bob@example.org", name: "Bob", role: "member", joined: 1 },
      ],
    },
  );
  assert.deepEqual(lines, ["1p1 1p3 1p6 2p4 3p2 3p5 4p0", "p0 p2 p5 p4 p1 p3 p6", "p0 p1 p2 p3 p4 p5 p6", "Ann,Zoë"]);
});

test("slice takes positions from the start or, negative, from the end, clamped; the list is unchanged", async () => {
  const { lines } = await logsOf(`
  let xs = [0, 1, 2, 3, 4, 5]
  log(xs.slice(2).join(","))
  log(xs.slice(1, 3).join(","))
  log(xs.slice(-2).join(","))
  log(xs.slice(-4, -1).join(","))
  log("[{xs.slice(4, 2).join(",")}] [{xs.slice(10).join(",")}] {xs.slice(-100, 100).size}")
  log(xs.join(","))`);
  assert.deepEqual(lines, ["2,3,4,5", "1,2", "4,5", "2,3,4", "[] [] 6", "0,1,2,3,4,5"]);
});

test("remove takes out every equal element, in place, and on state it is saved", async () => {
  const { lines, state } = await logsOf(
    `
  var xs = [1, 2, 1, 3, 1]
  xs.remove(1)
  log(xs.join(","))
  xs.remove(9)
  log(xs.join(","))
  state.queue.remove("ann@example.org")
  log(state.queue.join(" "))`,
    'state { queue: List<Address> max 10 = ["ann@example.org", "bob@example.org", "ann@example.org"] }',
  );
  assert.deepEqual(lines, ["2,3", "2,3", "bob@example.org"]);
  assert.deepEqual((state as { queue: string[] }).queue, ["bob@example.org"]);
});

test("join on lists of non-strings shows each element as `{x}` does, in the rule's time zone", async () => {
  const { lines } = await logsOf(
    `
  log([1, -20, 300].join(", "))
  log([true, false].join("/"))
  log([2026-06-01T12:00:00Z].join(""))
  log([1d + 2h, 45s].join(" and "))
  let nothing: List<int> = []
  log("[{nothing.join(", ")}]")`,
    'settings { timezone: "Europe/Paris" }',
    { tz: [[-8e15, 120]] },
  );
  assert.deepEqual(lines, ["1, -20, 300", "true/false", "2026-06-01T14:00:00+02:00", "1d 2h and 45s", "[]"]);
});

test("a list as long as the text allows, of emoji: sort, slice, remove and join within the bound the verifier gave", async () => {
  const text = "😀b".repeat(500);
  const { lines } = await logsOf(
    `
  let parts = _m.text.split("")
  var xs: List<int> = []
  for p in parts { xs.push(p.length) }
  let ys = xs.sort()
  xs.remove(1)
  log("{parts.sort().slice(-1).join("")} {ys.size} {xs.size} {ys.slice(-3).join(",")} {ys.slice(0, 2).join(",")}")`,
    "",
    { message: { ...(handInput()["message"] as object), text } },
    ", text: 1000",
  );
  // Characters are code points: each part is one long, so `remove(1)` empties xs.
  assert.deepEqual(lines, ["😀 1000 0 1,1,1 1,1"]);
});

// As the daemon: a reused context, the time limit from each trigger's gas bound.
const engine = new Engine({ limits: resolveLimits({}), strategy: "reuse", cacheSize: 2 });

for (const c of GAS_CASES.filter((x) => x.name.startsWith("List.sort") || x.name.startsWith("List.slice") || x.name.startsWith("List<"))) {
  test(`the worst input within its gas bound: ${c.name}`, async () => {
    const cc = compileCase(c);
    assert.ok(cc.bundle, cc.refused?.join("\n"));
    const r = await runCase(engine, cc, undefined, c.name);
    assert.equal(r.error, null);
    assert.ok(r.gasUsed > 0 && r.gasUsed <= cc.bound, `gas ${r.gasUsed}, bound ${cc.bound}`);
  });
}
