/**
 * A start that cannot take its addresses: a real thwonkd (bin/thwonkd.js)
 * told to listen where another server already does, or on an address the
 * machine does not have. It says which listener, where and why (TW6026),
 * without a stack trace, exits 2, and leaves nothing running or bound.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../helpers/repo.js";

function occupied(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

function thwonkd(data: string, listeners: Record<string, string>) {
  const args = [join(repoRoot, "bin", "thwonkd.js"), "--data", data];
  for (const [flag, at] of Object.entries({ smtp: "127.0.0.1:0", http: "127.0.0.1:0", ...listeners })) args.push(`--${flag}`, at);
  return spawnSync(process.execPath, args, { encoding: "utf8", timeout: 60_000, env: { ...process.env, THWONKD_LOG_LEVEL: "error" } });
}

for (const listener of ["smtp", "lmtp", "http"]) {
  test(`a ${listener.toUpperCase()} address already in use: TW6026 names it and the flag to change, exit 2, on the data it would have used`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "thwonkd-listen-"));
    const { server, port } = await occupied();
    try {
      const r = thwonkd(join(dir, "data"), { [listener]: `127.0.0.1:${port}` });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, "", "no ports line: the start did not complete");
      assert.match(r.stderr, new RegExp(`^thwonkd: TW6026 Cannot listen for ${listener.toUpperCase()} on 127\\.0\\.0\\.1:${port}: the address is already in use .* --${listener} HOST:PORT`, "m"));
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
      // Said once: not also logged as the listener's own error.
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      // An address this machine does not have (TEST-NET-1, never assigned): the same answer, with why.
      const absent = thwonkd(join(dir, "data"), { [listener]: "192.0.2.1:0" });
      assert.equal(absent.status, 2, absent.stderr);
      assert.match(absent.stderr, new RegExp(`TW6026 Cannot listen for ${listener.toUpperCase()} on 192\\.0\\.2\\.1:0: this machine has no such address`));
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
