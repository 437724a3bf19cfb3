/** The one error shape of a run, shared by `run --json`, the tests and the daemon: a code, words, and the .thwonk place. */
import type { SandboxError } from "../sandbox/index.js";
import type { SourceMapping } from "../../compiler/index.js";

export interface RunError {
  code: string;
  message: string;
  line: number | null;
  column: number | null;
}

/** A failure of the sandbox itself (out of gas, memory, time, a crash), placed in the source when it knows where. */
export function describeSandboxError(e: SandboxError, _map: readonly SourceMapping[]): RunError {
  return { code: e.code, message: e.message, line: e.line ?? null, column: e.column ?? null };
}
