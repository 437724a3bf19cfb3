/**
 * Attacks on the outbox writer's files (outbox-writer.ts) through its real thread and the real syncfs addon: names
 * an object would trip on (`__proto__`), unicode, a name of exactly NAME_MAX (255) bytes, empty files, a batch of
 * thousands, and a restart's batch whose every file is already there (the `look` path: nothing written again, no
 * sync of the file system, new/ synced all the same). A file a mail reader has moved to cur/ carries the Maildir info
 * suffix (`NAME:2,FLAGS`): it is there, and must not be written again into new/.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { OutboxWriter, type WriteFile, writeBatch } from "../../runtime/daemon/outbox-writer.js";

function maildir(): string {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-writer-adv-"));
  for (const sub of ["tmp", "new", "cur"]) mkdirSync(join(dir, sub));
  return dir;
}

/** A file as written: its head in UTF-8 (a recipient or return path may be past ASCII, RFC 6531), then its bytes. */
const whole = (f: WriteFile): Buffer => Buffer.concat([Buffer.from(f.head ?? "", "utf8"), f.bytes]);

test("odd names, a name of 255 bytes, empty files: each whole in new/ under its own name", async () => {
  const dir = maildir();
  const writer = new OutboxWriter();
  try {
    // 255 bytes: "a", 126 two-byte letters, ".", "Z".
    const longest = `a${"é".repeat(126)}.Z`;
    assert.equal(Buffer.byteLength(longest), 255);
    const batch: WriteFile[] = [
      { name: "__proto__", head: "Return-Path: <a@example.org>\r\n", bytes: Buffer.from("Subject: proto\r\n\r\nx\r\n") },
      { name: "constructor", bytes: Buffer.from("Subject: c\r\n\r\n") },
      { name: "hasOwnProperty", head: "", bytes: new Uint8Array(0) },
      { name: "1700000000000.Tünï✉🙂_1.hôst", head: "X-Thwonk-Recipients: ü@example.org\r\n", bytes: Buffer.from("Subject: =?utf-8?q?=C3=BC?=\r\n\r\nü\r\n") },
      { name: longest, bytes: Buffer.from("Subject: long\r\n\r\n") },
      { name: "empty", bytes: new Uint8Array(0) },
    ];
    await writer.write(dir, false, batch);
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);
    assert.deepEqual(readdirSync(join(dir, "new")).sort(), batch.map((f) => f.name).sort());
    for (const f of batch) assert.deepEqual(readFileSync(join(dir, "new", f.name)), whole(f), f.name);
    // A batch of empty files only: nothing to lay out, still each file.
    await writer.write(dir, false, [{ name: "empty2", bytes: new Uint8Array(0) }]);
    assert.equal(statSync(join(dir, "new", "empty2")).size, 0);
    // A name over NAME_MAX fails its batch, and nothing of that batch reaches new/.
    await assert.rejects(writer.write(dir, false, [{ name: "ok-one", bytes: Buffer.from("x") }, { name: `${longest}Z`, bytes: Buffer.from("y") }]), /ENAMETOOLONG|name too long/i);
    assert.equal(readdirSync(join(dir, "new")).includes("ok-one"), false);
    // The writer's thread is still there for the next batch.
    await writer.write(dir, 1, [{ name: "ok-one", bytes: Buffer.from("x") }]);
    assert.equal(readFileSync(join(dir, "new", "ok-one"), "latin1"), "x");
  } finally {
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a batch of 3,000 files through the writer's thread: all in new/, whole, none left in tmp/", async () => {
  const dir = maildir();
  const writer = new OutboxWriter();
  try {
    const batch: WriteFile[] = Array.from({ length: 3000 }, (_, i) => ({ name: `1700000000000.T${i}_1.test`, head: `X-N: ${i}\r\n`, bytes: Buffer.from(`Subject: ${i}\r\n\r\n${"y".repeat(i % 300)}\r\n`) }));
    await writer.write(dir, false, batch);
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);
    const names = readdirSync(join(dir, "new"));
    assert.equal(names.length, 3000);
    for (const f of batch) assert.deepEqual(readFileSync(join(dir, "new", f.name)), whole(f));
  } finally {
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a batch whose every file is there already (new/ or cur/): none written again, no file system sync, new/ synced", () => {
  const dir = maildir();
  try {
    writeFileSync(join(dir, "new", "a"), "first a");
    writeFileSync(join(dir, "cur", "b"), "first b");
    // Left in tmp/ by a crash before its rename: not a reason to skip.
    writeFileSync(join(dir, "tmp", "c"), "short");
    const before = statSync(join(dir, "new", "a")).mtimeMs;
    let syncs = 0;
    writeBatch(
      {
        id: 1,
        dir,
        look: 1,
        files: [
          { name: "a", bytes: Buffer.from("second a") },
          { name: "b", bytes: Buffer.from("second b") },
        ],
      },
      () => syncs++,
    );
    assert.equal(syncs, 0, "the file system was synced for a batch with nothing written");
    assert.equal(readFileSync(join(dir, "new", "a"), "latin1"), "first a");
    assert.equal(statSync(join(dir, "new", "a")).mtimeMs, before);
    assert.deepEqual(readdirSync(join(dir, "new")), ["a"]);
    writeBatch({ id: 2, dir, look: 1, files: [{ name: "c", bytes: Buffer.from("the whole of c") }] }, () => syncs++);
    assert.equal(syncs, 1);
    assert.equal(readFileSync(join(dir, "new", "c"), "latin1"), "the whole of c");
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a file a reader moved to cur/ with its info suffix (NAME:2,S) is there: a restart does not write it again", () => {
  const dir = maildir();
  try {
    const name = "1700000000000.Tabc_1.host";
    writeBatch({ id: 1, dir, look: false, files: [{ name, bytes: Buffer.from("the message") }] }, () => undefined);
    // A Maildir reader takes the message: new/NAME becomes cur/NAME:2,S (seen). Then the process that wrote it died
    // before marking its row, and the restart hands the row on again.
    renameSync(join(dir, "new", name), join(dir, "cur", `${name}:2,S`));
    writeBatch({ id: 2, dir, look: 1, files: [{ name, bytes: Buffer.from("the message") }] }, () => undefined);
    assert.deepEqual(readdirSync(join(dir, "new")), [], "the message was written a second time");
    assert.deepEqual(readdirSync(join(dir, "cur")), [`${name}:2,S`]);
    // A name that only begins like another's is not the same message.
    writeBatch({ id: 3, dir, look: 2, files: [{ name: "1700000000000.Tab", bytes: Buffer.from("another") }] }, () => undefined);
    assert.deepEqual(readdirSync(join(dir, "new")), ["1700000000000.Tab"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
