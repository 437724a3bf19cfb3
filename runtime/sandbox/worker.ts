/** Entry point of a sandbox worker thread: one engine, runs one request at a time. */
import { parentPort, workerData } from "node:worker_threads";
import type { HostHooks } from "./context.js";
import { Engine } from "./engine.js";
import { useEngineModule } from "./instance.js";
import type { FromWorker, RunRequest, WorkerConfig } from "./protocol.js";

const config = workerData as WorkerConfig;
const port = parentPort!;
useEngineModule(config.wasm);
const hooks: HostHooks = config.testHooks
  ? {
      __host_testCrash: () => process.exit(70),
      // Blocks the thread the way a built-in that never polls the interrupt handler would.
      __host_testHang: () => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000),
    }
  : {};
const engine = new Engine({ limits: config.limits, strategy: config.strategy, hooks });

port.on("message", (req: RunRequest) => {
  void engine.run(req.code, req.codeId, req.trigger, req.inputJson, req.members, req.timeLimitMs).then(({ result, fatal }) => {
    const msg: FromWorker = { type: "result", id: req.id, result, fatal };
    port.postMessage(msg);
  });
});
await engine.warmUp();
port.postMessage({ type: "ready" } satisfies FromWorker);
