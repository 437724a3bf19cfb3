/**
 * Moderation: when a list owner approves a held message, the daemon runs the
 * rule again on it with `m.approved` true. A rule that holds and never reads
 * `m.approved` takes the same path on the approval and holds the message
 * again (unless the list changed meanwhile), so its owners can never let a
 * message through: a warning at its first `hold` (TW2260).
 */
import { typeMessages as M } from "../diagnostics/catalog/types.js";
import type { Ctx } from "./context.js";

export function checkApprovalRead(ctx: Ctx): void {
  const holds = ctx.model.capabilities.get("hold");
  if (!holds?.length) return;
  for (const t of ctx.model.members.values()) if (t.kind === "field" && t.owner === "Message" && t.name === "approved") return;
  const first = holds.reduce((a, b) => (b.start < a.start ? b : a));
  ctx.report(M.holdIgnoresApproval, first, []);
}
