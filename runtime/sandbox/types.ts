/** The sandbox's public types, its limits and their defaults. */
import type { SandboxError } from "./errors.js";
import type { MemberColumns } from "../../contract/input.js";

export type { MemberColumns } from "../../contract/input.js";

export type { SandboxError, SandboxErrorCode } from "./errors.js";

/** "fresh": a new QuickJS context for every run. "reuse": one context per bundle, kept between runs. */
export type ContextStrategy = "fresh" | "reuse";

export interface SandboxLimits {
  /** Heap the rule may use; the engine's fixed 16 MiB base (static data, C stack, empty context) comes on top. */
  memoryLimitBytes: number;
  /** QuickJS stack limit. At most 64 KiB: deeper recursion in the WASM engine overflows Node's own stack. */
  stackLimitBytes: number;
  /**
   * Wall-clock backstop per run; gas is the real bound. A run of a trigger should have timeLimitFor(its gas
   * bound) (time-limit.ts), given per run: this is the default for runs that give none.
   */
  timeLimitMs: number;
}

export interface SandboxOptions extends Partial<SandboxLimits> {
  /** Worker threads; default min(4, available cores). */
  workers?: number;
  contextStrategy?: ContextStrategy;
}

export type SandboxResult =
  | { ok: true; output: string; wallMs: number }
  /**
   * `gasUsed`: the gas the run had used when it stopped (absent for code without the prelude, or when it cannot be
   * read). `jsLines`: for an error the code did not place in the source, the lines of the bundle's code on its stack, innermost first.
   */
  | { ok: false; error: SandboxError; wallMs: number; gasUsed?: number; jsLines?: number[] };

export interface SandboxPool {
  /**
   * Runs `__thwonk_run(trigger, inputJson, members)` of `code`; codeId (e.g. the bundle's sha256) names the code for caching.
   * `members` (optional, no NUL in it): the members' columns, kept in a reused context while they stay the same.
   */
  run(code: string, codeId: string, trigger: string, inputJson: string, members?: MemberColumns, run?: RunLimits): Promise<SandboxResult>;
  /** Lets queued runs finish, then stops the workers. Runs asked for after close() fail with TW5006. */
  close(): Promise<void>;
  /** Set when the pool runs `RunLimits.ahead` (and so always calls their `done`). */
  runsAhead?: boolean;
}

/**
 * A run asked for ahead of its turn (runtime/daemon/ahead.ts): its input as built with the state the run before it
 * starts from. The worker puts in the state the run before it left (unless that run failed, which leaves none) and
 * stops the chain at a run that failed, changed the members, or was not ok in the sandbox.
 */
export interface RunAhead {
  inputJson: string;
  timeLimitMs: number;
  /** What ran: the input as the worker made it, and the result; undefined when it did not run. */
  done: (ran: { inputJson: string; result: SandboxResult } | undefined) => void;
}

/** Limits of one run, over the pool's, and what the run is for. */
export interface RunLimits {
  /** timeLimitFor(the trigger's gas bound) (time-limit.ts). */
  timeLimitMs?: number;
  /** The rule's own memory limit (`manifest.limits.memory`): its context is made with it, never shared with another limit's. */
  memoryLimitBytes?: number;
  /** The list the run is for: the pool keeps a list on the worker that ran it last, while that worker is free. */
  list?: string;
  /**
   * The list's members' version (the store's, bumped on each change; with `list`). The members then go to a
   * worker only when it does not have this version, and a context keeps each list's members by version instead of
   * comparing them in full. Runs with the same list and version must have the same members.
   */
  membersVersion?: number | string;
  /** The list's signing key for `list.sign` and `list.verify` (tokens.ts); kept in the host, never in the engine. */
  tokenKey?: string;
  /**
   * Runs of the same list, code, trigger and members to run after this one in the same worker, each from the state
   * the one before left (a pool with `runsAhead` only). Each one's `done` is called once, with what ran or undefined.
   */
  ahead?: RunAhead[];
}

export const MAX_STACK_BYTES = 64 * 1024;

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  // A message at every default limit (escape-heavy text, HTML and headers) is several MB of JSON: 32 MiB was too little.
  memoryLimitBytes: 64 * 1024 * 1024,
  stackLimitBytes: MAX_STACK_BYTES,
  timeLimitMs: 1000,
});

/** Fills in defaults and refuses limits the engine cannot honour (a programming error, so it throws). */
export function resolveLimits(given: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits = {
    memoryLimitBytes: given.memoryLimitBytes ?? DEFAULT_LIMITS.memoryLimitBytes,
    stackLimitBytes: given.stackLimitBytes ?? DEFAULT_LIMITS.stackLimitBytes,
    timeLimitMs: given.timeLimitMs ?? DEFAULT_LIMITS.timeLimitMs,
  };
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`sandbox: ${k} must be a positive integer, got ${v}`);
  }
  if (limits.stackLimitBytes > MAX_STACK_BYTES) {
    throw new RangeError(`sandbox: stackLimitBytes may be at most ${MAX_STACK_BYTES}, got ${limits.stackLimitBytes}`);
  }
  if (limits.memoryLimitBytes > 1024 * 2 ** 20) throw new RangeError("sandbox: memoryLimitBytes may be at most 1 GiB");
  return limits;
}

/**
 * Bundles a sandbox worker keeps loaded (and their code kept, pool.ts and worker.ts): a daemon's lists take
 * turns, and an LRU smaller than the bundles in turn misses every time. A loaded bundle is its functions in a
 * context shared with others (tens of kilobytes there).
 */
export const KEPT_BUNDLES = 1024;
