/**
 * The data folder's lock (runtime/daemon/data-lock.ts) under the races around it.
 *
 * Two starts at one instant: each takes SQLite's SHARED lock on thwonkd.lock before it asks for the exclusive one,
 * so the one that gets there second may hold SHARED for a moment while the first asks. With no wait at all both
 * were refused (5 of 200 pairs started at the same instant on one machine): no thwonkd ran. Here the loser's moment
 * is held on purpose by a child process (SHARED in exclusive locking mode, as the lock itself took it), let go after
 * 150 ms: the start that meets it waits and takes the folder, as it does once the other start has given up.
 *
 * The lock file removed (rm DATA/thwonkd.lock) or replaced while thwonkd runs: the lock is the file's, not its name's,
 * so the next start took a new file at the name and ran beside the first, on one store. The running thwonkd now looks
 * each LOCK_CHECK_MS and takes the lock again at the name; if a start got in meanwhile, the first stops.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { DataInUse, LOCK_CHECK_MS, LOCK_FILE, lockDataDir } from "../../runtime/daemon/data-lock.js";
import { repoRoot } from "../helpers/repo.js";
import { startDaemon, until, workspace } from "./helpers.js";

const HOLD_SHARED = `
const Database = require("better-sqlite3");
const db = new Database(process.argv[1]);
db.pragma("locking_mode = EXCLUSIVE");
db.prepare("SELECT count(*) FROM sqlite_master").get();
process.stdout.write("held\\n");
setTimeout(() => db.close(), 150);
`;

test("a start that meets another start's moment of SHARED waits for it and takes the folder, rather than both being refused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-lock-"));
  try {
    const child = spawn(process.execPath, ["-e", HOLD_SHARED, join(dir, LOCK_FILE)], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((ok) => child.stdout.once("data", () => ok()));
    const lock = lockDataDir(dir);
    lock.release();
    await new Promise((r) => child.once("exit", r));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a folder held by another process is still refused (DataInUse), within the lock's wait", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-lock-"));
  const held = `
const Database = require("better-sqlite3");
const db = new Database(process.argv[1]);
db.exec("BEGIN EXCLUSIVE");
process.stdout.write("held\\n");
setTimeout(() => db.close(), 60_000);
`;
  const child = spawn(process.execPath, ["-e", held, join(dir, LOCK_FILE)], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    await new Promise<void>((ok) => child.stdout.once("data", () => ok()));
    const t0 = Date.now();
    assert.throws(() => lockDataDir(dir), DataInUse);
    assert.ok(Date.now() - t0 < 5000, "refused within the lock's wait");
  } finally {
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How often the tests of keep() in this process have it look: the logic is the same at any pace, a thwonkd's is LOCK_CHECK_MS. */
const LOOK_MS = 100;

/** A second thwonkd on `data`: its exit status and stderr, or "started" (then stopped) if it printed its ready line. */
function secondStart(data: string, rules: string): Promise<{ status: number | null; stderr: string; started: boolean }> {
  const p = spawn(process.execPath, [join(repoRoot, "bin", "thwonkd.js"), "--data", data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--deploy", rules], {
    env: { ...process.env, THWONKD_LOG_LEVEL: "error" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let started = false;
  p.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  p.stdout.on("data", () => {
    started = true;
    p.kill("SIGTERM");
  });
  return new Promise((r) => p.on("exit", (status) => r({ status, stderr, started })));
}

for (const how of ["removed", "replaced"] as const) {
  test(`the lock file ${how} while thwonkd runs: it is locked again, a second start is still refused, the first goes on`, async () => {
    const ws = workspace({ seed: { example: "trim140", members: [{ address: "ann@example.org", name: "Ann" }] } });
    const d = await startDaemon(ws);
    try {
      const file = join(ws.data, LOCK_FILE);
      rmSync(file);
      if (how === "replaced") writeFileSync(file, "");
      // The next look (each LOCK_CHECK_MS) takes the lock again and says so: waited for, not slept through.
      await until("the lock taken again", () => /the lock file was removed or replaced while thwonkd ran: locked again/.test(d.stderr()) || undefined, LOCK_CHECK_MS * 10);
      const r = await secondStart(ws.data, ws.rules);
      assert.equal(r.started, false, "the second thwonkd ran beside the first");
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /TW6030 Cannot start: --data .*: another thwonkd is using it/);
      assert.match(d.stderr(), /the lock file was removed or replaced while thwonkd ran: locked again/);
      const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
      try {
        assert.match((await t.sendMail({ from: "ann@example.org", to: "seed@example.org", subject: "still", text: "hi" })).response, /^250/);
      } finally {
        t.close();
      }
    } finally {
      assert.equal(await d.stop(), 0);
      rmSync(ws.dir, { recursive: true, force: true });
    }
  });
}

test("the lock file removed and another process locking the new one before it is seen: keep says lost", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-lock-"));
  const held = `
const Database = require("better-sqlite3");
const db = new Database(process.argv[1]);
db.exec("BEGIN EXCLUSIVE");
process.stdout.write("held\\n");
setTimeout(() => db.close(), 60_000);
`;
  const lock = lockDataDir(dir);
  rmSync(join(dir, LOCK_FILE));
  const child = spawn(process.execPath, ["-e", held, join(dir, LOCK_FILE)], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    await new Promise<void>((ok) => child.stdout.once("data", () => ok()));
    const seen = await new Promise<string>((r) => {
      lock.keep({ retaken: () => r("retaken"), lost: () => r("lost"), unlockable: () => r("unlockable") }, LOOK_MS);
      setTimeout(() => r("nothing"), LOCK_CHECK_MS * 3).unref();
    });
    assert.equal(seen, "lost");
  } finally {
    lock.release();
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
});


/**
 * A read-only thwonkd.lock (restored from a copy, chmod 444) for a thwonkd that is not root: SQLite opened it read-only
 * without a word and BEGIN EXCLUSIVE took no lock, so two starts each "held" it and both ran. Now the start is refused
 * (EACCES, which main.ts says in one line as a folder it cannot use). Run as `nobody` (runuser) when the test is root,
 * for whom every file is writable; skipped where neither is possible.
 */
test("a read-only lock file is refused (EACCES), not taken as a lock that two starts both hold", async (t) => {
  const asOther = process.getuid?.() === 0 ? ["runuser", "-u", "nobody", "--"] : [];
  if (asOther.length && spawnSync("runuser", ["-u", "nobody", "--", "true"]).status !== 0) return t.skip("root, and no runuser to be another user");
  const dir = mkdtempSync(join(tmpdir(), "thwonk-lock-"));
  try {
    chmodSync(dir, 0o777);
    writeFileSync(join(dir, LOCK_FILE), "");
    chmodSync(join(dir, LOCK_FILE), 0o444);
    if (asOther.length) spawnSync("chown", ["-R", "nobody", dir]);
    const moduleUrl = new URL("../../runtime/daemon/data-lock.js", import.meta.url).href;
    const attempt = `import(${JSON.stringify(moduleUrl)}).then(({ lockDataDir }) => {
  try { const l = lockDataDir(process.argv[1]); process.stdout.write("held\\n"); setTimeout(() => l.release(), 1500); }
  catch (e) { process.stdout.write("refused " + e.code + "\\n"); }
});`;
    const run = (): Promise<string> =>
      new Promise((ok) => {
        const [cmd, ...args] = [...asOther, process.execPath, "-e", attempt, dir];
        const p = spawn(cmd!, args, { stdio: ["ignore", "pipe", "inherit"] });
        p.stdout.once("data", (c: Buffer) => ok(c.toString().trim()));
      });
    const [first, second] = [await run(), await run()];
    assert.deepEqual([first, second], ["refused EACCES", "refused EACCES"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a lock file written over (a PID in it, as a pidfile): the start says it is the lock file, not the store, and how to go on", async () => {
  const ws = workspace({ seed: { example: "trim140" } });
  try {
    const first = await startDaemon(ws);
    assert.equal(await first.stop(), 0);
    writeFileSync(join(ws.data, LOCK_FILE), "12345\n");
    const r = await secondStart(ws.data, ws.rules);
    assert.equal(r.started, false);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^thwonkd: TW6030 Cannot start: --data .*: .*thwonkd\.lock is not thwonkd's lock file \(file is not a database\)\. No thwonkd holds it: remove .*thwonkd\.lock \(thwonkd makes it again\); the store is not touched\.\n$/);
    rmSync(join(ws.data, LOCK_FILE));
    const again = await startDaemon(ws);
    assert.equal(await again.stop(), 0);
  } finally {
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("the lock file replaced by one that cannot be locked (no database): keep says so once and goes on; removed, it is locked again", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-lock-"));
  const lock = lockDataDir(dir);
  try {
    const seen: string[] = [];
    lock.keep({ retaken: () => seen.push("retaken"), lost: () => seen.push("lost"), unlockable: (why) => seen.push(`unlockable: ${why}`) }, LOOK_MS);
    rmSync(join(dir, LOCK_FILE));
    writeFileSync(join(dir, LOCK_FILE), "12345\n");
    // Said at the next look; then more looks, which must not say it again.
    await until("the lock file said unlockable", () => seen.length > 0 || undefined, LOCK_CHECK_MS * 10);
    await sleep(LOOK_MS * 3.5);
    assert.deepEqual(seen, [`unlockable: ${join(dir, LOCK_FILE)} is not thwonkd's lock file (file is not a database)`]);
    assert.throws(() => lockDataDir(dir), /not thwonkd's lock file/, "a start is refused on it too");
    rmSync(join(dir, LOCK_FILE));
    await until("the lock taken again", () => seen.length > 1 || undefined, LOCK_CHECK_MS * 10);
    assert.deepEqual(seen.slice(1), ["retaken"]);
    assert.throws(() => lockDataDir(dir), DataInUse);
  } finally {
    lock.release();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the data folder removed whole while the lock is kept: said once, not each second", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-lock-"));
  const lock = lockDataDir(dir);
  try {
    const seen: string[] = [];
    lock.keep({ retaken: () => seen.push("retaken"), lost: () => seen.push("lost"), unlockable: () => seen.push("unlockable") }, LOOK_MS);
    rmSync(dir, { recursive: true, force: true });
    // Said at the next look; then the looks after it (each tries the folder again) must not say it again.
    await until("the folder said unlockable", () => seen.length > 0 || undefined, LOCK_CHECK_MS * 10);
    await sleep(LOOK_MS * 3.5);
    assert.deepEqual(seen, ["unlockable"]);
  } finally {
    lock.release();
    rmSync(dir, { recursive: true, force: true });
  }
});
