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
const engine = new Engine({ limits: config.limits, strategy: config.strategy, hooks, spares: true });

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
    const msg: FromWorker = needMembers ? { type: "needMembers", id: req.id } : { type: "result", id: req.id, result, fatal };
    port.postMessage(msg);
    if (req.ahead?.length && !needMembers) fatal = await runAhead(code, req, result, fatal);
    // After the answer, while no run waits: the next miss finds a locked-down context ready.
    if (--queued === 0 && !fatal) setImmediate(() => void (queued === 0 ? engine.prepare() : undefined));
  });
});
/** The chained runs after `req` (chain.ts), each answered as it ends, the last marked so (else chainDone). Returns whether the engine is suspect. */
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
    port.postMessage({ type: "ahead", id: a.id, inputJson, result: ran.result, fatal: ran.fatal, last } satisfies FromWorker);
    if (ran.fatal) return true;
    if (last) return false;
    next = after;
  }
  port.postMessage({ type: "chainDone", id: req.id } satisfies FromWorker);
  return false;
}

await engine.warmUp();
port.postMessage({ type: "ready" } satisfies FromWorker);
