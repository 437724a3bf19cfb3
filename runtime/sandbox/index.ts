/**
 * The rule sandbox: runs a bundle's compiled code in QuickJS with gas,
 * memory, stack and time limits. README.md beside this file describes the
 * API and the ABI the compiled code follows.
 */
export { createSandboxPool } from "./pool.js";
export { runOnce } from "./once.js";
export { sandboxMessages } from "./errors.js";
export { DEFAULT_LIMITS, MAX_STACK_BYTES } from "./types.js";
export { timeLimitFor, inputChars, NS_PER_GAS, NS_PER_INPUT_CHAR, TIME_MARGIN, MIN_TIME_LIMIT_MS } from "./time-limit.js";
export type {
  ContextStrategy,
  MemberColumns,
  RunLimits,
  SandboxError,
  SandboxErrorCode,
  SandboxLimits,
  SandboxOptions,
  SandboxPool,
  SandboxResult,
} from "./types.js";
