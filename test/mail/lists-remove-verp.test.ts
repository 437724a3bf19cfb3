/**
 * Adversary of removing a list, on its VERP key: a list removed and deployed again at the same address is a new
 * list with a new key (docs/daemon.md, "Removing a list"). Its mail must leave tagged under the new key, so a bounce
 * to that address verifies and counts; the old list's key, kept in memory by the relay's preparation of each
 * recipient (personal.ts), must not tag it. And the removed list's mail still delivered after it (queued at the relay)
 * leaves untagged: its key is dropped, and none is made for it again (the store kept the first key it found at a
 * deploy, so one made for the old list's late mail became the new list's). Real thwonkd, real SMTP in and out (a
 * sink as the relay), real SQLite.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { verpTag } from "../../runtime/daemon/verp.js";
import { readStore, startDaemon, until, workspace } from "../daemon/helpers.js";
import { SMTPServer } from "smtp-server";
import { dsnReport, sink, type Transaction } from "./helpers.js";

const RULE = `rule fan

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;
const A = "alpha@example.org";
const BOB = "bob@example.org";

test("a list removed and deployed again tags its VERP addresses under its new key, and a bounce to one counts", async () => {
  const relay = await sink();
  const ws = workspace({ alpha: { source: RULE, members: [BOB] } });
  const d = await startDaemon(ws, {
    args: ["--relay", `smtp://127.0.0.1:${relay.port}`, "--relay-retry-min", "200"],
    env: { THWONKD_LISTS: JSON.stringify({ [A]: { verp: true } }) },
  });
  const api = `http://127.0.0.1:${d.ports.http}/v1`;
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${api}/${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  const post = (subject: string) => mta.sendMail({ envelope: { from: "ann@example.org", to: [A] }, raw: `From: ann@example.org\r\nTo: ${A}\r\nSubject: ${subject}\r\n\r\nhi\r\n` });
  const keyOf = (): string => readStore(ws.data, (db) => (db.prepare("SELECT secret FROM list_secrets WHERE address = ?").get(A) as { secret: string }).secret);
  const tagOf = (address: string): string => /\+([a-z2-7]{8})-/.exec(address)![1]!;
  try {
    await post("one");
    await until("the old list's mail at the relay", () => (relay.got.length >= 1 ? true : undefined));
    const oldKey = keyOf();
    assert.equal(tagOf(relay.got[0]!.from), verpTag(oldKey, A, BOB));

    assert.equal((await call("DELETE", `lists/${encodeURIComponent(A)}`)).status, 200);
    const r = await call("POST", "deploy", { source: RULE, fileName: "fan.thwonk", addresses: [A] });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal((await call("POST", `lists/${encodeURIComponent(A)}/members`, { members: [BOB] })).status, 200);
    const newKey = keyOf();
    assert.notEqual(newKey, oldKey, "a new list, a new key");

    await post("two");
    await until("the new list's mail at the relay", () => (relay.got.length >= 2 ? true : undefined));
    const from = relay.got[1]!.from;
    assert.equal(tagOf(from), verpTag(newKey, A, BOB), `the new list's mail is tagged under its own key: ${from}`);

    const id = String((await simpleParser(relay.got[1]!.raw)).messageId).replace(/^<|>$/g, "");
    const sent = await mta.sendMail({ envelope: { from: "", to: [from] }, raw: dsnReport(from, BOB, { id }) });
    assert.doesNotMatch(sent.response, /unverified/, sent.response);
    await until("the bounce counted against bob on the new list", () =>
      readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM bounces WHERE address = ? AND verp = 1").get(A) as { n: number }).n) >= 1 ? true : undefined,
    );
  } finally {
    assert.equal(await d.stop(), 0);
    await relay.close();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

/** A relay that answers 451 to every RCPT while `refuse` is set, and keeps what it takes. */
async function flakyRelay(): Promise<{ port: number; got: Transaction[]; tries: number; refuse: boolean; close(): Promise<void> }> {
  const r = { port: 0, got: [] as Transaction[], tries: 0, refuse: true, close: (): Promise<void> => Promise.resolve() };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(_a, _s, cb) {
      r.tries++;
      if (r.refuse) {
        const err = new Error("try later") as Error & { responseCode: number };
        err.responseCode = 451;
        cb(err);
      } else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        r.got.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((x) => x.address), raw: Buffer.concat(chunks) });
        cb();
      });
    },
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
  server.on("error", () => undefined);
  r.port = (server.server.address() as { port: number }).port;
  r.close = () => new Promise((ok) => server.close(() => ok()));
  return r;
}

test("a removed list's mail delivered after the removal (and a restart) leaves untagged, and no key is made for it again", async () => {
  const relay = await flakyRelay();
  const ws = workspace({ alpha: { source: RULE, members: [BOB] } });
  const start = () =>
    startDaemon(ws, {
      args: ["--relay", `smtp://127.0.0.1:${relay.port}`, "--relay-retry-min", "200", "--relay-retry-max", "400"],
      env: { THWONKD_LISTS: JSON.stringify({ [A]: { verp: true } }) },
    });
  let d = await start();
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const keys = (): number => readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM list_secrets WHERE address = ?").get(A) as { n: number }).n);
  try {
    const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    await mta.sendMail({ envelope: { from: "ann@example.org", to: [A] }, raw: `From: ann@example.org\r\nTo: ${A}\r\nSubject: late\r\n\r\nhi\r\n` });
    await until("a refused try at the relay", () => (relay.tries >= 1 ? true : undefined));
    const res = await fetch(`http://127.0.0.1:${d.ports.http}/v1/lists/${encodeURIComponent(A)}`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.equal(keys(), 0, "the removal dropped the key");
    assert.equal(await d.stop(), 0);
    relay.refuse = false;
    d = await start();
    await until("the removed list's mail delivered", () => (relay.got.length >= 1 ? true : undefined));
    assert.equal(relay.got[0]!.from, "alpha-bounces@example.org", "untagged: the list has no key now");
    assert.equal(keys(), 0, "no key made again for the removed list");
  } finally {
    assert.equal(await d.stop(), 0);
    await relay.close();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
