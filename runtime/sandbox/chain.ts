/**
 * Runs chained in one worker (RunRequest.ahead): each starts from the state
 * the one before it left, as the daemon's runner would start it, so that a
 * list's queued messages do not each wait for a round trip between threads.
 * The runner uses a chained run's result only when the input it ran with is
 * the very input the runner builds in that run's turn (runtime/daemon/ahead.ts),
 * so a wrong guess here costs a run again, never a wrong result.
 */
import { looseTopMembers, spliceState, stateSpan, topMembers, type Member } from "./splice.js";
import type { SandboxResult } from "./types.js";

/** The JSON texts of the values JavaScript takes for false (as JSON.stringify writes them: never -0). */
const FALSY: ReadonlySet<string> = new Set(["null", "false", "0", '""']);

/**
 * The state the next run of the chain starts from, as JSON.stringify writes it (`{ stateJson }`), or undefined
 * when the chain stops here. `before`: the state this run started from, the same way.
 */
export function stateAfter(before: string, result: SandboxResult): { stateJson: string } | undefined {
  if (!result.ok) return undefined;
  const { output } = result;
  // An output as JSON.stringify writes it (QuickJS's is) gives the state's text as it is: no parsing. An action that
  // may change the members (the text says so only for one; then it is read properly) and any other output: parsed.
  const top = output.includes('"kind":"members.') ? undefined : topMembers(output);
  if (top) {
    const text = (key: string): string | undefined => {
      const m = top.find((x) => x.key === key);
      return m ? output.slice(m.start, m.end) : undefined;
    };
    const error = text("error");
    const state = text("state");
    // A run that failed commits nothing of its own (docs/language.md), a run without state keeps the one before.
    return { stateJson: (error === undefined || FALSY.has(error)) && state !== undefined && !FALSY.has(state) ? state : before };
  }
  let out: { state?: unknown; error?: unknown; actions?: { kind?: unknown }[] };
  try {
    out = JSON.parse(output) as typeof out;
  } catch {
    return undefined;
  }
  // Members changed: the next run's members are the store's after this one's commit.
  if (out.actions?.some((a) => a.kind === "members.add" || a.kind === "members.remove")) return undefined;
  return { stateJson: !out.error && out.state ? JSON.stringify(out.state) : before };
}

/**
 * The input with its state replaced (`stateJson`, as JSON.stringify writes it), byte for byte `JSON.stringify` of
 * the parsed input with the new state: spliced in when the input is as JSON.stringify writes it (splice.ts; the
 * host's always are).
 */
export function withState(inputJson: string, stateJson: string): string {
  const spliced = spliceState(inputJson, stateJson);
  if (spliced !== undefined) return spliced;
  const input = JSON.parse(inputJson) as Record<string, unknown>;
  input["state"] = JSON.parse(stateJson);
  return JSON.stringify(input);
}

/**
 * withState as the worker chains runs: the one top-level `state` member's value replaced after reading the top
 * level only (splice.ts looseTopMembers), not checking that the whole input is as JSON.stringify writes it, which
 * costs a scan of all of it (the message) per run. The daemon uses a chained run only when the input it ran with
 * is the very text its turn builds, always as JSON.stringify writes it: an input not so written costs a run again,
 * never a wrong result. Inputs this cannot read so (or with no `state`, or two) go to withState.
 */
export function withStateAhead(inputJson: string, stateJson: string): string {
  const top = looseTopMembers(inputJson);
  let state: Member | undefined;
  for (const m of top ?? []) {
    if (m.key !== "state") continue;
    if (state) return withState(inputJson, stateJson);
    state = m;
  }
  return state ? inputJson.slice(0, state.start) + stateJson + inputJson.slice(state.end) : withState(inputJson, stateJson);
}

/** The state an input starts from, as JSON.stringify writes it (null when it has none). */
export function stateOf(inputJson: string): string {
  const span = stateSpan(inputJson);
  if (span) return inputJson.slice(span.start, span.end);
  return JSON.stringify((JSON.parse(inputJson) as { state?: unknown }).state ?? null);
}
