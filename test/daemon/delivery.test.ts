/**
 * Delivery to a relay, over real SMTP: a real thwonkd (bin/thwonkd.js) with
 * --relay pointing at a sink on 127.0.0.1 (smtp-server here, recording each
 * transaction; Postfix's smtp-sink for one run). Batched transactions to the
 * members, the relay down then back, a 5xx recorded, the wire format read
 * back with mailparser, and SIGKILL during delivery.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { readStore, startDaemon, until, workspace } from "./helpers.js";

interface Transaction {
  from: string;
  to: string[];
  raw: Buffer;
}

interface Sink {
  port: number;
  got: Transaction[];
  /** Answers a recipient: undefined accepts it, else an SMTP code. */
  policy: (rcpt: string, seen: number) => number | undefined;
  dataDelay: number;
  close(): Promise<void>;
  listen(): Promise<void>;
}

async function sink(port = 0): Promise<Sink> {
  const seen = new Map<string, number>();
  const s: Sink = {
    port,
    got: [],
    policy: () => undefined,
    dataDelay: 0,
    close: async () => undefined,
    listen: async () => undefined,
  };
  let server: SMTPServer;
  s.listen = () =>
    new Promise((ok, fail) => {
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ["STARTTLS", "AUTH"],
        logger: false,
        onRcptTo(address, _session, cb) {
          const n = (seen.get(address.address) ?? 0) + 1;
          seen.set(address.address, n);
          const code = s.policy(address.address, n);
          if (code === undefined) return cb();
          const err = new Error(code >= 500 ? "5.1.1 no such user here" : "4.2.1 try again later") as Error & { responseCode: number };
          err.responseCode = code;
          cb(err);
        },
        onData(stream, session, cb) {
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            setTimeout(() => {
              s.got.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
              cb();
            }, s.dataDelay);
          });
        },
      });
      server.once("error", fail);
      server.listen(s.port, "127.0.0.1", () => {
        server.off("error", fail);
        // A client killed mid-transaction resets its connection: that is the test, not a failure of the sink.
        server.on("error", () => undefined);
        s.port = (server.server.address() as { port: number }).port;
        ok();
      });
    });
  s.close = () => new Promise((ok) => server.close(() => ok()));
  await s.listen();
  return s;
}

const MEMBERS = Array.from({ length: 250 }, (_, i) => `m${String(i).padStart(3, "0")}@example.org`);
const ANN = "ann@example.org";

function post(subjectLine: string, n: number): string {
  return [
    `From: "Ann \\"<boss@bank.example>\\"" =?utf-8?Q?L=C3=A9a?= <${ANN}>`,
    "To: trim140@example.org",
    `Subject: ${subjectLine}`,
    `Message-ID: <post.${n}.${Date.now()}@example.org>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    `Post ${n}: grüße ${"x".repeat(200)}`,
    "",
  ].join("\r\n");
}

async function postAll(port: number, count: number, subject = (n: number) => `Post ${n}`): Promise<void> {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
  for (let n = 1; n <= count; n++) await t.sendMail({ envelope: { from: ANN, to: ["trim140@example.org"] }, raw: post(subject(n), n) });
  t.close();
}

const relayArgs = (port: number, extra: string[] = []): string[] => ["--relay", `smtp://127.0.0.1:${port}`, "--relay-batch", "100", "--relay-retry-min", "200", "--relay-retry-max", "800", ...extra];
const members = [ANN, ...MEMBERS];

test("trim140 to 251 members: batched transactions of at most 100, every member once, the wire format as composed", async () => {
  const relay = await sink();
  const ws = workspace({ trim140: { example: "trim140", members } });
  const d = await startDaemon(ws, { args: relayArgs(relay.port) });
  try {
    // A subject that decodes to CR LF and a header: the rule copies it, the builder must not make it a header.
    await postAll(d.ports.smtp, 1, () => "=?utf-8?Q?Gr=C3=BC=C3=9Fe=0D=0ABcc:_all@evil.example?=");
    await until("every member", () => (relay.got.flatMap((t) => t.to).length >= members.length ? true : undefined));
    assert.equal(relay.got.length, 3, "251 recipients in transactions of at most 100");
    assert.ok(relay.got.every((t) => t.to.length <= 100));
    assert.deepEqual(relay.got.flatMap((t) => t.to).sort(), [...members].sort());
    assert.ok(relay.got.every((t) => t.from === "trim140-bounces@example.org"), "the envelope sender is the list's bounce address");
    const ids = new Set<string>();
    for (const t of relay.got) {
      const p = await simpleParser(t.raw);
      ids.add(String(p.messageId));
      assert.deepEqual(p.from?.value, [{ name: 'Ann "<boss@bank.example>" Léa via trim140', address: "trim140@example.org" }]);
      assert.equal(p.replyTo?.value[0]?.address, "trim140@example.org", "trim140 asks for replyTo: list");
      assert.equal(p.subject, "Grüße Bcc: all@evil.example");
      assert.equal(p.bcc, undefined);
      assert.equal(p.headers.get("x-thwonk-recipients"), undefined, "the member list never goes on the wire");
      assert.equal(p.headers.get("x-thwonk-loop"), "trim140@example.org");
      assert.equal(p.headers.get("x-thwonk-hops"), "1");
      assert.match(t.raw.toString(), /\r\nList-Unsubscribe: <mailto:trim140-request@example\.org\?subject=unsubscribe>\r\n/);
      assert.equal(p.text?.trim(), `Post 1: grüße ${"x".repeat(126)}`);
      assert.ok(!/[^\t\r\n\x20-\x7e]/.test(t.raw.toString("latin1")), "7-bit on the wire: headers RFC 2047, the body quoted-printable");
    }
    assert.equal(ids.size, 1, "one action: one Message-ID in every transaction");
    // The sink has a transaction before its 250 reaches thwonkd: the store shows it sent once the batch is settled.
    const statuses = () => readStore(ws.data, (db) => db.prepare("SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status").all() as { status: string; n: number }[]);
    await until("every batch settled", () => (statuses().every((r) => r.status !== "pending") ? true : undefined));
    assert.deepEqual(statuses(), [{ status: "sent", n: 3 }]);
    assert.deepEqual(readdirSync(join(d.ports.outbox, "new")), [], "with a relay the Maildir is not the delivery");
    // And /v1/health does not speak of how Maildir files are synced.
    const health = (await (await fetch(`http://127.0.0.1:${d.ports.http}/v1/health`)).json()) as { outboxSync: string };
    assert.equal(health.outboxSync, "none: mail goes to the relay (no Maildir is written)");
  } finally {
    await d.stop();
    await relay.close();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("the relay down, then back: everything delivered, none lost; a 5xx recorded and not tried again; a 4xx tried again", async () => {
  const relay = await sink();
  await relay.close();
  const ws = workspace({ trim140: { example: "trim140", members: [ANN, "bob@example.org", "gone@example.org", "slow@example.org"] } });
  const d = await startDaemon(ws, { args: relayArgs(relay.port) });
  try {
    await postAll(d.ports.smtp, 5);
    await until("a failed attempt", () => (readStore(ws.data, (db) => db.prepare("SELECT COUNT(*) AS n FROM deliveries WHERE attempts > 0").get() as { n: number }).n > 0 ? true : undefined));
    relay.policy = (rcpt, n) => (rcpt === "gone@example.org" ? 550 : rcpt === "slow@example.org" && n === 1 ? 451 : undefined);
    await relay.listen();
    const want = new Set(["ann@example.org", "bob@example.org", "slow@example.org"]);
    await until("every post to every member", async () => {
      const by = new Map<string, Set<string>>();
      for (const t of relay.got) {
        const id = String((await simpleParser(t.raw)).messageId);
        for (const r of t.to) (by.get(id) ?? by.set(id, new Set()).get(id)!).add(r);
      }
      return by.size === 5 && [...by.values()].every((s) => [...want].every((w) => s.has(w))) ? true : undefined;
    });
    // The sink records a transaction before its 250 reaches thwonkd: wait for the store to settle it.
    await until("every batch settled", () => (readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM deliveries WHERE status = 'pending'").get() as { n: number }).n) === 0 ? true : undefined));
    const rows = readStore(ws.data, (db) => db.prepare("SELECT recipients, status, code, response FROM deliveries ORDER BY id").all() as { recipients: string; status: string; code: number; response: string }[]);
    const failed = rows.filter((r) => r.status === "failed");
    assert.equal(failed.length, 5, "one refused part per post");
    for (const f of failed) {
      assert.deepEqual(JSON.parse(f.recipients), ["gone@example.org"]);
      assert.equal(f.code, 550);
      assert.match(f.response, /^TW6051 The relay answered 550/);
    }
    assert.ok(rows.every((r) => r.status === "sent" || r.status === "failed"), JSON.stringify(rows));
    assert.equal(relay.got.flatMap((t) => t.to).filter((r) => r === "gone@example.org").length, 0);
    await new Promise((r) => setTimeout(r, 1000));
    const tried = relay.got.length;
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(relay.got.length, tried, "nothing is sent again once settled");
  } finally {
    await d.stop();
    await relay.close().catch(() => undefined);
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("SIGKILL during delivery, then a restart: every accepted post reaches every member; repeats only with the same Message-ID and bytes", async () => {
  const relay = await sink();
  relay.dataDelay = 150;
  const ws = workspace({ trim140: { example: "trim140", members } });
  let d = await startDaemon(ws, { args: relayArgs(relay.port) });
  const posts = 6;
  try {
    await postAll(d.ports.smtp, posts);
    await until("some delivery under way", () => (relay.got.length >= 2 ? true : undefined));
    await d.kill();
    const before = relay.got.length;
    d = await startDaemon(ws, { args: relayArgs(relay.port) });
    const byId = new Map<string, { raw: Buffer; to: string[] }>();
    await until(
      "every post to every member",
      async () => {
        for (const t of relay.got) {
          const id = String((await simpleParser(t.raw)).messageId);
          const seen = byId.get(id);
          if (seen) assert.ok(seen.raw.equals(t.raw), "a repeat carries the same bytes");
          else byId.set(id, { raw: t.raw, to: [] });
        }
        const to = new Map<string, Set<string>>();
        for (const t of relay.got) {
          const id = String((await simpleParser(t.raw)).messageId);
          for (const r of t.to) (to.get(id) ?? to.set(id, new Set()).get(id)!).add(r);
        }
        return to.size === posts && [...to.values()].every((s) => s.size === members.length) ? true : undefined;
      },
      60_000,
    );
    const sent = relay.got.flatMap((t) => t.to).length;
    // At most the transactions in flight at the kill (4 connections of 100) are repeated.
    assert.ok(sent - posts * members.length <= 4 * 100, `repeated ${sent - posts * members.length} recipients`);
    assert.ok(before < relay.got.length, "the restart delivered the rest");
  } finally {
    await d.stop();
    await relay.close();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createNetServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

test("Postfix's smtp-sink (Debian, /usr/sbin/smtp-sink) as the relay: the post reaches every member in batches", async () => {
  const port = await freePort();
  const dump = mkdtempSync(join(tmpdir(), "smtp-sink-"));
  chmodSync(dump, 0o777);
  const root = process.getuid?.() === 0;
  const sinkProc = spawn("/usr/sbin/smtp-sink", [...(root ? ["-u", "nobody"] : []), "-d", `${dump}/%M.`, `127.0.0.1:${port}`, "100"], { stdio: "ignore" });
  const ws = workspace({ trim140: { example: "trim140", members } });
  await new Promise((r) => setTimeout(r, 300));
  const d = await startDaemon(ws, { args: relayArgs(port) });
  try {
    await postAll(d.ports.smtp, 1);
    const rcpts = await until("every member at smtp-sink", () => {
      const files = readdirSync(dump).map((f) => readFileSync(join(dump, f), "utf8"));
      const to = files.flatMap((f) => [...f.matchAll(/^X-Rcpt-Args: <([^>]+)>/gm)].map((m) => m[1]!));
      return to.length >= members.length ? { files, to } : undefined;
    });
    assert.equal(rcpts.files.length, 3);
    assert.deepEqual(rcpts.to.sort(), [...members].sort());
    for (const f of rcpts.files) {
      assert.match(f, /^X-Mail-Args: <trim140-bounces@example\.org>/m);
      const p = await simpleParser(f);
      assert.match(String(p.messageId), /^<thwonk\..+\.1@example\.org>$/);
      assert.equal(p.from?.value[0]?.address, "trim140@example.org");
    }
  } finally {
    await d.stop();
    sinkProc.kill("SIGTERM");
    rmSync(ws.dir, { recursive: true, force: true });
    rmSync(dump, { recursive: true, force: true });
  }
});

test("a start without --relay while deliveries planned for a relay are pending says so", async () => {
  const relay = await sink();
  await relay.close(); // unreachable: the deliveries stay pending
  const ws = workspace({ trim140: { example: "trim140", members: [ANN, "bob@example.org"] } });
  let d = await startDaemon(ws, { args: relayArgs(relay.port) });
  try {
    await postAll(d.ports.smtp, 1);
    await until("a delivery planned", () => (readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM deliveries WHERE status = 'pending'").get() as { n: number }).n) > 0 || undefined));
    await d.stop();
    d = await startDaemon(ws);
    await until("the warning", () => (/deliveries planned for a relay are pending/.test(d.stderr()) ? true : undefined));
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
