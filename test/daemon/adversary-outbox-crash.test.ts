/**
 * The outbox hand-off against a real thwonkd killed twice: messages from
 * parallel clients, SIGKILL while group commits hand their rows over from
 * memory, a restart that starts on a backlog (outbox rows not handed on,
 * deliveries not made) while new messages arrive, SIGKILL again in the middle
 * of that, and a last restart. Without a relay every message that got a 250
 * has exactly one Maildir file; with one, every committed outbox row is
 * planned for delivery once and every message that got a 250 reaches the
 * relay (again only for a transaction in flight at a kill: at least once).
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { sink } from "../mail/helpers.js";
import { outboxMail, readStore, startDaemon, until, workspace, postUntilKilled, type Running } from "./helpers.js";

const SUBJECT = /m-\d-\d+-\d+/;

/** 6 clients × 40 messages; kills the daemon once `killAt` more of them got a 250 (never, for Infinity). */
const load = (d: Running, phase: number, acked: Set<string>, killAt: number): Promise<void> =>
  postUntilKilled(d, { acked, clients: 6, each: 40, killAt, subject: (c, i) => `m-${phase}-${c}-${i}`, text: (subject) => subject });

const countOf = (xs: string[]): Map<string, number> => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());

test("two SIGKILLs, the second while a restart works off its backlog: every 250 has exactly one Maildir file", async () => {
  const ws = workspace({ trim140: { example: "trim140", members: [{ address: "ann@example.org", name: "Ann" }] } });
  const acked = new Set<string>();
  let d = await startDaemon(ws);
  try {
    await load(d, 1, acked, 60);
    d = await startDaemon(ws);
    await load(d, 2, acked, 60);
    d = await startDaemon(ws);
    const runs = readStore(ws.data, (db) => (db.prepare("SELECT count(*) AS n FROM runs WHERE address = 'trim140@example.org'").get() as { n: number }).n);
    const files = await until("a file for every committed run", async () => {
      const m = await outboxMail(d.ports.outbox);
      return m.length >= runs ? m : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    const again = await outboxMail(d.ports.outbox);
    assert.equal(again.length, files.length, "no file written after every run had one");
    const perSubject = countOf(files.map((f) => SUBJECT.exec(f.mail.subject ?? "")?.[0] ?? "?"));
    for (const s of acked) assert.equal(perSubject.get(s), 1, `${s} got a 250: one file`);
    assert.deepEqual([...perSubject].filter(([, n]) => n !== 1), [], "a message with more than one file");
    assert.equal(files.length, runs, "one file per committed run");
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("with a relay, two SIGKILLs, the second during the restart's backlog: each row planned once, every 250 delivered", async () => {
  const relay = await sink();
  const { port } = relay;
  const subjects = (): string[] => relay.got.map((t) => SUBJECT.exec(t.raw.toString("latin1"))?.[0] ?? "?");
  const args = ["--relay", `smtp://127.0.0.1:${port}?ignoreTLS=true`, "--relay-retry-min", "100", "--relay-retry-max", "500"];
  const ws = workspace({ trim140: { example: "trim140", members: [{ address: "ann@example.org", name: "Ann" }] } });
  const acked = new Set<string>();
  let d = await startDaemon(ws, { args });
  try {
    await load(d, 1, acked, 60);
    d = await startDaemon(ws, { args });
    await load(d, 2, acked, 60);
    d = await startDaemon(ws, { args });
    await until("every acknowledged message at the relay", () => ([...acked].every((s) => subjects().includes(s)) ? true : undefined), 30_000);
    await until("no delivery pending", () => (readStore(ws.data, (db) => (db.prepare("SELECT count(*) AS n FROM deliveries WHERE status = 'pending'").get() as { n: number }).n) === 0 ? true : undefined));
    const planned = readStore(ws.data, (db) => db.prepare("SELECT o.id AS id, count(d.id) AS n FROM outbox o LEFT JOIN deliveries d ON d.outbox_id = o.id GROUP BY o.id").all() as { id: number; n: number }[]);
    assert.deepEqual(planned.filter((p) => p.n !== 1), [], "outbox rows planned for delivery other than once");
    // At least once: a message the relay got twice is one whose transaction was in flight at a kill (4 connections).
    const twice = [...countOf(subjects())].filter(([, n]) => n > 1);
    assert.ok(twice.length <= 8, `delivered twice: ${JSON.stringify(twice)}`);
  } finally {
    await d.stop();
    await relay.close();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
