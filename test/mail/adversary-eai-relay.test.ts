/**
 * Adversary: members past ASCII (RFC 6531) through relays that do and do not offer SMTPUTF8, over real SMTP to a real
 * thwonkd. A relay that does not offer it must never be handed such an address (RFC 6531 3.2: the client may not
 * send one without SMTPUTF8); smtp-server with hideSMTPUTF8 and Postfix's smtp-sink both take one anyway, so the
 * copy was recorded `sent` and lost further on. Now each such recipient is recorded failed, saying why (TW6154), and
 * the other members' copies go as before.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { domainToUnicode } from "node:url";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { have, readStore, startDaemon, until, workspace } from "../daemon/helpers.js";
import { sink } from "./helpers.js";

const A = "alpha@example.org";
const LATIN = "list\u00e9@xn--exmple-cua.org";
const CJK = "\u7528\u6237@xn--fsqu00a.xn--4rr70v";
const BOB = "bob@example.org";
const RULE = "rule fan\n\non message(m: Message) {\n  send(to: members, subject: m.subject, text: m.text)\n}\n";
const POST = `From: ann@example.org\r\nTo: ${A}\r\nSubject: Hi\r\n\r\nhi\r\n`;

interface Row {
  recipients: string;
  status: string;
  attempts: number;
  code: number | null;
  response: string | null;
}

const rows = (data: string): Row[] => readStore(data, (db) => db.prepare("SELECT recipients, status, attempts, code, response FROM deliveries ORDER BY id").all() as Row[]);
const settled = (data: string, n: number) => () => {
  const r = rows(data);
  const done = r.filter((x) => x.status !== "pending");
  return done.reduce((k, x) => k + (JSON.parse(x.recipients) as string[]).length, 0) >= n && done.length === r.length ? r : undefined;
};
const whom = (r: Row[], status: string) =>
  r
    .filter((x) => x.status === status)
    .flatMap((x) => JSON.parse(x.recipients) as string[])
    .sort();

for (const verp of [false, true]) {
  test(`a relay without SMTPUTF8 is never handed a member past ASCII: their copies are failed with TW6154, Bob's goes (${verp ? "VERP" : "batched"})`, async () => {
    const relay = await sink({ hideSMTPUTF8: true });
    const ws = workspace({ alpha: { source: RULE, members: [LATIN, CJK, BOB] } });
    const d = await startDaemon(ws, {
      args: ["--relay", `smtp://127.0.0.1:${relay.port}`, "--relay-retry-min", "100"],
      env: verp ? { THWONKD_LISTS: JSON.stringify({ [A]: { verp: true } }) } : {},
    });
    const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    try {
      await mta.sendMail({ envelope: { from: "ann@example.org", to: [A] }, raw: POST });
      const r = await until("every recipient settled", settled(ws.data, 3));
      assert.deepEqual(
        relay.got.flatMap((g) => g.to),
        [BOB],
        "the relay got Bob's copy alone",
      );
      assert.ok(
        relay.got.every((g) => /^[\x20-\x7e]*$/.test(g.from)),
        "no sender past ASCII either",
      );
      assert.deepEqual(whom(r, "sent"), [BOB]);
      assert.deepEqual(whom(r, "failed"), [LATIN, CJK].sort());
      for (const f of r.filter((x) => x.status === "failed")) {
        assert.match(f.response ?? "", /SMTPUTF8/);
        assert.equal(f.attempts, 1, "not tried again");
      }
      assert.match(d.stderr(), /TW6154/, "the log says why");
      // Nothing left to try: no second copy for Bob, no later attempt for the others.
      await new Promise((ok) => setTimeout(ok, 400));
      assert.equal(relay.got.length, 1);
    } finally {
      mta.close();
      await d.stop();
      await relay.close();
      rmSync(ws.dir, { recursive: true, force: true });
    }
  });
}

test("a relay that offers SMTPUTF8 gets every member past ASCII, a member's domain in punycode as stored", async () => {
  const relay = await sink();
  const ws = workspace({ alpha: { source: RULE, members: [LATIN, CJK, BOB] } });
  const d = await startDaemon(ws, { args: ["--relay", `smtp://127.0.0.1:${relay.port}`, "--relay-retry-min", "100"] });
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    await mta.sendMail({ envelope: { from: "ann@example.org", to: [A] }, raw: POST });
    const r = await until("every recipient settled", settled(ws.data, 3));
    assert.deepEqual(whom(r, "sent"), [LATIN, CJK, BOB].sort());
    // smtp-server hands a domain on in Unicode, however it was written.
    const unicode = (a: string) => `${a.slice(0, a.lastIndexOf("@"))}@${domainToUnicode(a.slice(a.lastIndexOf("@") + 1))}`;
    assert.deepEqual(relay.got.flatMap((g) => g.to).sort(), [LATIN, CJK, BOB].map(unicode).sort());
  } finally {
    mta.close();
    await d.stop();
    await relay.close();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });

test("Postfix's smtp-sink (no SMTPUTF8 in its EHLO) gets Bob's copy; the members past ASCII are failed with TW6154", { skip: !have("smtp-sink") && "no smtp-sink" }, async () => {
  const port = await freePort();
  const dumps = mkdtempSync(join(tmpdir(), "smtp-sink-"));
  chmodSync(dumps, 0o777);
  // -d: each transaction to a file of its own (the template's name and a random hex number); -u: root must say whom to run as.
  const user = process.getuid?.() === 0 ? ["-u", "nobody"] : [];
  const proc: ChildProcess = spawn("smtp-sink", [...user, "-d", join(dumps, "m."), `127.0.0.1:${port}`, "10"], { stdio: "ignore" });
  await new Promise((ok) => setTimeout(ok, 300));
  const ws = workspace({ alpha: { source: RULE, members: [LATIN, CJK, BOB] } });
  const d = await startDaemon(ws, { args: ["--relay", `smtp://127.0.0.1:${port}`, "--relay-retry-min", "100"] });
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    await mta.sendMail({ envelope: { from: "ann@example.org", to: [A] }, raw: POST });
    const r = await until("every recipient settled", settled(ws.data, 3));
    assert.deepEqual(whom(r, "sent"), [BOB]);
    assert.deepEqual(whom(r, "failed"), [LATIN, CJK].sort());
    const dumped = readdirSync(dumps).map((f) => readFileSync(join(dumps, f), "latin1")).join("\n");
    assert.doesNotMatch(dumped, /[\x80-\xff]/, "smtp-sink saw no address past ASCII");
  } finally {
    mta.close();
    await d.stop();
    proc.kill("SIGTERM");
    rmSync(ws.dir, { recursive: true, force: true });
    rmSync(dumps, { recursive: true, force: true });
  }
});

test("a list at an address past ASCII sends nothing through a relay without SMTPUTF8: every recipient failed with TW6154, naming its bounce address", async () => {
  const relay = await sink({ hideSMTPUTF8: true });
  const ws = workspace({ "\u00e4nn\u00e4": { source: RULE, members: [BOB, "cy@example.org"] } });
  const d = await startDaemon(ws, { args: ["--relay", `smtp://127.0.0.1:${relay.port}`, "--relay-retry-min", "100"] });
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    await mta.sendMail({ envelope: { from: "ann@example.org", to: ["\u00e4nn\u00e4@example.org"] }, raw: POST.replace(A, "\u00e4nn\u00e4@example.org") });
    const r = await until("every recipient settled", settled(ws.data, 2));
    assert.deepEqual(whom(r, "failed"), [BOB, "cy@example.org"]);
    assert.match(r[0]!.response ?? "", /TW6154 .*envelope sender \u00e4nn\u00e4-bounces@example\.org is past ASCII/);
    assert.equal(relay.got.length, 0);
  } finally {
    mta.close();
    await d.stop();
    await relay.close();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("a relay that cannot be reached when thwonkd asks whether it offers SMTPUTF8: the member's copy waits and goes once it is up, never failed", async () => {
  const port = await freePort();
  const ws = workspace({ alpha: { source: RULE, members: [LATIN, BOB] } });
  const d = await startDaemon(ws, { args: ["--relay", `smtp://127.0.0.1:${port}`, "--relay-retry-min", "100", "--relay-retry-max", "200"] });
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  const got: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, cb) {
      stream.resume();
      stream.on("end", () => {
        got.push(...session.envelope.rcptTo.map((r) => r.address));
        cb();
      });
    },
  });
  try {
    await mta.sendMail({ envelope: { from: "ann@example.org", to: [A] }, raw: POST });
    await until("a failed attempt", () => rows(ws.data).some((r) => r.attempts >= 1) || undefined);
    assert.ok(rows(ws.data).every((r) => r.status === "pending"), JSON.stringify(rows(ws.data)));
    await new Promise<void>((ok) => server.listen(port, "127.0.0.1", () => ok()));
    const r = await until("every recipient settled", settled(ws.data, 2));
    assert.deepEqual(whom(r, "sent"), [LATIN, BOB].sort());
    assert.deepEqual(got.sort(), [`list\u00e9@ex\u00e4mple.org`, BOB].sort());
  } finally {
    mta.close();
    await d.stop();
    await new Promise<void>((ok) => server.close(() => ok()));
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
