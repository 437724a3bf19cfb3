/**
 * main() driven in this process, as bin/thwonkd.js drives it and as tests do (start-order.test.ts): twice in a row on
 * one data folder, and twice at once. Each run took SIGTERM and SIGINT listeners and left them on the process when
 * it had stopped: a process that ran main() n times held 2n listeners (a warning past ten), each holding its closed
 * daemon. Now a stopped main() takes its listeners off; the folder's lock is let go, so the next main() takes it;
 * and a main() on a folder one in this process is using is refused (TW6030), the first going on.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { main } from "../../runtime/daemon/main.js";
import { workspace } from "./helpers.js";

/** main() on `data` until its ready line (kept off the test runner's stdout); `stop` calls its SIGTERM listener. */
async function started(data: string): Promise<{ exited: Promise<number>; stop(): void } | { exited: Promise<number> }> {
  const write = process.stdout.write;
  const before = new Set(process.listeners("SIGTERM"));
  let ready: () => void = () => undefined;
  const readyLine = new Promise<void>((r) => (ready = r));
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === "string" && chunk.startsWith('{"smtp"')) return (ready(), true);
    return (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    const exited = main(["--data", data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--workers", "1"]);
    const first = await Promise.race([readyLine.then(() => "ready" as const), exited]);
    if (first !== "ready") return { exited };
    const mine = process.listeners("SIGTERM").filter((l) => !before.has(l));
    assert.equal(mine.length, 1);
    return { exited, stop: () => (mine[0] as () => void)() };
  } finally {
    process.stdout.write = write;
  }
}

test("main() twice in a row in one process: each takes the folder, and leaves no signal listener behind", async () => {
  const ws = workspace({});
  const saved = process.env["THWONKD_LOG_LEVEL"];
  process.env["THWONKD_LOG_LEVEL"] = "error";
  const term = process.listenerCount("SIGTERM");
  const int = process.listenerCount("SIGINT");
  try {
    for (let i = 0; i < 2; i++) {
      const d = await started(ws.data);
      assert.ok("stop" in d, "started");
      d.stop();
      assert.equal(await d.exited, 0);
      assert.equal(process.listenerCount("SIGTERM"), term, `run ${i + 1}: its SIGTERM listener taken off`);
      assert.equal(process.listenerCount("SIGINT"), int, `run ${i + 1}: its SIGINT listener taken off`);
    }
  } finally {
    if (saved === undefined) delete process.env["THWONKD_LOG_LEVEL"];
    else process.env["THWONKD_LOG_LEVEL"] = saved;
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("main() twice at once in one process on one folder: the second is refused (TW6030, exit 2), the first goes on", async () => {
  const ws = workspace({});
  const saved = process.env["THWONKD_LOG_LEVEL"];
  process.env["THWONKD_LOG_LEVEL"] = "error";
  const stderr = process.stderr.write;
  let said = "";
  try {
    const first = await started(ws.data);
    assert.ok("stop" in first);
    process.stderr.write = ((chunk: unknown) => ((said += String(chunk)), true)) as typeof process.stderr.write;
    const second = await started(ws.data);
    process.stderr.write = stderr;
    assert.equal("stop" in second, false);
    assert.equal(await second.exited, 2);
    assert.match(said, /TW6030 Cannot start: --data .*: another thwonkd is using it/);
    first.stop();
    assert.equal(await first.exited, 0);
  } finally {
    process.stderr.write = stderr;
    if (saved === undefined) delete process.env["THWONKD_LOG_LEVEL"];
    else process.env["THWONKD_LOG_LEVEL"] = saved;
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
