/**
 * The migration that brought list removals (schema 12, `list_removals`), from a store file the thwonkd before it made
 * and used: a deployed list with its compiled bundle, members, signing key, a message its rule failed on and one held
 * for moderation, written with that version's schema (openSchemaBefore) and its insert statements (old-store.ts).
 * A real thwonkd starts on it: the list runs as before (its mail taken, its failed message replayable), and is
 * removable as any list (held message expired with it, failures kept apart, replays refused), removed across a restart.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { compileSource, serializeBundle } from "../../compiler/index.js";
import { openSchemaBefore, SCHEMA_VERSION } from "../../runtime/daemon/store/sqlite.js";
import { cliIn, readStore, startDaemon, workspace, type Running } from "./helpers.js";
import { writeOld } from "./old-store.js";

const A = "old@example.org";
const RULE = `rule gate

limits { members: 10, fanout: 10 }

state { count: int = 0 }

on message(m: Message) {
  if not members.has(m.from) and not m.approved {
    hold("not a member")
  }
  if m.subject == "boom" {
    let z = state.count - state.count
    state.count = 1 / z
  }
  if state.count < 1000000 {
    state.count = state.count + 1
  }
  send(to: members, subject: "{state.count} {m.subject.truncate(100)}", text: m.text)
}
`;
const T = Date.parse("2026-11-20T10:00:00Z");
const raw = (from: string, subject: string): Buffer => Buffer.from(`From: <${from}>\r\nTo: <${A}>\r\nSubject: ${subject}\r\nMessage-ID: <${subject}.${from}>\r\n\r\nhello\r\n`);

let ws: ReturnType<typeof workspace>;
let d: Running;
let failedRun = 0;
let failedMessage = 0;
let heldMessage = 0;
const api = (): string => `http://127.0.0.1:${d.ports.http}`;
const token = (): string => readFileSync(join(ws.data, "admin.token"), "utf8").trim();
const server = (): string[] => ["--server", api(), "--token", token()];

async function call(method: string, path: string): Promise<{ status: number; json: Record<string, unknown> & { error?: { code: string } } }> {
  const res = await fetch(`${api()}/v1/${path}`, { method, headers: { authorization: `Bearer ${token()}` } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
}

async function post(from: string, subject: string): Promise<string> {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    return (await t.sendMail({ from, to: A, subject, text: "hello" })).response;
  } catch (e) {
    return (e as { response?: string }).response ?? String(e);
  } finally {
    t.close();
  }
}

before(async () => {
  ws = workspace({});
  mkdirSync(ws.rules, { recursive: true });
  mkdirSync(ws.data, { recursive: true });
  // The store as the thwonkd before removals left it.
  const db = openSchemaBefore(join(ws.data, "thwonkd.sqlite"), "list_removals");
  const b = compileSource("gate.thwonk", RULE).bundle!;
  db.prepare("INSERT INTO bundles (hash, rule, compiler, source, json, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(b.sha256, b.manifest.rule, b.manifest.compiler, b.source.text, serializeBundle(b), T);
  db.prepare("INSERT INTO deployments (address, hash, deployed_at) VALUES (?, ?, ?)").run(A, b.sha256, T);
  db.prepare("INSERT INTO lists (address, hash, members_version, state, state_hash) VALUES (?, ?, 2, ?, NULL)").run(A, b.sha256, JSON.stringify({ count: 1 }));
  db.prepare("INSERT INTO list_start (address, at) VALUES (?, ?)").run(A, T);
  db.prepare("INSERT INTO list_secrets (address, secret, created_at) VALUES (?, ?, ?)").run(A, "ab".repeat(32), T);
  const member = db.prepare("INSERT INTO members (address, member, pos, name, role, joined) VALUES (?, ?, ?, '', 'member', ?)");
  member.run(A, "ann@example.org", 1, T);
  member.run(A, "bob@example.org", 2, T);
  const at = { line: 1, column: 1 };
  const [, failed, held] = writeOld(db, [
    {
      address: A,
      message: { raw: raw("ann@example.org", "first"), mailFrom: "ann@example.org", rcptTo: A, receivedAt: T + 1, status: "accepted", problems: [] },
      run: { trigger: "message", now: T + 1, bundleHash: b.sha256, outcome: "ok", error: null, gasUsed: 10, gasBound: 100, actions: [], replayOf: null },
    },
    {
      address: A,
      message: { raw: raw("ann@example.org", "boom"), mailFrom: "ann@example.org", rcptTo: A, receivedAt: T + 2, status: "failed", problems: [] },
      run: { trigger: "message", now: T + 2, bundleHash: b.sha256, outcome: "failed", error: { code: "TW5010", message: "division by zero", line: 11, column: 5 }, gasUsed: 10, gasBound: 100, actions: [], replayOf: null },
    },
    {
      address: A,
      message: { raw: raw("eve@example.net", "let me in"), mailFrom: "eve@example.net", rcptTo: A, receivedAt: T + 3, status: "held", problems: [] },
      run: { trigger: "message", now: T + 3, bundleHash: b.sha256, outcome: "held", error: null, gasUsed: 10, gasBound: 100, actions: [{ kind: "hold", to: [], at, reason: "not a member" }], replayOf: null },
    },
  ]);
  failedRun = failed!.runId;
  const ids = db.prepare("SELECT id, status FROM messages ORDER BY id").all() as { id: number; status: string }[];
  failedMessage = ids.find((m) => m.status === "failed")!.id;
  heldMessage = ids.find((m) => m.status === "held")!.id;
  db.prepare("INSERT INTO held (message_id, address, mail_from, from_addr, subject, reason, held_at, run_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'held')").run(
    heldMessage,
    A,
    "eve@example.net",
    "eve@example.net",
    "let me in",
    "not a member",
    Date.now(),
    held!.runId,
  );
  assert.ok((db.pragma("user_version", { simple: true }) as number) < SCHEMA_VERSION, "a store of an older schema");
  db.close();
  d = await startDaemon(ws);
});

after(async () => {
  await d?.stop();
  rmSync(ws.dir, { recursive: true, force: true });
});

test("migrated, the list runs as before: its members, its held message, its failed message replayable, its mail taken", async () => {
  assert.equal(readStore(ws.data, (db) => db.pragma("user_version", { simple: true })), SCHEMA_VERSION);
  const lists = (await call("GET", "lists")).json["lists"] as { address: string; members: number; held: number }[];
  assert.deepEqual(lists.map((l) => [l.address, l.members, l.held]), [[A, 2, 1]]);
  const failed = (await call("GET", "failed")).json as { messages: { id: number; runId: number; listRemoved?: boolean }[] };
  assert.deepEqual(failed.messages.map((m) => [m.id, m.runId, m.listRemoved ?? false]), [[failedMessage, failedRun, false]]);
  const run = (await call("GET", `runs/${failedRun}`)).json as { replayable: boolean };
  assert.equal(run.replayable, true);
  assert.match(await post("bob@example.org", "hello again"), /^250 /);
  assert.deepEqual((await call("GET", `lists/${A}/state`)).json["state"], { count: 2 }, "its stored state went on");
});

test("removed as any list: its held message expired with it, its failures apart, its replays refused; removed after a restart", async () => {
  const r = await cliIn(ws.dir, ["lists", "remove", A, "--yes", ...server()]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Its 2 members were dropped with its state, and its 1 held message expired/);
  const removal = readStore(ws.data, (db) => db.prepare("SELECT members, held, last_run FROM list_removals WHERE address = ?").get(A) as { members: number; held: number; last_run: number });
  const lastRun = readStore(ws.data, (db) => (db.prepare("SELECT MAX(id) AS n FROM runs WHERE address = ?").get(A) as { n: number }).n);
  assert.deepEqual(removal, { members: 2, held: 1, last_run: lastRun });
  assert.deepEqual(readStore(ws.data, (db) => db.prepare("SELECT status, note FROM held WHERE message_id = ?").get(heldMessage)), { status: "expired", note: "the list was removed" });
  assert.deepEqual(((await call("GET", "failed")).json["messages"] as unknown[]).length, 0);
  const kept = (await call("GET", "failed?removed=1")).json["messages"] as { id: number; listRemoved?: boolean }[];
  assert.deepEqual(kept.map((m) => [m.id, m.listRemoved]), [[failedMessage, true]]);
  const replay = await call("POST", `runs/${failedRun}/replay`);
  assert.deepEqual([replay.status, replay.json.error?.code], [409, "TW6047"]);

  assert.equal(await d.stop(), 0);
  d = await startDaemon(ws);
  assert.match(await post("bob@example.org", "still there?"), /^550 /);
  assert.equal((await call("GET", `lists/${A}`)).json.error?.code, "TW6045");
  assert.deepEqual(((await call("GET", "failed?removed=1")).json["messages"] as { listRemoved?: boolean }[]).map((m) => m.listRemoved), [true]);
});
