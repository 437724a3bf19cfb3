/**
 * Calls and charges: arguments bound to parameters, a size-dependent cost
 * compiled to JavaScript from the same cost table the verifier evaluates
 * symbolically and charged on the actual arguments before the call, and a
 * mutating call on state checked for what it adds (the declaration's `grows`).
 */
import type { FunctionDecl } from "../../stdlib/decl.js";
import { stdlib } from "../../stdlib/index.js";
import { evalCost, type CostDomain, type CostSizes } from "../../stdlib/cost-eval.js";
import type { CallTarget } from "../semantic/model.js";
import type { Type } from "../semantic/types.js";
import type * as A from "../syntax/ast.js";
import { constantOf, fixedCharge, type NodeCharge } from "../verify/units.js";
import { isNamed, type EmitContext } from "./context.js";
import { statePlace } from "./state.js";
import { TEST_CONTAINS, TEST_RANGE } from "../semantic/test-functions.js";

const jsDomain: CostDomain<string> = {
  num: (n) => String(n),
  add: (xs) => (xs.length === 1 ? xs[0]! : `(${xs.join(" + ")})`),
  mul: (xs) => (xs.length === 1 ? xs[0]! : `(${xs.join(" * ")})`),
  max: (xs) => `Math.max(${xs.join(", ")})`,
  min: (xs) => `Math.min(${xs.join(", ")})`,
  ceilDiv: (x, by) => `Math.ceil(${x} / ${by})`,
  log2: (x) => `__bitlen(${x})`,
};

/** A size-dependent charge inside an expression (`0` in an unmetered build, kept for the comma expression). */
export function gas(em: EmitContext, cost: string): string {
  return em.options.meter === false ? "0" : `__g(${cost})`;
}

/**
 * A node's charge where it runs, when it depends on sizes (fixed charges go
 * with the statement): `charge(sizes)` is the JS that charges it, reading
 * the sizes the caller gives (of temporaries holding the evaluated operands).
 */
export function atRun(em: EmitContext, c: NodeCharge | undefined): { charge: (sizes: Omit<CostSizes<string>, "limit">) => string } | undefined {
  if (!c || fixedCharge(c) !== undefined) return undefined;
  return { charge: (sizes) => gas(em, evalCost(c.cost, { ...sizes, limit: (n) => limitUnits(em, n) }, jsDomain)) };
}

/** Operands of an operator (or a string comparison) in temporaries, charged on their sizes, then `op(l, r)`. */
export function operands(em: EmitContext, c: NodeCharge | undefined, l: string, r: string, lt: Type | undefined, rt: Type | undefined, op: (l: string, r: string) => string): string {
  const run = atRun(em, c);
  if (!run) return op(l, r);
  const a = em.fn.newTemp();
  const b = em.fn.newTemp();
  const size = (n: string): string => (n === "left" ? sizeExpr(a, lt) : n === "right" ? sizeExpr(b, rt) : "0");
  const total = (n: string): string => (n === "left" ? `__total(${a})` : n === "right" ? `__total(${b})` : "0");
  return `(${a} = ${l}, ${b} = ${r}, ${run.charge({ size, total })}, ${op(a, b)})`;
}

export function call(em: EmitContext, e: A.CallExpr): string {
  const target = em.model.calls.get(e);
  if (!target) return "null";
  if (target.kind === "fn") {
    const byParam = em.model.argumentsOf.get(e) ?? [];
    const args = target.fn.params.map((p, i) => {
      const a = byParam[i];
      return a ? em.expr(a.value, p.type) : "null";
    });
    // `fnCall` is charged with the statement (a constant cost).
    return `$${target.fn.name}(${args.join(", ")})`;
  }
  if (target.kind === "function" && (target.decl === TEST_RANGE.decl || target.decl === TEST_CONTAINS.decl)) {
    const a = em.model.argumentsOf.get(e)?.[0];
    const arg = a ? em.expr(a.value, target.sig.params[0]!.type) : "0";
    // range's cap is a test's own failure: reported at the call, not at the test.
    return target.decl === TEST_RANGE.decl ? `__range(${arg}, ${e.span.line}, ${e.span.col})` : `__contains(${arg})`;
  }
  if (target.kind === "method" && e.callee.kind === "MemberExpr") return stdCall(em, target, e.callee.object, e, e);
  return stdCall(em, target, undefined, e, e);
}

/**
 * A stdlib call: arguments bound to parameters (in declaration order,
 * missing optionals as null), the size-dependent cost charged before the
 * call on the actual arguments, then the implementation. Actions also
 * get the call's line and column.
 */
export function stdCall(
  em: EmitContext,
  target: Exclude<CallTarget, { kind: "fn" }>,
  receiver: A.Expr | undefined,
  argsOf: A.CallExpr | A.Expr[],
  site: A.Expr,
): string {
  const decl: FunctionDecl = target.decl;
  const params = target.sig.params;
  // An operator's or an index's operands are positional; a call's arguments as the checker bound them.
  const given: readonly (A.Expr | undefined)[] = Array.isArray(argsOf) ? argsOf : (em.model.argumentsOf.get(argsOf) ?? []).map((a) => a?.value);
  const bound = params.map((p, i) => {
    const a = given[i];
    return a ? em.expr(a, p.type) : "null";
  });
  if (decl.shows && target.kind === "method") bound.push(JSON.stringify(elementsShown(target.receiverType)));
  const recv = receiver ? em.expr(receiver, undefined) : undefined;
  const at = `${site.span.line}, ${site.span.col}`;
  const needsAt = decl.capability !== undefined || decl.terminates === true;
  const impl = target.kind === "method" ? `${target.owner}$${target.name}` : `F$${target.name}`;
  const fixed = constantOf(decl.cost);
  const place = receiver && decl.mutates ? statePlace(em, receiver) : undefined;
  const finish = (recvExpr: string | undefined, args: string[]): string => {
    const all = [...(recvExpr !== undefined ? [recvExpr] : []), ...args, ...(needsAt ? [at] : [])];
    const callText = `${impl}(${all.join(", ")})`;
    if (place && recvExpr !== undefined) {
      // Checked before it happens, for what it adds (the stdlib declares how a method grows its receiver; one that does not, only shrinks it).
      const where = `${JSON.stringify(place.name)}, ${at}`;
      if (decl.grows === "element") return `(__stpush(${place.ref}, ${recvExpr}, ${args[0]}, ${where}), ${callText})`;
      if (decl.grows === "entry") return `(__stset(${place.ref}, ${recvExpr}, ${args[0]}, ${args[1]}, ${where}), ${callText})`;
      return callText;
    }
    return callText;
  };
  // Named arguments written in another order than the parameters' are evaluated as written (a `.ts` rule's object literal is), through temporaries.
  const written = params.map((_, i) => i).filter((i) => given[i] !== undefined).sort((i, j) => given[i]!.span.start - given[j]!.span.start);
  const reordered = written.some((p, k) => k > 0 && p < written[k - 1]!);
  if (fixed !== undefined && place === undefined && !reordered) return finish(recv, bound);
  // Evaluate into temporaries, charge on their sizes, then call.
  const assigns: string[] = [];
  let recvTemp: string | undefined;
  if (recv !== undefined) {
    recvTemp = em.fn.newTemp();
    assigns.push(`${recvTemp} = ${recv}`);
  }
  const argTemps = bound.map(() => em.fn.newTemp());
  const order = reordered ? [...written, ...params.map((_, i) => i).filter((i) => given[i] === undefined)] : params.map((_, i) => i);
  for (const i of order) assigns.push(`${argTemps[i]!} = ${bound[i]!}`);
  // What the declaration adds after the parameters (`shows`) is a constant.
  for (let i = params.length; i < bound.length; i++) assigns.push(`${argTemps[i]!} = ${bound[i]!}`);
  const sizeOf = (name: string): string => {
    if (name === "self") return recvTemp ? sizeExpr(recvTemp, target.kind === "method" ? target.receiverType : undefined) : "0";
    const i = params.findIndex((p) => p.name === name);
    return i < 0 ? "0" : sizeExpr(argTemps[i]!, params[i]!.type);
  };
  const totalOf = (name: string): string => {
    if (name === "self") return recvTemp ? `__total(${recvTemp})` : "0";
    const i = params.findIndex((p) => p.name === name);
    return i < 0 ? "0" : `__total(${argTemps[i]!})`;
  };
  const parts = [...assigns];
  if (fixed === undefined) {
    const cost = evalCost(decl.cost, { size: sizeOf, total: totalOf, limit: (n) => limitUnits(em, n) }, jsDomain);
    parts.push(`${gas(em, cost)}`);
  }
  parts.push(finish(recvTemp, argTemps));
  return `(${parts.join(", ")})`;
}

/** How a list's elements read in a string, for a method that `shows` them (stdlib/decl.ts): as `{x}` shows them (expressions.ts `show`). */
function elementsShown(t: Type): "time" | "duration" | "plain" {
  const list = t.kind === "optional" ? t.inner : t;
  const elem = list.kind === "named" ? list.args[0] : undefined;
  return isNamed(elem, "Time") ? "time" : isNamed(elem, "Duration") ? "duration" : "plain";
}

/** A limit as the cost table reads it: in the unit the runtime measures (a character is up to two UTF-16 units). */
export function limitUnits(em: EmitContext, name: string): string {
  const decl = em.std.decl.limits[name];
  const k = decl?.unit === "characters" ? 2 : 1;
  return k === 1 ? `__in.limits[${JSON.stringify(name)}]` : `(__in.limits[${JSON.stringify(name)}] * ${k})`;
}

/** What `size(...)` reads at run time: the same rule as the verifier's `sizeFor` (stdlib/decl.ts). */
export function sizeExpr(v: string, t: Type | undefined): string {
  const base = t?.kind === "optional" ? t.inner : t;
  if (isNamed(base, "string")) return `(${v} === null ? 0 : ${v}.length)`;
  if (isNamed(base, "List")) return `${v}.length`;
  if (isNamed(base, "Map")) return `${v}.size`;
  const held = base?.kind === "named" ? stdlib.types[base.name]?.atRun : undefined;
  return held ? `${held.size}(${v})` : "1";
}
