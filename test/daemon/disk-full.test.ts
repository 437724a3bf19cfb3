/**
 * A disk that fills up under mail: thwonkd's data folder on a small file system of its own (a tmpfs in a mount
 * namespace, with a filler file taking most of it), filled by the mail itself while parallel clients post. A commit
 * the disk cannot hold is answered 452 4.3.1 (try again later; TW6062), never 5xx, and keeps nothing; thwonkd goes
 * on, and says so once a minute (TW6063), not once a failed group. Once the
 * filler is removed, it takes mail again without a restart, writes the outgoing mail it could not write, and every
 * message that got a 250 is run once and written once, the counting list's runs 1..n (assertEachAcknowledgedOnce).
 * The test reaches the folder through /proc/PID/root, the daemon's own view of the file systems.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { repoRoot } from "../helpers/repo.js";
import { assertEachAcknowledgedOnce, canMount, COUNTER, outboxMail, startDaemon, until, workspace } from "./helpers.js";


const MB = 2 ** 20;
const STORE_FILES = ["thwonkd.sqlite", "thwonkd.sqlite-wal", "thwonkd.sqlite-shm"];

/** The store's files, one after the other, as one buffer. */
function snapshot(data: string): Buffer {
  return Buffer.concat(STORE_FILES.map((f) => (existsSync(join(data, f)) ? readFileSync(join(data, f)) : Buffer.alloc(0))));
}

/** Each post to the members as it came, its text up to 100,000 characters. */
const PLAIN = `rule plain

limits { members: 10, fanout: 10, text: 100000 }

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;

test("a full disk under parallel mail: 452 4.3.1 and nothing kept for what did not fit, thwonkd goes on; space freed, mail is taken again and every 250 is run and written once", { skip: canMount() ? false : "needs a file system of its own (tmpfs in a mount namespace: root or user namespaces)" }, async () => {
  const ann = [{ address: "ann@example.org", name: "Ann" }];
  const ws = workspace({ plain: { source: PLAIN, members: ann }, counter: { source: COUNTER, members: ann } });
  // A file system of 8 MB for the data folder, 5 MB of it a filler: the store, its log and the outbox share the rest.
  mkdirSync(ws.data);
  const mount = 'mount -t tmpfs -o size="$1" tmpfs "$2" && head -c "$3" /dev/zero > "$2/filler" && shift 3 && exec "$@"';
  const d = await startDaemon(ws, { wrap: (node, args) => ["unshare", ["-rm", "sh", "-c", mount, "sh", String(8 * MB), ws.data, String(5 * MB), node, ...args]] });
  const inside = (path: string): string => join(`/proc/${d.proc.pid}/root`, path);
  const acked = new Set<string>();
  const codes = new Map<string, number>();
  const replies = new Map<string, string>();
  const body = (subject: string): string => `${subject}\n${"All work and no play. ".repeat(1200)}`;
  const post = async (t: ReturnType<typeof nodemailer.createTransport>, subject: string, to: string): Promise<void> => {
    let code: number;
    try {
      const info = await t.sendMail({ from: "ann@example.org", to, subject, text: body(subject) });
      code = Number(info.response.slice(0, 3));
      replies.set(subject, info.response);
    } catch (e) {
      code = (e as { responseCode?: number }).responseCode ?? 0;
      replies.set(subject, (e as { response?: string }).response ?? String(e));
    }
    codes.set(subject, code);
    if (code === 250) acked.add(subject);
  };
  const burst = (prefix: string, clients: number, each: number) =>
    Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
        for (let i = 0; i < each; i++) await post(t, `${prefix}-${c}-${i}`, c % 2 === 0 ? "plain@example.org" : "counter@example.org");
        t.close();
      }),
    );
  try {
    // 120 messages of ~26 KB, each kept three times (the message, its outgoing copy in the store and in the outbox).
    await burst("full", 4, 30);
    const refused = [...codes].filter(([, c]) => c !== 250);
    console.log(`# ${acked.size} taken, ${refused.length} refused (${[...new Set(refused.map(([, c]) => c))].join(", ")}) before the space was freed`);
    assert.ok(refused.length > 0, "the disk filled up: some mail was refused");
    // RFC 5321's 452 (insufficient system storage), RFC 3463's 4.3.1 (mail system full): a client tries again later.
    assert.deepEqual(refused.filter(([, c]) => c !== 452).map(([s]) => replies.get(s)), [], "a full disk is temporary: 452, never 5xx nor a dropped connection");
    assert.ok([...replies.values()].some((r) => /^452 4\.3\.1 TW6062 /.test(r)), [...replies.values()].filter((r) => !r.startsWith("250")).join("\n"));
    assert.ok(acked.size > 0, "mail was taken before the disk filled");
    assert.equal(d.proc.exitCode, null, "thwonkd goes on");
    // A change through the API meanwhile: 507 (Insufficient Storage), nothing changed; no 500 with an error id.
    const token = readFileSync(inside(join(ws.data, "admin.token")), "utf8").trim();
    const api = (method: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${d.ports.http}/v1/lists/plain@example.org/members`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const bob = { members: [{ address: "bob@example.org", name: "Bob ".repeat(60).trim() }] };
    let refusedChange: Response | undefined;
    for (let i = 0; i < 50 && !refusedChange; i++) {
      // The store may still fit a small change (a freed page): add and remove until one does not fit.
      for (const r of [await api("POST", bob), await api("DELETE", { addresses: ["bob@example.org"] })]) if (r.status !== 200) refusedChange ??= r;
    }
    assert.equal(refusedChange?.status, 507);
    assert.equal(((await refusedChange!.json()) as { error: { code: string } }).error.code, "TW6064");

    // Space freed: mail is taken again at once, no restart.
    rmSync(inside(join(ws.data, "filler")));
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    await until("a message taken again", async () => {
      await post(t, `again-${codes.size}`, "counter@example.org");
      return codes.get(`again-${codes.size - 1}`) === 250;
    });
    for (let i = 0; i < 6; i++) {
      await post(t, `after-${i}`, i % 2 === 0 ? "plain@example.org" : "counter@example.org");
      assert.equal(codes.get(`after-${i}`), 250, `after-${i} taken once space was freed`);
    }
    t.close();
    assert.equal((await api("DELETE", { addresses: ["bob@example.org"] })).status, 200, "a change taken once there is room");
    // SQLite opens a file by its resolved path, which through /proc/PID/root is this namespace's folder (empty): the
    // store is read from a copy, made once the outbox has caught up and two copies in a row are the same.
    const outbox = inside(join(ws.data, "outbox"));
    const copy = join(ws.dir, "copy");
    await until("the outbox caught up and the store at rest", async () => {
      const runs = (await outboxMail(outbox)).length;
      const before = snapshot(inside(ws.data));
      await new Promise((r) => setTimeout(r, 300));
      const now = snapshot(inside(ws.data));
      if (runs !== (await outboxMail(outbox)).length || !now.equals(before)) return undefined;
      mkdirSync(copy, { recursive: true });
      for (const f of STORE_FILES) if (existsSync(inside(join(ws.data, f)))) copyFileSync(inside(join(ws.data, f)), join(copy, f));
      return true;
    }, 60_000);
    await assertEachAcknowledgedOnce(copy, outbox, acked, "plain@example.org");
    // Said once (a minute), not once a failed group: the log is on a disk that may be as full.
    const said = d.stderr().split("\n").filter((l) => l.includes("TW6063"));
    assert.equal(said.length, 1, said.join("\n"));
    assert.equal(await d.stop(), 0);
  } finally {
    if (d.proc.exitCode === null) await d.kill();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("a start on a full disk: exit 2 with one line that says the disk is full (TW6030), not that the lock file is no lock", { skip: canMount() ? false : "needs a file system of its own (tmpfs in a mount namespace: root or user namespaces)" }, () => {
  const ws = workspace({ plain: { source: PLAIN, members: [] } });
  mkdirSync(ws.data);
  try {
    // All of a 1 MB file system taken by the filler: thwonkd cannot make its lock file's first page.
    const fill = 'mount -t tmpfs -o size=1m tmpfs "$1" && head -c 2000000 /dev/zero > "$1/filler" 2>/dev/null; shift && exec "$@"';
    const r = spawnSync("unshare", ["-rm", "sh", "-c", fill, "sh", ws.data, process.execPath, join(repoRoot, "bin", "thwonkd.js"), "--data", ws.data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--deploy", ws.rules], { encoding: "utf8", timeout: 30_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^thwonkd: TW6030 Cannot start: --data .*: its disk is full \(.*\)\. Free space on that disk/m);
    assert.doesNotMatch(r.stderr, /lock file|remove .*thwonkd\.lock/);
  } finally {
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
