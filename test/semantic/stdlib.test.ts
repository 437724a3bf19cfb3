/**
 * The stdlib declaration is well formed: every type string parses and names
 * declared types, every cost expression only refers to declared parameters
 * (or `self`, `left`/`right` for operators), and the traits the checker
 * relies on are consistent.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CostExpr, FunctionDecl } from "../../stdlib/decl.js";
import { stdlib } from "../../stdlib/index.js";
import { parseTypeText } from "../../compiler/syntax/parser.js";
import { StdlibTypes } from "../../compiler/semantic/stdlib-types.js";
import { isKnownTimeZone } from "../../contract/zones.js";

/** Every type string of the declaration, with where it is and the type parameters in scope. */
function typeStrings(): { where: string; text: string; params: string[] }[] {
  const out: { where: string; text: string; params: string[] }[] = [];
  const fn = (where: string, f: FunctionDecl, params: string[]): void => {
    for (const p of f.params) out.push({ where: `${where}(${p.name})`, text: p.type, params });
    out.push({ where: `${where} returns`, text: f.returns, params });
    if (f.receiver) out.push({ where: `${where} receiver`, text: f.receiver, params: [] });
  };
  for (const [name, t] of Object.entries(stdlib.types)) {
    const params = t.typeParams ?? [];
    for (const [f, d] of Object.entries(t.fields ?? {})) out.push({ where: `${name}.${f}`, text: d.type, params });
    for (const [m, d] of Object.entries(t.methods ?? {})) fn(`${name}.${m}`, d, params);
    if (t.iterates) out.push({ where: `${name} iterates`, text: t.iterates, params });
    for (const a of t.acceptsFrom ?? []) out.push({ where: `${name} acceptsFrom`, text: a, params: [] });
  }
  for (const [name, f] of Object.entries(stdlib.functions)) fn(name, f, []);
  for (const [name, g] of Object.entries(stdlib.globals)) out.push({ where: `global ${name}`, text: g.type, params: [] });
  for (const o of stdlib.operators) {
    for (const text of [o.left, o.right, o.result]) out.push({ where: `operator ${o.left} ${o.op} ${o.right}`, text, params: [] });
  }
  for (const [name, t] of Object.entries(stdlib.triggers)) if (t.param) out.push({ where: `trigger ${name}`, text: t.param, params: [] });
  for (const [name, s] of Object.entries(stdlib.settings)) out.push({ where: `setting ${name}`, text: s.type, params: [] });
  return out;
}

test("every type string of the stdlib parses", () => {
  const bad = typeStrings().filter((s) => s.text !== "void" && parseTypeText(s.text) === undefined);
  assert.deepEqual(bad, []);
});

test("every type string names declared types (or the enclosing type's parameters)", () => {
  const std = new StdlibTypes(stdlib);
  for (const s of typeStrings()) std.type(s.text, s.params);
  assert.deepEqual(std.problems, []);
});

function sizeNames(e: CostExpr, out: string[] = []): string[] {
  if (typeof e === "number") return out;
  if ("size" in e) out.push(e.size);
  else if ("total" in e) out.push(e.total);
  else if ("ceilDiv" in e) sizeNames(e.ceilDiv, out);
  else if ("add" in e) e.add.forEach((x) => sizeNames(x, out));
  else if ("mul" in e) e.mul.forEach((x) => sizeNames(x, out));
  else if ("max" in e) e.max.forEach((x) => sizeNames(x, out));
  else if ("min" in e) e.min.forEach((x) => sizeNames(x, out));
  else if ("log2" in e) sizeNames(e.log2[0], out);
  return out;
}

function limitNames(e: CostExpr, out: string[] = []): string[] {
  if (typeof e === "number") return out;
  if ("limit" in e) out.push(e.limit);
  else if ("ceilDiv" in e) limitNames(e.ceilDiv, out);
  else for (const k of ["add", "mul", "max", "min", "log2"] as const) if (k in e) (e as Record<string, CostExpr[]>)[k]!.forEach((x) => limitNames(x, out));
  return out;
}

function isWellFormed(e: CostExpr): boolean {
  if (typeof e === "number") return Number.isSafeInteger(e) && e >= 0;
  if ("ceilDiv" in e) return Number.isSafeInteger(e.by) && e.by > 0 && isWellFormed(e.ceilDiv);
  for (const k of ["add", "mul", "max", "min", "log2"] as const) if (k in e) return (e as Record<string, CostExpr[]>)[k]!.every(isWellFormed);
  return true;
}

test("every cost expression refers only to declared parameters, or self for methods", () => {
  const problems: string[] = [];
  const checkFn = (where: string, f: FunctionDecl, method: boolean): void => {
    const allowed = new Set([...f.params.map((p) => p.name), ...(method ? ["self"] : [])]);
    for (const [what, e] of [["cost", f.cost], ["resultSize", f.resultSize], ["fanout", (f as { fanout?: CostExpr }).fanout]] as const) {
      if (e === undefined) continue;
      if (!isWellFormed(e)) problems.push(`${where} ${what}: not a non-negative integer expression`);
      for (const n of sizeNames(e)) if (!allowed.has(n)) problems.push(`${where} ${what}: size of unknown ${JSON.stringify(n)}`);
      for (const n of limitNames(e)) if (!Object.hasOwn(stdlib.limits, n)) problems.push(`${where} ${what}: unknown limit ${JSON.stringify(n)}`);
    }
  };
  for (const [name, t] of Object.entries(stdlib.types)) {
    for (const [m, d] of Object.entries(t.methods ?? {})) checkFn(`${name}.${m}`, d, true);
    for (const [f, d] of Object.entries(t.fields ?? {})) {
      if (d.cost !== undefined && sizeNames(d.cost).some((n) => n !== "self")) problems.push(`${name}.${f} cost`);
    }
  }
  for (const [name, f] of Object.entries(stdlib.functions)) checkFn(name, f, false);
  for (const o of stdlib.operators) {
    if (!isWellFormed(o.cost)) problems.push(`operator ${o.op} cost`);
    for (const n of sizeNames(o.cost)) if (n !== "left" && n !== "right") problems.push(`operator ${o.left} ${o.op} ${o.right}: size of ${n}`);
  }
  assert.deepEqual(problems, []);
});

test("actions declare a capability; terminating functions are actions returning nothing", () => {
  for (const [name, f] of Object.entries(stdlib.functions)) {
    if (f.returns === "void") assert.ok(f.capability, `${name} returns nothing, so it must be an action with a capability`);
    if (f.terminates) assert.equal(f.returns, "void", name);
  }
  assert.ok(Object.values(stdlib.functions).some((f) => f.terminates), "some function ends the trigger (reject, hold)");
});

test("ordered types have their comparison operators declared, and only they", () => {
  for (const [name, t] of Object.entries(stdlib.types)) {
    for (const op of ["<", "<=", ">", ">="] as const) {
      const has = stdlib.operators.some((o) => o.op === op && o.left === name && o.right === name && o.result === "bool");
      assert.equal(has, t.ordered === true, `${name} ${op}`);
    }
  }
});

test("no operator is declared twice for the same operand types", () => {
  const keys = stdlib.operators.map((o) => `${o.left} ${o.op} ${o.right}`);
  assert.equal(new Set(keys).size, keys.length);
});

test("limits: defaults are positive and within their ceilings", () => {
  for (const [name, l] of Object.entries(stdlib.limits)) {
    assert.ok(Number.isSafeInteger(l.default) && l.default > 0, name);
    assert.ok(l.default <= l.ceiling, name);
  }
  for (const name of ["members", "text", "html", "subject", "header", "recipients", "attachments", "budget", "fanout"]) {
    assert.ok(Object.hasOwn(stdlib.limits, name), `limit ${name}`);
  }
});

test("settings: the default time zone is a valid IANA zone", () => {
  assert.equal(stdlib.settings["timezone"]?.default, "UTC");
  assert.ok(isKnownTimeZone(stdlib.settings["timezone"]!.default));
  assert.ok(isKnownTimeZone("Europe/Paris"));
  assert.ok(!isKnownTimeZone("Europe/Pariss"));
});

test("a method's receiver type names the method's own type", () => {
  for (const [name, t] of Object.entries(stdlib.types)) {
    for (const [m, d] of Object.entries(t.methods ?? {})) {
      if (d.receiver) assert.ok(d.receiver.startsWith(name), `${name}.${m} receiver ${d.receiver}`);
    }
  }
});

test("a type with literals or string-literal conversion is equatable", () => {
  for (const [name, t] of Object.entries(stdlib.types)) {
    if (t.literals || t.fromStringLiteral) assert.ok(t.equatable, name);
  }
});

test("the `state` global and the `message` trigger exist (the checker gives them meaning)", () => {
  assert.ok(stdlib.globals["state"]);
  assert.equal(stdlib.triggers["message"]?.param, "Message");
});
