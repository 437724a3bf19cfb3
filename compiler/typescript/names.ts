/**
 * Names a TypeScript or JavaScript programmer may reach for that a rule does
 * not have, each with the way that works (TW7007), and how an identifier in
 * a `.ts` rule resolves: to the rule's own declarations, to what it imports
 * from "thwonk", or to nothing the core knows.
 */
import type * as TsMorph from "ts-morph";
import type { Expr } from "../syntax/ast.js";
import { typescriptMessages as M } from "../diagnostics/catalog/typescript.js";
import { report, spanOf, type Lowering } from "./context.js";

const HINTS: Record<string, string> = {
  globalThis: "There is no global object; state lives in `export const state = { ... }`.",
  window: "There is no global object; state lives in `export const state = { ... }`.",
  self: "There is no global object; state lives in `export const state = { ... }`.",
  global: "There is no global object; state lives in `export const state = { ... }`.",
  process: "A rule cannot see its host: the list is `list`, its members `members`, the time `now`.",
  require: "A rule is one file and imports only from \"thwonk\".",
  module: "A rule is one file and imports only from \"thwonk\".",
  exports: "A rule is one file and imports only from \"thwonk\".",
  fetch: "A rule cannot reach the network; it acts through `send`, `reply`, `forward` and `publish`.",
  XMLHttpRequest: "A rule cannot reach the network; it acts through `send`, `reply`, `forward` and `publish`.",
  console: "Write a line to the list's log with `log(text)`.",
  Date: "The time is `now` (when the message arrived or the schedule was due); a time literal is `time(\"2026-11-25T09:00:00Z\")`, a duration `days(1)`.",
  Math: "A rule is deterministic (no `Math.random`); `min(a, b)`, `max(a, b)` and `n.abs()` come from \"thwonk\".",
  JSON: "Values go out as they are: interpolate them in a template string.",
  Proxy: "A rule's values are plain data, with no traps.",
  Reflect: "A rule's values are plain data, with no traps.",
  Symbol: "A rule's values are plain data.",
  Object: "Records are written as object literals of a declared `type`.",
  Array: "A list is `List<T, N>` from \"thwonk\", made with `[]` or `new List<T, N>()`, with the stdlib's methods only.",
  String: "Strings have the stdlib's methods only (`truncate`, `split`, `lower`, ...).",
  Number: "Numbers are ints; interpolate one in a template string to show it.",
  Boolean: "Write `x !== undefined`, or the comparison you mean.",
  RegExp: "There are no regular expressions; use `contains`, `startsWith`, `split` and `replace`.",
  Promise: "A run is synchronous: call actions directly.",
  setTimeout: "A rule runs later only by a schedule: `every(\"day at 09:00\", () => { ... })`.",
  setInterval: "A rule runs later only by a schedule: `every(\"day at 09:00\", () => { ... })`.",
  queueMicrotask: "A run is synchronous: call actions directly.",
  parseInt: "Numbers in a rule are ints already.",
  parseFloat: "Numbers in a rule are ints.",
  isNaN: "Numbers in a rule are ints.",
  Error: "A rule does not throw; end a run with `reject(reason)` or `hold(reason)`.",
  Map: "Import it: `import { Map } from \"thwonk\"`.",
  NaN: "Numbers in a rule are ints.",
  Infinity: "Numbers in a rule are ints.",
  WebAssembly: "A rule's code is all in its file.",
  Buffer: "Strings are the rule's only text.",
  atob: "Strings are the rule's only text.",
  btoa: "Strings are the rule's only text.",
};

const CODE_FROM_TEXT = new Set(["eval", "Function"]);

/** `undefined` is `none`; otherwise the symbol's declarations say where a name comes from. */
export function lowerIdentifier(cx: Lowering, node: TsMorph.ts.Identifier): Expr {
  const span = spanOf(cx, node);
  const name = node.text;
  if (name === "undefined") return { kind: "NoneLit", span };
  const sym = cx.checker.getSymbolAtLocation(node);
  const decl = sym?.declarations?.[0];
  // `onMessage` is lowered to the trigger `on message`, and the TypeScript-only helpers (`days`, `time`, `every`, …) to literals and declarations: as names they are nothing the core knows.
  if (decl !== undefined && cx.ts.isFunctionDeclaration(decl) && name === "onMessage" && decl.getSourceFile() === cx.sf) {
    report(cx, M.moduleShape, node, ["`onMessage` is the rule's message trigger, which the runtime calls", "Move what is to be shared into a function of its own, and call that"]);
    return { kind: "ErrorExpr", span };
  }
  // `rule` and `settings` declare; unlike `limits` and `state` they are no values in the core.
  if (decl !== undefined && (name === "rule" || name === "settings") && cx.ts.isVariableDeclaration(decl) && cx.ts.isSourceFile(decl.parent.parent.parent)) {
    report(cx, M.moduleShape, node, [`\`${name}\` declares the rule's ${name === "rule" ? "name" : "settings"}; it is not a value the rule's code can read`, "Write the value where it is needed, or keep it in a `const` of its own"]);
    return { kind: "ErrorExpr", span };
  }
  if (decl !== undefined && cx.ts.isImportSpecifier(decl) && TS_ONLY.has(name) && !isCallee(cx, node)) {
    report(cx, M.nestedFunction, node, [name]);
    return { kind: "ErrorExpr", span };
  }
  // The rule's own declarations and its imports from "thwonk" (an import's symbol is declared by its specifier, here).
  if (decl !== undefined && decl.getSourceFile() === cx.sf) return { kind: "Ident", span, name };
  refuseName(cx, node, name);
  return { kind: "ErrorExpr", span };
}

/** The names "thwonk" has for TypeScript alone, each read where it is called (calls.ts, declarations.ts): not values. */
const TS_ONLY = new Set(["weeks", "days", "hours", "minutes", "seconds", "milliseconds", "time", "email", "every", "List", "Map"]);

function isCallee(cx: Lowering, node: TsMorph.ts.Identifier): boolean {
  const p = node.parent;
  return (cx.ts.isCallExpression(p) || cx.ts.isNewExpression(p)) && p.expression === node;
}

/** A name the rule neither declares nor imports: TW7005 for eval and Function, TW7007 with a hint for the rest. */
export function refuseName(cx: Lowering, node: TsMorph.ts.Node, name: string): void {
  if (CODE_FROM_TEXT.has(name)) {
    report(cx, M.codeFromText, node, [name]);
    return;
  }
  const hint = Object.hasOwn(HINTS, name) ? HINTS[name]! : "Import it from \"thwonk\" if the library has it, or declare it in the rule.";
  report(cx, M.ambientName, node, [name, hint]);
}

/** Names TypeScript itself reports as unknown (TS2304 and its kin) that TW7007 explains better. */
export function explainsUnknownName(name: string): boolean {
  return Object.hasOwn(HINTS, name) || CODE_FROM_TEXT.has(name);
}
