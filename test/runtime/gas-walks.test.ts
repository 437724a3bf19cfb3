/**
 * Issue 11's deterministic guard, read from the one stdlib declaration: every
 * call that takes a string or a collection says what its implementation walks
 * (`walks`), and its cost has a size term for each walked argument (a
 * `limit:NAME` walked, a term over that limit). An implementation that walks
 * an argument its cost does not grow with is what let `escapeHtml`,
 * `isAutomated()` and `members.remove` run for seconds within their gas.
 * The figures behind it: bench/gas/calibrate.js (npm run bench:gas).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { stdlib } from "../../stdlib/index.js";
import { costSizes } from "../../stdlib/cost-eval.js";
import type { CostExpr, FunctionDecl } from "../../stdlib/decl.js";

// `K`: a Map's key, a string when the map is keyed by strings (hashed over its whole length).
const SIZED = new Set(["string", "List", "Map", "Members", "Recipients", "Headers", "K"]);
const sized = (type: string): boolean => SIZED.has(type.replace(/[<?].*$/, "").trim());

function limitsOf(e: CostExpr, out = new Set<string>()): Set<string> {
  if (typeof e === "number") return out;
  if ("limit" in e) out.add(e.limit);
  else if ("ceilDiv" in e) limitsOf(e.ceilDiv, out);
  else if (!("size" in e) && !("total" in e) && !("value" in e)) for (const x of Object.values(e)[0] as CostExpr[]) limitsOf(x, out);
  return out;
}

interface Call {
  where: string;
  decl: Pick<FunctionDecl, "cost" | "walks">;
  /** The arguments that may be large: name → type. */
  args: [string, string][];
}

function calls(): Call[] {
  const out: Call[] = [];
  for (const [type, t] of Object.entries(stdlib.types)) {
    for (const [name, m] of Object.entries(t.methods ?? {})) {
      out.push({ where: `${type}.${name}`, decl: m, args: [["self", m.receiver ?? type], ...m.params.map((p): [string, string] => [p.name, p.type])] });
    }
  }
  for (const [name, f] of Object.entries(stdlib.functions)) out.push({ where: name, decl: f, args: f.params.map((p): [string, string] => [p.name, p.type]) });
  for (const o of stdlib.operators) out.push({ where: `${o.left} ${o.op} ${o.right}`, decl: o, args: [["left", o.left], ["right", o.right]] });
  return out;
}

test("every call that takes a string or a collection declares what its implementation walks", () => {
  const missing = calls().filter((c) => c.args.some(([, type]) => sized(type)) && c.decl.walks === undefined).map((c) => c.where);
  assert.deepEqual(missing, [], "add `walks: [...]` (stdlib/decl.ts FunctionDecl.walks) to these declarations");
});

test("every walked argument has a size term in the call's cost", () => {
  const wrong: string[] = [];
  for (const c of calls()) {
    const names = new Set(c.args.map(([n]) => n));
    const sizes = costSizes(c.decl.cost);
    const limits = limitsOf(c.decl.cost);
    for (const w of c.decl.walks ?? []) {
      if (w.startsWith("limit:")) {
        const limit = w.slice("limit:".length);
        if (!(limit in stdlib.limits)) wrong.push(`${c.where}: walks an unknown limit ${limit}`);
        else if (!limits.has(limit)) wrong.push(`${c.where}: walks the input up to limits.${limit}, but its cost has no term over it`);
      } else if (!names.has(w)) wrong.push(`${c.where}: walks ${w}, which is not one of its arguments`);
      else if (!sizes.has(w)) wrong.push(`${c.where}: walks ${w}, but its cost has no size(${w}) or total(${w}) term`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("a declared walk of a fixed-size argument is refused (the guard can fail)", () => {
  // The guard's own check on a made-up declaration: escapeHtml charged a constant, as before issue 11.
  const sizes = costSizes(5);
  assert.equal(sizes.has("self"), false);
  const fields = stdlib.types["string"]!.methods!["escapeHtml"]!;
  assert.deepEqual(fields.walks, ["self"]);
  assert.ok(costSizes(fields.cost).has("self"), "escapeHtml's cost grows with its string");
});

test("a Map operation on a key walks the key (a string key is hashed over its whole length)", () => {
  const map = stdlib.types["Map"]!;
  const keyed = Object.entries(map.methods ?? {}).filter(([, m]) => m.params.some((p) => p.type === "K"));
  assert.deepEqual(keyed.map(([n]) => n).sort(), ["get", "has", "remove", "set"]);
  for (const [name, m] of keyed) {
    const k = m.params.find((p) => p.type === "K")!.name;
    assert.ok(m.walks?.includes(k), `Map.${name} walks its key ${k}`);
    assert.ok(costSizes(m.cost).has(k), `Map.${name}'s cost grows with size(${k})`);
  }
});
