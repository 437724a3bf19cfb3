/**
 * A list's removal while the store fails: the group commit of the message queued before it fails (451, commit.ts),
 * and the removal's own transaction fails halfway through (a trigger of the real SQLite file aborts it after its
 * held messages were expired, as a full disk would). The removal's answer is an error (503 TW6136, saying nothing
 * was removed), the list is still whole (its rows in the store as they were, its mail taken, its route there), and
 * once the store takes writes again the sender's retry and the removal's retry succeed. The daemon runs in this
 * process over a real SQLite store wrapped with a failure injection point (failing-store.ts); mail comes over SMTP,
 * the removal over the HTTP API.
 */
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, test } from "node:test";
import Database from "better-sqlite3";
import nodemailer from "nodemailer";
import pino from "pino";
import { apiHandler } from "../../runtime/daemon/api.js";
import { adminAuthorizer } from "../../runtime/daemon/auth.js";
import { Daemon } from "../../runtime/daemon/daemon.js";
import { createHttp } from "../../runtime/daemon/main.js";
import { createIngress, type Ingress } from "../../runtime/daemon/smtp.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import { failingStore, type FailingStore } from "./failing-store.js";
import { cliIn, until } from "./helpers.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";

const TOKEN = "remove-commit-failure-token";
const A = "a@example.org";
const RULE = `rule gate

limits { members: 10, fanout: 10 }

state { count: int = 0 }

on message(m: Message) {
  if m.subject.startsWith("hold") and not m.approved {
    hold("a look first")
  }
  if state.count < 1000000 {
    state.count = state.count + 1
  }
  send(to: members, subject: "{state.count} {m.subject.truncate(100)}", text: m.text)
}

every day at 06:00 {
  log("morning")
}
`;

let dir: string;
let store: FailingStore;
let daemon: Daemon;
let ingress: Ingress;
let http: Server;
let smtpPort: number;
let api: string;
const logged: Record<string, unknown>[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "thwonkd-remove-fail-"));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) logged.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level: "info" }, sink);
  store = failingStore(openSqliteStore(join(dir, "thwonkd.sqlite")));
  daemon = await Daemon.open({ dataDir: dir, log, workers: 1, store });
  const r = await daemon.deploy({ source: RULE, fileName: "gate.thwonk", addresses: [A] });
  assert.ok(r.ok, JSON.stringify(r));
  await daemon.addMembers(A, [{ address: "ann@example.org" }, { address: "bob@example.org" }]);
  daemon.start();
  ingress = createIngress({ daemon, log });
  smtpPort = await ingress.listen("127.0.0.1", 0);
  http = createHttp([apiHandler({ daemon, authorize: adminAuthorizer(TOKEN), log })], log);
  await new Promise<void>((res) => http.listen(0, "127.0.0.1", res));
  api = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1`;
});

after(async () => {
  await ingress.close();
  await new Promise<void>((res) => http.close(() => res()));
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One message on its own connection: the SMTP code of the answer to DATA (or to RCPT, when refused there). */
async function send(subject: string): Promise<number> {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port: smtpPort, secure: false, ignoreTLS: true });
  try {
    return Number((await t.sendMail({ from: "eve@example.net", to: A, subject, text: "hello" })).response.slice(0, 3));
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode;
    if (code === undefined) throw err;
    return code;
  } finally {
    t.close();
  }
}

async function call(method: string, path: string): Promise<{ status: number; json: { error?: { code: string; message: string } } & Record<string, unknown> }> {
  const res = await fetch(`${api}/${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, json: (await res.json()) as { error?: { code: string; message: string } } & Record<string, unknown> };
}

/** The list's rows in the store, every table a removal changes: what "still whole" compares. */
function rows(): Record<string, unknown[]> {
  const db = new Database(join(dir, "thwonkd.sqlite"), { readonly: true });
  try {
    const of = (sql: string): unknown[] => db.prepare(sql).all(A);
    return {
      lists: of("SELECT * FROM lists WHERE address = ?"),
      members: of("SELECT member, pos, role, joined FROM members WHERE address = ? ORDER BY pos"),
      held: of("SELECT message_id, status, decided_at, note FROM held WHERE address = ? ORDER BY message_id"),
      messages: of("SELECT id, status FROM messages WHERE address = ? ORDER BY id"),
      schedule: of("SELECT * FROM schedule WHERE address = ?"),
      start: of("SELECT * FROM list_start WHERE address = ?"),
      secrets: of("SELECT * FROM list_secrets WHERE address = ?"),
      removals: of("SELECT * FROM list_removals WHERE address = ?"),
    };
  } finally {
    db.close();
  }
}

/** Makes the store's next removals fail at their record, after their first statements ran (a full disk, as SQLite would say it). */
function breakRemovals(on: boolean): void {
  const db = new Database(join(dir, "thwonkd.sqlite"));
  try {
    db.exec(
      on
        ? "CREATE TRIGGER injected_full BEFORE INSERT ON list_removals BEGIN SELECT RAISE(ABORT, 'injected: database or disk is full'); END"
        : "DROP TRIGGER injected_full",
    );
  } finally {
    db.close();
  }
}

test("a removal while the group commit fails: an error, the list whole; then the retries succeed", async () => {
  assert.equal(await send("hold me"), 250);
  assert.equal(await send("one"), 250);
  // The key the list signs with (VERP, -request confirmations, list.sign): made on first use, kept.
  await store.tokenKey(A);
  const before = rows();
  assert.equal(before.held.length, 1);
  assert.equal(before.secrets.length, 1);
  assert.equal(before.members.length, 2);

  // "two" waits for the next group behind one the store holds, and that group fails; the removal is queued behind
  // "two" in the list's turn and fails in its own transaction.
  store.hold();
  const first = send("first");
  await store.holding();
  const two = send("two");
  await until("two waiting for the next group", () => daemon.committer.queued >= 1 || undefined);
  breakRemovals(true);
  const removal = call("DELETE", `lists/${A}`);
  await new Promise((r) => setTimeout(r, 100));
  store.failNext();
  store.release();
  assert.equal(await first, 250, "the held group committed");
  assert.equal(await two, 451, "the failed group's message");
  assert.equal(store.groups.filter((g) => g.failed).length, 1);
  const counted = ((await daemon.state(A)).state as { count: number }).count;
  const r = await removal;
  assert.equal(r.status, 503, JSON.stringify(r.json));
  assert.equal(r.json.error?.code, "TW6136");
  assert.match(r.json.error!.message, /a@example\.org was not removed.*still there.*Try again/);
  assert.doesNotMatch(r.json.error!.message, /injected|SQLITE|list_removals/, "the store's words stay in the log");
  const line = logged.find((l) => l["msg"] === "the list's removal failed; nothing of it was changed");
  assert.ok(line, "logged, with the store's error");
  assert.match(JSON.stringify(line), /injected: database or disk is full/);

  // Still whole: its rows as they were (the held message not expired: the removal's first statements rolled back),
  // its route there, its mail taken and run from its committed state.
  const whole = rows();
  // "first" committed meanwhile (its message and the list's state); all else as before the removal.
  assert.deepEqual({ ...whole, lists: [], messages: [] }, { ...before, lists: [], messages: [] });
  assert.deepEqual(whole.messages.length, before.messages.length + 1);
  assert.equal((whole.lists[0] as { hash: string }).hash, (before.lists[0] as { hash: string }).hash);
  assert.equal((await call("GET", `lists/${A}`)).status, 200);
  assert.equal((await call("GET", `lists/${A}/members`)).status, 200);
  assert.deepEqual((await daemon.state(A)).state, { count: counted }, "two's run not committed");
  assert.equal(daemon.removalOf(A), undefined);

  // The same from the command line, while the store still refuses: exit 3 (the server's fault), the words kept.
  const cli = await cliIn(dir, ["lists", "remove", A, "--yes", "--server", api.replace(/\/v1$/, ""), "--token", TOKEN]);
  assert.equal(cli.code, 3, cli.err);
  assert.match(cli.err, /TW6136 The list a@example\.org was not removed/);
  assert.deepEqual(rows().removals, []);

  // The sender retries: taken, counted from the committed state.
  assert.equal(await send("two"), 250);
  assert.deepEqual((await daemon.state(A)).state, { count: counted + 1 });
  // The store takes writes again: the removal's retry removes it, whole.
  breakRemovals(false);
  const again = await call("DELETE", `lists/${A}`);
  assert.equal(again.status, 200, JSON.stringify(again.json));
  assert.equal(again.json["held"], 1, "its held message expired with it");
  const gone = rows();
  assert.deepEqual([gone.members, gone.secrets, gone.schedule, gone.start, gone.removals.length], [[], [], [], [], 1]);
  assert.deepEqual(gone.held.map((h) => (h as { status: string }).status), ["expired"]);
  assert.equal(await send("three"), 550);
  assert.equal((await call("GET", `lists/${A}`)).json.error?.code, "TW6045");
});
