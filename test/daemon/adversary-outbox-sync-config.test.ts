/**
 * Attacks on the `outboxSync` setting (config.ts) from a JSON config file: wrong types (a number, an object, null, a
 * list, true) are refused naming the file, a value in the file is overridden by THWONKD_OUTBOX_SYNC and that by the
 * flag, an empty variable leaves the file's value, and a real thwonkd started with only the file syncs each file
 * (/v1/health) or, given a wrong type there, stops before it starts with the reason.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError, resolveConfig } from "../../runtime/daemon/config.js";
import { repoRoot } from "../helpers/repo.js";
import { startDaemon, workspace } from "./helpers.js";

function configFile(dir: string, data: unknown): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(data));
  return file;
}

test("outboxSync in the config file: its value, then the variable over it, then the flag; wrong types refused", () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-sync-config-"));
  try {
    const file = configFile(dir, { data: "d", outboxSync: "fdatasync" });
    assert.equal(resolveConfig({ config: file }, {}).outboxSync, "fdatasync");
    assert.equal(resolveConfig({ config: file }, { THWONKD_OUTBOX_SYNC: "" }).outboxSync, "fdatasync", "an empty variable is not a value");
    assert.equal(resolveConfig({ config: file }, { THWONKD_OUTBOX_SYNC: "syncfs" }).outboxSync, "syncfs", "the variable over the file");
    assert.equal(resolveConfig({ config: file, outboxSync: "fdatasync" }, { THWONKD_OUTBOX_SYNC: "syncfs" }).outboxSync, "fdatasync", "the flag over both");
    assert.equal(resolveConfig({}, { THWONKD_CONFIG: file }).outboxSync, "fdatasync", "the file named by THWONKD_CONFIG");
    for (const bad of [1, 0, { how: "fdatasync" }, null, ["fdatasync"], true, " fdatasync", "fdatasync\n"]) {
      const f = configFile(dir, { data: "d", outboxSync: bad });
      assert.throws(
        () => resolveConfig({ config: f }, {}),
        (err: unknown) => err instanceof ConfigError && err.message.startsWith(`${f}: outboxSync must be "syncfs"`) && err.message.endsWith(`got ${JSON.stringify(bad)}`),
        `outboxSync: ${JSON.stringify(bad)}`,
      );
    }
    // A wrong value in the file is refused even when the flag would win: the file is wrong as written.
    const wrong = configFile(dir, { data: "d", outboxSync: 2 });
    assert.throws(() => resolveConfig({ config: wrong, outboxSync: "syncfs" }, {}), ConfigError);
    assert.throws(() => resolveConfig({ data: "d" }, { THWONKD_OUTBOX_SYNC: "each" }), /THWONKD_OUTBOX_SYNC: outboxSync must be/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a real thwonkd: outboxSync from the config file alone, and a wrong type there stops it with the reason", async () => {
  const ws = workspace({ trim140: { example: "trim140", members: [{ address: "ann@example.net" }] } });
  try {
    const good = configFile(ws.dir, { outboxSync: "fdatasync" });
    const d = await startDaemon(ws, { args: ["--config", good], env: { THWONKD_OUTBOX_SYNC: "" } });
    try {
      const health = (await (await fetch(`http://127.0.0.1:${d.ports.http}/v1/health`)).json()) as { outboxSync: string };
      assert.equal(health.outboxSync, "fdatasync (each file: asked so)");
    } finally {
      await d.stop();
    }
    const bad = configFile(ws.dir, { outboxSync: { fdatasync: true } });
    const r = spawnSync(process.execPath, [join(repoRoot, "bin", "thwonkd.js"), "--data", ws.data, "--config", bad, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0"], {
      encoding: "utf8",
      env: { ...process.env, THWONKD_OUTBOX_SYNC: "" },
      timeout: 20_000,
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^thwonkd: .*config-\w+\.json: outboxSync must be "syncfs" \(the file system once a batch, where it can\) or "fdatasync" \(each file\), got \{"fdatasync":true\}\n$/);
  } finally {
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
