/**
 * Types as the rule writes them (`Map<Address, Time> max 5000`, `string?`,
 * `{ name: string }`, a declared `type` name) turned into checker types, with
 * diagnostics for unknown names, wrong type-argument counts, misplaced or
 * invalid `max` bounds and recursive `type` declarations.
 */
import type { TypeNode } from "../syntax/ast.js";
import { typeMessages as M } from "../diagnostics/catalog/types.js";
import { didYouMean } from "../diagnostics/catalog/types.js";
import type { Ctx } from "./context.js";
import { newSymbol } from "./scope.js";
import { maxConstant } from "./constants.js";
import { closest, renameFix } from "./suggest.js";
import { errorType, optional, typeToString, type NamedType, type RecordField, type RecordType, type Type } from "./types.js";
import { listWords } from "../diagnostics/catalog/define.js";

/** `int`, `Address`, ...: one object per name (types are never mutated). */
const plainTypes = new Map<string, NamedType>();

function plainNamed(name: string): NamedType {
  let t = plainTypes.get(name);
  if (!t) plainTypes.set(name, (t = { kind: "named", name, args: [] }));
  return t;
}

/** The types that have a size, and so may carry a `max` bound. */
export const SIZED_TYPES: readonly string[] = ["string", "List", "Map"];

export function resolveTypeNode(ctx: Ctx, node: TypeNode): Type {
  switch (node.kind) {
    case "ErrorType":
      return errorType;
    case "RecordType": {
      const fields = new Map<string, RecordField>();
      for (const f of node.fields) {
        const t = resolveTypeNode(ctx, f.type);
        if (fields.has(f.name.name)) {
          ctx.report(M.duplicateDeclaration, f.name.span, ["The field", f.name.name]);
          continue;
        }
        const field: RecordField = { name: f.name.name, type: t, span: f.name.span };
        fields.set(f.name.name, field);
        const sym = newSymbol("field", f.name.name, f.name.span, t, f);
        ctx.fieldSymbols.set(field, sym);
        ctx.model.symbols.set(f.name, sym);
        ctx.model.declarations.push(sym);
      }
      const r: RecordType = { kind: "record", fields };
      return node.optional ? optional(r) : r;
    }
    case "TypeRef": {
      const name = node.name.name;
      let t: Type;
      const user = ctx.userTypes.get(name);
      if (user) {
        ctx.model.symbols.set(node.name, user.symbol);
        user.symbol.used = true;
        if (node.args.length > 0) ctx.report(M.typeArgumentCount, node.name.span, [name, 0, node.args.length]);
        t = resolveUserType(ctx, name);
      } else if (ctx.std.typeDecl(name)) {
        const arity = ctx.std.arity(name);
        const args: Type[] = [];
        for (const a of node.args) args.push(resolveTypeNode(ctx, a));
        if (args.length === 0 && arity === 0) {
          t = plainNamed(name);
        } else if (args.length !== arity) {
          ctx.report(M.typeArgumentCount, node.name.span, [name, arity, args.length]);
          t = errorType;
        } else {
          t = { kind: "named", name, args } satisfies NamedType;
          if (name === "Map" && !equatable(ctx, args[0]!)) {
            ctx.report(M.invalidMapKey, node.args[0]!.span, [typeToString(args[0]!)]);
          }
        }
      } else {
        const best = closest(name, [...ctx.userTypes.keys(), ...Object.keys(ctx.std.decl.types)]);
        ctx.report(M.unknownType, node.name.span, [name, didYouMean(best) || undefined], renameFix(node.name.span, best));
        t = errorType;
      }
      if (node.max) {
        const v = node.max.kind === "IntLit" ? node.max.value : maxConstant(ctx, node.max);
        if (v === undefined) {
          // reported by maxConstant
        } else if (!Number.isSafeInteger(v) || v <= 0) {
          ctx.report(M.invalidMax, node.max.span, []);
        } else if (t.kind === "named" && SIZED_TYPES.includes(t.name)) {
          t = { ...t, max: v };
        } else if (t.kind !== "error") {
          ctx.report(M.maxNotAllowed, node.max.span, [name, listWords(SIZED_TYPES)]);
        }
      }
      return node.optional ? optional(t) : t;
    }
  }
}

/** Whether values of `t` can be compared with `==` (map keys must be). */
function equatable(ctx: Ctx, t: Type): boolean {
  if (t.kind === "error") return true;
  return t.kind === "named" && ctx.std.typeDecl(t.name)?.equatable === true;
}

/** The type a `type` declaration names, resolved once; a cycle is reported at the declaration. */
export function resolveUserType(ctx: Ctx, name: string): Type {
  const p = ctx.userTypes.get(name);
  if (!p) return errorType;
  if (p.state === "done") return p.info!.type;
  if (p.state === "resolving") {
    ctx.report(M.recursiveType, p.decl.name.span, [name]);
    return errorType;
  }
  p.state = "resolving";
  let t = resolveTypeNode(ctx, p.decl.type);
  if (t.kind === "record") t = { ...t, name };
  else if (t.kind === "optional" && t.inner.kind === "record") t = optional({ ...t.inner, name });
  p.symbol.type = t;
  p.info = { name, decl: p.decl, symbol: p.symbol, type: t };
  p.state = "done";
  ctx.model.typeDecls.set(name, p.info);
  return t;
}
