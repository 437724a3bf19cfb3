/**
 * State in the emitted code: the schema and initial values (`__stateInit`),
 * the descriptor the prelude loads and saves by, and the bounds every state
 * write is checked against (`boundsOf`, one `__SB` entry per distinct
 * bounds, referred to by the writes).
 */
import type { StateType } from "../../contract/state.js";
import type { Type } from "../semantic/types.js";
import type * as A from "../syntax/ast.js";
import { FunctionScope, type EmitContext } from "./context.js";
import { jsData, jsKey } from "./values.js";

export function emitState(em: EmitContext, ): void {
  const schema = em.model.state.map((f) => `${jsKey(f.name)}: ${jsData(descriptor(f.type))}`);
  em.line(`var __stateSchema = { ${schema.join(", ")} };`);
  const bounds = em.model.state.flatMap((f) => {
    const d = boundsOf(f.type);
    return d === 0 ? [] : [`${jsKey(f.name)}: ${jsData(d)}`];
  });
  em.line(`var __stateBounds = ${bounds.length ? `{ ${bounds.join(", ")} }` : "{}"};`);
  // The driver charges each unit of state it loads and saves (stdlib constructs.stateUnit).
  em.line(`var __stateUnitGas = ${em.c.stateUnit};`);
  em.line("function __stateInit(name) {");
  em.indent++;
  em.fn = new FunctionScope();
  const body: string[] = [];
  for (const f of em.model.state) {
    const init = f.init ? em.expr(f.init, f.type) : defaultValue(f.type);
    body.push(`if (name === ${JSON.stringify(f.name)}) return ${init};`);
  }
  em.declareTemps();
  for (const b of body) em.line(b);
  em.line("return null;");
  em.indent--;
  em.line("}");
}

/**
 * A place in state (`state.x`, or a record field inside it, `state.x.f.g`) whose declared type bounds
 * something: its name (`x.f.g`) and the `__SB` entry of its bounds. Undefined for any other place, or
 * when nothing in the type has a `max`.
 */
export function statePlace(em: EmitContext, e: A.Expr): { name: string; ref: string } | undefined {
  const names: string[] = [];
  let type: Type | undefined;
  for (let x: A.Expr = e; ; ) {
    if (x.kind !== "MemberExpr") return undefined;
    const t = em.model.members.get(x);
    if (t?.kind === "state") {
      names.unshift(t.field.name);
      type ??= t.field.type;
      break;
    }
    if (t?.kind !== "record") return undefined;
    names.unshift(t.field.name);
    type ??= t.field.type;
    x = x.object;
  }
  const d = boundsOf(type);
  if (d === 0) return undefined;
  const json = jsData(d);
  let i = em.boundsTable.indexOf(json);
  if (i < 0) i = em.boundsTable.push(json) - 1;
  return { name: names.join("."), ref: `__SB[${i}]` };
}

/** A bounds descriptor (the prelude's `__stbad` reads it): 0 when nothing in `t` has a `max`. */
export type Bounds = 0 | ["s", number] | ["l", number | null, Bounds] | ["m", number | null, Bounds, Bounds] | ["r", Record<string, Bounds>];

/** The bounds a value of type `t` must keep: every `max` in it, at any depth (an optional is its inner type). */
export function boundsOf(t: Type | undefined): Bounds {
  if (t === undefined) return 0;
  if (t.kind === "optional") return boundsOf(t.inner);
  if (t.kind === "record") {
    const fields: Record<string, Bounds> = {};
    let any = false;
    for (const [name, f] of t.fields) {
      const d = boundsOf(f.type);
      if (d !== 0) {
        // Defined, not assigned: a field named `__proto__` would set the prototype and its bound go unchecked.
        Object.defineProperty(fields, name, { value: d, enumerable: true, writable: true, configurable: true });
        any = true;
      }
    }
    return any ? ["r", fields] : 0;
  }
  if (t.kind !== "named") return 0;
  const max = t.max ?? null;
  switch (t.name) {
    case "string":
      return max === null ? 0 : ["s", max];
    case "List": {
      const e = boundsOf(t.args[0]);
      return max === null && e === 0 ? 0 : ["l", max, e];
    }
    case "Map": {
      const k = boundsOf(t.args[0]);
      const v = boundsOf(t.args[1]);
      return max === null && k === 0 && v === 0 ? 0 : ["m", max, k, v];
    }
    default:
      return 0;
  }
}

/** The state type descriptor the prelude loads and saves by. */
export function descriptor(t: Type): unknown {
  switch (t.kind) {
    case "optional":
      return ["opt", descriptor(t.inner)];
    case "record":
      return ["rec", Object.fromEntries([...t.fields].map(([k, f]) => [k, descriptor(f.type)]))];
    case "named":
      switch (t.name) {
        case "List":
          return ["list", descriptor(t.args[0]!)];
        case "Map":
          return ["map", descriptor(t.args[0]!), descriptor(t.args[1]!)];
        case "Address":
          return "address";
        case "Time":
          return "time";
        case "Duration":
          return "duration";
        case "int":
        case "bool":
          return t.name;
        default:
          return "string";
      }
    default:
      return "string";
  }
}

/**
 * The full type of a state field, every bound included (the manifest's
 * `schema`): what a host checks stored state against, and what two versions
 * of a rule are compared by.
 */
export function stateType(t: Type): StateType {
  switch (t.kind) {
    case "optional":
      return { kind: "opt", of: stateType(t.inner) };
    case "record": {
      const fields: Record<string, StateType> = {};
      // Defined, not assigned: a record field named `__proto__` would otherwise set the prototype and be left out.
      for (const [k, f] of t.fields) Object.defineProperty(fields, k, { value: stateType(f.type), enumerable: true, writable: true, configurable: true });
      return t.name === undefined ? { kind: "rec", fields } : { kind: "rec", name: t.name, fields };
    }
    case "named": {
      const max = t.max === undefined ? {} : { max: t.max };
      switch (t.name) {
        case "List":
          return { kind: "list", of: stateType(t.args[0]!), ...max };
        case "Map":
          return { kind: "map", key: stateType(t.args[0]!), value: stateType(t.args[1]!), ...max };
        case "Address":
          return { kind: "address" };
        case "Time":
          return { kind: "time" };
        case "Duration":
          return { kind: "duration" };
        case "int":
        case "bool":
          return { kind: t.name };
        default:
          return { kind: "string", ...max };
      }
    }
    default:
      return { kind: "string" };
  }
}

export function defaultValue(t: Type): string {
  if (t.kind === "optional") return "null";
  if (t.kind === "named") {
    switch (t.name) {
      case "int":
      case "Time":
      case "Duration":
        return "0";
      case "bool":
        return "false";
      case "string":
        return '""';
      case "List":
        return "[]";
      case "Map":
        return "new Map()";
    }
  }
  return "null";
}
