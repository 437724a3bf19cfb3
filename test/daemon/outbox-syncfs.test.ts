/**
 * The outbox writer's durability (outbox-writer.ts, syncfs.ts): a batch's files are written to tmp/, made durable
 * (their file system synced once with syncfs(2), or each file with fdatasync), and only then renamed into new/. The
 * addon is built by `npm ci` on Linux (scripts/build-native.js): here it must be there, so that a build that broke
 * does not quietly leave thwonkd syncing each file. Real files, the real addon and the real writer thread.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createTransport } from "nodemailer";
import { ConfigError, resolveConfig } from "../../runtime/daemon/config.js";
import { OutboxWriter, type WriteFile, writeBatch } from "../../runtime/daemon/outbox-writer.js";
import { loadSyncFs, reportsErrors } from "../../runtime/daemon/syncfs.js";
import { nativeRefused, outboxMail, startDaemon, until, workspace } from "./helpers.js";

function maildir(): string {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-syncfs-"));
  for (const sub of ["tmp", "new", "cur"]) mkdirSync(join(dir, sub));
  return dir;
}

const files = (n: number): WriteFile[] =>
  Array.from({ length: n }, (_, i) => ({ name: `f${String(i).padStart(3, "0")}`, head: `X-Rcpt: m${i}@example.org\r\n`, bytes: Buffer.from(`Subject: ${i}\r\n\r\n${"x".repeat(i * 37)}\r\n`) }));

/** A file as the writer's thread writes it: `bytes` (OutboxWriter.write puts the head in them first). */
const bytesOf = (f: WriteFile): string => Buffer.from(f.bytes).toString("latin1");
const whole = (f: WriteFile): string => (f.head ?? "") + bytesOf(f);

test("syncfs reports failed writes from Linux 5.8 on: older kernels are not trusted with it", () => {
  assert.equal(reportsErrors("5.7.19"), false);
  assert.equal(reportsErrors("4.19.0-21-amd64"), false);
  assert.equal(reportsErrors("5.8.0"), process.platform === "linux");
  assert.equal(reportsErrors("6.18.44-fc-v1300"), process.platform === "linux");
  assert.equal(reportsErrors("not a version"), false);
});

test("the addon is built here and syncs a file system; a bad descriptor is an error with its errno", { skip: process.platform !== "linux" || nativeRefused() }, () => {
  const s = loadSyncFs();
  assert.equal(s.why, undefined, `syncfs is not used: ${s.why}`);
  const dir = maildir();
  try {
    const fd = openSync(dir, "r");
    s.syncfs!(fd);
    closeSync(fd);
    assert.throws(
      () => s.syncfs!(fd),
      (e: Error & { errno?: number }) => e.errno === 9 && /bad file descriptor/i.test(e.message),
    );
    assert.throws(() => (s.syncfs as unknown as (x: string) => void)("3"), /give the descriptor/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a batch is synced once, while every file is whole in tmp/ and none is in new/; then all are renamed", () => {
  const dir = maildir();
  try {
    const batch = files(30);
    let calls = 0;
    writeBatch({ id: 1, dir, look: false, files: batch }, (fd) => {
      calls++;
      assert.equal(typeof fd, "number");
      assert.deepEqual(readdirSync(join(dir, "new")), [], "a file was in new/ before the sync");
      for (const f of batch) assert.equal(readFileSync(join(dir, "tmp", f.name), "latin1"), bytesOf(f));
    });
    assert.equal(calls, 1);
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);
    for (const f of batch) assert.equal(readFileSync(join(dir, "new", f.name), "latin1"), bytesOf(f));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a syncfs that fails (a write of any program on the file system failed): the batch's own files are synced one by one, then renamed", () => {
  const dir = maildir();
  try {
    const batch = files(5);
    let calls = 0;
    writeBatch({ id: 1, dir, look: false, files: batch }, () => {
      calls++;
      throw Object.assign(new Error("Input/output error"), { errno: 5 });
    });
    assert.equal(calls, 1);
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);
    for (const f of batch) assert.equal(readFileSync(join(dir, "new", f.name), "latin1"), bytesOf(f));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a batch whose files cannot be written fails, and nothing of it reaches new/", () => {
  const dir = maildir();
  try {
    // tmp/ gone: the first open fails, before any sync or rename.
    rmSync(join(dir, "tmp"), { recursive: true });
    assert.throws(() => writeBatch({ id: 1, dir, look: false, files: files(5) }, () => undefined), /ENOENT/);
    assert.deepEqual(readdirSync(join(dir, "new")), []);
    // Written when tried again, once tmp/ is back.
    mkdirSync(join(dir, "tmp"));
    writeBatch({ id: 2, dir, look: false, files: files(5) }, () => undefined);
    assert.equal(readdirSync(join(dir, "new")).length, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const syncfs of [true, false]) {
  test(`the writer's thread, ${syncfs ? "syncing the file system once a batch" : "syncing each file"}: every file whole in new/`, async () => {
    const dir = maildir();
    const writer = new OutboxWriter(syncfs ? {} : { syncfs: false });
    try {
      if (syncfs && process.platform === "linux" && !nativeRefused()) assert.match(writer.durability, /^syncfs/);
      if (!syncfs) assert.match(writer.durability, /^fdatasync \(each file: asked so\)/);
      const all = files(120);
      await Promise.all([writer.write(dir, false, all.slice(0, 50)), writer.write(dir, false, all.slice(50, 51)), writer.write(dir, 1, all.slice(51))]);
      assert.deepEqual(readdirSync(join(dir, "tmp")), []);
      assert.deepEqual(readdirSync(join(dir, "new")).sort(), all.map((f) => f.name));
      for (const f of all) assert.equal(readFileSync(join(dir, "new", f.name), "latin1"), whole(f));
    } finally {
      await writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("without the addon, syncfs is not used and the reason names the build", { skip: process.platform !== "linux" }, () => {
  const s = loadSyncFs(join(tmpdir(), "no-such-dir", "thwonk_syncfs.node"));
  assert.equal(s.syncfs, undefined);
  assert.match(s.why ?? "", /^native\/ was not built \(npm install builds it where a C compiler is\): Cannot find module/);
  // The daemon's own load is not changed by a test's.
  if (!nativeRefused()) assert.equal(loadSyncFs().why, undefined);
});

// The repository's root, from dist/test/daemon/.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

test("the install script: skipped on request, and otherwise built or skipped with its reason, never a failed install", { skip: process.platform !== "linux" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-native-"));
  try {
    mkdirSync(join(dir, "scripts"));
    cpSync(join(root, "scripts", "build-native.js"), join(dir, "scripts", "build-native.js"));
    for (const f of ["binding.gyp", "syncfs.c"]) {
      mkdirSync(join(dir, "native"), { recursive: true });
      cpSync(join(root, "native", f), join(dir, "native", f));
    }
    const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [join(dir, "scripts", "build-native.js")], { encoding: "utf8", env: { ...process.env, ...env } });
    const skipped = run({ THWONK_NO_NATIVE: "1" });
    assert.equal(skipped.status, 0);
    assert.match(skipped.stderr, /native\/ not built \(THWONK_NO_NATIVE is set\); thwonkd syncs each outbox file on its own instead/);
    assert.equal(existsSync(join(dir, "native", "build")), false);
    // Under npm (npm test) the headers are found as at install; run bare, node-gyp may not find them: either way it ends well.
    const built = run({ THWONK_NO_NATIVE: "0" });
    assert.equal(built.status, 0, built.stderr);
    const addon = join(dir, "native", "build", "Release", "thwonk_syncfs.node");
    if (existsSync(addon)) assert.equal(typeof loadSyncFs(addon).syncfs, "function");
    else assert.match(built.stderr, /native\/ not built \(node-gyp failed: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the outboxSync setting: syncfs by default, fdatasync by flag or variable, anything else refused", () => {
  assert.equal(resolveConfig({ data: "d" }, {}).outboxSync, "syncfs");
  assert.equal(resolveConfig({ data: "d" }, { THWONKD_OUTBOX_SYNC: "fdatasync" }).outboxSync, "fdatasync");
  assert.equal(resolveConfig({ data: "d", outboxSync: "syncfs" }, { THWONKD_OUTBOX_SYNC: "fdatasync" }).outboxSync, "syncfs", "a flag wins");
  for (const bad of ["fsync", "", "SYNCFS", "1"]) {
    assert.throws(
      () => resolveConfig({ data: "d", outboxSync: bad }, {}),
      (err: unknown) => err instanceof ConfigError && /--outbox-sync: outboxSync must be "syncfs" \(the file system once a batch, where it can\) or "fdatasync" \(each file\)/.test(err.message),
    );
  }
});

test("thwonkd --outbox-sync fdatasync syncs each file, says so, and its mail reaches the outbox", async () => {
  const ws = workspace({ trim140: { example: "trim140", members: [{ address: "ann@example.net" }, { address: "bob@example.net" }] } });
  const d = await startDaemon(ws, { args: ["--outbox-sync", "fdatasync"] });
  try {
    const health = (await (await fetch(`http://127.0.0.1:${d.ports.http}/v1/health`)).json()) as { outboxSync: string };
    assert.equal(health.outboxSync, "fdatasync (each file: asked so)");
    assert.match(d.stderr(), /"outboxSync":"fdatasync \(each file: asked so\)","msg":"thwonkd is ready"/);
    const sent = await createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true }).sendMail({ from: "ann@example.net", to: "trim140@example.org", subject: "Each file", text: "synced on its own" });
    assert.match(sent.response, /^250 /);
    // One send to every member: one file, with both recipients.
    const mail = await until("the copy in new/", async () => {
      const m = await outboxMail(join(ws.data, "outbox"));
      return m.length >= 1 ? m : undefined;
    });
    assert.equal(mail.length, 1);
    assert.deepEqual(mail.flatMap((m) => m.recipients).sort(), ["ann@example.net", "bob@example.net"]);
    assert.deepEqual(readdirSync(join(ws.data, "outbox", "tmp")), []);
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
