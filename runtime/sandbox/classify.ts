/** Turning how a run ended into a SandboxError. */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import type { Sandbox } from "./context.js";
import { sandboxError, sandboxMessages as M, type SandboxError } from "./errors.js";
import { nearCap } from "./instance.js";
import type { SandboxLimits } from "./types.js";

interface Described {
  name?: string;
  message?: string;
  line?: number;
  column?: number;
}

const MAX_DETAIL = 2000;

/** The limit the guard saw broken, if any: these win over whatever error the code was left with. */
export function guardError(sb: Sandbox, limits: SandboxLimits): SandboxError | undefined {
  if (sb.guard.outOfGas) return sandboxError(M.outOfGas);
  if (sb.guard.timedOut) return sandboxError(M.timeLimit, limits.timeLimitMs);
  return undefined;
}

/** A failed outcome for a value the code threw; frees the handle. */
export function failedBy(sb: Sandbox, thrown: QuickJSHandle, limits: SandboxLimits): { ok: false; error: SandboxError } {
  const error = thrownError(sb, thrown, limits);
  thrown.dispose();
  return { ok: false, error };
}

/** The error for a value the code threw (or QuickJS threw for it). */
export function thrownError(sb: Sandbox, thrown: QuickJSHandle, limits: SandboxLimits): SandboxError {
  const broken = guardError(sb, limits);
  if (broken) return broken;
  // QuickJS throws null when it runs out of memory while reporting it (a large allocation refused at once leaves
  // the heap far from its cap); compiled code never throws null.
  if (sb.ctx.sameValue(thrown, sb.ctx.null)) return sandboxError(M.outOfMemory, limits.memoryLimitBytes);
  const d = describe(sb, thrown);
  if (d === undefined || (d.name === undefined && d.message === undefined && nearCap(sb.inst))) {
    // QuickJS could not even build its error object: memory is gone.
    return nearCap(sb.inst) ? sandboxError(M.outOfMemory, limits.memoryLimitBytes) : sandboxError(M.runtimeError, "(an error that could not be read)");
  }
  // QuickJS's own limit errors (JSON.parse reports nesting as a SyntaxError).
  if (d.name === "InternalError" && (d.message === "out of memory" || d.message === "string too long")) {
    return sandboxError(M.outOfMemory, limits.memoryLimitBytes);
  }
  if ((d.name === "InternalError" || d.name === "SyntaxError") && d.message === "stack overflow") {
    return sandboxError(M.stackOverflow, limits.stackLimitBytes);
  }
  const text = d.name && d.message ? `${d.name}: ${d.message}` : (d.message ?? d.name ?? "(no message)");
  const error = sandboxError(M.runtimeError, text.length > MAX_DETAIL ? text.slice(0, MAX_DETAIL) + "…" : text);
  if (d.line !== undefined) error.line = d.line;
  if (d.column !== undefined) error.column = d.column;
  return error;
}

function describe(sb: Sandbox, thrown: QuickJSHandle): Described | undefined {
  const { ctx } = sb;
  const r = ctx.callFunction(sb.describe, ctx.undefined, thrown);
  if (r.error) {
    r.error.dispose();
    return undefined;
  }
  const json = ctx.typeof(r.value) === "string" ? ctx.getString(r.value) : "";
  r.value.dispose();
  try {
    return JSON.parse(json) as Described;
  } catch {
    return undefined;
  }
}
