/**
 * Adversary: header fields naming addresses past ASCII (RFC 6532), at their longest, in what a real thwonkd writes to
 * its Maildir outbox for a forward (the author's To and Cc kept, the author as Reply-To) and a send: every line at
 * most 998 octets, the addresses in UTF-8 as written (a domain in Unicode in the author's header kept readable), and
 * read back the same by mailparser and by Python's email package (policy SMTPUTF8).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import nodemailer from "nodemailer";
import { outboxMail, python, startDaemon, until, workspace } from "../daemon/helpers.js";
import { makeKey, resolverWith, sink } from "./helpers.js";

const A = "alpha@example.org";
// 316 CJK characters: the longest local part an address can have (ADDRESS_MAX 320 with `@a.b`), 948 octets in UTF-8:
// past a path (254), so no recipient, and left out of the kept Cc; its line must still fit.
const LONGEST = `${"\u5b57".repeat(316)}@a.bc`.slice(0, 320);
const CJK = "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a";
// 100 `ö`: 212 octets, within a path's 254 (a longer author could get no reply, and is not written as Reply-To).
const AUTHOR = `${"\u00f6".repeat(100)}@example.net`;
// 80 CJK characters: 246 octets with their domain, within a path's 254 too.
const WIDE = `${"\u5b57".repeat(80)}@a.bc`;
const RULE = 'rule fwd\n\nlimits { members: 10, fanout: 20 }\n\non message(m: Message) {\n  forward(m, to: members)\n  send(to: members, subject: m.subject, text: m.text, from: "sender")\n}\n';

test("a forward keeps the author's To and Cc past ASCII, the longest among them, each line within 998 octets, read back by mailparser and Python", async () => {
  const ws = workspace({ alpha: { source: RULE, members: ["bob@example.org"] } });
  const d = await startDaemon(ws);
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    const raw = [
      `From: =?utf-8?q?=C3=96mer?= <${AUTHOR}>`,
      `To: ${A}, ${CJK}`,
      `Cc: "Lang ${"\u5b57".repeat(40)}" <${LONGEST}>, "Wide ${"\u5b57".repeat(300)}" <${WIDE}>`,
      "Subject: Hi",
      "Message-ID: <eai.1@example.net>",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "hi",
      "",
    ].join("\r\n");
    await mta.sendMail({ envelope: { from: AUTHOR, to: [A] }, raw });
    const files = await until("both copies in the outbox", async () => {
      const m = await outboxMail(join(ws.data, "outbox"));
      return m.length >= 2 ? m : undefined;
    });
    for (const f of files) {
      const bytes = Buffer.from(f.raw, "utf8");
      const head = bytes.subarray(0, bytes.indexOf("\r\n\r\n")).toString("latin1");
      for (const line of head.split("\r\n")) assert.ok(line.length <= 998, `a line of ${line.length} octets: ${line.slice(0, 60)}`);
      assert.deepEqual(f.mail.replyTo?.value.map((v) => v.address), [AUTHOR]);
      const py = JSON.parse(
        await python(`
import email, email.policy, json
m = email.message_from_string(bytes.fromhex(${JSON.stringify(bytes.toString("hex"))}).decode("utf-8"), policy=email.policy.SMTPUTF8)
def addrs(k): return [a.addr_spec for a in m[k].addresses] if m[k] is not None else []
print(json.dumps({"to": addrs("To"), "cc": addrs("Cc"), "replyTo": addrs("Reply-To")}))
`),
      ) as { to: string[]; cc: string[]; replyTo: string[] };
      assert.deepEqual(py.replyTo, [AUTHOR]);
      if (f.mail.messageId === "<eai.1@example.net>") {
        // The forward: the author's To and Cc as they wrote them.
        const to = f.mail.to && !Array.isArray(f.mail.to) ? f.mail.to.value.map((v) => v.address) : [];
        const cc = f.mail.cc && !Array.isArray(f.mail.cc) ? f.mail.cc.value.map((v) => v.address) : [];
        assert.deepEqual(to.length, 2, JSON.stringify(to));
        assert.equal(to[0], A);
        // Kept (nodemailer writes the domain of an address whose local part is past ASCII in U-labels, RFC 6532).
        assert.ok([CJK, "\u7528\u6237@xn--fsqu00a.xn--4rr70v"].includes(to[1]!), `the co-recipient kept: ${to[1]}`);
        assert.deepEqual(py.to, to);
        assert.deepEqual(cc, [WIDE]);
        assert.deepEqual(py.cc, [WIDE]);
      } else assert.deepEqual(py.to, [A]);
    }
  } finally {
    mta.close();
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("DKIM over header fields in UTF-8: each member's copy through the relay (VERP, one-click) and the Maildir file verify with mailauth", async () => {
  const keys = mkdtempSync(join(tmpdir(), "eai-dkim-"));
  const { keyFile, txt } = await makeKey(keys, "example.org", "s1");
  const resolver = resolverWith("s1._domainkey.example.org", txt);
  const relay = await sink();
  const members = ["bob@example.org", "\u7528\u6237@xn--fsqu00a.xn--4rr70v", "list\u00e9@xn--exmple-cua.org"];
  const ws = workspace({ alpha: { source: RULE, members } });
  const ws2 = workspace({ alpha: { source: RULE, members } });
  const d = await startDaemon(ws, {
    args: ["--relay", `smtp://127.0.0.1:${relay.port}`, "--dkim", `example.org=s1:${keyFile}`, "--one-click"],
    env: { THWONKD_LISTS: JSON.stringify({ [A]: { verp: true } }) },
  });
  const d2 = await startDaemon(ws2, { args: ["--dkim", `example.org=s1:${keyFile}`] });
  const raw = [`From: =?utf-8?q?=C3=96mer?= <${AUTHOR}>`, `To: ${A}, ${CJK}`, `Cc: "W" <${WIDE}>`, "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=", "Message-ID: <eai.2@example.net>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", "gr\u00fc\u00dfe", ""].join("\r\n");
  try {
    for (const x of [d, d2]) {
      const mta = nodemailer.createTransport({ host: "127.0.0.1", port: x.ports.smtp, secure: false, ignoreTLS: true });
      await mta.sendMail({ envelope: { from: AUTHOR, to: [A] }, raw });
      mta.close();
    }
    const copies = await until("six copies relayed (two actions, three members)", () => (relay.got.length >= 6 ? relay.got.slice() : undefined));
    const files = await until("two files in the outbox", async () => {
      const m = await outboxMail(join(ws2.data, "outbox"));
      return m.length >= 2 ? m : undefined;
    });
    const signed = [...copies.map((c) => c.raw), ...files.map((f) => Buffer.from(f.raw.slice(f.raw.indexOf("\r\n", f.raw.indexOf("X-Thwonk-Recipients:")) + 2), "utf8"))];
    assert.ok(copies.some((c) => c.raw.toString("utf8").includes(`\r\nReply-To: =?UTF-8?Q?=C3=96mer?=\r\n <${AUTHOR}>`)), "a Reply-To in UTF-8 among the signed copies");
    for (const m of signed) {
      const r = (await dkimVerify(m, { resolver })).results[0]!;
      assert.equal(r.status.result, "pass", `${r.status.comment ?? ""}\n${m.toString("utf8").slice(0, 1500)}`);
    }
  } finally {
    await d.stop();
    await d2.stop();
    await relay.close();
    for (const dir of [ws.dir, ws2.dir, keys]) rmSync(dir, { recursive: true, force: true });
  }
});

test("a list at an address past ASCII: From, To and the List-* fields name it in UTF-8 (the mailto URLs percent-encoded), read back by mailparser and Python", async () => {
  const LIST = "\u00e4nn\u00e4@example.org";
  const ws = workspace({ "\u00e4nn\u00e4": { source: RULE, members: ["bob@example.org"] } });
  const d = await startDaemon(ws);
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    await mta.sendMail({ envelope: { from: "ann@example.org", to: [LIST] }, raw: `From: ann@example.org\r\nTo: ${LIST}\r\nSubject: Hi\r\nMessage-ID: <eai.3@example.net>\r\n\r\nhi\r\n` });
    const files = await until("both copies in the outbox", async () => {
      const m = await outboxMail(join(ws.data, "outbox"));
      return m.length >= 2 ? m : undefined;
    });
    for (const f of files) {
      assert.equal(f.mail.from?.value[0]?.address, LIST);
      const bytes = Buffer.from(f.raw, "utf8");
      const py = JSON.parse(
        await python(`
import email, email.policy, json, urllib.parse, re
m = email.message_from_string(bytes.fromhex(${JSON.stringify(bytes.toString("hex"))}).decode("utf-8"), policy=email.policy.SMTPUTF8)
post = re.search(r"<mailto:([^>?]*)", str(m["List-Post"])).group(1)
print(json.dumps({"from": [a.addr_spec for a in m["From"].addresses], "listId": str(m["List-Id"]), "post": urllib.parse.unquote(post), "loop": str(m["X-Thwonk-Loop"]), "returnPath": str(m["Return-Path"])}))
`),
      ) as Record<string, unknown>;
      assert.deepEqual(py["from"], [LIST]);
      assert.match(String(py["listId"]), /<\u00e4nn\u00e4\.example\.org>$/);
      assert.equal(py["post"], LIST);
      assert.equal(py["loop"], LIST);
      assert.equal(py["returnPath"], "<\u00e4nn\u00e4-bounces@example.org>");
    }
  } finally {
    mta.close();
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
