/**
 * `thwonkc runs --failed --removed` marks each failed message as the server does: of a list removed since (no replay
 * runs it), and pruned (retention removed its bytes: a removed list's failures are pruned too). Against a server
 * answering as thwonkd's GET /v1/failed does.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { cliIn } from "../daemon/helpers.js";
import { tempDir } from "../helpers/cli.js";

test("runs --failed --removed: a removed list's message is marked not replayable, and pruned when retention removed its bytes", async () => {
  const asked: string[] = [];
  const message = (id: number, extra: Record<string, unknown>) => ({ id, address: "old@example.org", mailFrom: "ann@example.org", receivedAt: Date.UTC(2026, 0, 1), runId: id + 100, error: { code: "TW5005", message: "boom", line: 3, column: 5 }, ...extra });
  const server = createServer((req, res) => {
    asked.push(req.url ?? "");
    req.resume();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ messages: [message(1, { listRemoved: true }), message(2, { listRemoved: true, pruned: true })], more: false, schedules: { runs: [], more: false } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const dir = tempDir({});
  try {
    const { port } = server.address() as { port: number };
    const r = await cliIn(dir.dir, ["runs", "--failed", "--removed", "--server", `http://127.0.0.1:${port}`, "--token", "t".repeat(64)]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(asked, ["/v1/failed?removed=1"]);
    const lines = r.out.split("\n");
    assert.match(lines[0]!, /^run #101 {2}message #1 .*\(its list was removed: not replayable\)$/);
    assert.match(lines[1]!, /^run #102 {2}message #2 .*\(its list was removed: not replayable\) {2}\(its bytes were removed by retention\)$/);
  } finally {
    server.close();
    dir.remove();
  }
});
