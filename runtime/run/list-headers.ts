/**
 * The list's header fields of a `send` and a `forward` action (List-Id, List-Post, List-Unsubscribe,
 * X-Thwonk-Loop), added by the host to the actions of a run's output: they are the same for every run of a
 * list, so the sandbox does not write them into each action's JSON and read them back (contract/prelude/library.js
 * F$send, F$forward). The action then reads as the sandbox wrote it before: `headers` just before `at`, the texts
 * those of the prelude's `__listHeaders` (which a reply's headers still start from): contract/list-fields.ts's
 * `listHeaderTexts`, which the prelude copies. The outgoing message does not depend on them: runtime/mail/compose.ts
 * writes the list's headers from the list itself, with the same definition.
 */
import type { RunAction } from "../../contract/index.js";
import { listHeaderTexts } from "../../contract/list-fields.js";

/** The texts, as `__listHeaders` makes them (contract/list-fields.ts, the one definition, which the prelude copies). */
function listHeaders(list: unknown): Record<string, string> | undefined {
  if (list === null || typeof list !== "object") return undefined;
  const { address, name } = list as { address?: unknown; name?: unknown };
  if (typeof address !== "string") return undefined;
  const last = kept.get(address);
  if (last && last.name === name) return { ...last.headers };
  const headers = listHeaderTexts(address, typeof name === "string" ? name : undefined);
  if (kept.size >= 4096) kept.clear();
  kept.set(address, { name, headers });
  return { ...headers };
}

/** Each list's texts, by its address (lists' runs interleave: one kept for the last list would be made again each run). */
const kept = new Map<string, { name: unknown; headers: Record<string, string> }>();

/**
 * The actions with the list's headers in each send and forward that has none (each its own object); the same array
 * when none lacks them. Pushed into a literal, not mapped: optimized `map` makes holey arrays, the interpreter's
 * packed ones, and every function reading the actions deoptimizes each time the kind it meets changes.
 */
export function withListHeaders(actions: RunAction[], list: unknown): RunAction[] {
  if (!actions.some(lacksHeaders)) return actions;
  const out: RunAction[] = [];
  for (const a of actions) out.push(withHeaders(a, list));
  return out;
}

function withHeaders(a: RunAction, list: unknown): RunAction {
  if (!lacksHeaders(a)) return a;
  const headers = listHeaders(list);
  if (headers === undefined) return a;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(a)) {
    if (k === "at") out["headers"] = headers;
    out[k] = a[k];
  }
  if (!("headers" in out)) out["headers"] = headers;
  return out as RunAction;
}

function lacksHeaders(a: RunAction): boolean {
  return (a.kind === "send" || a.kind === "forward") && a["headers"] === undefined;
}
