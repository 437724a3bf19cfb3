/**
 * Outbox rows naming their action by its place (outbox.action_at), end to end on a real thwonkd over real SMTP:
 * a rule whose runs make many actions (a log, sends to members and to a `__proto__` address, a reply, then a
 * reject or a hold for some, an early return for others, a failure for others), so that only some actions make
 * outbox rows and rows sit at many places. Every row's action, read by its place in its run's actions, is the
 * message its file carries (subject and recipients); after SIGKILL right after the last 250, and after a restart
 * with every row pending again and its file gone, each file comes back byte for byte as written the first time.
 * The failed messages are listed by the HTTP API (every list and one list), replayed after a fix with new actions
 * (their rows name the new run's actions), and then none is listed; held messages are listed by every status
 * (two approved, whose runs' rows name their actions; one rejected), and a status that is none is refused.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const LIST = "multi@example.org";
const source = (fixed: boolean) => `rule multi

limits { members: 10, fanout: 40 }

state {
  count: int = 0
}

on message(m: Message) {
  if m.subject == "fail" {
    let z = 10 / (m.subject.length - ${fixed ? 3 : 4})
    state.count = state.count + z
  }
  if state.count < 1000000 {
    state.count = state.count + 1
  }
  log("n {state.count} __proto__ é😀")
  send(to: members, subject: "A{state.count} {m.subject.truncate(60)}", text: m.text, from: "sender", replyTo: "list")
  if m.subject.startsWith("quiet") {
    return
  }
  send(to: "proto.__proto__@example.org", subject: "B{state.count} __proto__ é😀", text: "b")
  if m.isAutomated() {
    return
  }
  reply(m, text: "got it", subject: "R{state.count}${fixed ? " fixed" : ""}")
  if m.subject.startsWith("reject") {
    reject("no {state.count}")
  }
  if m.subject.startsWith("hold") and not m.approved {
    hold("look {state.count}")
  }
  send(to: members, subject: "C{state.count} {m.subject.truncate(60)}", text: "c")
}
`;

const SUBJECTS = (phase: number): string[] =>
  Array.from({ length: 24 }, (_, i) => [`m${phase}.${i}`, `quiet${phase}.${i}`, `reject${phase}.${i}`, `hold${phase}.${i}`, "fail", `ünï 😀 __proto__ ${phase}.${i}`][i % 6]!);

/** Sends from three clients at once (so that runs are chained); returns how many got a 250. */
async function post(d: Running, subjects: string[]): Promise<number> {
  let ok = 0;
  await Promise.all(
    [0, 1, 2].map(async (c) => {
      const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
      for (const subject of subjects.filter((_, k) => k % 3 === c)) {
        try {
          const info = await t.sendMail({ from: "ann@example.org", to: LIST, subject, text: `body of ${subject}` });
          if (/^250 /.test(info.response)) ok++;
        } catch {
          // a reject: refused at the end of DATA
        }
      }
      t.close();
    }),
  );
  return ok;
}

type Row = { id: number; run_id: number; file: string; recipients: string; action: string; action_at: number | null; actions: string; outcome: string; done: number };
const rows = (data: string): Row[] =>
  readStore(data, (db) => db.prepare("SELECT o.id, o.run_id, o.file, o.recipients, o.action, o.action_at, o.done, r.actions, r.outcome FROM outbox o JOIN runs r ON r.id = o.run_id ORDER BY o.id").all() as Row[]);

/** Every row's action (by its place) is its file's message; every send and reply of a run has its row. Returns the files' bytes. */
async function check(data: string): Promise<Map<string, Buffer>> {
  const all = rows(data);
  assert.ok(all.length > 40, `${all.length} rows`);
  const files = new Map<string, Buffer>();
  const byRun = new Map<number, Set<number>>();
  for (const r of all) {
    const actions = JSON.parse(r.actions) as { kind: string; subject?: string; to?: string[] }[];
    const action = r.action_at === null ? JSON.parse(r.action) : actions[r.action_at];
    assert.ok(action && typeof action === "object", `row ${r.id}: ${r.action_at} of ${r.actions}`);
    if (r.action_at !== null) byRun.set(r.run_id, (byRun.get(r.run_id) ?? new Set()).add(r.action_at));
    const raw = readFileSync(join(data, "outbox", "new", r.file));
    files.set(r.file, raw);
    const mail = await simpleParser(raw);
    if (action.kind === "send" || action.kind === "reply") assert.equal(mail.subject, action.subject, `row ${r.id} (${action.kind} at ${r.action_at})`);
    const rcpt = String(mail.headers.get("x-thwonk-recipients") ?? "").split(",").map((s) => s.trim());
    assert.deepEqual(rcpt, JSON.parse(r.recipients), `row ${r.id}`);
  }
  // Each send and reply of a run is some row's action (those before a reject or a hold too: they commit).
  const runs = readStore(data, (db) => db.prepare("SELECT id, actions, outcome FROM runs").all() as { id: number; actions: string; outcome: string }[]);
  for (const run of runs) {
    const actions = JSON.parse(run.actions) as { kind: string }[];
    const mailing = actions.flatMap((a, k) => (a.kind === "send" || a.kind === "reply" ? [k] : []));
    assert.deepEqual([...(byRun.get(run.id) ?? [])].sort((a, b) => a - b), mailing, `run ${run.id} (${run.outcome}): ${run.actions}`);
  }
  return files;
}

const pending = (data: string) => readStore(data, (db) => (db.prepare("SELECT count(*) AS n FROM outbox WHERE done = 0").get() as { n: number }).n);

test("rows at many places of many-action runs name their actions: after SIGKILL, after rows pending again, and through a replay", async () => {
  const ws = workspace({ multi: { source: source(false), members: [{ address: "ann@example.org", name: "Ann" }, { address: "__proto__@example.org", name: "__proto__" }] } });
  let d = await startDaemon(ws);
  try {
    assert.ok((await post(d, SUBJECTS(1))) >= 16);
    // Killed right after the last 250: the last groups' files may not be written.
    const ok2 = await post(d, SUBJECTS(2));
    await d.kill();
    assert.ok(ok2 >= 16);
    d = await startDaemon(ws);
    await until("the outbox written", () => pending(ws.data) === 0 || undefined);
    const first = await check(ws.data);
    await d.stop();

    // Every row pending again and its file gone (committed, then killed before the outbox wrote): written again.
    const db = new Database(join(ws.data, "thwonkd.sqlite"));
    db.prepare("UPDATE outbox SET done = 0").run();
    db.close();
    for (const f of readdirSync(join(ws.data, "outbox", "new"))) unlinkSync(join(ws.data, "outbox", "new", f));
    d = await startDaemon(ws);
    await until("the outbox written again", () => pending(ws.data) === 0 || undefined);
    const again = await check(ws.data);
    assert.deepEqual([...again.keys()].sort(), [...first.keys()].sort());
    for (const [f, bytes] of first) assert.ok(again.get(f)!.equals(bytes), `${f} written again as the first time`);

    // The failed messages, by the API; replayed after a fix.
    const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${d.ports.http}/v1/${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, json: (await res.json()) as { messages?: { id: number; status: string; runId: number }[]; runId?: number } };
    };
    const failed = await api("GET", "failed");
    const mine = await api("GET", `lists/${encodeURIComponent(LIST)}/failed`);
    assert.equal(failed.status, 200);
    const failedRuns = readStore(ws.data, (db) => db.prepare("SELECT message_id FROM runs WHERE outcome = 'failed' ORDER BY message_id").all() as { message_id: number }[]);
    assert.deepEqual(failed.json.messages!.map((m) => m.id), failedRuns.map((r) => r.message_id));
    assert.ok(failedRuns.length >= 6);
    assert.deepEqual(mine.json.messages, failed.json.messages);
    assert.ok(failed.json.messages!.every((m) => m.status === "failed"));
    assert.equal((await api("GET", `lists/${encodeURIComponent("none.😀@example.org")}/failed`)).status, 404);
    assert.equal((await api("POST", "deploy", { source: source(true), fileName: "multi.thwonk", addresses: [LIST] })).status, 200);
    for (const m of failed.json.messages!) {
      const r = await api("POST", `runs/${m.runId}/replay`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
    }
    assert.deepEqual((await api("GET", "failed")).json.messages, []);
    await until("the replays written", () => pending(ws.data) === 0 || undefined);
    await check(ws.data);
    const replayed = rows(ws.data).filter((r) => JSON.parse(r.actions).some((a: { subject?: string }) => a.subject?.endsWith(" fixed")));
    assert.ok(replayed.length >= 3 * failedRuns.length, `the replays' rows: ${replayed.length}`);

    // Held messages by every status over HTTP (two approved: their runs' rows too; one rejected), and statuses that are none.
    type Held = { held: { id: number; status: string }[] };
    const heldAt = (status?: string) => api("GET", `lists/${encodeURIComponent(LIST)}/held${status === undefined ? "" : `?status=${encodeURIComponent(status)}`}`);
    const held = ((await heldAt()).json as unknown as Held).held;
    assert.ok(held.length >= 6, `${held.length} held`);
    for (const h of held.slice(0, 2)) assert.equal((await api("POST", `held/${h.id}/approve`)).status, 200);
    assert.equal((await api("POST", `held/${held[2]!.id}/reject`, { note: "no __proto__ é😀" })).status, 200);
    const ids = async (status: string) => ((await heldAt(status)).json as unknown as Held).held.map((h) => h.id).sort((a, b) => a - b);
    assert.deepEqual(await ids("approved"), held.slice(0, 2).map((h) => h.id).sort((a, b) => a - b));
    assert.deepEqual(await ids("rejected"), [held[2]!.id]);
    assert.deepEqual(await ids("held"), held.slice(3).map((h) => h.id).sort((a, b) => a - b));
    assert.deepEqual(await ids("expired"), []);
    assert.deepEqual(await ids("all"), held.map((h) => h.id).sort((a, b) => a - b));
    for (const bad of ["bogus", "__proto__", "HELD", "held' OR '1'='1", "", "failed"]) assert.equal((await heldAt(bad)).status, 400, bad);
    await until("the approvals written", () => pending(ws.data) === 0 || undefined);
    await check(ws.data);
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
