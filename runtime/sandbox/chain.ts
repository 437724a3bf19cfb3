/**
 * Runs chained in one worker (RunRequest.ahead): each starts from the state
 * the one before it left, as the daemon's runner would start it, so that a
 * list's queued messages do not each wait for a round trip between threads.
 * The runner uses a chained run's result only when the input it ran with is
 * the very input the runner builds in that run's turn (runtime/daemon/ahead.ts),
 * so a wrong guess here costs a run again, never a wrong result.
 */
import { spliceState, stateSpan } from "./splice.js";
import type { SandboxResult } from "./types.js";

/** The state the next run of the chain starts from (`{ state }`), or undefined when the chain stops here. */
export function stateAfter(before: unknown, result: SandboxResult): { state: unknown } | undefined {
  if (!result.ok) return undefined;
  let out: { state?: unknown; error?: unknown; actions?: { kind?: unknown }[] };
  try {
    out = JSON.parse(result.output) as typeof out;
  } catch {
    return undefined;
  }
  // Members changed: the next run's members are the store's after this one's commit.
  if (out.actions?.some((a) => a.kind === "members.add" || a.kind === "members.remove")) return undefined;
  // A run that failed commits nothing of its own (docs/language.md), a run without state keeps the one before.
  return { state: !out.error && out.state ? out.state : before };
}

/**
 * The input with its state replaced, byte for byte `JSON.stringify` of the parsed input with the new state: the
 * state's text spliced in when the input is as JSON.stringify writes it (splice.ts; the host's always are).
 */
export function withState(inputJson: string, state: unknown): string {
  const spliced = spliceState(inputJson, JSON.stringify(state));
  if (spliced !== undefined) return spliced;
  const input = JSON.parse(inputJson) as Record<string, unknown>;
  input["state"] = state;
  return JSON.stringify(input);
}

/** The state an input starts from. */
export function stateOf(inputJson: string): unknown {
  const span = stateSpan(inputJson);
  if (span) return JSON.parse(inputJson.slice(span.start, span.end)) ?? null;
  return (JSON.parse(inputJson) as { state?: unknown }).state ?? null;
}
