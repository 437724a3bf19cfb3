/** Messages between the pool (main thread) and a sandbox worker. One run at a time per worker. */
import type { EngineRunOptions } from "./engine.js";
import type { WasmModule } from "./instance.js";
import type { MemberColumns } from "../../contract/input.js";
import type { ContextStrategy, SandboxLimits, SandboxResult } from "./types.js";

export interface WorkerConfig {
  limits: SandboxLimits;
  strategy: ContextStrategy;
  /** Compiled once in the main thread and shared, so a new worker starts fast. */
  wasm: WasmModule;
  /** Installs `__host_testCrash()` (exits the worker mid-run), `__host_testHang()`, `__host_testForgetCodes()`. Tests only. */
  testHooks: boolean;
  /**
   * Shared with the pool (one Int32 on a SharedArrayBuffer): the id (`| 0`) of the last run whose answer the worker
   * keeps back while it runs the chain after it. If the worker dies or hangs before posting it, the pool knows the
   * run ended and runs it again rather than failing it.
   */
  progress: Int32Array;
}

/** The run's own options (engine.ts EngineRunOptions: limits, list and members version, token key), as the pool sets them. */
export interface RunRequest extends EngineRunOptions {
  type: "run";
  id: number;
  code: string;
  codeId: string;
  trigger: string;
  inputJson: string;
  members?: MemberColumns;
  /** Set by the pool when it left the code out (`code` is then empty): it sent this codeId's code to this worker before. */
  codeLeftOut?: boolean;
  /** Runs to chain after this one (types.ts RunAhead), each answered with `ahead`, then `chainDone`. */
  ahead?: { id: number; inputJson: string; timeLimitMs: number }[];
}

export type FromWorker =
  | { type: "ready" }
  /** fatal: the worker's engine is suspect; the pool replaces the worker. */
  | { type: "result"; id: number; result: SandboxResult; fatal: boolean }
  /** The run came without members, and the worker does not have that version of them: send it again with them. */
  | { type: "needMembers"; id: number }
  /** The run came without its code, and the worker no longer keeps that codeId's: send it again with it. */
  | { type: "needCode"; id: number }
  /**
   * A run of a chain: the input it ran with (the state put in; absent when it is the input sent) and its result;
   * `last`: the chain ends with it (no chainDone).
   */
  | { type: "ahead"; id: number; inputJson?: string; result: SandboxResult; fatal: boolean; last?: boolean }
  /** The chain after run `id` is over (when no answer said `last`): its runs not answered did not run. */
  | { type: "chainDone"; id: number }
  /** Several answers in one post, in the order they were made (each post wakes the pool's thread: worker.ts). */
  | { type: "many"; answers: FromWorker[] };
