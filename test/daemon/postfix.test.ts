/**
 * The production set-up: a real Postfix (Debian's) in front, relaying the
 * lists' domain to thwonkd over LMTP (relay_transport = lmtp:inet:...), the
 * way Mailman 3 takes mail from Postfix. A private Postfix instance runs
 * with its own config_directory and queue_directory under a temporary
 * directory. Its master must start as root (it binds its listener and drops
 * to the postfix user), so the test starts it as root, or through `sudo -n`
 * when CI runs as another user (.ci/run installs Postfix with sudo too).
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { outboxMail, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const root = process.getuid?.() === 0;
const sudo = root ? [] : ["sudo", "-n"];

function postfix(conf: string, ...args: string[]): string {
  const [cmd, ...rest] = [...sudo, "postfix", "-c", conf, ...args];
  const r = spawnSync(cmd!, rest, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${[cmd, ...rest].join(" ")} failed (${r.status}): ${r.stderr}${r.stdout}${r.error ?? ""}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let ws: ReturnType<typeof workspace>;
let d: Running;
let conf: string;
let port: number;
let started = false;

before(async () => {
  ws = workspace({ trim140: { example: "trim140", members: [{ address: "ann@example.org", name: "Ann" }, { address: "bob@example.org", name: "Bob" }] } });
  d = await startDaemon(ws);
  // The postfix user must reach the queue under the (0700) temporary directory.
  chmodSync(ws.dir, 0o755);
  const pf = join(ws.dir, "postfix");
  conf = join(pf, "conf");
  mkdirSync(conf, { recursive: true });
  mkdirSync(join(pf, "queue"));
  mkdirSync(join(pf, "data"));
  if (root) chownSync(join(pf, "data"), Number(execFileSync("id", ["-u", "postfix"], { encoding: "utf8" })), 0);
  port = await freePort();
  const main = [
    "compatibility_level = 3.6",
    `queue_directory = ${join(pf, "queue")}`,
    `data_directory = ${join(pf, "data")}`,
    "mail_owner = postfix",
    "setgid_group = postdrop",
    "myhostname = postfix.test.localhost",
    "mydomain = test.localhost",
    "mydestination =",
    "inet_interfaces = loopback-only",
    "inet_protocols = ipv4",
    "mynetworks = 127.0.0.0/8",
    // The lists' domain is relayed to thwonkd over LMTP; thwonkd says which addresses exist.
    "relay_domains = example.org",
    `relay_transport = lmtp:inet:127.0.0.1:${d.ports.lmtp}`,
    "relay_recipient_maps =",
    "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
    `maillog_file = ${join(pf, "maillog")}`,
    `maillog_file_prefixes = ${pf}`,
    "smtputf8_enable = no",
    "biff = no",
  ];
  writeFileSync(join(conf, "main.cf"), main.join("\n") + "\n");
  copyFileSync("/etc/postfix/master.cf", join(conf, "master.cf"));
  // No chroot (it would need copies of /etc under the queue), and the SMTP listener on a free loopback port.
  execFileSync("postconf", ["-c", conf, "-F", "*/*/chroot = n"]);
  const master = readFileSync(join(conf, "master.cf"), "utf8").replace(/^smtp(\s+)inet/m, `127.0.0.1:${port}$1inet`);
  assert.match(master, new RegExp(`^127\\.0\\.0\\.1:${port}\\s+inet`, "m"), "master.cf has the SMTP listener");
  writeFileSync(join(conf, "master.cf"), master);
  postfix(conf, "start");
  started = true;
  await until("Postfix listening", () => new Promise<true | undefined>((resolve) => {
    const t = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
    t.verify().then(() => resolve(true), () => resolve(undefined)).finally(() => t.close());
  }));
});

after(async () => {
  if (started) postfix(conf, "stop");
  await d.stop();
  rmSync(ws.dir, { recursive: true, force: true });
});

const maillog = (): string => (existsSync(join(conf, "..", "maillog")) ? readFileSync(join(conf, "..", "maillog"), "utf8") : "");

test("a post through Postfix reaches thwonkd over LMTP: run, committed, the members' copies in the outbox", async () => {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
  const info = await t.sendMail({ from: "ann@example.org", to: "trim140@example.org", subject: "via postfix ✓", text: "Through the MTA in front." });
  t.close();
  assert.match(info.response, /^250 /, "Postfix queued it");
  const out = await until("the members' copies in thwonkd's outbox", async () => {
    const m = (await outboxMail(d.ports.outbox)).filter((x) => x.mail.subject === "via postfix ✓");
    return m.length > 0 ? m : undefined;
  });
  assert.deepEqual(out.flatMap((m) => m.recipients).sort(), ["ann@example.org", "bob@example.org"]);
  // The message thwonkd stored is the one Postfix handed on (its Received field), and Postfix logged thwonkd's 250.
  const raw = readStore(ws.data, (db) => (db.prepare("SELECT raw FROM messages WHERE address = 'trim140@example.org' ORDER BY id DESC").get() as { raw: Buffer }).raw.toString());
  assert.match(raw, /^Received: from [^\r\n]*\r?\n?\s*by postfix\.test\.localhost/m);
  await until("Postfix logged the LMTP delivery", () => /relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+.*status=sent \(250 2\.0\.0 accepted/.test(maillog()) || undefined);
});

test("an address with no list: thwonkd's 550 at LMTP RCPT, and Postfix bounces it (thwonkd never relays)", async () => {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
  await t.sendMail({ from: "ann@example.org", to: "nobody@example.org", subject: "to no list", text: "?" });
  t.close();
  await until("Postfix bounced it with thwonkd's answer", () => /to=<nobody@example\.org>.*status=bounced \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 550 5\.1\.1/.test(maillog()) || undefined);
});
