/**
 * The checker thread's queue (lsp/checker.ts) when its thread will not
 * start or dies: every job gets an answer, and none waits for ever behind one
 * that never ran. Each job here is raced against a long timer only to turn a
 * hang into a failure; nothing is timed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { CheckerThread, type CheckJob } from "../../lsp/checker.js";

const job: CheckJob = { target: "/virtual/a.thwonk", files: [{ name: "/virtual/a.thwonk", text: "rule a\n" }], gone: [], verify: true };

/** How a job ended: "checked", "cancelled" (undefined), "failed: why", or "hung". */
async function outcome(p: Promise<unknown>): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("hung"), 20_000);
  });
  const settled = p.then(
    (v) => (v === undefined ? "cancelled" : "checked"),
    (e: Error) => `failed: ${e.message}`,
  );
  try {
    return await Promise.race([settled, hung]);
  } finally {
    clearTimeout(timer);
  }
}

test("a thread whose Worker cannot even be constructed: the job fails, and the next ones are not stuck behind it", async () => {
  // `new Worker` throws at once for an entry that is not a path (a host run as `node -e ... --stdio`: argv[1] is "--stdio").
  const v = new CheckerThread(() => new Worker("--stdio"));
  assert.match(await outcome(v.run(job, () => false)), /^failed: .*ERR_WORKER_PATH|^failed: .*must be an absolute path/);
  // Before: the first job stayed `running` for ever, so every later job waited behind it (thwonk/check never answered).
  assert.match(await outcome(v.run(job, () => false)), /^failed/);
  assert.equal(v.usable, false, "the server checks on its own thread from now on");
  v.dispose();
});

test("a thread that exits before it serves: the job fails, the thread is not started again", async () => {
  let spawned = 0;
  const v = new CheckerThread(() => {
    spawned++;
    return new Worker("process.exit(3)", { eval: true });
  });
  assert.match(await outcome(v.run(job, () => false)), /^failed: the checker thread exited with code 3/);
  assert.equal(v.usable, false);
  assert.match(await outcome(v.run(job, () => false)), /^failed/);
  assert.equal(spawned, 1);
  v.dispose();
});

test("a thread that serves, then dies on a job: that job fails, the next runs on a new thread", async () => {
  let spawned = 0;
  const v = new CheckerThread(() => {
    spawned++;
    // The first thread dies on its job; the second answers it.
    const code =
      spawned === 1
        ? "const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ ready: true }); parentPort.on('message', () => { throw new Error('boom'); });"
        : "const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ ready: true }); parentPort.on('message', ({ id }) => parentPort.postMessage({ id, checked: { files: [], diagnostics: [], unit: true, verified: true, lenses: [], triggers: [] } }));";
    return new Worker(code, { eval: true });
  });
  const [a, b] = await Promise.all([outcome(v.run(job, () => false)), outcome(v.run(job, () => false))]);
  assert.match(a, /^failed: the checker thread failed \(boom\)/);
  assert.equal(b, "checked");
  assert.equal(v.usable, true);
  assert.equal(spawned, 2);
  v.dispose();
});
