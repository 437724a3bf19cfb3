/**
 * Where values enter a trigger and what their shapes are: the message
 * (its sender and envelope marked as such, for the mail-loop and recipient
 * checks), the globals `members` and `list` (their addresses marked by
 * origin), and state fields (sized by variables named after them, so
 * formulas say `state.lastPost`).
 */
import type { Symbol } from "../semantic/scope.js";
import type { Type } from "../semantic/types.js";
import { inputShape, withOrigin, type Origin, type Shape } from "./shapes.js";
import * as S from "./sym.js";
import type { Walk } from "./walk.js";

export function messageShape(w: Walk, t: Type): Shape {
  const m = inputShape(t, w.host.std, w.bounds, "the message");
  if (m.t !== "rec") return m;
  const fields = new Map(m.fields);
  const from = fields.get("from");
  if (from) fields.set("from", withOrigin(from, new Set(["sender"])));
  const env = fields.get("envelope");
  if (env?.t === "rec") {
    const ef = new Map(env.fields);
    const sender = ef.get("sender");
    if (sender) ef.set("sender", withOrigin(sender, new Set(["sender"])));
    const recipient = ef.get("recipient");
    if (recipient) ef.set("recipient", withOrigin(recipient, new Set(["list"])));
    fields.set("envelope", { t: "rec", fields: ef });
  }
  return { t: "rec", fields };
}

export function globalShape(w: Walk, sym: Symbol): Shape {
  const t = sym.type;
  if (sym.name === "members") {
    // The members' count is `limits.members` (the Members type declares no field for it); everything inside has its own bound.
    const count = { ...w.bounds, unbounded: (what: string) => (what === "members" ? w.host.limit("members") : w.bounds.unbounded(what)) };
    const shape = inputShape(t, w.host.std, count, "members");
    return tagMembers(w, shape, "members");
  }
  if (sym.name === "list") {
    const shape = inputShape(t, w.host.std, w.bounds, "list");
    if (shape.t !== "rec") return shape;
    const fields = new Map(shape.fields);
    const addr = fields.get("address");
    if (addr) fields.set("address", withOrigin(addr, new Set(["list"])));
    const owners = fields.get("owners");
    if (owners?.t === "list") fields.set("owners", { ...owners, elem: withOrigin(owners.elem, new Set(["owners"])), origin: new Set(["owners"]) });
    return { t: "rec", fields };
  }
  return inputShape(t, w.host.std, w.bounds, sym.name);
}

/** Members and what is read from them are addresses of members. */
export function tagMembers(w: Walk, s: Shape, origin: Origin): Shape {
  const o = new Set<Origin>([origin]);
  if (s.t === "list") return { ...s, elem: tagMembers(w, s.elem, origin), origin: o };
  if (s.t === "rec") {
    const fields = new Map(s.fields);
    const addr = fields.get("address");
    if (addr) fields.set("address", withOrigin(addr, o));
    return { t: "rec", fields, origin: o };
  }
  return withOrigin(s, o);
}

export function stateField(w: Walk, field: { name: string; type: Type }): Shape {
  let s = w.stateShapes.get(field.name);
  if (!s) {
    // A state field without a bound is refused already (TW3003, verify/index.ts): no second error for it.
    s = inputShape(field.type, w.host.std, { ...w.bounds, unbounded: () => S.ZERO }, `state.${field.name}`);
    // Bounds of state fields are variables named after them, so formulas say `state.lastPost`.
    if ((s.t === "list" || s.t === "map") && field.type.kind === "named" && field.type.max !== undefined) {
      s = { ...s, count: S.v(`state.${field.name}`) };
    } else if (s.t === "str" && field.type.kind === "named" && field.type.max !== undefined) {
      s = { ...s, len: S.v(`state.${field.name}`) };
    }
    w.stateShapes.set(field.name, s);
  }
  return s;
}
