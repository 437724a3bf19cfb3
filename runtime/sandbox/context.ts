/**
 * A locked-down QuickJS context on an engine instance: limits set, the host
 * hooks installed, the lockdown script run. Nothing of the rule's yet.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from "quickjs-emscripten-core";
import type { Instance } from "./instance.js";
import { LOCKDOWN_SOURCE } from "./lockdown.js";
import { installTokenHost, type TokenSlot } from "./tokens.js";
import type { SandboxLimits } from "./types.js";

/** Why the interrupt handler stops the code; reset before each run. */
export interface Guard {
  outOfGas: boolean;
  timedOut: boolean;
  deadline: number;
}

export interface Sandbox {
  inst: Instance;
  rt: QuickJSRuntime;
  ctx: QuickJSContext;
  guard: Guard;
  /** Host-only helpers returned by the lockdown script. */
  describe: QuickJSHandle;
  sourceOf: QuickJSHandle;
  invoke: QuickJSHandle;
  columns: QuickJSHandle;
  /** The engine's own eval (host-only): the shared prelude loads bundles with it (bundle.ts). */
  realEval: QuickJSHandle;
  /** Parses and deep-freezes the input parts a context keeps for a list (kept-input.ts). */
  keep: QuickJSHandle;
  /** The prelude, run once in this context and shared by every bundle loaded in it (bundle.ts). */
  prelude?: { arm: QuickJSHandle; load: QuickJSHandle; reset: QuickJSHandle; gasUsed: QuickJSHandle; wrap: QuickJSHandle };
  /** The signing key of the run in progress (tokens.ts): host-side only, set by execute.ts for one run. */
  tokens: TokenSlot;
  /** Trigger names as engine strings, made once per context (a string cannot be changed by the code it is passed to). */
  triggers: Map<string, QuickJSHandle>;
}

/** Extra host functions, for tests only (e.g. one that kills the worker). */
export type HostHooks = Record<string, () => void>;

/** Called by the interrupt handler during a run, with the time it read (the worker posts answers kept back: worker.ts). */
export type Poll = (now: number) => void;

export function armGuard(guard: Guard, timeLimitMs: number): void {
  guard.outOfGas = false;
  guard.timedOut = false;
  guard.deadline = performance.now() + timeLimitMs;
}

export function openSandbox(inst: Instance, limits: SandboxLimits, hooks: HostHooks = {}, poll?: Poll): Sandbox {
  const rt = inst.qjs.newRuntime();
  rt.setMemoryLimit(limits.memoryLimitBytes);
  rt.setMaxStackSize(limits.stackLimitBytes);
  // Armed (armGuard) when the rule's code is loaded or run; the lockdown is not the rule's time.
  const guard: Guard = { outOfGas: false, timedOut: false, deadline: Infinity };
  // Out of gas first: the code spins after calling the hook, and this turns
  // the spin into QuickJS's uncatchable interrupt.
  rt.setInterruptHandler(() => {
    if (guard.outOfGas) return true;
    const now = performance.now();
    if (now > guard.deadline) guard.timedOut = true;
    poll?.(now);
    return guard.timedOut;
  });
  const ctx = rt.newContext();
  const all: HostHooks = { ...hooks, __host_outOfGas: () => { guard.outOfGas = true; } };
  for (const [name, fn] of Object.entries(all)) {
    const h = ctx.newFunction(name, () => { fn(); });
    ctx.defineProp(ctx.global, name, { value: h, configurable: false, enumerable: false });
    h.dispose();
  }
  const tokens: TokenSlot = { key: null };
  installTokenHost(ctx, tokens);
  const helpers = ctx.unwrapResult(ctx.evalCode(LOCKDOWN_SOURCE, "thwonk-lockdown.js"));
  const [describe, sourceOf, invoke, columns, realEval, keep] = [0, 1, 2, 3, 4, 5].map((i) => ctx.getProp(helpers, i)) as [QuickJSHandle, QuickJSHandle, QuickJSHandle, QuickJSHandle, QuickJSHandle, QuickJSHandle];
  helpers.dispose();
  return { inst, rt, ctx, guard, describe, sourceOf, invoke, columns, realEval, keep, tokens, triggers: new Map() };
}

/** Frees the context inside its instance. May throw (QuickJS aborts on a leaked object): then drop the instance. */
export function closeSandbox(sb: Sandbox): void {
  sb.describe.dispose();
  sb.sourceOf.dispose();
  sb.invoke.dispose();
  sb.columns.dispose();
  sb.realEval.dispose();
  sb.keep.dispose();
  if (sb.prelude) for (const h of Object.values(sb.prelude)) h.dispose();
  for (const h of sb.triggers.values()) h.dispose();
  sb.triggers.clear();
  freeArgv(sb.ctx);
  sb.ctx.dispose();
  sb.rt.dispose();
}

/** Trigger names kept per context: a context's bundles have a few each (`message`, schedules, `test:N`). */
const KEPT_TRIGGERS = 64;

/** The trigger's name as an engine string, kept in the context; the caller does not dispose it. */
export function triggerString(sb: Sandbox, trigger: string): QuickJSHandle {
  const kept = sb.triggers.get(trigger);
  if (kept) return kept;
  const h = sb.ctx.newString(trigger);
  if (sb.triggers.size >= KEPT_TRIGGERS) {
    const [oldest, handle] = sb.triggers.entries().next().value!;
    sb.triggers.delete(oldest);
    handle.dispose();
  }
  sb.triggers.set(trigger, h);
  return h;
}

const encoder = new TextEncoder();

/**
 * A string into the sandbox. quickjs-emscripten's newString encodes UTF-8 in
 * a JavaScript loop (about 1.4 ms for 70 KB); TextEncoder writes it straight
 * into the engine's memory several times faster. QuickJS reads a C string, so
 * a NUL would cut the text there: it is refused (JSON never has one, it
 * escapes it; runtime/input keeps members with one in the JSON).
 */
export function newString(sb: Sandbox, s: string): QuickJSHandle {
  const { ctx } = sb;
  if (s.includes("\0")) throw new RangeError("sandbox: a string passed into the engine contains NUL");
  if (s.length < 256) return ctx.newString(s);
  const raw = ctx as unknown as EngineInternals;
  const size = s.length * 3 + 1;
  const ptr = raw.module._malloc(size);
  if (ptr === 0) return ctx.newString(s); // out of memory: let QuickJS report it the ordinary way
  try {
    const { written } = encoder.encodeInto(s, raw.module.HEAPU8.subarray(ptr, ptr + size - 1));
    raw.module.HEAPU8[ptr + written] = 0;
    return raw.memory.heapValueHandle(raw.ffi.QTS_NewString(raw.ctx.value, ptr));
  } finally {
    raw.module._free(ptr);
  }
}

/** The argument pointers of callDirect, per context (a few bytes of its engine's memory, freed with it). */
const argvs = new WeakMap<QuickJSContext, number>();
const MAX_DIRECT_ARGS = 8;

/**
 * ctx.callFunction without its wrapping: quickjs-emscripten makes a typed array, a malloc'd argument array and a
 * Lifetime for it at every call (0.8 µs of the run's one call into the engine, against 0.1 µs for the call itself);
 * this writes the argument pointers into an array kept for the context. The same QTS_Call and exception check, the
 * same handles back. `thisVal` is undefined.
 */
export function callDirect(sb: Sandbox, fn: QuickJSHandle, args: QuickJSHandle[]): { value: QuickJSHandle; error?: undefined } | { error: QuickJSHandle; value?: undefined } {
  const { ctx } = sb;
  const raw = ctx as unknown as EngineInternals;
  let argv = argvs.get(ctx);
  if (argv === undefined && args.length <= MAX_DIRECT_ARGS) {
    argv = raw.module._malloc(4 * MAX_DIRECT_ARGS);
    if (argv !== 0) argvs.set(ctx, argv);
  }
  if (!argv || args.length > MAX_DIRECT_ARGS) return ctx.callFunction(fn, ctx.undefined, ...args);
  const heap = new Int32Array(raw.module.HEAPU8.buffer, argv, args.length);
  for (let i = 0; i < args.length; i++) heap[i] = (args[i] as unknown as { value: number }).value;
  const c = raw.ctx.value;
  const result = raw.ffi.QTS_Call(c, (fn as unknown as { value: number }).value, (ctx.undefined as unknown as { value: number }).value, args.length, argv);
  const error = raw.ffi.QTS_ResolveException(c, result);
  if (error) {
    raw.ffi.QTS_FreeValuePointer(c, result);
    return { error: raw.memory.heapValueHandle(error) };
  }
  return { value: raw.memory.heapValueHandle(result) };
}

/** Frees the argument array callDirect kept for the context, before the context goes. */
function freeArgv(ctx: QuickJSContext): void {
  const argv = argvs.get(ctx);
  if (argv === undefined) return;
  argvs.delete(ctx);
  (ctx as unknown as EngineInternals).module._free(argv);
}

/** What newString and callDirect use of quickjs-emscripten 0.32's context internals (pinned in package.json; test/runtime checks the round trips). */
interface EngineInternals {
  module: { _malloc(n: number): number; _free(p: number): void; HEAPU8: Uint8Array };
  ffi: {
    QTS_NewString(ctx: number, ptr: number): number;
    QTS_Call(ctx: number, fn: number, thisVal: number, argc: number, argv: number): number;
    QTS_ResolveException(ctx: number, value: number): number;
    QTS_FreeValuePointer(ctx: number, value: number): void;
  };
  memory: { heapValueHandle(ptr: number): QuickJSHandle };
  ctx: { value: number };
}
