/**
 * `List.copy()`, `Map.copy()` and `List.take(n)`, from the declaration to
 * the run: the verifier's shapes of their results (counts and element
 * shapes carried over from the receiver, `take(n)` bounded by a literal
 * `n`), and compiled rules run on real QuickJS — a copy shares nothing the
 * rule can change with its original, `take` keeps the first n, and every
 * run stays within the verifier's gas bound. Also the sizes of other
 * built-in results the verifier used to assume 0 or 1 (`headers.all`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource, type Bundle } from "../../compiler/emit/bundle.js";
import { checkSources } from "../../compiler/program.js";
import { assembleInput } from "../../runtime/input/build.js";
import type { MessageJson } from "../../runtime/input/types.js";
import { runBundle, type RunResult } from "../../runtime/run/run-rule.js";

const WORDS = {
  describeRuleError: (e: { code: string; args: unknown[]; line: number; column: number }) => ({ code: e.code, message: `${e.code} ${JSON.stringify(e.args)}`, line: e.line, column: e.column }),
};

function verified(src: string): { gas: number; formula: string; codes: string[] } {
  const r = checkSources([{ fileName: "t.thwonk", text: src }]);
  const codes = r.diagnostics.map((d) => d.code);
  const t = r.units[0]?.verify?.triggers[0];
  return { gas: t?.gas.bound ?? NaN, formula: t?.gas.formula ?? "", codes };
}

function bundle(src: string): Bundle {
  const r = compileSource("t.thwonk", src);
  assert.ok(r.bundle, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return r.bundle;
}

function message(over: Partial<MessageJson> = {}): MessageJson {
  return {
    from: "ann@example.org", to: ["list@example.org"], cc: [], subject: "hi", text: "a b c", html: null, headers: [["Message-ID", "x@example.org"]],
    attachments: [], date: null, messageId: "x@example.org", envelope: { sender: "ann@example.org", recipient: "list@example.org", isRequest: false, tag: null }, ...over,
  };
}

async function run(b: Bundle, msg: MessageJson, limits = {}): Promise<RunResult> {
  const input = assembleInput({ now: Date.UTC(2026, 0, 1), message: msg, limits, list: { address: "list@example.org", name: "L", owners: [] } });
  const r = await runBundle(b, { trigger: "message", input: input as unknown as Record<string, unknown> }, WORDS);
  assert.equal(r.error, null, JSON.stringify(r.error));
  assert.ok(r.gas.used <= r.gas.bound, `used ${r.gas.used} > bound ${r.gas.bound}`);
  return r;
}

const logs = (r: RunResult): string[] => r.actions.filter((a) => a.kind === "log").map((a) => a.text as string);

test("a copy of a nested list is a new list: changing one leaves the other, and an inner list has no second name", async () => {
  const b = bundle(`rule copies
on message(_m: Message) {
  var inner: List<string> = ["a"]
  var outer: List<List<string>> = [inner]
  var c = outer.copy()
  c.push(["new"])
  log("{outer.size} {(outer.first() ?? []).size} {c.size} {(c.first() ?? []).size}")
  var box: Map<string, List<string>> = { "k": ["x"] }
  var d = box.copy()
  d.set("other", [])
  d.remove("k")
  log("{box.size} {(box.get("k") ?? []).size} {d.size} {(d.get("k") ?? []).size}")
}
`);
  const r = await run(b, message());
  assert.deepEqual(logs(r), ["1 1 2 1", "1 1 1 0"]);
  // The inner lists of a copy can only be reached as elements, which no rule can change in place or name twice.
  const refused = verified(`rule t
on message(_m: Message) {
  var outer: List<List<string>> = [["a"]]
  var c = outer.copy()
  var firstOfCopy = c.first() ?? []
  firstOfCopy.push("changed")
}
`);
  assert.deepEqual(refused.codes, ["TW2110"]);
});

test("take(n) keeps the first n elements in a fresh list; n below 0 is none", async () => {
  const b = bundle(`rule takes
on message(m: Message) {
  let words = m.text.split(" ")
  var first = words.take(2)
  first.push("added")
  log("{first.join(",")} {words.size} {words.take(-1).size} {words.take(100).size} {words.take(0).size}")
}
`);
  const r = await run(b, message({ text: "a b c d" }));
  assert.deepEqual(logs(r), ["a,b,added 4 0 4 0"]);
});

test("the checker types copy and take from the declaration", () => {
  const bad = checkSources([{ fileName: "t.thwonk", text: `rule t
on message(m: Message) {
  let xs = m.text.split(" ")
  let n: int = xs.take(1)
  let k: Map<int, string> = xs.copy()
  let s: string = xs.take("2").join("")
}
` }]);
  const codes = bad.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
  assert.equal(codes.length, 3, JSON.stringify(bad.diagnostics.map((d) => `${d.code} ${d.message}`)));
  const good = checkSources([{ fileName: "t.thwonk", text: `rule t
on message(m: Message) {
  let xs: List<string> = m.text.split(" ").take(3).copy()
  let ys: Map<string, int> = { "a": 1 }
  let zs: Map<string, int> = ys.copy()
  log(xs.join(",") + "{zs.size}")
}
` }]);
  assert.deepEqual(good.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`), []);
});

test("the verifier: take(n) with a literal n counts at most n elements; a copy keeps the receiver's count and element sizes", () => {
  const loopOver = (expr: string): { gas: number; formula: string; codes: string[] } =>
    verified(`rule t
limits { text: 1000 }
on message(m: Message) {
  let parts = ${expr}
  for p in parts {
    log(p.upper())
  }
}
`);
  const all = loopOver(`m.text.split(" ")`);
  const three = loopOver(`m.text.split(" ").take(3)`);
  const unknown = loopOver(`m.text.split(" ").take(m.subject.length)`);
  const copied = loopOver(`m.text.split(" ").copy()`);
  assert.deepEqual([...all.codes, ...three.codes, ...unknown.codes, ...copied.codes], []);
  // Three iterations, each over a part of at most the whole text.
  // The split itself is charged over the whole text (per part too); the loop after take(3) runs three times.
  assert.ok(three.gas < all.gas / 5, `take(3): ${three.gas} vs ${all.gas}`);
  assert.ok(three.gas > 3 * Math.ceil((3 * 2000) / 64), `take(3) still counts each part at up to the text's length: ${three.formula}`);
  // Without a literal n, take is bounded by the receiver's size.
  assert.ok(unknown.gas >= all.gas, `take(unknown): ${unknown.gas} vs ${all.gas}`);
  // A copy's elements keep their sizes (the parts add up to the text): only the copy's own cost is added.
  assert.ok(copied.gas > all.gas && copied.gas < all.gas * 2, `copy: ${copied.gas} vs ${all.gas}`);
});

test("the verifier: headers.all elements are header values, up to limits.header each", async () => {
  const src = `rule t
limits { header: 500, headers: 20 }
on message(m: Message) {
  for v in m.headers.all("Received") {
    for w in v.split(" ") {
      log(w)
    }
  }
}
`;
  const v = verified(src);
  assert.deepEqual(v.codes, []);
  // 20 fields × up to 1,000 units each split into up to 1,001 parts, each logged: far more than 20 × 1 parts.
  assert.ok(v.gas > 20 * 1000 * 5, `${v.gas}: ${v.formula}`);
  // And a run at the limits stays within it (the run-time check is what would stop it).
  const b = bundle(src);
  const value = Array.from({ length: 49 }, () => "a").join(" ");
  const r = await run(b, message({ headers: Array.from({ length: 20 }, () => ["Received", value] as [string, string]) }), {
    header: { value: 500, unit: "characters" }, headers: { value: 20, unit: "items" }, logs: { value: 10_000, unit: "items" },
  });
  assert.equal(logs(r).length, 20 * 49);
});

test("a list stored by set and read back by get keeps its bound (once refused with TW3020, before the verifier followed mutations)", async () => {
  const src = `rule t
limits { text: 200, logs: 500 }
on message(m: Message) {
  var box: Map<int, List<string>> = {}
  box.set(0, m.text.split(""))
  for part in box.get(0) ?? [] {
    log(part)
  }
}
`;
  assert.deepEqual(verified(src).codes, []);
  const r = await run(bundle(src), message({ text: "x".repeat(200) }), { text: { value: 200, unit: "characters" }, logs: { value: 500, unit: "lines" } });
  assert.equal(logs(r).length, 200);
});

test("deep copy cost: a copy of a list of lists is charged for every inner element, within the bound", async () => {
  const src = `rule t
limits { text: 200 }
on message(m: Message) {
  var groups: List<List<string>> = []
  for line in m.text.lines() {
    groups.push(line.split(""))
  }
  log("{groups.copy().size}")
}
`;
  const v = verified(src);
  assert.deepEqual(v.codes, [], v.formula);
  const b = bundle(src);
  const text = Array.from({ length: 4 }, () => "abcdefghij".repeat(4)).join("\n");
  const r = await run(b, message({ text }), { text: { value: 200, unit: "characters" } });
  assert.deepEqual(logs(r), ["4"]);
  // The run was charged for the inner elements: more than a copy of four elements alone.
  const flat = await run(bundle(src.replace("groups.copy().size", "groups.take(100).size")), message({ text }), { text: { value: 200, unit: "characters" } });
  assert.ok(r.gas.used > flat.gas.used, `copy ${r.gas.used} vs take ${flat.gas.used}`);
});
