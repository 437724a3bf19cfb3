/**
 * Literal arguments of actions that are wrong whatever the run: a publish
 * path that is not a path (contract/values.ts canonicalPublishPath, the rule
 * the runtime applies, TW5016) and `send(from: "sender")` in a scheduled
 * trigger, which handles no message and so has no sender to send as (or a
 * name bound to that literal, which stands for it: assign.ts, boundLiteral).
 */
import type { CallExpr, Expr } from "../syntax/ast.js";
import { canonicalPublishPath } from "../../contract/values.js";
import { typeMessages as M } from "../diagnostics/catalog/types.js";
import { boundLiteral } from "./assign.js";
import type { Ctx } from "./context.js";
import type { CallTarget } from "./model.js";
import { plainString } from "./expr-text.js";

/** The argument given for parameter `name` (by name, or by its position). */
function argFor(e: CallExpr, target: CallTarget & { kind: "function" }, name: string): Expr | undefined {
  const named = e.args.find((a) => a.name?.name === name);
  if (named) return named.value;
  const i = target.decl.params.findIndex((p) => p.name === name);
  const a = e.args[i];
  return a && a.name === undefined ? a.value : undefined;
}

export function checkActionLiterals(ctx: Ctx, e: CallExpr, target: CallTarget): void {
  if (target.kind !== "function") return;
  if (target.name === "publish") {
    const path = argFor(e, target, "path");
    const text = path && plainString(path);
    if (path && text !== undefined && canonicalPublishPath(text) === undefined) ctx.report(M.invalidPublishPath, path.span, [text]);
  }
  if (target.name === "send" && ctx.body.kind === "trigger" && ctx.body.what !== "on message") {
    const from = argFor(e, target, "from");
    if (from && (plainString(from) ?? boundLiteral(ctx, from)) === "sender") ctx.report(M.senderInSchedule, from.span, [ctx.body.what]);
  }
}
