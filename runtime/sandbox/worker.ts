/** Entry point of a sandbox worker thread: one engine, runs one request at a time. */
import { parentPort, workerData } from "node:worker_threads";
import type { HostHooks } from "./context.js";
import { Engine, type EngineRunOptions } from "./engine.js";
import { useEngineModule } from "./instance.js";
import type { FromWorker, RunRequest, WorkerConfig } from "./protocol.js";
import { stateAfter, stateOf, withStateAhead } from "./chain.js";
import type { SandboxResult } from "./types.js";
import { KEPT_BUNDLES } from "./types.js";

const config = workerData as WorkerConfig;
const port = parentPort!;
useEngineModule(config.wasm);
const hooks: HostHooks = config.testHooks
  ? {
      __host_testCrash: () => process.exit(70),
      // Blocks the thread the way a built-in that never polls the interrupt handler would.
      __host_testHang: () => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000),
      // Forgets every code received, as if evicted: the pool's next run of a code it sent here comes without it.
      __host_testForgetCodes: () => codes.clear(),
    }
  : {};
/**
 * Answers kept back, to go in one post: each post wakes the pool's thread (tens of microseconds of CPU on a busy
 * machine), and a chain's runs end a few per millisecond. Kept at most FLUSH_MS after the first of them was ready:
 * posted when the chain ends, after a run, or by the engine's interrupt handler during one (so a run that goes on
 * until its time limit does not hold back the answers before it; a built-in that never polls it is stopped by the
 * pool's watchdog, which then answers those runs "not run", to be run again in their turn).
 */
const FLUSH_MS = 2;
const kept: FromWorker[] = [];
let keptSince = 0;

function flush(): void {
  if (kept.length === 0) return;
  port.postMessage(kept.length === 1 ? kept.pop()! : ({ type: "many", answers: kept.splice(0) } satisfies FromWorker));
}

/** The answer kept back, or posted with those kept when the first of them was ready FLUSH_MS ago. */
function answer(msg: FromWorker, now = false): void {
  if (kept.length === 0) keptSince = performance.now();
  kept.push(msg);
  if (now || performance.now() - keptSince >= FLUSH_MS) flush();
}

const poll = (now: number): void => {
  if (kept.length !== 0 && now - keptSince >= FLUSH_MS) flush();
};
const engine = new Engine({ limits: config.limits, strategy: config.strategy, hooks, spares: true, poll });

/**
 * Code received, by codeId, most recently used last: the pool leaves a bundle's code (tens of kilobytes, copied
 * into this thread at each post) out of a run when it sent it here before. Kept within KEPT_CODES and the pool's
 * count (pool.ts), so a code the pool thinks is here usually is; when not, the run asks for it.
 */
const KEPT_CODES = KEPT_BUNDLES;
const codes = new Map<string, string>();

function codeFor(req: RunRequest): string | undefined {
  const code = req.codeLeftOut ? codes.get(req.codeId) : req.code;
  if (code === undefined) return undefined;
  codes.delete(req.codeId);
  codes.set(req.codeId, code);
  if (codes.size > KEPT_CODES) codes.delete(codes.keys().next().value!);
  return code;
}

let queued = 0;
port.on("message", (req: RunRequest) => {
  const code = codeFor(req);
  if (code === undefined) return port.postMessage({ type: "needCode", id: req.id } satisfies FromWorker);
  queued++;
  void engine.run(code, req.codeId, req.trigger, req.inputJson, req.members, req).then(async ({ result, fatal, needMembers }) => {
    if (needMembers) port.postMessage({ type: "needMembers", id: req.id } satisfies FromWorker);
    else if (req.ahead?.length && result.ok && !fatal) {
      // Kept back with the chain's first answers. Marked done, so that a pool whose worker dies or hangs in a run
      // after it (its answer lost) runs it again instead of failing it (pool.ts).
      Atomics.store(config.progress, 0, req.id | 0);
      answer({ type: "result", id: req.id, result, fatal });
      fatal = await runAhead(code, req, result, fatal);
    } else {
      answer({ type: "result", id: req.id, result, fatal }, true);
      if (req.ahead?.length) fatal = await runAhead(code, req, result, fatal);
    }
    // After the answer, while no run waits: the next miss finds a locked-down context ready.
    if (--queued === 0 && !fatal && engine.preparing) setImmediate(() => void (queued === 0 ? engine.prepare() : undefined));
  });
});
/** The chained runs after `req` (chain.ts), each answered as it ends (kept back a while: answer()), the last marked so (else chainDone). Returns whether the engine is suspect. */
async function runAhead(code: string, req: RunRequest, first: SandboxResult, fatal: boolean): Promise<boolean> {
  let next = fatal ? undefined : stateAfter(stateOf(req.inputJson), first);
  // The first run's options (list, members' version, token key), each run with its own time limit.
  const options: EngineRunOptions = { ...req };
  const ahead = req.ahead ?? [];
  for (let k = 0; k < ahead.length && next; k++) {
    const a = ahead[k]!;
    const inputJson = withStateAhead(a.inputJson, next.stateJson);
    options.timeLimitMs = a.timeLimitMs;
    // The members as with the first run (sent, or left out: the context has them).
    const ran = await engine.run(code, req.codeId, req.trigger, inputJson, req.members, options);
    if (ran.needMembers) break;
    const after = ran.fatal ? undefined : stateAfter(next.stateJson, ran.result);
    // The chain's last answer says so: the worker is free from then on, without a chainDone to wait for.
    const last = !after || k === ahead.length - 1;
    const msg: FromWorker = { type: "ahead", id: a.id, result: ran.result, fatal: ran.fatal, last };
    // The input as sent is not sent back (the pool has it).
    if (inputJson !== a.inputJson) msg.inputJson = inputJson;
    answer(msg, last || ran.fatal);
    if (ran.fatal) return true;
    if (last) return false;
    next = after;
  }
  answer({ type: "chainDone", id: req.id }, true);
  return false;
}

await engine.warmUp();
port.postMessage({ type: "ready" } satisfies FromWorker);
