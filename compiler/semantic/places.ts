/**
 * Places: what an assignment or a mutating method (`push`, `set`, ...) may
 * change. A `var`, a field of `state`, or a record field inside one of them.
 * Everything else — `let` bindings, parameters, loop variables, stdlib
 * globals and the fields of stdlib values — cannot change.
 */
import type { Fix } from "../diagnostics/diagnostic.js";
import type { Expr } from "../syntax/ast.js";
import type { Ctx } from "./context.js";
import type { Symbol } from "./scope.js";
import { spanPrefix } from "../diagnostics/diagnostic.js";
import { spellingOf, surfaceOf } from "../diagnostics/catalog/spelling.js";

export type Place =
  /** May change; `state` when the place is (inside) a state field. */
  | { ok: true; state: boolean }
  /** A `let` binding (or something inside one). */
  | { ok: false; reason: "let"; symbol: Symbol }
  /** Something that never changes; `what` names it for a message ("The parameter `m`"). */
  | { ok: false; reason: "readonly"; what: string }
  /** Not a place at all (a call, an index, a literal). */
  | { ok: false; reason: "notPlace" };

/** Where `e` lives, once `e` has been checked (its identifiers and fields resolved). */
export function analyzePlace(ctx: Ctx, e: Expr): Place {
  switch (e.kind) {
    case "Ident": {
      const sym = ctx.model.symbols.get(e) ?? ctx.scope.lookup(e.name);
      if (!sym) return { ok: true, state: false }; // already reported as unknown
      switch (sym.kind) {
        case "var":
          return { ok: true, state: false };
        case "let":
          return { ok: false, reason: "let", symbol: sym };
        case "param":
          return { ok: false, reason: "readonly", what: `The parameter \`${sym.name}\`` };
        case "for":
          return { ok: false, reason: "readonly", what: `The loop variable \`${sym.name}\`` };
        case "global":
          return { ok: false, reason: "readonly", what: sym === ctx.stateSymbol ? "`state` as a whole" : `\`${sym.name}\`` };
        case "trigger":
          return { ok: false, reason: "readonly", what: `\`${sym.name}\`` };
        case "const":
          return { ok: false, reason: "readonly", what: `The constant \`${sym.name}\`` };
        default:
          return { ok: false, reason: "readonly", what: `\`${sym.name}\`` };
      }
    }
    case "MemberExpr": {
      if (ctx.model.constants.has(e)) return { ok: false, reason: "readonly", what: `The limit \`${e.name.name}\`` };
      const target = ctx.model.members.get(e);
      if (!target) return { ok: true, state: false }; // already reported
      switch (target.kind) {
        case "state":
          return { ok: true, state: true };
        case "record":
          return analyzePlace(ctx, e.object);
        case "field":
          return { ok: false, reason: "readonly", what: `The field \`${target.name}\` of \`${target.owner}\`` };
      }
      return { ok: true, state: false }; // unreachable: every kind returns above
    }
    case "ErrorExpr":
      return { ok: true, state: false };
    default:
      return { ok: false, reason: "notPlace" };
  }
}

/** The fix that turns the `let` declaring `sym` into a `var`. */
export function letToVarFix(sym: Symbol): Fix | undefined {
  const node = sym.node;
  if (node?.kind !== "LetStmt") return undefined;
  // A `.ts` rule's `const` is its `let`, and its `let` its `var` (docs/typescript.md).
  const s = spellingOf(surfaceOf(node.span.file));
  return { description: `Declare \`${sym.name}\` with \`${s.varWord}\``, edits: [{ span: spanPrefix(node.span, s.constWord.length), newText: s.varWord }] };
}
