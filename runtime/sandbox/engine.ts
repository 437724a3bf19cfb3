/**
 * Runs bundles on QuickJS engine instances in the current thread, with either
 * context strategy. The worker and runOnce both use it, so limits are
 * applied by one code path.
 *
 * fresh: one instance per engine; each run opens a new context on it and
 *   closes it after. A failed run drops the instance instead (it may be at its
 *   memory cap or hold half-built objects); the next run makes a new one.
 * reuse: one loaded bundle per codeId, kept in a small LRU; the bundle is
 *   compiled once, each run calls its factory. Bundles with the same memory
 *   limit share a locked-down context (up to SHARED_BUNDLES of them, while its
 *   memory is under SHARED_SHARE of the limit): a miss then only loads the
 *   bundle, without making an engine instance and running the lockdown (most
 *   of a miss). Each bundle's code is its own closure there (bundle.ts), the
 *   prelude's run state is set back around every run, and everything reachable
 *   is frozen; a run that fails, or leaves jobs queued or the heap near its
 *   cap, drops the whole context with every bundle in it. An evicted bundle
 *   gives its handles back, so its memory is freed inside the shared context.
 * Evicted instances are dropped, not disposed: their memory goes with them,
 * and no QuickJS assertion about leaked objects can fire.
 */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import { loadBundle, type Loaded as LoadResult } from "./bundle.js";
import { armGuard, openSandbox, closeSandbox, type HostHooks, type Poll, type Sandbox } from "./context.js";
import { sandboxError, sandboxMessages as M } from "./errors.js";
import type { MemberColumns } from "../../contract/input.js";
import { execute, keepParts, makeColumns, type Outcome } from "./execute.js";
import { KEPT_INPUT_SHARE, KeptInputs, splitInput } from "./kept-input.js";
import { nearCap, newInstance, type Instance } from "./instance.js";
import { KEPT_MEMBERS_SHARE, MemberLists } from "./kept-members.js";
import { KEPT_BUNDLES, type ContextStrategy, type SandboxLimits, type SandboxResult } from "./types.js";

const WARM_UP = 'function __thwonk_run(t, i) { return JSON.stringify([t, JSON.parse(i)]); }';

export interface EngineOptions {
  limits: SandboxLimits;
  strategy: ContextStrategy;
  hooks?: HostHooks;
  /** Bundles kept loaded with the reuse strategy (default KEPT_BUNDLES), and their engines' memory (default 256 MiB). */
  cacheSize?: number;
  cacheBytes?: number;
  /**
   * Keep one locked-down context ready (per memory limit that missed lately), made by `prepare()` between runs,
   * so a miss skips making the engine instance and running the lockdown. The worker turns it on.
   */
  spares?: boolean;
  /** Called during a run by the engine's interrupt handler (context.ts Poll). */
  poll?: Poll;
}

/** One run's options over the engine's. */
export interface EngineRunOptions {
  /** timeLimitFor(the trigger's gas bound) (time-limit.ts). */
  timeLimitMs?: number;
  /** The rule's own memory limit (`manifest.limits.memory`): contexts are kept per bundle and memory limit. */
  memoryLimitBytes?: number;
  /**
   * The list the run is for, and its members' version (the store bumps it on each change). With both, a
   * context keeps each list's members by version, not compared in full, and a run may come without its
   * members when the context has that version: if it has not, the run answers `needMembers` instead.
   */
  list?: string;
  membersVersion?: string;
  /** The pool left the members out (it sent this version to this worker before): runs without members otherwise need none. */
  membersLeftOut?: boolean;
  /** The list's signing key, for `list.sign` and `list.verify` in this run (tokens.ts); none: they fail (TW5050). */
  tokenKey?: string;
}

interface Loaded {
  code: string;
  sb: Sandbox;
  /** The context's entry in `contexts`: the bundles loaded in it. */
  ctx: SharedContext;
  factory: QuickJSHandle;
  /** Sets the prelude's run state back after a run (bundle.ts). */
  reset?: QuickJSHandle;
  members: MemberLists;
  /** The input parts kept per list (kept-input.ts): for code with the prelude, whose driver takes them. */
  inputs: KeptInputs;
}

/** `fatal`: the host side failed in a way that may have damaged this thread's state; replace the thread. */
export interface EngineRun {
  result: SandboxResult;
  fatal: boolean;
  /** The run named a list and members version this engine does not have, and came without the members: ask again with them. */
  needMembers?: boolean;
}

/** A locked-down context and the bundles loaded in it. */
interface SharedContext {
  sb: Sandbox;
  bundles: number;
  /** Its engine's memory when the cache's bytes were last counted (a WASM memory only grows). */
  counted?: number;
}

/** Bundles loaded in one context at most, and the share of its memory limit past which no more are added. */
const SHARED_BUNDLES = 128;
const SHARED_SHARE = 1 / 4;
const MAX_LONERS = 1024;

class NeedMembers {}

export class Engine {
  /** fresh: the kept instance per memory limit. */
  private readonly shared = new Map<number, Instance>();
  private readonly cache = new Map<string, Loaded>();
  /** Per memory limit: the context that the next miss loads its bundle into, while it has room. */
  private readonly open = new Map<number, SharedContext>();
  /** Bundles (codeIds) that failed a run lately: loaded in a context of their own. */
  private readonly loners = new Set<string>();
  /** Locked-down contexts ready for a miss, per memory limit; and the limits that missed since the last prepare(). */
  private readonly spares = new Map<number, Sandbox>();
  private readonly missed = new Set<number>();
  private damaged = false;
  /**
   * Engine instances created, bundles compiled (of which `preludes` started with the prelude, run once
   * per context), and members' columns passed in: lets tests and benchmarks see what was reused.
   */
  readonly stats = { instances: 0, loads: 0, preludes: 0, members: 0 };
  /** Input parts parsed to be kept (kept-input.ts): a run of a list whose parts are kept parses none. */
  keptInputs = 0;
  /** Runs that ran out of memory where earlier runs had been, and ran again on a new instance. */
  retries = 0;
  /**
   * Misses that took a spare context, runs whose members were reused by version (not compared), and bundles
   * loaded into a context whose prelude another bundle had already run (bundle.ts).
   */
  readonly reuse = { spares: 0, membersByVersion: 0, sharedPreludes: 0 };
  /** The current run went to an instance or context an earlier run used (the engine then dropped it, if it failed). */
  private used = false;

  constructor(private readonly opts: EngineOptions) {}

  /**
   * `members`: the members' columns, given apart from the input JSON so that a reused context can keep them (see execute.ts).
   * `timeLimitMs`: this run's time limit instead of the engine's (time-limit.ts timeLimitFor: from the trigger's gas bound).
   */
  async run(code: string, codeId: string, trigger: string, inputJson: string, members?: MemberColumns, options?: number | EngineRunOptions): Promise<EngineRun> {
    const start = performance.now();
    const o: EngineRunOptions = typeof options === "number" ? { timeLimitMs: options } : (options ?? {});
    const base = this.opts.limits;
    const limits: SandboxLimits =
      o.timeLimitMs === undefined && o.memoryLimitBytes === undefined
        ? base
        : { memoryLimitBytes: o.memoryLimitBytes ?? base.memoryLimitBytes, stackLimitBytes: base.stackLimitBytes, timeLimitMs: o.timeLimitMs ?? base.timeLimitMs };
    let outcome: Outcome;
    let fatal = false;
    try {
      const once = (): Promise<Outcome> => this.opts.strategy === "reuse"
        ? this.runReused(limits, code, codeId, trigger, inputJson, members, o)
        : this.runFresh(limits, code, trigger, inputJson, members, o.tokenKey);
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
      if (e instanceof NeedMembers) return { result: { ok: false, error: sandboxError(M.sandboxFailed, "members needed"), wallMs: 0 }, fatal: false, needMembers: true };
      // Not the rule's error: a trap in the engine, a host stack overflow, an abort.
      this.reset();
      fatal = true;
      outcome = { ok: false, error: sandboxError(M.sandboxFailed, hostErrorText(e)) };
    }
    fatal ||= this.damaged;
    this.damaged = false;
    const result = outcome as SandboxResult;
    result.wallMs = performance.now() - start;
    return { result, fatal };
  }

  /** Runs a trivial bundle, so the engine's code is compiled before the first real run's clock starts. */
  async warmUp(): Promise<void> {
    await this.run(WARM_UP, "thwonk:warm-up", "warm-up", "{}");
    this.cache.delete(cacheKey(this.opts.limits.memoryLimitBytes, "thwonk:warm-up"));
  }

  /** Whether prepare() has something to make (a memory limit missed since it last ran). */
  get preparing(): boolean {
    return this.missed.size > 0;
  }

  /**
   * Between runs: makes a locked-down context for each memory limit that missed since the last call and has
   * none ready (the instance and the lockdown are most of a miss's cost; the bundle's code still loads at the miss).
   */
  async prepare(): Promise<void> {
    if (!this.opts.spares || this.opts.strategy !== "reuse") return;
    const limits = [...this.missed];
    this.missed.clear();
    for (const memoryLimitBytes of limits) {
      if (this.spares.has(memoryLimitBytes)) continue;
      const l = { ...this.opts.limits, memoryLimitBytes };
      this.spares.set(memoryLimitBytes, openSandbox(await this.newInstance(memoryLimitBytes), l, this.opts.hooks, this.opts.poll));
      // Spares of limits no longer in use go first: at most four are kept.
      for (const k of this.spares.keys()) if (this.spares.size > 4) this.spares.delete(k);
    }
  }

  private newInstance(memoryLimitBytes: number): Promise<Instance> {
    this.stats.instances++;
    return newInstance(memoryLimitBytes);
  }

  /** A locked-down context for a miss: the spare if one is ready, else a new one. */
  private async openContext(limits: SandboxLimits): Promise<Sandbox> {
    const spare = this.spares.get(limits.memoryLimitBytes);
    if (this.opts.spares) this.missed.add(limits.memoryLimitBytes);
    if (spare) {
      this.spares.delete(limits.memoryLimitBytes);
      this.reuse.spares++;
      // Made with the engine's limits but this memory limit; the stack limit is the same, the time limit is armed per run.
      return spare;
    }
    return openSandbox(await this.newInstance(limits.memoryLimitBytes), limits, this.opts.hooks, this.opts.poll);
  }

  /** Drops every instance. */
  reset(): void {
    this.shared.clear();
    this.cache.clear();
    this.spares.clear();
    this.open.clear();
  }

  /** The context a miss loads its bundle into: the open one for this memory limit while it has room, else a new one. */
  private async sharedContext(limits: SandboxLimits, codeId: string): Promise<SharedContext> {
    if (this.loners.has(codeId)) return { sb: await this.openContext(limits), bundles: 1 };
    const open = this.open.get(limits.memoryLimitBytes);
    if (open && open.bundles < SHARED_BUNDLES && open.sb.inst.memory.buffer.byteLength <= open.sb.inst.maxBytes * SHARED_SHARE) {
      open.bundles++;
      return open;
    }
    const fresh: SharedContext = { sb: await this.openContext(limits), bundles: 1 };
    this.open.set(limits.memoryLimitBytes, fresh);
    return fresh;
  }

  /** A context is suspect (a run failed in it, or it is near its cap): it and every bundle in it go. */
  private dropContext(ctx: SharedContext): void {
    for (const [k, e] of this.cache) if (e.ctx === ctx) this.cache.delete(k);
    for (const [m, o] of this.open) if (o === ctx) this.open.delete(m);
  }

  /** An entry evicted from a healthy context: its handles given back, so the context's memory can be used again. */
  private release(entry: Loaded): void {
    entry.ctx.bundles--;
    if (entry.ctx.bundles <= 0) {
      for (const [m, o] of this.open) if (o === entry.ctx) this.open.delete(m);
      return; // nothing else lives in it: the whole instance goes
    }
    entry.members.dispose();
    entry.inputs.dispose();
    entry.reset?.dispose();
    entry.factory.dispose();
  }

  private async runFresh(limits: SandboxLimits, code: string, trigger: string, inputJson: string, members: MemberColumns | undefined, tokenKey: string | undefined): Promise<Outcome> {
    const { hooks } = this.opts;
    const kept = this.shared.get(limits.memoryLimitBytes);
    this.used = kept !== undefined;
    const inst = kept ?? (await this.newInstance(limits.memoryLimitBytes));
    this.shared.delete(limits.memoryLimitBytes); // given back only if the run leaves it clean
    const sb = openSandbox(inst, limits, hooks, this.opts.poll);
    armGuard(sb.guard, limits.timeLimitMs);
    const loaded = this.load(sb, code, limits);
    const cols = loaded.ok && members ? this.makeColumns(sb, members, limits) : undefined;
    const outcome = memoryKept(inst, !loaded.ok ? loaded : cols && !cols.ok ? cols : execute(sb, loaded.factory, trigger, inputJson, limits, cols?.handle, tokenKey), limits);
    if (outcome.ok && !nearCap(inst) && !sb.rt.hasPendingJob()) {
      if (loaded.ok) {
        loaded.factory.dispose();
        loaded.reset?.dispose();
      }
      if (cols?.ok) cols.handle.dispose();
      try {
        closeSandbox(sb);
        this.shared.set(limits.memoryLimitBytes, inst);
      } catch {
        this.damaged = true; // QuickJS aborted on a leaked object: a host bug, so replace the thread too
      }
    }
    return outcome;
  }

  private async runReused(
    limits: SandboxLimits,
    code: string,
    codeId: string,
    trigger: string,
    inputJson: string,
    members: MemberColumns | undefined,
    o: EngineRunOptions,
  ): Promise<Outcome> {
    const key = cacheKey(limits.memoryLimitBytes, codeId);
    let entry = this.cache.get(key);
    this.cache.delete(key);
    if (entry && entry.code !== code) {
      this.release(entry);
      entry = undefined;
    }
    const byVersion = o.list !== undefined && o.membersVersion !== undefined;
    const listKey = byVersion ? `${o.list}` : "";
    // Asked without the members it names: only a kept context with that version of them can run it.
    if (!members && o.membersLeftOut && (!byVersion || entry?.members.version(listKey) !== o.membersVersion)) {
      if (entry) this.cache.set(key, entry);
      throw new NeedMembers();
    }
    this.used = entry !== undefined;
    if (entry) {
      armGuard(entry.sb.guard, limits.timeLimitMs);
    } else {
      // A miss: loading the bundle counts against this run's time limit.
      const ctx = await this.sharedContext(limits, codeId);
      const { sb } = ctx;
      this.used = ctx.bundles > 1;
      armGuard(sb.guard, limits.timeLimitMs);
      const loaded = this.load(sb, code, limits);
      if (!loaded.ok) {
        this.dropContext(ctx);
        return loaded;
      }
      entry = { code, sb, ctx, factory: loaded.factory, ...(loaded.reset ? { reset: loaded.reset } : {}), members: new MemberLists(), inputs: new KeptInputs() };
    }
    let cols: QuickJSHandle | undefined;
    if (members || (o.membersLeftOut && byVersion)) {
      const taken = entry.members.keep(listKey, byVersion ? o.membersVersion : undefined, members, (m) => this.makeColumns(entry!.sb, m, limits));
      if (!taken.ok) {
        this.dropContext(entry.ctx);
        return taken;
      }
      if (taken.reused) this.reuse.membersByVersion++;
      cols = taken.handle;
    }
    // The input parts that stay the same from run to run of the list, kept parsed in the context (the driver of
    // code with the prelude takes them): the run parses the rest.
    let kept: QuickJSHandle | undefined;
    let runJson = inputJson;
    const split = entry.reset ? splitInput(inputJson, true) : undefined;
    if (split) {
      const taken = entry.inputs.keep(o.list ?? "", split.keptJson, (json) => this.keepParts(entry!.sb, json, limits));
      if (!taken.ok) {
        this.dropContext(entry.ctx);
        return taken;
      }
      kept = taken.handle;
      runJson = split.restJson;
    }
    const outcome = memoryKept(entry.sb.inst, execute(entry.sb, entry.factory, trigger, runJson, limits, cols, o.tokenKey, entry.reset, kept), limits);
    const healthy = !(outcome.ok && outcome.dirty) && !entry.sb.rt.hasPendingJob() && !nearCap(entry.sb.inst);
    if (outcome.ok) delete outcome.dirty;
    if (!outcome.ok || !healthy) {
      // Any failure may have left the context unsound (a redefined global is found only after the run, and is a
      // rule error like any throw): it goes, with every bundle in it. This bundle gets a context of its own from now
      // on, so a rule that keeps failing does not make the bundles beside it load again and again.
      this.dropContext(entry.ctx);
      this.loners.delete(codeId);
      this.loners.add(codeId);
      if (this.loners.size > MAX_LONERS) this.loners.delete(this.loners.values().next().value!);
      return outcome;
    }
    entry.members.trim(limits.memoryLimitBytes * KEPT_MEMBERS_SHARE);
    entry.inputs.trim(limits.memoryLimitBytes * KEPT_INPUT_SHARE);
    this.cache.set(key, entry);
    this.trimCache(entry.ctx);
    return outcome;
  }

  private load(sb: Sandbox, code: string, limits: SandboxLimits): LoadResult {
    this.stats.loads++;
    const loaded = loadBundle(sb, code, limits);
    if (loaded.ok && loaded.prelude) this.stats.preludes++;
    if (loaded.ok && loaded.sharedPrelude) this.reuse.sharedPreludes++;
    return loaded;
  }

  private keepParts(sb: Sandbox, json: string, limits: SandboxLimits): ReturnType<typeof keepParts> {
    this.keptInputs++;
    return keepParts(sb, json, limits);
  }

  private makeColumns(sb: Sandbox, members: MemberColumns, limits: SandboxLimits): ReturnType<typeof makeColumns> {
    this.stats.members++;
    return makeColumns(sb, members, limits);
  }

  /**
   * Evicts the least recently used bundles beyond the count, or beyond the bytes (a WASM memory never shrinks).
   * The bytes are counted again only when the run's context is new or its memory grew: nothing else adds any.
   */
  private trimCache(ran: SharedContext): void {
    const maxCount = this.opts.cacheSize ?? KEPT_BUNDLES;
    const maxBytes = this.opts.cacheBytes ?? 256 * 2 ** 20;
    const now = ran.sb.inst.memory.buffer.byteLength;
    if (this.cache.size <= maxCount && ran.counted === now) return;
    ran.counted = now;
    const bytesOf = (): number => {
      const ctxs = new Set([...this.cache.values()].map((e) => e.ctx));
      let bytes = 0;
      for (const c of ctxs) bytes += c.sb.inst.memory.buffer.byteLength;
      return bytes;
    };
    let bytes = bytesOf();
    for (const [id, e] of this.cache) {
      if (this.cache.size <= maxCount && bytes <= maxBytes) break;
      this.cache.delete(id);
      this.release(e);
      if (bytes > maxBytes) bytes = bytesOf();
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

/** Contexts are kept per memory limit and bundle: a run never gets a context made with another rule's memory limit. */
function cacheKey(memoryLimitBytes: number, codeId: string): string {
  return `${memoryLimitBytes}:${codeId}`;
}

function hostErrorText(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.length > 300 ? text.slice(0, 300) + "…" : text;
}
