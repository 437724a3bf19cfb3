/**
 * Adversary: every kind of reply thwonkd writes (runtime/daemon/smtp.ts), over SMTP and LMTP on raw sockets, with and
 * without SMTPUTF8, read as bytes: each line at most 512 octets with its CRLF (RFC 5321 4.5.3.1.5), no CR, LF or NUL
 * inside one, ASCII unless the transaction said SMTPUTF8 (then valid UTF-8), and thwonkd's own answers each with an
 * enhanced status code (RFC 3463) of the reply's class and the one its meaning has. A rule's reason of 1,000
 * characters past ASCII, or holding CR, LF and NUL; an address of 253 characters past ASCII named in a refusal; a
 * message over the list's limits; a loop. And the postmaster (RFC 5321 4.5.1): `<Postmaster>` and
 * `<postmaster@DOMAIN>` in any case are kept in DATA/postmaster, never run; beside a list in one transaction it was
 * refused as "another list" (now TW6155), postmaster@ the server's own --domain was refused 550 when no list was
 * there, and a mailbox that could not be written answered without a catalog code (now TW6157); a second address of
 * the same list had none either (now TW6156).
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { spawnSync } from "node:child_process";
import { have, readStore, startDaemon, swaks, workspace, type Running } from "./helpers.js";

const WIDE = "\u00fc".repeat(1000);
const RULE = `rule strict

limits { members: 10, text: 100 }

on message(m: Message) {
  if m.subject == "wide" {
    reject("${WIDE}")
  }
  if m.subject == "controls" {
    reject("one\\r\\ntwo\\u{0}three\\rfour\\nfive")
  }
  if m.subject == "cjk" {
    reject("${"\u{20000}".repeat(400)}")
  }
}
`;

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({ strict: { source: RULE } });
  d = await startDaemon(ws);
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

/** One session on a raw socket: each command's reply, as bytes (a multi-line one whole); `afterDot` replies to a message (LMTP: one a recipient). */
async function session(port: number, commands: string[], afterDot = 1): Promise<Buffer[]> {
  const s = connect(port, "127.0.0.1");
  let buf = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  s.on("data", (b: Buffer) => {
    buf = Buffer.concat([buf, b]);
    wake?.();
  });
  /** The next complete reply: lines up to one whose code is followed by a space. */
  const reply = (): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply in 20 s: ${JSON.stringify(buf.toString("latin1"))}`)), 20_000);
      const check = (): void => {
        let at = 0;
        for (;;) {
          const end = buf.indexOf("\r\n", at);
          if (end < 0) return void (wake = check);
          if (buf[at + 3] === 0x20) {
            const r = buf.subarray(0, end + 2);
            buf = buf.subarray(end + 2);
            clearTimeout(timer);
            wake = undefined;
            return resolve(r);
          }
          at = end + 2;
        }
      };
      check();
    });
  const out = [await reply()];
  for (const c of commands) {
    s.write(Buffer.from(`${c}\r\n`, "utf8"));
    if (c.includes("\r\n") && !c.endsWith("\r\n.")) continue;
    const n = c.endsWith("\r\n.") ? afterDot : 1;
    for (let i = 0; i < n; i++) out.push(await reply());
  }
  s.destroy();
  return out;
}

/** The reply's lines, each held to RFC 5321's bounds; `utf8`: the transaction said SMTPUTF8. */
function lines(reply: Buffer, utf8: boolean): string[] {
  assert.ok(reply.subarray(-2).equals(Buffer.from("\r\n")), "ends with CRLF");
  const out: string[] = [];
  let at = 0;
  while (at < reply.length) {
    const end = reply.indexOf("\r\n", at);
    const line = reply.subarray(at, end);
    assert.ok(line.length + 2 <= 512, `a reply line of ${line.length + 2} octets with its CRLF: ${line.toString("latin1").slice(0, 80)}...`);
    for (const b of line) assert.ok(b !== 0x0d && b !== 0x0a && b !== 0, `no CR, LF or NUL inside a line: ${JSON.stringify(line.toString("latin1"))}`);
    if (!utf8) assert.ok(line.every((b) => b < 0x80), `ASCII only without SMTPUTF8: ${line.toString("latin1").slice(0, 80)}`);
    out.push(new TextDecoder("utf-8", { fatal: true }).decode(line));
    at = end + 2;
  }
  return out;
}

/** A reply of thwonkd's own: one line `CODE X.Y.Z TEXT`, X the code's class and X.Y.Z the one expected. */
function answer(reply: Buffer, utf8: boolean, code: number, enhanced: string): string {
  const [line, ...more] = lines(reply, utf8);
  assert.deepEqual(more, [], "one line");
  const m = /^(\d{3}) (\d)\.(\d{1,3})\.(\d{1,3}) /.exec(line!);
  assert.ok(m, `an enhanced status code: ${line}`);
  assert.equal(Number(m[1]), code, line);
  assert.equal(m[2], String(code)[0], "of the reply's class");
  assert.equal(`${m[2]}.${m[3]}.${m[4]}`, enhanced, line);
  return line!;
}

const message = (subject: string, extra = "") => `From: ann@example.org\r\nTo: strict@example.org\r\nSubject: ${subject}\r\n${extra}\r\nhello\r\n.`;
const LONG_RCPT = `${"\u00e4".repeat(240)}@example.org`;

for (const utf8 of [false, true]) {
  const mailFrom = `MAIL FROM:<ann@example.org>${utf8 ? " SMTPUTF8" : ""}`;
  test(`each refusal and answer over SMTP, ${utf8 ? "with" : "without"} SMTPUTF8`, async () => {
    const r = await session(d.ports.smtp, [
      "EHLO client.example.org",
      mailFrom,
      `RCPT TO:<${LONG_RCPT}>`,
      "RCPT TO:<strict@example.org>",
      `RCPT TO:<strict+${"\u00f6".repeat(200)}@example.org>`,
      "DATA",
      message("wide"),
      mailFrom,
      "RCPT TO:<strict@example.org>",
      "DATA",
      message("controls"),
      mailFrom,
      "RCPT TO:<strict@example.org>",
      "DATA",
      message("cjk"),
      mailFrom,
      "RCPT TO:<strict@example.org>",
      "DATA",
      `From: ann@example.org\r\nSubject: over\r\n\r\n${"x".repeat(500)}\r\n.`,
      mailFrom,
      "RCPT TO:<strict@example.org>",
      "DATA",
      message("loop", Array.from({ length: 60 }, (_, i) => `Received: from h${i}.example.net by h${i + 1}.example.net; Mon, 7 Dec 2026 10:00:00 +0000\r\n`).join("")),
      mailFrom,
      "RCPT TO:<strict@example.org>",
      "DATA",
      message("fine"),
      "QUIT",
    ]);
    for (const x of r) lines(x, utf8);
    const [, , , noList, ok, second, , wide, , , , controls, , , , cjk, , , , over, , , , loop, , , , fine] = r;
    assert.match(answer(noList!, utf8, 550, "5.1.1"), /TW6001/);
    answer(second!, utf8, 452, "4.5.3");
    assert.match(lines(ok!, utf8)[0]!, /^250 /);
    const w = answer(wide!, utf8, 550, "5.7.1");
    assert.ok(w.endsWith("..."), "cut, and says so");
    const c = answer(controls!, utf8, 550, "5.7.1");
    assert.match(c, /one.two.three.four.five/, "each control made a space or left out, the words kept");
    answer(cjk!, utf8, 550, "5.7.1");
    assert.match(answer(over!, utf8, 552, "5.3.4"), /TW6004/);
    assert.match(answer(loop!, utf8, 554, "5.4.6"), /TW6050/);
    answer(fine!, utf8, 250, "2.0.0");
  });
}

for (const utf8 of [false, true]) {
  test(`LMTP: one answer for each recipient after DATA, each held to the same bounds, ${utf8 ? "with" : "without"} SMTPUTF8`, async () => {
    const r = await session(d.ports.lmtp!, ["LHLO client.example.org", `MAIL FROM:<ann@example.org>${utf8 ? " SMTPUTF8" : ""}`, "RCPT TO:<strict@example.org>", "RCPT TO:<Postmaster>", "RCPT TO:<strict+x@example.org>", "DATA", message("wide")], 3);
    for (const x of r) lines(x, utf8);
    const [list, postmaster, tagged] = r.slice(-3);
    const first = answer(list!, utf8, 550, "5.7.1");
    assert.ok(first.startsWith(`550 5.7.1 ${utf8 ? "\u00fc" : "\\u{FC}"}`), first.slice(0, 40));
    assert.match(answer(postmaster!, utf8, 250, "2.0.0"), /kept for the postmaster/);
    assert.equal(answer(tagged!, utf8, 550, "5.7.1"), first);
  });
}

test("the postmaster: <Postmaster>, <postmaster@DOMAIN> in any case, and quoted, are kept in DATA/postmaster and run nothing", async () => {
  const runs = () => readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM runs").get() as { n: number }).n);
  const box = join(ws.data, "postmaster", "new");
  const files = () => (readdirSync(join(ws.data, "postmaster")).includes("new") ? readdirSync(box) : []);
  const before = runs();
  const there = new Set(files());
  for (const to of ["<Postmaster>", "<POSTMASTER>", "<postmaster@example.org>", "<PostMaster@EXAMPLE.ORG>", '<"postmaster"@example.org>']) {
    const r = await session(d.ports.smtp, ["EHLO client.example.org", "MAIL FROM:<>", `RCPT TO:${to}`, "DATA", message(`to ${to}`), "QUIT"]);
    assert.match(lines(r[3]!, false)[0]!, /^250 /, `${to}: ${r[3]}`);
    assert.match(answer(r[5]!, false, 250, "2.0.0"), /kept for the postmaster/, to);
  }
  assert.equal(runs(), before, "no run");
  const kept = files()
    .filter((f) => !there.has(f))
    .map((f) => readFileSync(join(box, f), "utf8"));
  assert.equal(kept.length, 5);
  assert.deepEqual(kept.map((k) => /^Delivered-To: (.*)$/m.exec(k)?.[1]).sort(), ["postmaster", "postmaster", "postmaster@example.org", "postmaster@example.org", "postmaster@example.org"]);
});

test("a second address of the same list in one SMTP transaction: 452 4.5.3 with its catalog code, naming both", async () => {
  const r = await session(d.ports.smtp, ["EHLO client.example.org", "MAIL FROM:<ann@example.org>", "RCPT TO:<strict@example.org>", "RCPT TO:<strict+news@example.org>", "RCPT TO:<strict-request@example.org>", "QUIT"]);
  for (const x of [r[4]!, r[5]!]) assert.match(answer(x, false, 452, "4.5.3"), /TW6156 strict(\+news|-request)@example\.org is another address of the list strict@example\.org/);
});

test("the postmaster beside a list in one SMTP transaction: 452 that says the postmaster's mail goes in a transaction of its own, not that it is a list", async () => {
  for (const [first, second] of [
    ["strict@example.org", "Postmaster"],
    ["postmaster@example.org", "strict@example.org"],
    ["Postmaster", "postmaster@example.org"],
  ]) {
    const r = await session(d.ports.smtp, ["EHLO client.example.org", "MAIL FROM:<ann@example.org>", `RCPT TO:<${first}>`, `RCPT TO:<${second}>`, "QUIT"]);
    const refusal = answer(r[4]!, false, 452, "4.5.3");
    assert.doesNotMatch(refusal, /another list/, refusal);
    assert.match(refusal, /TW6155 .*a transaction of its own/);
  }
});

test("real clients to the postmaster: swaks to <Postmaster>, Postfix's smtp-source 5 messages to <postmaster@EXAMPLE.ORG>: all kept, none run", { skip: !(have("swaks") && have("smtp-source")) && "no swaks or smtp-source" }, async () => {
  const box = join(ws.data, "postmaster", "new");
  const count = () => readdirSync(box).length;
  const runs = () => readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM runs").get() as { n: number }).n);
  const [files, ran] = [count(), runs()];
  const s = await swaks(["--server", `127.0.0.1:${d.ports.smtp}`, "--from", "ann@example.org", "--to", "Postmaster", "--header", "Subject: abuse report"]);
  assert.equal(s.code, 0, s.out);
  assert.match(s.out, /<-\s+250 2\.0\.0 kept for the postmaster/);
  const src = spawnSync("smtp-source", ["-m", "5", "-f", "ann@example.org", "-t", "postmaster@EXAMPLE.ORG", `127.0.0.1:${d.ports.smtp}`], { encoding: "utf8", timeout: 30_000 });
  assert.equal(src.status, 0, src.stderr);
  assert.equal(count(), files + 6);
  assert.equal(runs(), ran);
});

test("postmaster@ the server's own domain (--domain, the name in its greeting) is kept though no list is deployed on it", async () => {
  const solo = workspace({});
  mkdirSync(solo.rules);
  const s = await startDaemon(solo, { args: ["--domain", "mx.example.net"] });
  try {
    for (const to of ["<postmaster@mx.example.net>", "<POSTMASTER@MX.EXAMPLE.NET>"]) {
      const r = await session(s.ports.smtp, ["EHLO client.example.org", "MAIL FROM:<>", `RCPT TO:${to}`, "DATA", message("hello"), "QUIT"]);
      assert.match(lines(r[0]!, false)[0]!, /^220 mx\.example\.net /);
      assert.match(lines(r[3]!, false)[0]!, /^250 /, `${to}: ${r[3]}`);
      assert.match(answer(r[5]!, false, 250, "2.0.0"), /kept for the postmaster/);
    }
    // Any other domain is still no one's: thwonkd is no relay.
    const other = await session(s.ports.smtp, ["EHLO client.example.org", "MAIL FROM:<>", "RCPT TO:<postmaster@elsewhere.example>", "QUIT"]);
    answer(other[3]!, false, 550, "5.1.1");
  } finally {
    assert.equal(await s.stop(), 0);
    rmSync(solo.dir, { recursive: true, force: true });
  }
});

test("a postmaster's mailbox that cannot be written: 451 4.3.0 with its catalog code, nothing kept, and the next message kept once it can be", async () => {
  const box = join(ws.data, "postmaster");
  mkdirSync(box, { recursive: true });
  rmSync(join(box, "new"), { recursive: true, force: true });
  writeFileSync(join(box, "new"), "not a folder");
  try {
    const r = await session(d.ports.smtp, ["EHLO client.example.org", "MAIL FROM:<>", "RCPT TO:<Postmaster>", "DATA", message("lost?"), "QUIT"]);
    assert.match(answer(r[5]!, false, 451, "4.3.0"), /TW6157 The message to postmaster could not be kept/);
  } finally {
    rmSync(join(box, "new"), { force: true });
  }
  const again = await session(d.ports.smtp, ["EHLO client.example.org", "MAIL FROM:<>", "RCPT TO:<Postmaster>", "DATA", message("again"), "QUIT"]);
  answer(again[5]!, false, 250, "2.0.0");
});
