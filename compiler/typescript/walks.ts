/**
 * A loop over a collection that a function called in its body changes
 * (TW7027). The rule walks what the collection held when the loop began
 * (the emitter walks a copy), where JavaScript's `for … of` sees the change
 * as it goes: an element pushed is walked too, a key removed is not, a key
 * removed and set again is walked twice. The core refuses such a change
 * written in the loop itself (TW2054); made by a called function, it is
 * found here. Only `state` and `members` can be changed by a function (its
 * parameters cannot change, and it sees nothing else that can), so a
 * changed collection is named by its path from them: `state.seen`,
 * `state.r.tags`, `members`.
 */
import type * as TsMorph from "ts-morph";
import { typescriptMessages as M } from "../diagnostics/catalog/typescript.js";
import { stdlib } from "../../stdlib/index.js";
import { report, textOf, type Lowering } from "./context.js";

type Node = TsMorph.ts.Node;

/** The stdlib's methods that change their receiver (`push`, `set`, `remove`, `members.add`), read from the declaration. */
const CHANGING = new Set(Object.values(stdlib.types).flatMap((t) => Object.entries(t.methods ?? {}).filter(([, m]) => m.mutates).map(([name]) => name)));

/** The methods whose result walks a map: `for (const k of m.keys())` walks `m`. */
const WALKS_MAP = new Set(["keys", "values", "entries"]);

/** Where a chain of property accesses starts and the names along it, through parentheses (`(state.a).b`: `state`, a, b): pathOf and placeOf both read a collection so. */
function accessChain(cx: Lowering, e: Node): { root: Node; names: string[] } {
  const ts = cx.ts;
  const names: string[] = [];
  let n = e;
  for (;;) {
    if (ts.isParenthesizedExpression(n)) n = n.expression;
    else if (ts.isPropertyAccessExpression(n)) {
      names.unshift(n.name.text);
      n = n.expression;
    } else break;
  }
  return { root: n, names };
}

/** `state.a.b` or `members` for an expression that names such a collection, else undefined. */
function pathOf(cx: Lowering, e: Node): string | undefined {
  const ts = cx.ts;
  const { root: n, names } = accessChain(cx, e);
  if (!ts.isIdentifier(n)) return undefined;
  const decl = cx.checker.getSymbolAtLocation(n)?.declarations?.[0];
  // `members` as imported (hazards run before the imports are read: an import in a rule is from "thwonk" or refused).
  if (n.text === "members" && decl !== undefined && ts.isImportSpecifier(decl)) return ["members", ...names].join(".");
  if (n.text !== "state") return undefined;
  // The rule's own `export const state = { … }`, not a parameter or a local of that name.
  if (decl === undefined || !ts.isVariableDeclaration(decl) || !ts.isSourceFile(decl.parent.parent.parent)) return undefined;
  return ["state", ...names].join(".");
}

/** The rule's own function that a call calls, if it is one. */
function calledFunction(cx: Lowering, call: TsMorph.ts.CallExpression): TsMorph.ts.FunctionDeclaration | undefined {
  if (!cx.ts.isIdentifier(call.expression)) return undefined;
  const decl = cx.checker.getSymbolAtLocation(call.expression)?.declarations?.[0];
  return decl !== undefined && cx.ts.isFunctionDeclaration(decl) && decl.getSourceFile() === cx.sf && decl.body !== undefined ? decl : undefined;
}

/** What each of the rule's functions changes, itself or through the functions it calls. */
function changesByFunction(cx: Lowering, sf: TsMorph.ts.SourceFile): Map<TsMorph.ts.FunctionDeclaration, Set<string>> {
  const ts = cx.ts;
  const own = new Map<TsMorph.ts.FunctionDeclaration, Set<string>>();
  const calls = new Map<TsMorph.ts.FunctionDeclaration, Set<TsMorph.ts.FunctionDeclaration>>();
  for (const s of sf.statements) {
    if (!ts.isFunctionDeclaration(s) || s.body === undefined) continue;
    const changed = new Set<string>();
    const callees = new Set<TsMorph.ts.FunctionDeclaration>();
    const visit = (n: Node): void => {
      if (ts.isCallExpression(n)) {
        const callee = n.expression;
        if (ts.isPropertyAccessExpression(callee) && CHANGING.has(callee.name.text)) {
          const path = pathOf(cx, callee.expression);
          if (path !== undefined) changed.add(path);
        }
        const f = calledFunction(cx, n);
        if (f !== undefined) callees.add(f);
      }
      ts.forEachChild(n, visit);
    };
    visit(s.body);
    own.set(s, changed);
    calls.set(s, callees);
  }
  // Through calls, until nothing more is added (recursion is refused elsewhere, but a cycle ends here too).
  for (let grew = true; grew; ) {
    grew = false;
    for (const [f, callees] of calls) {
      const mine = own.get(f)!;
      for (const g of callees) {
        for (const p of own.get(g) ?? []) {
          if (!mine.has(p)) {
            mine.add(p);
            grew = true;
          }
        }
      }
    }
  }
  return own;
}

const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

/** A name for the collection `e` names, by the variable it starts from (`loc`, `state.m`): equal for the same collection. */
function placeOf(cx: Lowering, e: Node, ids: Map<TsMorph.ts.Symbol, number>): string | undefined {
  const ts = cx.ts;
  const { root: n, names } = accessChain(cx, e);
  const sym = ts.isIdentifier(n) ? cx.checker.getSymbolAtLocation(n) : undefined;
  if (sym === undefined) return undefined;
  if (!ids.has(sym)) ids.set(sym, ids.size);
  return [`#${ids.get(sym)}`, ...names].join(".");
}

/**
 * TW7027 at each call, in the body of a loop over a collection, to a function
 * that changes that collection; and, in a loop over a map's `keys()` or
 * `values()`, at a change to the map written in the loop (the core's TW2054
 * knows a loop over the map itself, `for k in m`, not one over these).
 */
export function checkWalks(cx: Lowering, sf: TsMorph.ts.SourceFile): void {
  const ts = cx.ts;
  let changes: Map<TsMorph.ts.FunctionDeclaration, Set<string>> | undefined;
  const ids = new Map<TsMorph.ts.Symbol, number>();
  const visit = (n: Node): void => {
    if (ts.isForOfStatement(n)) {
      let over: Node = n.expression;
      let method: string | undefined;
      if (ts.isCallExpression(over) && ts.isPropertyAccessExpression(over.expression) && WALKS_MAP.has(over.expression.name.text) && over.arguments.length === 0) {
        method = over.expression.name.text;
        over = over.expression.expression;
      }
      // `entries()` is lowered to a loop over the map itself, where the core finds the change.
      const place = method === "keys" || method === "values" ? placeOf(cx, over, ids) : undefined;
      if (place !== undefined) {
        const inBody = (b: Node): void => {
          if (ts.isCallExpression(b) && ts.isPropertyAccessExpression(b.expression) && CHANGING.has(b.expression.name.text)) {
            const changed = placeOf(cx, b.expression.expression, ids);
            if (changed !== undefined && overlaps(changed, place)) report(cx, M.changedByCall, b, [textOf(cx, b), textOf(cx, b.expression.expression), textOf(cx, n.expression)]);
          }
          ts.forEachChild(b, inBody);
        };
        inBody(n.statement);
      }
      const walked = pathOf(cx, over);
      if (walked !== undefined) {
        changes ??= changesByFunction(cx, sf);
        const inBody = (b: Node): void => {
          if (ts.isCallExpression(b)) {
            const f = calledFunction(cx, b);
            const changed = f === undefined ? undefined : [...(changes!.get(f) ?? [])].find((p) => overlaps(p, walked));
            if (changed !== undefined) report(cx, M.changedByCall, b, [textOf(cx, b), changed, textOf(cx, n.expression)]);
          }
          ts.forEachChild(b, inBody);
        };
        inBody(n.statement);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
}
