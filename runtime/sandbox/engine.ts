/**
 * Runs bundles on QuickJS engine instances in the current thread, with either
 * context strategy. The worker and runOnce both use it, so limits are
 * applied by one code path.
 *
 * fresh: one instance per engine; each run opens a new context on it and
 *   closes it after. A failed run drops the instance instead (it may be at its
 *   memory cap or hold half-built objects); the next run makes a new one.
 * reuse: one instance + context per bundle (codeId), kept in a small LRU; the
 *   bundle is compiled once, each run calls its factory. A failed run, or one
 *   that leaves jobs queued or the heap near its cap, evicts the entry.
 * Evicted instances are dropped, not disposed: their memory goes with them,
 * and no QuickJS assertion about leaked objects can fire.
 */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import { loadBundle, type Loaded as LoadResult } from "./bundle.js";
import { armGuard, openSandbox, closeSandbox, type HostHooks, type Sandbox } from "./context.js";
import { sandboxError, sandboxMessages as M } from "./errors.js";
import type { MemberColumns } from "../../contract/input.js";
import { execute, makeColumns, type Outcome } from "./execute.js";
import { nearCap, newInstance, type Instance } from "./instance.js";
import type { ContextStrategy, SandboxLimits, SandboxResult } from "./types.js";

const WARM_UP = 'function __thwonk_run(t, i) { return JSON.stringify([t, JSON.parse(i)]); }';

export interface EngineOptions {
  limits: SandboxLimits;
  strategy: ContextStrategy;
  hooks?: HostHooks;
  /** Bundles kept loaded with the reuse strategy (default 16), and their engines' memory (default 256 MiB). */
  cacheSize?: number;
  cacheBytes?: number;
}

interface Loaded {
  code: string;
  sb: Sandbox;
  factory: QuickJSHandle;
  /** Sets the prelude's run state back after a run (bundle.ts). */
  reset?: QuickJSHandle;
  /** The members of the last run, made into frozen columns once and passed to each run while they stay the same. */
  members?: { text: MemberColumns; handle: QuickJSHandle };
}

/** `fatal`: the host side failed in a way that may have damaged this thread's state; replace the thread. */
export interface EngineRun {
  result: SandboxResult;
  fatal: boolean;
}

export class Engine {
  private shared: Instance | undefined;
  private readonly cache = new Map<string, Loaded>();
  private damaged = false;
  /**
   * Engine instances created, bundles compiled (of which `preludes` started with the prelude, run once
   * per context), and members' columns passed in: lets tests and benchmarks see what was reused.
   */
  readonly stats = { instances: 0, loads: 0, preludes: 0, members: 0 };
  /** Runs that ran out of memory where earlier runs had been, and ran again on a new instance. */
  retries = 0;
  /** The current run went to an instance or context an earlier run used (the engine then dropped it, if it failed). */
  private used = false;

  constructor(private readonly opts: EngineOptions) {}

  /**
   * `members`: the members' columns, given apart from the input JSON so that a reused context can keep them (see execute.ts).
   * `timeLimitMs`: this run's time limit instead of the engine's (time-limit.ts timeLimitFor: from the trigger's gas bound).
   */
  async run(code: string, codeId: string, trigger: string, inputJson: string, members?: MemberColumns, timeLimitMs?: number): Promise<EngineRun> {
    const start = performance.now();
    const limits = timeLimitMs === undefined ? this.opts.limits : { ...this.opts.limits, timeLimitMs };
    let outcome: Outcome;
    let fatal = false;
    try {
      const once = (): Promise<Outcome> => this.opts.strategy === "reuse"
        ? this.runReused(limits, code, codeId, trigger, inputJson, members)
        : this.runFresh(limits, code, trigger, inputJson, members);
      this.used = false;
      outcome = await once();
      // Out of memory in a context or engine instance that earlier runs used: their leftovers (garbage QuickJS has
      // not collected, a heap in pieces) may be what filled it. Run again on a new one, whose answer is the run's:
      // a run's memory never depends on the runs before it (issue 11).
      if (!outcome.ok && outcome.error.code === M.outOfMemory.code && this.used) {
        this.retries++;
        outcome = await once();
      }
    } catch (e) {
      // Not the rule's error: a trap in the engine, a host stack overflow, an abort.
      this.reset();
      fatal = true;
      outcome = { ok: false, error: sandboxError(M.sandboxFailed, hostErrorText(e)) };
    }
    fatal ||= this.damaged;
    this.damaged = false;
    return { result: { ...outcome, wallMs: performance.now() - start }, fatal };
  }

  /** Runs a trivial bundle, so the engine's code is compiled before the first real run's clock starts. */
  async warmUp(): Promise<void> {
    await this.run(WARM_UP, "thwonk:warm-up", "warm-up", "{}");
    this.cache.delete("thwonk:warm-up");
  }

  private newInstance(): Promise<Instance> {
    this.stats.instances++;
    return newInstance(this.opts.limits.memoryLimitBytes);
  }

  /** Drops every instance. */
  reset(): void {
    this.shared = undefined;
    this.cache.clear();
  }

  private async runFresh(limits: SandboxLimits, code: string, trigger: string, inputJson: string, members: MemberColumns | undefined): Promise<Outcome> {
    const { hooks } = this.opts;
    this.used = this.shared !== undefined;
    const inst = this.shared ?? (await this.newInstance());
    this.shared = undefined; // given back only if the run leaves it clean
    const sb = openSandbox(inst, limits, hooks);
    armGuard(sb.guard, limits.timeLimitMs);
    const loaded = this.load(sb, code, limits);
    const cols = loaded.ok && members ? this.makeColumns(sb, members, limits) : undefined;
    const outcome = memoryKept(inst, !loaded.ok ? loaded : cols && !cols.ok ? cols : execute(sb, loaded.factory, trigger, inputJson, limits, cols?.handle), limits);
    if (outcome.ok && !nearCap(inst) && !sb.rt.hasPendingJob()) {
      if (loaded.ok) loaded.factory.dispose();
      if (loaded.ok) loaded.reset?.dispose();
      if (cols?.ok) cols.handle.dispose();
      try {
        closeSandbox(sb);
        this.shared = inst;
      } catch {
        this.damaged = true; // QuickJS aborted on a leaked object: a host bug, so replace the thread too
      }
    }
    return outcome;
  }

  private async runReused(limits: SandboxLimits, code: string, codeId: string, trigger: string, inputJson: string, members: MemberColumns | undefined): Promise<Outcome> {
    let entry = this.cache.get(codeId);
    this.cache.delete(codeId);
    if (entry && entry.code !== code) entry = undefined;
    this.used = entry !== undefined;
    if (entry) {
      armGuard(entry.sb.guard, limits.timeLimitMs);
    } else {
      // A miss: loading the bundle counts against this run's time limit.
      const sb = openSandbox(await this.newInstance(), limits, this.opts.hooks);
      armGuard(sb.guard, limits.timeLimitMs);
      const loaded = this.load(sb, code, limits);
      if (!loaded.ok) return loaded;
      entry = { code, sb, factory: loaded.factory, ...(loaded.reset ? { reset: loaded.reset } : {}) };
    }
    let cols: QuickJSHandle | undefined;
    if (members) {
      if (!entry.members || !sameColumns(entry.members.text, members)) {
        entry.members?.handle.dispose();
        entry.members = undefined;
        const made = this.makeColumns(entry.sb, members, limits);
        if (!made.ok) return made;
        entry.members = { text: members, handle: made.handle };
      }
      cols = entry.members.handle;
    }
    const outcome = memoryKept(entry.sb.inst, execute(entry.sb, entry.factory, trigger, inputJson, limits, cols), limits);
    if (outcome.ok && entry.reset && !resetRun(entry.sb, entry.reset)) return outcome; // not kept: the next run starts afresh
    if (outcome.ok && !entry.sb.rt.hasPendingJob() && !nearCap(entry.sb.inst)) {
      this.cache.set(codeId, entry);
      this.trimCache();
    }
    return outcome;
  }

  private load(sb: Sandbox, code: string, limits: SandboxLimits): LoadResult {
    this.stats.loads++;
    const loaded = loadBundle(sb, code, limits);
    if (loaded.ok && loaded.prelude) this.stats.preludes++;
    return loaded;
  }

  private makeColumns(sb: Sandbox, members: MemberColumns, limits: SandboxLimits): ReturnType<typeof makeColumns> {
    this.stats.members++;
    return makeColumns(sb, members, limits);
  }

  /** Evicts the least recently used bundles beyond the count, or beyond the bytes (a WASM memory never shrinks). */
  private trimCache(): void {
    const maxCount = this.opts.cacheSize ?? 16;
    const maxBytes = this.opts.cacheBytes ?? 256 * 2 ** 20;
    let bytes = 0;
    for (const e of this.cache.values()) bytes += e.sb.inst.memory.buffer.byteLength;
    for (const [id, e] of this.cache) {
      if (this.cache.size <= maxCount && bytes <= maxBytes) break;
      this.cache.delete(id);
      bytes -= e.sb.inst.memory.buffer.byteLength;
    }
  }
}

/**
 * A run that reached the memory cap failed, even if it caught QuickJS's "out
 * of memory" and returned (hand-written code can; compiled rules have no
 * try): the engine's memory never shrinks, so having been at the cap shows.
 */
function memoryKept(inst: Instance, outcome: Outcome, limits: SandboxLimits): Outcome {
  return outcome.ok && nearCap(inst) ? { ok: false, error: sandboxError(M.outOfMemory, limits.memoryLimitBytes) } : outcome;
}

/** The prelude's run state set back after a run, so that nothing of it (its input, actions, state) stays alive until the next. */
function resetRun(sb: Sandbox, reset: QuickJSHandle): boolean {
  const r = sb.ctx.callFunction(reset, sb.ctx.undefined);
  (r.error ?? r.value).dispose();
  return !r.error;
}

/** Compared in full: equal strings compare in microseconds, and a members list that changed must never pass for the old one. */
function sameColumns(a: MemberColumns, b: MemberColumns): boolean {
  return a.address === b.address && a.name === b.name && a.role === b.role && a.joined === b.joined;
}

function hostErrorText(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.length > 300 ? text.slice(0, 300) + "…" : text;
}
