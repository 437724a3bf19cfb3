/**
 * One thwonkd per data folder (runtime/daemon/data-lock.ts): a second start on a folder in use is refused (TW6030,
 * exit 2, one line) and the first goes on taking mail; a SIGKILLed daemon leaves no stale lock (the next start
 * takes the folder at once).
 * Real thwonkd processes, real SMTP (nodemailer) on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { repoRoot } from "../helpers/repo.js";
import { startDaemon, workspace, type Running } from "./helpers.js";

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({ seed: { example: "trim140", members: [{ address: "ann@example.org", name: "Ann" }] } });
  d = await startDaemon(ws);
});

after(async () => {
  if (d) await d.stop();
  rmSync(ws.dir, { recursive: true, force: true });
});

/** A second thwonkd on the same data folder, run to its end. */
function second() {
  return spawnSync(process.execPath, [join(repoRoot, "bin", "thwonkd.js"), "--data", ws.data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--deploy", ws.rules], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, THWONKD_LOG_LEVEL: "error" },
  });
}

async function post(port: number, subject: string): Promise<string> {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
  try {
    return (await t.sendMail({ from: "ann@example.org", to: "seed@example.org", subject, text: "hi" })).response;
  } finally {
    t.close();
  }
}

test("a second thwonkd on a data folder in use is refused, in one line, exit 2; the first goes on", async () => {
  const r = second();
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, "", "no ports line: the start did not complete");
  assert.match(r.stderr, /^thwonkd: TW6030 Cannot start: --data .*: another thwonkd is using it \(it holds .*thwonkd\.lock\)\. Stop that thwonkd first, or give this one another --data directory\.\n$/);
  assert.match(await post(d.ports.smtp, "still here"), /^250/);
});

test("a SIGKILLed daemon leaves no lock behind: the next start takes the folder", async () => {
  await d.kill();
  d = await startDaemon(ws);
  assert.match(await post(d.ports.smtp, "after the kill"), /^250/);
  // And the lock is this one's now.
  assert.equal(second().status, 2);
});
