/**
 * The checks on a thread of their own: the type-check and the verify whose
 * diagnostics the server publishes. Run on the event loop, a check of a large
 * rule (parse, types, verify: a second or more) held every message behind it:
 * hover and completion on other documents, the edits typed meanwhile and the
 * `$/cancelRequest` meant to stop it were read only when it was done, so its
 * `isCancelled` never saw them. Here the event loop stays free: a newer edit
 * or a cancelled request is read at once, and the job learns of it through a
 * shared word it polls as it walks (compiler/cancel.ts), so it stops within a
 * poll rather than at its end.
 *
 * The thread is the server's own entry run again (`thwonkc lsp` or the
 * extension's bundled server.mjs: `runLsp` sees `workerData` and serves
 * jobs instead of a connection), so no second file has to be found beside
 * whichever bundle is running, and it checks through the same core entry as
 * everything else (`Workspace.check`). It holds a Workspace of its own: a job
 * sends the rule's texts, and a text it already has is not parsed again; a
 * thread started again after a crash learns them from the next job.
 */
import { parentPort, type ResourceLimits, type Worker, workerData } from "node:worker_threads";
import { CheckCancelled, isTsRuleName, RULE_EXT, rulePair, TEST_EXT, TS_RULE_EXT, Workspace, type Diagnostic } from "../compiler/index.js";
import { triggerLenses, type Lens } from "./analysis.js";

export interface CheckJob {
  /** The file to check (the rule, or a test file whose rule is missing). */
  target: string;
  /** The texts of the rule's files, as the server has them. */
  files: { name: string; text: string }[];
  /** Files of the rule the server no longer has (a test file closed or deleted). */
  gone: string[];
  /** Verify too (bounds, budgets, lenses), or only parse and type-check. */
  verify: boolean;
}

/** What the server keeps of a checked rule: plain data, as it crosses threads. */
export interface Checked {
  files: string[];
  diagnostics: Diagnostic[];
  /** Whether the rule was checked (false for a test file whose rule is missing): only then is there something to verify. */
  unit: boolean;
  /** Whether this is a verified pass (then with its lenses and bounds). */
  verified: boolean;
  lenses: Lens[];
  triggers: { name: string; gas: number; fanout: number }[];
}

type Reply = { ready: true } | { id: number; checked: Checked } | { id: number; cancelled: true } | { id: number; error: string };

/** Marks the worker the server starts, in its workerData. */
const MARK = "thwonkChecker";

export function isCheckerThread(): boolean {
  return parentPort !== null && typeof workerData === "object" && workerData !== null && MARK in workerData;
}

/** The rule checked in `ws` (the thread's, or the server's own when it has no thread). */
export function checkIn(ws: Pick<Workspace, "set" | "delete" | "check">, job: CheckJob, isCancelled: () => boolean): Checked {
  for (const f of job.gone) ws.delete(f);
  for (const f of job.files) {
    // A parse is not interrupted; a job an edit overtook stops before the next.
    if (isCancelled()) throw new CheckCancelled();
    ws.set(f.name, f.text);
  }
  const full = ws.check(job.target, { verify: job.verify, isCancelled });
  const verified = job.verify && full.unit !== undefined;
  return {
    files: full.files,
    diagnostics: full.diagnostics,
    unit: full.unit !== undefined,
    verified,
    lenses: verified ? triggerLenses(full.unit!) : [],
    triggers: verified ? (full.unit!.verify?.triggers ?? []).map((t) => ({ name: t.name, gas: t.gas.bound, fanout: t.fanout.bound })) : [],
  };
}

/** The thread's side: one job at a time, stopped when the shared word no longer holds its id. */
export function serveChecker(): void {
  const port = parentPort!;
  const current = (workerData as { [MARK]: Int32Array })[MARK];
  const ws = new Workspace();
  port.postMessage({ ready: true } satisfies Reply);
  port.on("message", ({ id, job }: { id: number; job: CheckJob }) => {
    let reply: Reply;
    try {
      reply = { id, checked: checkIn(ws, job, () => Atomics.load(current, 0) !== id) };
    } catch (e) {
      reply = e instanceof CheckCancelled ? { id, cancelled: true } : { id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    port.postMessage(reply);
  });
}

/** The thread ended under a job (a crash, out of memory, terminated): not an answer about the rule. */
export class CheckerCrashed extends Error {
  /** `why`: what happened, in words ("ran out of memory ..."); `detail`: the thread's error with its stack, for the log. */
  constructor(
    readonly why: string,
    readonly detail = "",
  ) {
    super(`the checker thread ${why}`);
    this.name = "CheckerCrashed";
  }
}

/** How often the server looks whether the running job has become stale (an edit, a cancellation, shutdown). */
const POLL_MS = 10;

interface Pending {
  id: number;
  job: CheckJob;
  isCancelled: () => boolean;
  resolve: (v: Checked | undefined) => void;
  reject: (e: Error) => void;
}

/**
 * The server's side. `run` resolves with the rule checked, or undefined when
 * `isCancelled` said so first (before the job started, or while it ran).
 * Jobs run one at a time, in order. A thread that dies under a job (a crash,
 * out of memory) fails that job with CheckerCrashed, and a new thread is
 * started for the next.
 */
export class CheckerThread {
  private worker: Worker | undefined;
  private readonly current = new Int32Array(new SharedArrayBuffer(4));
  private readonly waiting: Pending[] = [];
  private running: Pending | undefined;
  private poll: ReturnType<typeof setInterval> | undefined;
  private lastId = 0;
  private served = false;
  /** Threads started so far (the first, and one after each crash). */
  started = 0;
  /** Jobs the thread stopped before their end (compiler/cancel.ts), an edit or a cancellation having made them stale. */
  stopped = 0;
  /**
   * False once a thread ended before it served (an entry that is not the
   * server's, as a host that embeds runLsp has): the server then checks
   * on its own thread rather than start such a thread again for every job.
   */
  usable = true;
  /** The heap a thread may use (resourceLimits.maxOldGenerationSizeMb): past it the thread dies, not the server. Read when a thread starts. */
  heapMb: number | undefined;

  /** `spawn` starts the entry that runs `serveChecker` when it sees `workerData`. */
  constructor(private readonly spawn: (workerData: object, resourceLimits: ResourceLimits) => Worker) {}

  run(job: CheckJob, isCancelled: () => boolean): Promise<Checked | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: ++this.lastId, job, isCancelled, resolve, reject });
      this.next();
    });
  }

  dispose(): void {
    clearInterval(this.poll);
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }

  private next(): void {
    if (this.running) return;
    if (!this.usable) {
      for (const w of this.waiting.splice(0)) w.reject(new Error("the checker thread did not start; later checks run on the server's thread"));
    }
    let p: Pending | undefined;
    while ((p = this.waiting.shift())) {
      // A job gone stale while it waited is never sent.
      if (!p.isCancelled()) break;
      p.resolve(undefined);
    }
    if (!p) {
      clearInterval(this.poll);
      this.poll = undefined;
      return;
    }
    let worker: Worker;
    try {
      worker = this.thread();
    } catch (e) {
      // `new Worker` refused the entry at once (not a path: a host run as `node -e`): no thread will ever
      // serve, and a job left running here would hold every later one.
      this.usable = false;
      p.reject(e as Error);
      this.next();
      return;
    }
    this.running = p;
    Atomics.store(this.current, 0, p.id);
    worker.postMessage({ id: p.id, job: p.job });
    this.poll ??= setInterval(() => {
      if (this.running?.isCancelled()) Atomics.store(this.current, 0, 0);
      // A job cancelled while it waits is answered now, not when the one running ends (a thwonk/check
      // cancelled behind a long verify of another rule was answered only seconds later).
      for (let i = this.waiting.length - 1; i >= 0; i--) {
        const w = this.waiting[i]!;
        if (!w.isCancelled()) continue;
        this.waiting.splice(i, 1);
        w.resolve(undefined);
      }
    }, POLL_MS);
    this.poll.unref();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    // Its stdout is not the server's (that one is the protocol's): anything it prints goes to stderr, the log.
    const w = this.spawn({ [MARK]: this.current }, this.heapMb === undefined ? {} : { maxOldGenerationSizeMb: this.heapMb });
    this.started++;
    this.served = false;
    w.stdout?.pipe(process.stderr);
    w.unref();
    w.on("message", (r: Reply) => {
      if (this.worker !== w) return;
      if ("ready" in r) {
        this.served = true;
        return;
      }
      const p = this.running;
      if (!p || p.id !== r.id) return;
      this.running = undefined;
      if ("checked" in r) p.resolve(p.isCancelled() ? undefined : r.checked);
      else if ("cancelled" in r) {
        this.stopped++;
        p.resolve(undefined);
      }
      else p.reject(new Error(r.error));
      this.next();
    });
    const fail = (why: string, detail = "", oom = false): void => {
      if (this.worker !== w) return;
      this.worker = undefined;
      // Out of memory before it served is the heap limit's doing (a checkerHeapMb too small to load the server),
      // not a host whose entry cannot be a thread: the checks then ran on the server's thread, without the limit asked for.
      if (!this.served && !oom) this.usable = false;
      const p = this.running;
      this.running = undefined;
      p?.reject(this.usable ? new CheckerCrashed(why, detail) : new Error(`the checker thread ${why}${detail ? `: ${detail}` : ""}`));
      this.next();
    };
    w.on("error", (e) => {
      const oom = (e as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
      fail(oom ? `ran out of memory (its heap is limited to ${this.heapMb === undefined ? "Node's default" : `${this.heapMb} MB`})` : `failed (${e.message})`, e.stack ?? e.message, oom);
    });
    w.on("exit", (code) => fail(`exited with code ${code}`));
    this.worker = w;
    return w;
  }
}

/** The names of the files a check of `key`'s rule reads: the rule, its test file, and both rule files a test file could belong to. */
export function ruleFileNames(key: string): string[] {
  const test = rulePair(key).test;
  const stem = test?.slice(0, -TEST_EXT.length);
  const names = new Set([key, test, stem === undefined ? undefined : stem + RULE_EXT, stem === undefined ? undefined : stem + TS_RULE_EXT]);
  return [...names].filter((f): f is string => f !== undefined);
}

/**
 * `ruleFileNames(key)` less the test file when it is not `key`'s: NAME.ts
 * beside NAME.thwonk, whose NAME.test.thwonk is the .thwonk rule's
 * (ruleOfTest, as `thwonkc check` pairs them). The core's Workspace checks
 * a rule with whatever test file of its name it holds, so the twin's check
 * held the tests against the .ts rule and published their errors over the
 * .thwonk rule's verdict; that test file is to be dropped from the workspace
 * the twin is checked in (`skip`).
 */
export function ruleFiles(key: string, has: (f: string) => boolean): { names: string[]; skip: string | undefined } {
  const names = ruleFileNames(key);
  const test = rulePair(key).test;
  // Only when the .thwonk rule is there: without it the tests are this rule's, or checked alone (and in the job).
  if (!isTsRuleName(key) || test === undefined || !has(test.slice(0, -TEST_EXT.length) + RULE_EXT)) return { names, skip: undefined };
  return { names: names.filter((f) => f !== test), skip: test };
}

/**
 * The files of a rule a job carries: the rule and its test file, those the
 * server has, and whether the other rule file a test file could belong to
 * is there: a test file's rule is NAME.thwonk or NAME.ts by which exists
 * (ruleOfTest), and the thread's workspace still held a NAME.ts the server
 * had dropped (closed unsaved), checking the test against it.
 */
export function jobOf(texts: { textOf(f: string): string | undefined }, key: string, target: string, verify: boolean): CheckJob {
  const files: CheckJob["files"] = [];
  const gone: string[] = [];
  const own = ruleFiles(key, (f) => texts.textOf(f) !== undefined);
  for (const f of own.names) {
    const text = texts.textOf(f);
    if (text === undefined) gone.push(f);
    else files.push({ name: f, text });
  }
  if (own.skip !== undefined) gone.push(own.skip);
  return { target, files, gone, verify };
}
