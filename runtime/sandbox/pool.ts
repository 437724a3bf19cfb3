/**
 * A pool of sandbox workers. Runs are started in the order they were asked
 * for (FIFO; with the reuse strategy a free worker that already has the
 * bundle loaded is preferred). A worker that dies, reports a fatal engine
 * error, or overruns the watchdog is thrown away and replaced; its run ends
 * with TW5006 (or TW5004 for the watchdog) and the pool goes on.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { sandboxError, sandboxMessages as M, type SandboxError } from "./errors.js";
import { engineModule } from "./instance.js";
import type { FromWorker, RunRequest, WorkerConfig } from "./protocol.js";
import { KEPT_BUNDLES, resolveLimits, type RunAhead, type SandboxOptions, type SandboxPool, type SandboxResult } from "./types.js";

export interface PoolInternals {
  /** Tests only: see WorkerConfig.testHooks. */
  testHooks?: boolean;
}

interface Job {
  /** Always with the members (when the run has any): they are left out of what is posted when the worker has them. */
  req: RunRequest;
  resolve: (r: SandboxResult) => void;
  /** The runs chained after it (RunLimits.ahead), by id, not answered yet; the worker is busy until chainDone. */
  ahead?: Map<number, RunAhead>;
  /** Its own result is in: the worker is running the chain. */
  answered?: boolean;
  /** Asked again, alone, after its worker ended with its answer kept back (failJob). */
  again?: boolean;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  dead: boolean;
  job?: Job;
  started: number;
  watchdog?: NodeJS.Timeout;
  /** The time the watchdog was set for, while it is set: set again for the same time, it is only moved on (refresh). */
  watchdogMs?: number;
  /** Whether the worker keeps the process alive (ref), as last set. */
  held?: boolean;
  /** Contexts (memory limit and codeId) recently run here, most recent last: where a reuse-mode worker has them loaded. */
  recent: string[];
  /** Lists recently run here, most recent last. */
  lists: string[];
  /** The members' version last sent here, per context and list (bounded; a worker that lost them asks again). */
  shipped: Map<string, string>;
  /** The code sent here per codeId, most recent last (as many as the worker keeps, worker.ts). */
  codes: Map<string, string>;
  /** WorkerConfig.progress: the run whose answer the worker keeps back while it runs the chain after it. */
  progress: Int32Array;
}

const KEPT_CODES = KEPT_BUNDLES;

const MAX_SHIPPED = 8192;
const RECENT_LISTS = 256;

function contextOf(req: RunRequest, memoryLimitBytes: number): string {
  return `${req.memoryLimitBytes ?? memoryLimitBytes}:${req.codeId}`;
}

function shippedKey(req: RunRequest): string {
  return `${req.memoryLimitBytes ?? ""}:${req.codeId}\n${req.list ?? ""}`;
}

/** The last value of each limit found good: a list's runs ask with the same ones. */
const lastChecked = { timeLimitMs: Number.NaN, memoryLimitBytes: Number.NaN };

/** A run's own limit, checked as resolveLimits checks the pool's (types.ts), with its messages. */
function checked(name: "timeLimitMs" | "memoryLimitBytes", v: number): number {
  if (v === lastChecked[name]) return v;
  const ok = resolveLimits({ [name]: v })[name];
  lastChecked[name] = ok;
  return ok;
}

const WORKER_URL = new URL("./worker.js", import.meta.url);
const MAX_START_FAILURES = 3;

export function createSandboxPool(options: SandboxOptions & PoolInternals = {}): SandboxPool {
  const limits = resolveLimits(options);
  const size = options.workers ?? Math.max(1, Math.min(4, availableParallelism()));
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`sandbox: workers must be a positive integer, got ${size}`);
  const config: Omit<WorkerConfig, "progress"> = {
    limits,
    strategy: options.contextStrategy ?? "reuse",
    wasm: engineModule(),
    testHooks: options.testHooks ?? false,
  };
  // The interrupt handler stops code within milliseconds of the limit; the
  // watchdog is for a built-in that never polls it (e.g. a huge sort).
  const watchdogFor = (timeLimitMs: number): number => timeLimitMs + Math.max(1000, timeLimitMs);

  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let startFailures = 0;
  let closing = false;
  let drained: (() => void) | undefined;
  let closed: Promise<void> | undefined;

  function spawn(): void {
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(WORKER_URL, { workerData: { ...config, progress } satisfies WorkerConfig });
    const slot: Slot = { worker, ready: false, dead: false, started: 0, recent: [], lists: [], shipped: new Map(), codes: new Map(), progress };
    slots.push(slot);
    worker.on("message", (msg: FromWorker) => onMessage(slot, msg));
    worker.on("error", (err) => bury(slot, `the worker failed: ${err.message}`));
    worker.on("exit", (code) => bury(slot, `the worker running it exited with code ${code}`));
  }

  function onMessage(slot: Slot, msg: FromWorker): void {
    if (msg.type === "many") {
      for (const m of msg.answers) if (!slot.dead) answer(slot, m);
    } else answer(slot, msg);
    pump();
  }

  /** One answer of the worker's (pump() after). */
  function answer(slot: Slot, msg: FromWorker): void {
    if (msg.type === "ready") {
      slot.ready = true;
      startFailures = 0;
    } else if (msg.type === "needCode") {
      const job = slot.job;
      if (!job || job.req.id !== msg.id) return;
      slot.codes.delete(job.req.codeId);
      post(slot, job.req, false);
      return;
    } else if (msg.type === "needMembers") {
      const job = slot.job;
      if (!job || job.req.id !== msg.id) return;
      slot.shipped.delete(shippedKey(job.req));
      post(slot, job.req, false);
      return;
    } else if (msg.type === "ahead") {
      const a = slot.job?.ahead?.get(msg.id);
      if (!a) return;
      slot.job!.ahead!.delete(msg.id);
      a.done({ inputJson: msg.inputJson ?? a.inputJson, result: msg.result });
      if (!msg.fatal && !msg.last) return void watch(slot, aheadLimit(slot.job!));
      endChain(slot);
      if (msg.fatal) replace(slot, "");
    } else if (msg.type === "chainDone") {
      if (slot.job?.req.id !== msg.id || !slot.job.answered) return;
      endChain(slot);
    } else if (msg.type === "result") {
      const job = slot.job;
      if (!job || job.req.id !== msg.id || job.answered) return;
      finish(slot, msg.result);
      // The worker goes on with the chain (chain.ts, the same test): it stays busy, and watched, until chainDone.
      if (!msg.fatal && msg.result.ok && job.ahead?.size) (slot.job = job), (job.answered = true), watch(slot, aheadLimit(job));
      else notRun(job);
      if (msg.fatal) replace(slot, "");
    }
  }

  /** The chain's runs not answered did not run; the worker is free. */
  function endChain(slot: Slot): void {
    const job = slot.job;
    if (!job?.answered) return;
    slot.job = undefined;
    unwatch(slot);
    notRun(job);
  }

  function notRun(job: Job): void {
    for (const a of job.ahead?.values() ?? []) a.done(undefined);
    job.ahead?.clear();
  }

  function aheadLimit(job: Job): number {
    let max = 0;
    for (const a of job.ahead?.values() ?? []) if (a.timeLimitMs > max) max = a.timeLimitMs;
    return max;
  }

  function watch(slot: Slot, timeLimitMs: number): void {
    const ms = watchdogFor(timeLimitMs);
    if (slot.watchdog && slot.watchdogMs === ms) return void slot.watchdog.refresh();
    unwatch(slot);
    slot.watchdogMs = ms;
    slot.watchdog = setTimeout(() => {
      slot.watchdog = undefined;
      failJob(slot, sandboxError(M.timeLimit, timeLimitMs));
      replace(slot, "");
    }, ms);
  }

  /**
   * A chain's first run, whose answer the worker may keep back while it runs the chain (worker.ts): the pool sees
   * the run end only in the shared word. Once it has ended, a worker that posts nothing for a whole watchdog period
   * of the chained runs' limits is stuck in one of them (failJob runs the first again); until then the first run's
   * own watchdog applies.
   */
  function watchFirst(slot: Slot, job: Job): void {
    const limit = job.req.timeLimitMs ?? limits.timeLimitMs;
    const own = watchdogFor(limit);
    const period = watchdogFor(aheadLimit(job));
    let ended = false;
    const check = (): void => {
      slot.watchdog = undefined;
      if (slot.job !== job || job.answered) return;
      const now = Atomics.load(slot.progress, 0) === (job.req.id | 0);
      const left = own - (performance.now() - slot.started);
      if ((now && ended) || (!now && left <= 0)) {
        failJob(slot, sandboxError(M.timeLimit, now ? aheadLimit(job) : limit));
        return replace(slot, "");
      }
      ended = now;
      slot.watchdog = setTimeout(check, now ? period : Math.min(period, left));
    };
    unwatch(slot);
    slot.watchdogMs = undefined;
    slot.watchdog = setTimeout(check, Math.min(period, own));
  }

  function unwatch(slot: Slot): void {
    clearTimeout(slot.watchdog);
    slot.watchdog = undefined;
  }

  function finish(slot: Slot, result: SandboxResult): void {
    const job = slot.job!;
    slot.job = undefined;
    unwatch(slot);
    const context = contextOf(job.req, limits.memoryLimitBytes);
    if (slot.recent.at(-1) !== context) slot.recent = [...slot.recent.filter((c) => c !== context), context].slice(-16);
    const { list, membersVersion } = job.req;
    if (list !== undefined) {
      if (slot.lists.at(-1) !== list) slot.lists = [...slot.lists.filter((l) => l !== list), list].slice(-RECENT_LISTS);
      const key = shippedKey(job.req);
      slot.shipped.delete(key);
      // A failed run drops its context, and the members with it.
      if (result.ok && membersVersion !== undefined && job.req.members) {
        slot.shipped.set(key, membersVersion);
        if (slot.shipped.size > MAX_SHIPPED) slot.shipped.delete(slot.shipped.keys().next().value!);
      }
    }
    job.resolve(result);
  }

  function failJob(slot: Slot, error: SandboxError): void {
    if (slot.job?.answered) return endChain(slot);
    const job = slot.job;
    if (!job) return;
    if (job.req.ahead && !job.again && Atomics.load(slot.progress, 0) === (job.req.id | 0)) {
      // The run ended and its answer was kept back with the chain's (worker.ts): a run after it stopped the worker.
      // It runs again, alone and first (the same input gives the same result); the chain's runs run in their turns.
      slot.job = undefined;
      unwatch(slot);
      notRun(job);
      job.ahead = undefined;
      job.req.ahead = undefined;
      job.again = true;
      queue.unshift(job);
      return;
    }
    finish(slot, { ok: false, error, wallMs: performance.now() - slot.started });
    notRun(job);
  }

  /** A worker is gone (or going): its run fails, a new worker takes its place. */
  function bury(slot: Slot, why: string): void {
    if (slot.dead) return;
    slot.dead = true;
    slots.splice(slots.indexOf(slot), 1);
    if (!slot.ready) startFailures++;
    failJob(slot, sandboxError(M.sandboxFailed, why));
    if (!closing && startFailures < MAX_START_FAILURES) spawn();
    if (slots.length === 0) {
      for (const job of queue.splice(0)) {
        job.resolve({ ok: false, error: sandboxError(M.sandboxFailed, `no sandbox worker could start (${why})`), wallMs: 0 });
        notRun(job);
      }
    }
    pump();
  }

  function replace(slot: Slot, why: string): void {
    bury(slot, why);
    void slot.worker.terminate();
  }

  /** Posts a run, without its code when this worker was sent the same code under that codeId before. */
  function post(slot: Slot, req: RunRequest, leaveMembers: boolean): void {
    const sent = slot.codes.get(req.codeId) === req.code;
    if (!sent || slot.codes.size > 1) {
      slot.codes.delete(req.codeId);
      slot.codes.set(req.codeId, req.code);
    }
    if (!sent && slot.codes.size > KEPT_CODES) slot.codes.delete(slot.codes.keys().next().value!);
    if (!sent && !leaveMembers) return slot.worker.postMessage(req);
    // What is posted is copied into the worker at once: the job keeps its request whole (code, members), for a resend.
    const { code, members, codeLeftOut, membersLeftOut } = req;
    if (sent) (req.code = ""), (req.codeLeftOut = true);
    if (leaveMembers) (req.members = undefined), (req.membersLeftOut = true);
    try {
      slot.worker.postMessage(req);
    } finally {
      req.code = code;
      req.members = members;
      req.codeLeftOut = codeLeftOut;
      req.membersLeftOut = membersLeftOut;
    }
  }

  /** The idle worker for a run: one that ran its list in its context lately, else its context, else the first idle. */
  function pick(req: RunRequest): Slot | undefined {
    const context = contextOf(req, limits.memoryLimitBytes);
    const list = req.list;
    let first: Slot | undefined;
    let warm: Slot | undefined;
    for (const s of slots) {
      if (!s.ready || s.job) continue;
      first ??= s;
      if (!s.recent.includes(context)) continue;
      if (list !== undefined && s.lists.includes(list)) return s;
      warm ??= s;
    }
    return warm ?? first;
  }

  function pump(): void {
    while (queue.length > 0) {
      const slot = pick(queue[0]!.req);
      if (!slot) break;
      const job = queue.shift()!;
      slot.job = job;
      slot.started = performance.now();
      if (job.ahead?.size) watchFirst(slot, job);
      else watch(slot, job.req.timeLimitMs ?? limits.timeLimitMs);
      const { req } = job;
      post(slot, req, req.membersVersion !== undefined && req.members !== undefined && slot.shipped.get(shippedKey(req)) === req.membersVersion);
    }
    // Keep the process alive only while there is work: an idle pool does not hold it open.
    const busy = queue.length > 0 || slots.some((s) => s.job);
    for (const s of slots) {
      if (s.held === busy) continue;
      s.held = busy;
      busy ? s.worker.ref() : s.worker.unref();
    }
    if (!busy && closing) drained?.();
  }

  for (let i = 0; i < size; i++) spawn();
  pump();

  return {
    run(code, codeId, trigger, inputJson, members, runLimits) {
      if (closing) {
        for (const a of runLimits?.ahead ?? []) a.done(undefined);
        return Promise.resolve({ ok: false, error: sandboxError(M.sandboxFailed, "the sandbox pool is closed"), wallMs: 0 });
      }
      if (slots.length === 0) {
        startFailures = 0;
        for (let i = 0; i < size; i++) spawn();
      }
      return new Promise<SandboxResult>((resolve) => {
        const req: RunRequest = { type: "run", id: nextId++, code, codeId, trigger, inputJson };
        if (members) req.members = members;
        if (runLimits?.timeLimitMs !== undefined) req.timeLimitMs = checked("timeLimitMs", runLimits.timeLimitMs);
        if (runLimits?.memoryLimitBytes !== undefined) req.memoryLimitBytes = checked("memoryLimitBytes", runLimits.memoryLimitBytes);
        if (runLimits?.tokenKey !== undefined) req.tokenKey = runLimits.tokenKey;
        if (runLimits?.list !== undefined) {
          req.list = runLimits.list;
          if (runLimits.membersVersion !== undefined) req.membersVersion = String(runLimits.membersVersion);
        }
        const job: Job = { req, resolve };
        if (runLimits?.ahead?.length) {
          job.ahead = new Map();
          req.ahead = [];
          for (const a of runLimits.ahead) {
            const id = nextId++;
            job.ahead.set(id, a);
            req.ahead.push({ id, inputJson: a.inputJson, timeLimitMs: checked("timeLimitMs", a.timeLimitMs) });
          }
        }
        queue.push(job);
        pump();
      });
    },
    runsAhead: true,
    close() {
      closed ??= (async () => {
        closing = true;
        if (queue.length > 0 || slots.some((s) => s.job)) await new Promise<void>((r) => (drained = r));
        await Promise.all(slots.splice(0).map((s) => ((s.dead = true), s.worker.terminate())));
      })();
      return closed;
    },
  };
}
