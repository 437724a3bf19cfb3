/**
 * A real thwonkd SIGKILLed while its checkpoint thread (store/checkpointer.ts) is copying the log into the
 * database: a watcher polls the daemon's lock on the checkpoint byte of the `-shm` file (F_GETLK, as SQLite's unix
 * VFS takes it) and kills the process the moment it sees the lock held. Clients send over real SMTP to a counting
 * list and a plain one; the daemon checkpoints every 20 pages (THWONKD_TEST_CHECKPOINT_PAGES) so that checkpoints
 * overlap the commits. Twice killed and restarted: every message that got a 250 is run exactly once and written to
 * the outbox exactly once, the counting list's runs count 1..n without a gap, and the store is intact.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { assertEachAcknowledgedOnce, COUNTER, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

/** Kills `pid` when its checkpoint lock on `shm` is seen held; prints how many polls it took, or "timeout". */
const WATCHER = `
import fcntl, os, signal, struct, sys, time
pid, shm = int(sys.argv[1]), sys.argv[2]
# SQLite's unix VFS: the wal-index locks are bytes 120.. of the -shm file; the checkpointer's is 121.
end = time.time() + 60
while not os.path.exists(shm):
    time.sleep(0.005)
fd = os.open(shm, os.O_RDONLY)
polls = 0
while time.time() < end:
    polls += 1
    q = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 121, 1, 0)
    r = struct.unpack("hhqqi4x", fcntl.fcntl(fd, fcntl.F_GETLK, q))
    if r[0] != fcntl.F_UNLCK and r[4] == pid:
        os.kill(pid, signal.SIGKILL)
        print("killed", polls, flush=True)
        sys.exit(0)
    time.sleep(0.0002)
print("timeout", flush=True)
`;

function watch(pid: number, shm: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn("python3", ["-c", WATCHER, String(pid), shm], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (c: Buffer) => (out += c.toString()));
    p.stderr.on("data", (c: Buffer) => (err += c.toString()));
    p.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`the watcher failed (${code}): ${err}`))));
  });
}

/** Clients send until the daemon is gone (or `max` each); the subjects that got a 250. */
async function load(d: Running, round: number, acked: Set<string>, max: number): Promise<void> {
  await Promise.all(
    Array.from({ length: 8 }, async (_, c) => {
      const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
      try {
        for (let i = 0; i < max; i++) {
          const subject = `r${round}-${c}-${i} ✓`;
          const to = c % 2 === 0 ? "plain@example.org" : "counter@example.org";
          try {
            const info = await t.sendMail({ from: "ann@example.org", to, subject, text: `${subject}\n${"línea ".repeat(150)}` });
            if (/^250 /.test(info.response)) acked.add(subject);
          } catch {
            return; // the daemon is gone: nothing more from this client is acknowledged
          }
        }
      } finally {
        t.close();
      }
    }),
  );
}

test("SIGKILL while the checkpoint thread copies the log: every acknowledged message once, nothing twice", async () => {
  const ann = [{ address: "ann@example.org", name: "Ann" }];
  const ws = workspace({ plain: { example: "trim140", members: ann }, counter: { source: COUNTER, members: ann } });
  const env = { THWONKD_TEST_CHECKPOINT_PAGES: "20" };
  const shm = join(ws.data, "thwonkd.sqlite-shm");
  const acked = new Set<string>();
  let d = await startDaemon(ws, { env });
  try {
    for (let round = 1; round <= 2; round++) {
      const before = acked.size;
      // Armed once some messages are in, so that the log has been checkpointed and restarted before.
      const pid = d.proc.pid!;
      const watched = until("100 acknowledged", () => acked.size - before >= 100 || undefined, 60_000).then(() => watch(pid, shm));
      await load(d, round, acked, 1000);
      const seen = await watched;
      assert.match(seen, /^killed \d+$/, `round ${round}: killed during a checkpoint`);
      assert.ok(acked.size - before >= 100, `round ${round}: ${acked.size - before} acknowledged before the kill`);
      await d.kill();
      assert.doesNotMatch(d.stderr(), /checkpoint thread is not in use/);
      d = await startDaemon(ws, { env });
    }

    assert.equal(readStore(ws.data, (db) => db.pragma("integrity_check", { simple: true })), "ok");
    await assertEachAcknowledgedOnce(ws.data, d.ports.outbox, acked, "plain@example.org");
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
