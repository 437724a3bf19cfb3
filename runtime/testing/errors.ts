/** Sandbox failures as the one error shape of a run (contract/output.ts RunError). */
import type { SandboxError } from "../sandbox/index.js";
import type { SourceMapping } from "../../compiler/index.js";
import type { RunError } from "../../contract/index.js";

export type { RunError } from "../../contract/index.js";

/** A failure of the sandbox itself (out of gas, memory, time, a crash), placed in the source when it knows where. */
export function describeSandboxError(e: SandboxError, _map: readonly SourceMapping[]): RunError {
  return { code: e.code, message: e.message, line: e.line ?? null, column: e.column ?? null };
}
