/**
 * Runs of a list asked for ahead of their turn. While a list's run goes to a
 * sandbox worker, the messages queued behind it that are parsed already go
 * with it: the worker runs them one after another, each from the state the
 * one before left (runtime/sandbox/chain.ts), without a round trip between
 * threads for each. Nothing is decided ahead: each message still runs in its
 * turn, and takes the result given ahead only when the input the worker ran
 * it with is the very input its turn builds (the same state, time, message
 * and settings), with the same members' version and bundle. A guess that was
 * wrong (a schedule ran in between, a commit failed, the members changed)
 * costs that run again, never a different result.
 */
import type { Bundle } from "../../compiler/index.js";
import { InputRefused, keptJson } from "../input/index.js";
import { bundleInput } from "../run/input.js";
import { encodeRun } from "../run/run-rule.js";
import type { RunAhead, SandboxResult } from "../sandbox/types.js";
import type { RunInput } from "../../contract/input.js";
import type { MembersSnapshot, SavedState } from "./store/types.js";
import type { Delivery } from "./runner.js";

/** At most this many runs go ahead with one: a longer chain would hold the worker from other lists. */
export const MAX_AHEAD = 8;

/**
 * A run with nothing to go with it waits up to this many turns of the event loop (setImmediate) for the list's next
 * messages, parsed in those turns, to go with it: a lone run costs a wake of a sleeping worker and its answer's post
 * (tens of microseconds of CPU on each side), and under many sessions most lone runs find company within a few
 * turns (one turn is too few for a message that arrives just after: its parse takes more). A turn with other work
 * to do does that work; an idle one costs microseconds.
 */
export const GATHER_TURNS = 3;

export interface Ran {
  inputJson: string;
  result: SandboxResult;
  membersVersion: number;
  bundle: Bundle;
  /** What it was asked with: the input and its JSON as sent, and what they were made from (sameInput). */
  sent: { input: RunInput; inputJson: string; members: MembersSnapshot["members"]; stateJson: string; message: unknown; size: number; now: number };
}

/** A delivery queued behind the running one; `message` once parsed and found runnable (not a loop, not over limits). */
export interface Waiting {
  d: Delivery;
  runnable?: { bundle: Bundle; message: Parameters<typeof bundleInput>[1]["message"]; size: number };
}

export interface AheadSlot {
  address: string;
  waiting: Waiting[];
  ahead: Map<Delivery, Promise<Ran | undefined>>;
}

/** The queued messages to run after this run, from the state it starts from (the worker puts in each one's state). */
export function runsAhead(slot: AheadSlot, bundle: Bundle, members: MembersSnapshot, state: SavedState | null): RunAhead[] {
  const out: RunAhead[] = [];
  let stateJson: string | undefined;
  for (const w of slot.waiting) {
    if (out.length >= MAX_AHEAD || slot.ahead.has(w.d) || !w.runnable || w.runnable.bundle !== bundle) break;
    let enc;
    let input: RunInput;
    try {
      input = bundleInput(bundle, { now: w.d.receivedAt, address: slot.address, members: members.members, state, message: w.runnable.message!, messageSize: w.runnable.size });
      enc = encodeRun(bundle, "message", input);
    } catch (err) {
      if (err instanceof InputRefused) break;
      throw err;
    }
    let done!: (r: Ran | undefined) => void;
    const ran = new Promise<Ran | undefined>((r) => (done = r));
    slot.ahead.set(w.d, ran);
    out.push({
      inputJson: enc.inputJson,
      timeLimitMs: enc.timeLimitMs,
      done: (r) => {
        // Not run: its turn runs it, or a later chain takes it.
        if (!r && slot.ahead.get(w.d) === ran) slot.ahead.delete(w.d);
        if (!r) return done(undefined);
        const sent = { input, inputJson: enc.inputJson, members: members.members, stateJson: (stateJson ??= keptJson(state)), message: w.runnable!.message, size: w.runnable!.size, now: w.d.receivedAt };
        // Field by field: a spread of the worker's answer (an object structured clone made) makes V8 build new maps each time.
        done({ inputJson: r.inputJson, result: r.result, membersVersion: members.version, bundle, sent });
      },
    });
  }
  return out;
}

/** Counts for tests and benches: results taken as given ahead, and runs given ahead that had to run again. */
export const aheadCounts = { taken: 0, again: 0 };

/**
 * The input a run given ahead was sent with, when its turn would build the very same: the worker ran the JSON sent
 * (the state it put in was the one sent), the state now is that state as JSON, and the bundle, members, message,
 * size and time are the same values (bundleInput puts the state in as it is and makes the same input of the same
 * values). Its turn takes that input, and the result, as they are: its own input is not built and written again
 * only to be compared (takeAhead).
 */
export function sameInput(ran: Ran | undefined, bundle: Bundle, members: MembersSnapshot, state: SavedState | null, message: unknown, size: number, now: number): RunInput | undefined {
  if (!ran?.result.ok) return undefined;
  const s = ran.sent;
  if (ran.bundle !== bundle || ran.membersVersion !== members.version || s.members !== members.members) return undefined;
  if (s.message !== message || s.size !== size || s.now !== now || ran.inputJson !== s.inputJson) return undefined;
  // The state's JSON is kept with it (runner.ts keptState): compared as text without writing it again.
  if (keptJson(state) !== s.stateJson) return undefined;
  aheadCounts.taken++;
  return s.input;
}

/** The result given ahead for a delivery (its entry, taken from the slot at its turn), when it ran with exactly this input. */
export function takeAhead(ran: Ran | undefined, bundle: Bundle, members: MembersSnapshot, inputJson: () => string): SandboxResult | undefined {
  if (!ran) return undefined;
  if (ran.result.ok && ran.bundle === bundle && ran.membersVersion === members.version && ran.inputJson === inputJson()) {
    aheadCounts.taken++;
    return ran.result;
  }
  aheadCounts.again++;
  return undefined;
}
