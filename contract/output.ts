/**
 * What a run gives back: the JSON the compiled code returns
 * (`__result` in contract/prelude/driver.js), and the one result shape hosts
 * make of it (runtime/run), shared by `thwonkc run --json`, the tests and
 * the daemon's API.
 */
import type { SavedState } from "./state.js";

/** An error the compiled code raised (TW501x, TW5030): its code and material, the .thwonk place (0 when none). */
export interface RuleErrorJson {
  code: string;
  args: unknown[];
  line: number;
  column: number;
}

/**
 * One action of a run, in the order the rule took them; `toMembers` marks a send to all members (runtime/run expands it).
 * A send's and a forward's `headers` (the list's) are added by runtime/run (list-headers.ts), not written by the sandbox.
 */
export interface RunAction {
  kind: string;
  to: string[];
  at: { line: number; column: number };
  [field: string]: unknown;
}

/** One traced statement (thwonkc run --trace). */
export interface TraceStep {
  line: number;
  column: number;
  what: string;
  value: string;
  gas: number;
}

/** A failed expectation of a test. */
export interface TestFailure {
  line: number;
  column: number;
  message: string;
}

/** The JSON `__thwonk_run` returns. A failed run has no actions and no state. */
export interface RunOutput {
  actions: RunAction[];
  state: SavedState | null;
  gas: { used: number };
  error: RuleErrorJson | null;
  trace: TraceStep[] | null;
  /** A test's run (`test:N`): its failed expectations. */
  failures?: TestFailure[];
}

/** The one error shape of a run, shared by `run --json`, the tests and the daemon: a code, words, and the .thwonk place. */
export interface RunError {
  code: string;
  message: string;
  line: number | null;
  column: number | null;
}

/** A run's result as hosts report it. */
export interface RunResult {
  actions: RunAction[];
  /** The state after the run (maps as objects keyed by canonical strings, times ISO 8601 UTC, none as null); null after an error. */
  state: SavedState | null;
  gas: { used: number; bound: number };
  error: RunError | null;
  trace: TraceStep[] | null;
}

/** Words for an error the rule code raised, from the runtime catalog. */
export interface RuleErrorWords {
  describeRuleError(e: RuleErrorJson): RunError;
}

/**
 * What a run needs from its host besides the compiled code: the time zone's
 * offsets (QuickJS has no Intl), .eml files parsed, and words for runtime
 * errors. runtime/host/node-host.ts is the Node implementation.
 */
export interface HostServices extends RuleErrorWords {
  /** UTC offset transitions of `zone` over [fromMs, toMs]: [[fromMs, offsetMinutes], ...]. */
  tzFor(zone: string, fromMs: number, toMs: number): [number, number][];
  /** A message file named in a test (`message = "post.eml"`), relative to the test's file, as message JSON. */
  loadEml(path: string, relativeTo: string): Promise<unknown>;
}
