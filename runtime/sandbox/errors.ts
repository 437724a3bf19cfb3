/**
 * TW5001–TW5006: what stops a rule in the sandbox. The texts live in the one
 * catalog (contract/messages.ts, listed in compiler/diagnostics/catalog/), so the CLI, the daemon
 * and the docs show the same words; this file picks the sandbox's entries and
 * builds the error a SandboxResult carries.
 */
import { runtimeMessages as R } from "../../contract/messages.js";

export const sandboxMessages = {
  outOfGas: R.outOfGas,
  outOfMemory: R.outOfMemory,
  stackOverflow: R.stackOverflow,
  timeLimit: R.timeLimit,
  runtimeError: R.runtimeError,
  sandboxFailed: R.sandboxFailed,
};

export type SandboxErrorCode = "TW5001" | "TW5002" | "TW5003" | "TW5004" | "TW5005" | "TW5006";

/** The error part of a failed SandboxResult. line/column come from the code's `thwonkLine`/`thwonkColumn`. */
export interface SandboxError {
  code: SandboxErrorCode;
  message: string;
  line?: number;
  column?: number;
}

type Msg<A extends unknown[]> = { code: string; format: (...args: A) => string };

/** A SandboxError from a catalog entry and its material. */
export function sandboxError<A extends unknown[]>(m: Msg<A>, ...args: A): SandboxError {
  return { code: m.code as SandboxErrorCode, message: m.format(...args) };
}
