/**
 * Retention (thwonkd --keep DAYS) on a real thwonkd: its clock a test's file (THWONKD_TEST_CLOCK_FILE), mail over SMTP
 * (nodemailer), the API and thwonkc as a user drives them, the store a real SQLite file read beside it.
 *
 * 300 posts over ten days, then the clock 41 days on: the sweep blanks the old payloads and keeps their records; a
 * failed message still replays, a held one still approves, a bounce about an old message still counts; the pruned
 * runs say so in the API and in `thwonkc runs`; replaying a pruned message is 410 TW6055 (thwonkc: non-zero); the
 * file shrinks. A sweep over 20,000 seeded records interleaved with a burst of SMTP mail: every message 250, none lost.
 * A SIGKILL mid-sweep: the store consistent, the next start finishes it. A clock set back prunes nothing new. --keep 0,
 * -1, 1.5: TW6054, exit 2.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import nodemailer from "nodemailer";
import type { RunAction } from "../../contract/index.js";
import { openSchemaBefore, openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { SweepReport } from "../../runtime/daemon/retention.js";
import type { RunCommit } from "../../runtime/daemon/store/types.js";
import { repoRoot } from "../helpers/repo.js";
import { canMount, cliIn, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";
import { writeOld } from "./old-store.js";

const RULE = `rule keeper

limits { members: 10, fanout: 10 }

state { n: int = 0 }

on message(m: Message) {
  if m.subject == "boom" {
    if state.n < 100 {
      let z = state.n - state.n
      state.n = 1 / z
    }
  }
  if m.subject == "hold" {
    if not m.approved {
      hold("look at it")
    }
  }
  if state.n < 1000000 {
    state.n = state.n + 1
  }
  send(to: members, subject: "{state.n} {m.subject.truncate(100)}", text: m.text)
}
`;
const LIST = "keeper@example.org";
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const BODY = "Lorem ipsum dolor sit amet. ".repeat(100);

const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

interface Env {
  ws: ReturnType<typeof workspace>;
  clock: string;
  d: Running;
  api: string;
  token: string;
}

async function start(ws: ReturnType<typeof workspace>, clock: string, args: string[] = ["--keep", "30"], more: Parameters<typeof startDaemon>[1] = {}): Promise<Env> {
  const d = await startDaemon(ws, { ...more, env: { THWONKD_TEST_CLOCK_FILE: clock, ...more.env }, args: ["--hold-expiry", String(60 * DAY), ...args] });
  cleanup.push(() => (d.proc.exitCode === null ? d.kill() : undefined));
  return { ws, clock, d, api: `http://127.0.0.1:${d.ports.http}`, token: readFileSync(join(ws.data, "admin.token"), "utf8").trim() };
}

function setup(): { ws: ReturnType<typeof workspace>; clock: string } {
  const ws = workspace({ keeper: { source: RULE, members: [{ address: "bob@example.org", name: "Bob" }] } });
  cleanup.push(() => rmSync(ws.dir, { recursive: true, force: true }));
  const clock = join(ws.dir, "clock");
  writeFileSync(clock, String(T0));
  return { ws, clock };
}

/** What the tests read of the API's answers. */
interface Answer {
  error?: { code: string; message: string };
  result?: Record<string, unknown>;
  answer?: { code: number };
  run?: { outcome: string };
  pruned?: boolean;
  actions?: unknown[];
  actionCount?: number;
  note?: string;
  runs?: Record<string, unknown>[];
  members?: { address: string; bounces?: number }[];
  raw?: string;
}

interface Health {
  retention?: { keepDays: number; nextSweepAt: number | null; lastSweep: SweepReport | null };
}

async function call(e: Env, method: string, path: string, body?: unknown): Promise<{ status: number; json: Answer }> {
  const res = await fetch(`${e.api}/v1/${path}`, {
    method,
    headers: { authorization: `Bearer ${e.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Answer };
}

const health = async (e: Env): Promise<Health> => (await (await fetch(`${e.api}/v1/health`)).json()) as Health;

/** Sets the clock and waits for the sweep that it makes due (each hour by the clock, and at a clock set back). */
async function sweepAt(e: Env, at: number): Promise<SweepReport> {
  writeFileSync(e.clock, String(at));
  return until("the sweep at the new time", async () => {
    const s = (await health(e)).retention?.lastSweep;
    return s?.at === at ? s : undefined;
  }, 60_000);
}

function transport(e: Env) {
  return nodemailer.createTransport({ host: "127.0.0.1", port: e.d.ports.smtp, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
}

const server = (e: Env): string[] => ["--server", e.api, "--token", e.token];
const fileBytes = (data: string): number => readStore(data, (db) => (db.pragma("page_count", { simple: true }) as number) * (db.pragma("page_size", { simple: true }) as number));

function report(member: string, originalId: string): string {
  return [
    "From: MAILER-DAEMON@mx.example.net",
    "To: keeper-bounces@example.org",
    "Subject: Delivery Status Notification (Failure)",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="XyZ"',
    "",
    "--XyZ",
    "Content-Type: text/plain",
    "",
    "Not delivered.",
    "--XyZ",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns;mx.example.net",
    "",
    `Final-Recipient: rfc822;${member}`,
    "Action: failed",
    "Status: 5.1.1",
    "",
    "--XyZ",
    "Content-Type: text/rfc822-headers",
    "",
    `Message-ID: <${originalId}>`,
    "Subject: old",
    "",
    "--XyZ--",
    "",
  ].join("\r\n");
}

test("old payloads go, records stay: failed still replays, held still approves, an old message's bounce still counts; pruned runs say so; a pruned message is 410; the file shrinks", async () => {
  const { ws, clock } = setup();
  const e = await start(ws, clock);
  const t = transport(e);
  const subjects = new Map<string, number>();
  // Ten days of 30 posts: day 1 a failing post (A) and a held one (H), day 2 another failing one (B), day 3 one whose
  // outgoing mail bounces later (P).
  for (let day = 0; day < 10; day++) {
    writeFileSync(clock, String(T0 + day * DAY));
    for (let k = 0; k < 30; k++) {
      const subject = day === 1 && k === 0 ? "boom" : day === 1 && k === 1 ? "hold" : day === 2 && k === 0 ? "boom" : `d${day} p${k}`;
      const info = await t.sendMail({ from: "ann@example.org", to: LIST, subject, text: BODY, messageId: `<in-${day}-${k}@example.org>` });
      assert.match(info.response, /^250 /);
      subjects.set(`${day}-${k}`, 0);
    }
  }
  const msg = (day: number, k: number): { id: number; run: number } =>
    readStore(ws.data, (db) => {
      const m = db.prepare("SELECT id FROM messages WHERE instr(raw, ?) > 0").get(`<in-${day}-${k}@example.org>`) as { id: number };
      return { id: m.id, run: (db.prepare("SELECT min(id) AS id FROM runs WHERE message_id = ?").get(m.id) as { id: number }).id };
    });
  const A = msg(1, 0);
  const H = msg(1, 1);
  const B = msg(2, 0);
  const P = msg(3, 5);
  const pOut = readStore(ws.data, (db) => (db.prepare("SELECT message_id FROM outbox WHERE run_id = ?").get(P.run) as { message_id: string }).message_id);
  // Day 12: ten young posts, and B replayed (the list has counted past 100, so "boom" runs now): B's message is replayed.
  writeFileSync(clock, String(T0 + 12 * DAY));
  for (let k = 0; k < 10; k++) await t.sendMail({ from: "ann@example.org", to: LIST, subject: `young ${k}`, text: BODY, messageId: `<young-${k}@example.org>` });
  const replayedB = await call(e, "POST", `runs/${B.run}/replay`);
  assert.equal(replayedB.status, 200, JSON.stringify(replayedB.json));
  assert.equal(replayedB.json.run?.outcome, "ok");
  await until("the outbox written", () => readStore(ws.data, (db) => (db.prepare("SELECT count(*) AS n FROM outbox WHERE done = 0").get() as { n: number }).n === 0) || undefined);
  const sizeBefore = fileBytes(ws.data);

  // Day 41: keep 30 days: everything before day 11 goes.
  const s = await sweepAt(e, T0 + 41 * DAY);
  assert.equal(s.complete, true);
  assert.equal(s.messages, 300 - 2, "every message of days 0..9 but A (failed) and H (held)");
  assert.equal(s.outbox, 300 - 2 - 1, "every outgoing message of days 0..9 (A and H sent none; B's first run failed)");
  assert.ok(s.kept >= 2, `the failed and held ones passed over (${s.kept})`);
  assert.match(e.d.stderr(), /"retention sweep"/, "one log line per sweep");
  const sizeAfter = fileBytes(ws.data);
  assert.ok(sizeAfter < sizeBefore / 2, `the file shrank: ${sizeBefore} → ${sizeAfter}`);
  assert.equal(s.storeBytes, sizeAfter);
  const h = (await health(e)).retention;
  assert.equal(h?.keepDays, 30);
  assert.equal(h?.nextSweepAt, T0 + 41 * DAY + 3_600_000);

  // The stored rows: old payloads blank with their records, the failed and held messages and the young ones whole.
  const rows = readStore(ws.data, (db) => db.prepare("SELECT id, length(raw) AS n, pruned_at, size, received_at, mail_from FROM messages ORDER BY id").all() as Record<string, number | string | null>[]);
  for (const r of rows) {
    const old = (r["received_at"] as number) < T0 + 11 * DAY;
    const keep = r["id"] === A.id || r["id"] === H.id || !old;
    assert.equal(r["n"] === 0, !keep, `message ${r["id"]}`);
    assert.equal(r["pruned_at"], keep ? null : T0 + 41 * DAY);
    assert.ok((r["size"] as number) > BODY.length && r["mail_from"] === "ann@example.org", "its record kept");
  }

  // A pruned run, read as a user does: marked, not shown as an empty run.
  const run = await call(e, "GET", `runs/${P.run}`);
  assert.equal(run.json.pruned, true);
  assert.deepEqual(run.json.actions, []);
  assert.equal(run.json.actionCount, 1);
  assert.match(run.json.note ?? "", /^TW6056 The 1 action of run \d+ .* were removed by retention at 2026-02-11T00:00:00Z/);
  const cliRun = await cliIn(ws.dir, ["runs", String(P.run), ...server(e)]);
  assert.equal(cliRun.code, 0, cliRun.err);
  assert.match(cliRun.out, /1 action \(removed by retention 2026-02-11T00:00:00Z\)/);
  assert.match(cliRun.out, /its actions were removed by retention at 2026-02-11T00:00:00Z/);
  const list = await cliIn(ws.dir, ["runs", LIST, "--limit", "400", ...server(e)]);
  assert.equal(list.code, 0, list.err);
  // Every run of days 0..9 but A's and H's (kept) and B's first, which failed before it acted: no actions, nothing
  // removed, and not said to be.
  assert.equal((list.out.match(/removed by retention/g) ?? []).length, 300 - 2 - 1, "each pruned run of the list says so");
  assert.match(list.out, new RegExp(`^#${B.run} .* failed .* 0 actions  `, "m"));
  const runs = await call(e, "GET", `lists/${LIST}/runs?limit=5`);
  assert.ok((runs.json.runs ?? []).every((r) => (r["pruned"] === true && r["actionCount"] === 1) || r["outcome"] !== "ok"));

  // A pruned message cannot be replayed: 410 TW6055, and thwonkc says so and exits non-zero.
  const gone = await call(e, "POST", `runs/${B.run}/replay`);
  assert.equal(gone.status, 410);
  assert.equal(gone.json.error?.code, "TW6055");
  assert.match(gone.json.error?.message ?? "", new RegExp(`^TW6055 The bytes of message ${B.id} were removed by retention at 2026-02-11T00:00:00Z`));
  const cliGone = await cliIn(ws.dir, ["replay", String(B.run), ...server(e)]);
  assert.notEqual(cliGone.code, 0);
  assert.match(cliGone.err, /TW6055/);

  // The failed message kept: replayed now, and it runs (the list has counted past 100).
  const a = await call(e, "POST", `runs/${A.run}/replay`);
  assert.equal(a.status, 200, JSON.stringify(a.json));
  assert.equal(a.json.answer?.code, 250);
  assert.equal(a.json.run?.outcome, "ok");
  // The held message kept: read whole and approved.
  const held = await call(e, "GET", `held/${H.id}?raw=1`);
  assert.equal(held.status, 200);
  assert.match(held.json.raw ?? "", /Lorem ipsum/);
  const approve = await cliIn(ws.dir, ["approve", String(H.id), ...server(e)]);
  assert.equal(approve.code, 0, approve.err);

  // A bounce about P, whose outgoing bytes are gone: still matched to Bob, and counted.
  assert.equal(readStore(ws.data, (db) => (db.prepare("SELECT length(raw) AS n FROM outbox WHERE run_id = ?").get(P.run) as { n: number }).n), 0);
  const bounce = await t.sendMail({ envelope: { from: "", to: "keeper-bounces@example.org" }, raw: report("bob@example.org", pOut) });
  assert.match(bounce.response, /^250 .*TW6126/);
  const members = await call(e, "GET", `lists/${LIST}/members`);
  assert.equal(members.json.members?.find((m) => m.address === "bob@example.org")?.bounces, 1);

  // The next sweep (an hour on) prunes A and H now that they are decided: a decided held message read is 410 then.
  await sweepAt(e, T0 + 41 * DAY + 3_600_000);
  const heldGone = await call(e, "GET", `held/${H.id}`);
  assert.equal(heldGone.status, 410);
  assert.equal(heldGone.json.error?.code, "TW6055");
  assert.equal(heldGone.json.result?.["status"], "approved", "with the held record, which is kept");
  t.close();

  // A clock set back prunes nothing new: the sweep it makes removes nothing, and the young posts stay whole. They are
  // stamped a week after its clock (day 12, the clock at day 5): it says it waits behind them, once (TW6060).
  const back = await sweepAt(e, T0 + 5 * DAY);
  assert.equal(back.messages + back.runs + back.outbox, 0);
  assert.equal(readStore(ws.data, (db) => (db.prepare("SELECT count(*) AS n FROM messages WHERE pruned_at IS NULL AND length(raw) > 0").get() as { n: number }).n), 10, "the young posts (a bounce report is no message)");
  assert.deepEqual([back.waitingBehind?.table, back.waitingBehind?.at], ["runs", T0 + 12 * DAY]);
  assert.equal((await health(e)).retention?.lastSweep?.waitingBehind?.id, back.waitingBehind?.id);
  await sweepAt(e, T0 + 5 * DAY + 3_600_000);
  assert.equal(e.d.stderr().match(/"msg":"TW6060 Retention waits behind run \d+, whose time \(runs.created_at\) is 2026-01-13T00:00:00Z, 7 days after/g)?.length, 1, "said once");
  assert.equal(await e.d.stop(), 0);
});

/** Seeds `n` old posts (their runs and outgoing mail, written out) into the stopped daemon's store, as its commits would. */
async function seed(data: string, n: number, at: number): Promise<void> {
  const store = openSqliteStore(join(data, "thwonkd.sqlite"));
  const send: RunAction = { kind: "send", to: ["bob@example.org"], at: { line: 1, column: 1 }, subject: "s", text: BODY };
  const raw = (i: number): Buffer => Buffer.from(`From: ann@example.org\r\nSubject: seed ${i}\r\n\r\n${BODY}\r\n`);
  for (let i = 0; i < n; i += 200) {
    const cs: RunCommit[] = [];
    for (let j = i; j < Math.min(n, i + 200); j++) {
      cs.push({
        address: LIST,
        message: { raw: raw(j), mailFrom: "ann@example.org", rcptTo: LIST, receivedAt: at, status: "accepted", problems: [] },
        run: { trigger: "message", now: at, bundleHash: "seed", outcome: "ok", error: null, gasUsed: 1, gasBound: 2, replayOf: null, actions: [send] },
        outbox: [{ file: `seed-${j}`, messageId: `seed-${j}@example.org`, recipients: ["bob@example.org"], action: send, raw: raw(j) }],
      });
    }
    const ids = await store.commitRuns(cs, at);
    await store.markOutboxDone(ids.flatMap((x) => x.outboxIds));
  }
  await store.sync?.();
  await store.close();
}

/** A daemon started on a store with `n` records seeded a day before its clock (as an older thwonkd left them). */
async function seededDaemon(n: number) {
  const { ws, clock } = setup();
  const first = await start(ws, clock);
  assert.equal(await first.d.stop(), 0);
  await seed(ws.data, n, T0);
  writeFileSync(clock, String(T0 + DAY));
  return { ws, clock, e: await start(ws, clock) };
}

test("a sweep of 20,000 old records interleaved with a burst of SMTP mail: every message answered 250, stored and run; none late or lost", async () => {
  const { ws, clock, e } = await seededDaemon(20_000);
  const clients = 8;
  const each = 40;
  const answers: string[] = [];
  const took: [number, number][] = [];
  const begin = Date.now();
  // The clock past the seeded records' keep, and at once the burst: the sweep starts within a tick (100 ms).
  writeFileSync(clock, String(T0 + 40 * DAY));
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const t = transport(e);
      for (let i = 0; i < each; i++) {
        try {
          const sent = Date.now();
          const info = await t.sendMail({ from: "ann@example.org", to: LIST, subject: `burst ${c}-${i}`, text: BODY });
          took.push([sent, Date.now() - sent]);
          answers.push(info.response);
        } catch (err) {
          answers.push(String((err as { response?: string }).response ?? err));
        }
      }
      t.close();
    }),
  );
  const end = Date.now();
  const s = await until("the sweep", async () => {
    const x = (await health(e)).retention?.lastSweep;
    return x?.at === T0 + 40 * DAY ? x : undefined;
  }, 120_000);
  assert.equal(s.messages, 20_000);
  assert.equal(s.outbox, 20_000);
  assert.equal(s.runs, 20_000);
  // The sweep ran while the burst came: its real time (the log line's, at its end, less its length) overlaps the burst's.
  const line = e.d.stderr().split("\n").find((l) => l.includes('"retention sweep"') && l.includes('"messages":20000'))!;
  const logged = JSON.parse(line) as { time: number; retention: { ms: number; steps: number } };
  assert.ok(logged.time - logged.retention.ms < end && logged.time > begin, `the sweep (${logged.retention.ms} ms, ${logged.retention.steps} steps) overlapped the burst (${end - begin} ms)`);
  assert.equal(answers.length, clients * each);
  assert.deepEqual(answers.filter((a) => !/^250 /.test(a)), [], "no 451, no refusal");
  // Late: a sweep that held the event loop (one transaction, or steps without a turn between) would answer the mail
  // sent while it ran after it ended, seconds here; in steps, an answer waits a step at most. (The first message of each
  // connection, before the sweep, waits for its worker to start: not counted.)
  const during = took.filter(([sent]) => sent >= logged.time - logged.retention.ms && sent <= logged.time);
  const slowest = Math.max(...during.map(([, ms]) => ms));
  assert.ok(during.length >= 20, `${during.length} messages sent while the sweep ran`);
  assert.ok(slowest < 1000, `the slowest answer to a message sent while the sweep ran took ${slowest} ms`);
  const burst = readStore(ws.data, (db) => (db.prepare("SELECT count(*) AS n FROM messages WHERE pruned_at IS NULL AND instr(raw, 'Subject: burst ') > 0").get() as { n: number }).n);
  assert.equal(burst, clients * each, "every message of the burst stored whole");
  const ran = readStore(ws.data, (db) => (db.prepare("SELECT state FROM lists WHERE address = ?").get(LIST) as { state: string }).state);
  assert.equal(JSON.parse(ran).n, clients * each, "and run once each");
  assert.equal(await e.d.stop(), 0);
});

test("a SIGKILL in the middle of a sweep leaves a consistent store; the next start finishes it", async () => {
  const seeded = await seededDaemon(20_000);
  const { ws, clock } = seeded;
  let e = seeded.e;
  writeFileSync(clock, String(T0 + 40 * DAY));
  const pruned = (): number => readStore(ws.data, (db) => (db.prepare("SELECT count(*) AS n FROM outbox WHERE pruned_at IS NOT NULL").get() as { n: number }).n);
  await until("the sweep under way", () => pruned() > 0 || undefined, 60_000);
  await e.d.kill();
  const state = readStore(ws.data, (db) => ({
    integrity: db.pragma("integrity_check", { simple: true }),
    fk: db.pragma("foreign_key_check") as unknown[],
    // Each row blank and marked, or whole and unmarked: never half.
    half: (["messages", "outbox"] as const).map((t) => (db.prepare(`SELECT count(*) AS n FROM ${t} WHERE (pruned_at IS NULL) <> (length(raw) > 0)`).get() as { n: number }).n),
    runsHalf: (db.prepare("SELECT count(*) AS n FROM runs WHERE (pruned_at IS NULL) <> (actions <> '[]')").get() as { n: number }).n,
    // The cursor and the rows agree: every row up to it is pruned or listed as kept.
    behind: (db.prepare("SELECT count(*) AS n FROM outbox WHERE pruned_at IS NULL AND id <= coalesce((SELECT after FROM retention WHERE name = 'outbox'), 0) AND id NOT IN (SELECT id FROM retention_kept WHERE kind = 'outbox')").get() as { n: number }).n,
    outbox: (db.prepare("SELECT count(*) AS n FROM outbox WHERE pruned_at IS NOT NULL").get() as { n: number }).n,
    messages: (db.prepare("SELECT count(*) AS n FROM messages WHERE pruned_at IS NOT NULL").get() as { n: number }).n,
  }));
  assert.deepEqual({ integrity: state.integrity, fk: state.fk, half: state.half, runsHalf: state.runsHalf, behind: state.behind }, { integrity: "ok", fk: [], half: [0, 0], runsHalf: 0, behind: 0 });
  assert.ok(state.messages < 20_000, `killed before the sweep ended (${state.outbox} outgoing, ${state.messages} messages pruned)`);
  e = await start(ws, clock);
  await until("the sweep finished after the restart", () => readStore(ws.data, (db) => (db.prepare("SELECT count(*) AS n FROM messages WHERE pruned_at IS NOT NULL").get() as { n: number }).n) === 20_000 || undefined, 60_000);
  const done = readStore(ws.data, (db) => ({
    runs: (db.prepare("SELECT count(*) AS n FROM runs WHERE pruned_at IS NOT NULL").get() as { n: number }).n,
    outbox: (db.prepare("SELECT count(*) AS n FROM outbox WHERE pruned_at IS NOT NULL").get() as { n: number }).n,
  }));
  assert.deepEqual(done, { runs: 20_000, outbox: 20_000 });
  assert.equal(await e.d.stop(), 0);
});

test("--keep 0, -1, 1.5, THWONKD_KEEP=abc and a config file's \"keep\": 0 or 1e400 are refused at start: TW6054, exit 2", () => {
  const { ws } = setup();
  mkdirSync(ws.data, { recursive: true });
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(repoRoot, "bin", "thwonkd.js"), "--data", ws.data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", ...args], { env: { ...process.env, ...env }, encoding: "utf8" });
  const config = join(ws.dir, "thwonkd.json");
  writeFileSync(config, JSON.stringify({ keep: 0 }));
  // A number JSON reads as Infinity, said as written (not as `null`).
  const infinite = join(ws.dir, "infinite.json");
  writeFileSync(infinite, '{ "keep": 1e400 }');
  for (const [args, env, where, given] of [
    [["--keep", "0"], {}, "--keep", '"0"'],
    [["--keep=-1"], {}, "--keep", '"-1"'],
    [["--keep", "1.5"], {}, "--keep", '"1.5"'],
    [[], { THWONKD_KEEP: "abc" }, "THWONKD_KEEP", '"abc"'],
    [["--config", config], {}, `${config}: keep`, "0"],
    [["--config", infinite], {}, `${infinite}: keep`, "Infinity (at most 36500, 100 years)"],
  ] as const) {
    const r = run([...args], env);
    assert.equal(r.status, 2, `${args.join(" ")} ${JSON.stringify(env)}: ${r.stderr}`);
    const esc = (x: string): string => x.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    assert.match(r.stderr, new RegExp(`^thwonkd: TW6054 ${esc(where)} must be a whole number of days, 1 or more .*, got ${esc(given)}; thwonkd did not start`));
  }
});


test("a store made before retention on a disk too full to rewrite it: TW6059, the start goes on, old payloads are still removed and mail is taken; a store that is no store: TW6030 alone", { skip: canMount() ? false : "needs a file system of its own (tmpfs in a mount namespace: root or user namespaces)" }, async () => {
  const { ws, clock } = setup();
  // A store as version 12 made it (no incremental vacuum), of 300 old posts.
  mkdirSync(ws.data, { recursive: true });
  const seed = join(ws.dir, "seed.sqlite");
  const db = openSchemaBefore(seed, "pruned_at");
  const raw = (i: number): Buffer => Buffer.from(`From: ann@example.org\r\nSubject: seed ${i}\r\n\r\n${BODY}\r\n`);
  const send: RunAction = { kind: "send", to: ["bob@example.org"], at: { line: 1, column: 1 }, subject: "s", text: BODY };
  writeOld(
    db,
    Array.from({ length: 300 }, (_, i) => ({
      address: LIST,
      message: { raw: raw(i), mailFrom: "ann@example.org", rcptTo: LIST, receivedAt: T0, status: "accepted" as const, problems: [] },
      run: { trigger: "message", now: T0, bundleHash: "seed", outcome: "ok" as const, error: null, gasUsed: 1, gasBound: 2, replayOf: null, actions: [send] },
      outbox: [{ file: `seed-${i}`, messageId: `seed-${i}@example.org`, recipients: ["bob@example.org"], action: send, raw: raw(i) }],
    })),
    T0,
  );
  db.prepare("UPDATE outbox SET done = 1").run();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  // The data folder a file system of its own, with room for the store and 1.5 MB: a rewrite needs as much again.
  const size = statSync(seed).size;
  writeFileSync(clock, String(T0 + 40 * DAY));
  // The admin token made here, as the test reads it from the data folder, which the mount hides from it.
  const token = "ab".repeat(32);
  writeFileSync(join(ws.data, "admin.token"), token, { mode: 0o600 });
  writeFileSync(`${seed}.token`, token, { mode: 0o600 });
  const mount = 'mount -t tmpfs -o size="$1" tmpfs "$2" && cp "$3" "$2/thwonkd.sqlite" && cp -p "$3.token" "$2/admin.token" && shift 3 && exec "$@"';
  const e = await start(ws, clock, ["--keep", "30"], {
    env: { THWONKD_TEST_CHECKPOINT_PAGES: "50" },
    wrap: (node, args) => ["unshare", ["-rm", "sh", "-c", mount, "sh", `${Math.ceil((size + 1.5 * 2 ** 20) / 4096) * 4096}`, ws.data, seed, node, ...args]],
  });
  const s = await until("the first sweep", async () => (await health(e)).retention?.lastSweep ?? undefined);
  const log = e.d.stderr();
  assert.match(log, /TW6059 The store was made before retention, and rewriting it once .* failed \(database or disk is full\)/);
  assert.doesNotMatch(log, /TW6057/, "not rewritten");
  assert.equal(s.complete, true);
  assert.deepEqual([s.messages, s.runs, s.outbox], [300, 300, 300], "old payloads removed all the same");
  assert.equal(s.freed, 0, "no space given back: the file is not made for it");
  // Mail is still taken, run and stored, in the space the old payloads took.
  const t = transport(e);
  for (let i = 0; i < 5; i++) assert.match((await t.sendMail({ from: "ann@example.org", to: LIST, subject: `after ${i}`, text: BODY })).response, /^250 /);
  t.close();
  const runs = await call(e, "GET", `lists/${LIST}/runs?last=5`);
  assert.deepEqual(runs.json.runs?.map((r) => r["outcome"]), ["ok", "ok", "ok", "ok", "ok"]);
  assert.equal(await e.d.stop(), 0);

  // A file that is no store, with --keep: the start says that (TW6030) and nothing about a rewrite.
  const bad = join(ws.dir, "bad");
  mkdirSync(bad);
  writeFileSync(join(bad, "thwonkd.sqlite"), "not a store ".repeat(100));
  const r = spawnSync(process.execPath, [join(repoRoot, "bin", "thwonkd.js"), "--data", bad, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--keep", "30"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /TW6030 .*file is not a database/);
  assert.doesNotMatch(r.stderr, /TW6059/);
});
