/** Sandbox failures as the one error shape of a run (contract/output.ts RunError). */
import type { SandboxError } from "../sandbox/index.js";
import type { SourceMapping } from "../../compiler/index.js";
import type { RunError } from "../../contract/index.js";

export type { RunError } from "../../contract/index.js";

/**
 * A failure of the sandbox itself (out of gas, memory, time, a crash), placed in the source when it knows where:
 * the code's own position, else the first of `jsLines` (the bundle lines on an engine error's stack, innermost
 * first) that lies in the rule's code, through the bundle's source map.
 */
export function describeSandboxError(e: SandboxError, map: readonly SourceMapping[], jsLines?: readonly number[]): RunError {
  if (e.line === undefined && jsLines) {
    for (const js of jsLines) {
      const at = sourceLineOf(map, js);
      if (at) return { code: e.code, message: e.message, line: at.line, column: at.column };
    }
  }
  return { code: e.code, message: e.message, line: e.line ?? null, column: e.column ?? null };
}

/** The .thwonk position of a line of the generated code: the last mapping at or before it (none in the prelude). */
function sourceLineOf(map: readonly SourceMapping[], jsLine: number): { line: number; column: number } | undefined {
  let best: SourceMapping | undefined;
  for (const m of map) if (m[0] <= jsLine && (!best || m[0] > best[0])) best = m;
  return best ? { line: best[1], column: best[2] } : undefined;
}
