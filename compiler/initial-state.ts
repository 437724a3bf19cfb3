/**
 * The state a rule starts from, as the runtime saves it (JSON: maps as
 * objects keyed by canonical strings, times ISO 8601 UTC, none as null), so
 * a host can show what a first run changed without knowing the language.
 * A field's initialiser that is a literal (`= {}`, `= 0`, `= ["a@b.org"]`)
 * is evaluated here exactly as the runtime would; one that computes is
 * known only by running the rule.
 */
import type { Expr } from "./syntax/ast.js";
import type { SemanticModel } from "./semantic/model.js";
import type { SavedState, StateFieldSchema } from "../contract/state.js";
import { descriptor, stateType } from "./emit/emitter.js";
import { canonicalAddress } from "./emit/values.js";

export interface InitialState {
  /** Each field whose start is known, by name, as the runtime's JSON. */
  values: Map<string, unknown>;
  /** The fields whose initialiser computes: their start is known only by running the rule. */
  computed: Set<string>;
}

/** The state descriptor the runtime loads and saves by: `"int"`, `["list", D]`, `["opt", D]`, ... */
type Descriptor = string | [string, ...unknown[]];
const COMPUTED = Symbol("computed");

export function initialState(model: Pick<SemanticModel, "state">): InitialState {
  const values = new Map<string, unknown>();
  const computed = new Set<string>();
  for (const f of model.state) {
    const d = descriptor(f.type) as Descriptor;
    const v = f.init === undefined ? defaultSaved(d) : literalSaved(f.init, d);
    if (v === COMPUTED) computed.add(f.name);
    else values.set(f.name, v);
  }
  return { values, computed };
}

/** Each state field with its full type: what saved state is checked against (contract/state.ts checkSavedState). */
export function stateSchema(model: Pick<SemanticModel, "state">): StateFieldSchema[] {
  return model.state.map((f) => ({ name: f.name, schema: stateType(f.type) }));
}

/**
 * The state a test gives (`state.FIELD = value`) as the runtime saves it, for
 * the givens whose value is a literal; a given that computes (or sets a part
 * of a field) is known only by running the test.
 */
export function givenState(model: Pick<SemanticModel, "state" | "tests">, testIndex: number): SavedState {
  const out: SavedState = {};
  const t = model.tests[testIndex];
  if (!t) return out;
  for (const c of t.decl.clauses) {
    if (c.kind !== "GivenClause" || c.target.kind !== "MemberExpr" || c.target.object.kind !== "Ident" || c.target.object.name !== "state") continue;
    const name = c.target.name.name;
    const f = model.state.find((x) => x.name === name);
    if (!f) continue;
    const v = literalSaved(c.value, descriptor(f.type) as Descriptor);
    if (v !== COMPUTED) Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A field without an initialiser starts at its type's zero. */
function defaultSaved(d: Descriptor): unknown {
  if (typeof d === "string") {
    switch (d) {
      case "int":
      case "duration":
        return 0;
      case "time":
        return new Date(0).toISOString();
      case "bool":
        return false;
      case "string":
        return "";
      default:
        return null;
    }
  }
  return d[0] === "list" ? [] : d[0] === "map" ? {} : null;
}

function literalSaved(e: Expr, d: Descriptor): unknown {
  const inner = Array.isArray(d) && d[0] === "opt" ? (d[1] as Descriptor) : d;
  switch (e.kind) {
    case "NoneLit":
      return null;
    case "IntLit":
    case "BoolLit":
      return e.value;
    case "DurationLit":
      return e.ms;
    case "TimeLit":
      return new Date(e.ms).toISOString();
    case "StringLit": {
      if (!e.parts.every((p) => p.kind === "StringText")) return COMPUTED;
      const s = e.parts.map((p) => (p as { value: string }).value).join("");
      return inner === "address" ? (canonicalAddress(s) ?? null) : s;
    }
    case "ListLit": {
      const el = Array.isArray(inner) && inner[0] === "list" ? (inner[1] as Descriptor) : "string";
      const xs = e.elements.map((x) => literalSaved(x, el));
      return xs.includes(COMPUTED) ? COMPUTED : xs;
    }
    case "BraceLit": {
      const o: Record<string, unknown> = {};
      if (Array.isArray(inner) && inner[0] === "map") {
        for (const en of e.entries) {
          const k = literalSaved(en.key, inner[1] as Descriptor);
          const v = literalSaved(en.value, inner[2] as Descriptor);
          if (k === COMPUTED || v === COMPUTED) return COMPUTED;
          define(o, String(k), v);
        }
        return o;
      }
      if (Array.isArray(inner) && inner[0] === "rec") {
        const fields = inner[1] as Record<string, Descriptor>;
        for (const en of e.entries) {
          if (en.key.kind !== "Ident") return COMPUTED;
          const v = literalSaved(en.value, fields[en.key.name] ?? "string");
          if (v === COMPUTED) return COMPUTED;
          define(o, en.key.name, v);
        }
        for (const f of Object.keys(fields)) if (!Object.hasOwn(o, f)) define(o, f, null);
        return o;
      }
      return COMPUTED;
    }
    default:
      return COMPUTED;
  }
}

/** Defined, not assigned: a key or field named `__proto__` would set the prototype and be left out of the value. */
function define(o: Record<string, unknown>, k: string, value: unknown): void {
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
}
