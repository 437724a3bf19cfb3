/**
 * The pieces of per-recipient mail and bounces, tried the way an attacker
 * would: one-click tokens (forged, altered, truncated, unicode, huge), the
 * List-Unsubscribe rewrite (folded fields, a body that looks like headers,
 * a field given twice), VERP addresses and the bounce-address parser, the
 * delivery status report reader (RFC 3464 forms real MTAs send, junk), and
 * the daemon's mail settings.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { simpleParser } from "mailparser";
import { isHardFailure, readDsn, statusBlocks } from "../../runtime/daemon/bounces.js";
import { ConfigError, resolveConfig } from "../../runtime/daemon/config.js";
import { loadDkimKeys } from "../../runtime/daemon/dkim.js";
import { verpOf } from "../../runtime/daemon/mail-out.js";
import { bounceTarget, verpAddress, withOneClick } from "../../runtime/daemon/personal.js";
import { VERP_ADDRESS_MAX, VERP_LOCAL_MAX, verpTag } from "../../runtime/daemon/verp.js";
import { bounceAddress } from "../../runtime/mail/compose.js";
import { ensureUnsubscribeKey, formValue, readToken, unsubscribeToken } from "../../runtime/daemon/unsubscribe.js";
import { ADDRESS_MAX, canonicalAddress } from "../../contract/index.js";
import { runCli } from "../helpers/cli.js";
import { statusReport } from "./helpers.js";

const key = randomBytes(32);

test("a token reads back only as it was made: every change, another key, junk and huge input are refused", () => {
  const t = unsubscribeToken(key, "trim140@example.org", "bob@example.org", 1_764_000_000_000);
  assert.deepEqual(readToken(key, t), { list: "trim140@example.org", member: "bob@example.org", joined: 1_764_000_000_000 });
  assert.equal(readToken(randomBytes(32), t), undefined, "another daemon's key");
  const [l, m, j, sig] = t.split(".") as [string, string, string, string];
  const b64 = (s: string): string => Buffer.from(s).toString("base64url");
  for (const bad of [
    [l, b64("cat@example.org"), j, sig],
    [b64("other@example.org"), m, j, sig],
    [l, m, (Number.parseInt(j, 36) + 1).toString(36), sig],
    [l, m, j, sig.slice(0, -1) + (sig.endsWith("A") ? "B" : "A")],
    [l, m, j, sig.slice(0, 20)],
    [l, m, j],
    [l, m, j, sig, "x"],
    [l, b64("BOB@example.org"), j, sig.toUpperCase()],
  ]) {
    assert.equal(readToken(key, bad.join(".")), undefined, bad.join("."));
  }
  // Every other spelling of the signature's last character (its unused bits decode alike), and of the time.
  for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
    if (c !== sig.at(-1)) assert.equal(readToken(key, [l, m, j, sig.slice(0, -1) + c].join(".")), undefined, `last character ${c}`);
  }
  assert.equal(readToken(key, [l, m, `0${j}`, sig].join(".")), undefined, "a leading zero in the time");
  for (const junk of ["", ".", "...", "__proto__", "constructor.prototype.x.y", "a".repeat(100_000), `${l}.${m}.${j}.${sig}\r\nX: y`, "%00.%00.%00.%00"]) {
    assert.equal(readToken(key, junk), undefined, junk.slice(0, 40));
  }
  // Addresses are compared without case; unicode survives the round trip.
  const u = unsubscribeToken(key, "Liste@Example.org", "Zoë.😀@example.org", 0);
  assert.deepEqual(readToken(key, u), { list: "Liste@Example.org", member: "Zoë.😀@example.org", joined: 0 });
  assert.match(u, /^[A-Za-z0-9_.-]+$/, "a token is safe in a URL path and a header");
});

test("a token reads back for a list and a member at ADDRESS_MAX, in ASCII and in characters of 3 and 4 bytes; past it, no", () => {
  const domain = `${"d".repeat(63)}.example.org`;
  // An address of exactly ADDRESS_MAX UTF-16 units whose local part is `unit` repeated (and an `a` when one is left).
  const longest = (unit: string): string => {
    const room = ADDRESS_MAX - 1 - domain.length;
    return `${unit.repeat(Math.floor(room / unit.length))}${"a".repeat(room % unit.length)}@${domain}`;
  };
  const joined = Number.MIN_SAFE_INTEGER;
  for (const unit of ["x", "é", "\u20ac", "😀"]) {
    const list = longest(unit);
    const member = longest(unit === "x" ? "m" : unit);
    assert.equal(list.length, ADDRESS_MAX);
    assert.equal(canonicalAddress(list), list.toLowerCase(), "an address the product takes");
    const token = unsubscribeToken(key, list, member, joined);
    assert.deepEqual(readToken(key, token), { list, member, joined }, `${unit}: ${Buffer.byteLength(list)} bytes`);
  }
  // The most UTF-8 an address takes, and one unit more: the bound is the address's, not a guess at its bytes.
  const widest = `${"\u20ac".repeat(ADDRESS_MAX - 4)}@a.b`;
  assert.equal(Buffer.byteLength(widest), 3 * ADDRESS_MAX - 8);
  assert.deepEqual(readToken(key, unsubscribeToken(key, widest, widest, 1))?.member, widest);
  assert.equal(readToken(key, unsubscribeToken(key, `x${widest}`, "ann@example.org", 1)), undefined, "a list past ADDRESS_MAX");
  assert.equal(readToken(key, unsubscribeToken(key, "list@example.org", `x${widest}`, 1)), undefined, "a member past ADDRESS_MAX");
});

test("VERP at the longest: whatever verpAddress makes fits a local part and a path thwonkd takes mail at, and reads back", () => {
  const k = "0".repeat(64);
  /** A host name of exactly `n` characters (labels of at most 63). */
  const host = (n: number): string => {
    const labels: string[] = [];
    for (let left = n; left > 0; ) {
      const take = left <= 63 ? left : Math.min(63, left - 2);
      labels.push("h".repeat(take));
      left -= take + 1;
    }
    return labels.join(".").replace(/h$/, "g");
  };
  // A list whose VERP address for a short member is exactly 254 (an SMTP path's most): smtp-server, thwonkd's own
  // ingress, refuses it (501), so a report to it would never arrive. The plain address goes instead.
  const domain = host(254 - "l-bounces+abcdefgh-a=b.co@".length);
  const list = `l@${domain}`;
  assert.equal(`l-bounces+${verpTag(k, list, "a@b.co")}-a=b.co@${domain}`.length, 254);
  assert.equal(verpAddress(list, "a@b.co", k), `l-bounces@${domain}`, "a VERP address of 254");
  assert.match(verpAddress(`l@${domain.slice(1)}`, "a@b.co", k), /^l-bounces\+[a-z2-7]{8}-a=b\.co@/, "253 fits");

  // Lists and members of every length up to their longest (a member: what mail goes to, 254; a list: ADDRESS_MAX).
  const at = (who: string, n: number, d: string): string => `${who}${"x".repeat(Math.max(0, n - 1 - d.length - who.length))}@${d}`;
  let verps = 0;
  for (const d of ["example.org", host(100), host(240)]) {
    for (let n = d.length + 2; n <= ADDRESS_MAX; n += 7) {
      const l = at("l", n, d);
      const lists = new Map([[l.toLowerCase(), l]]);
      for (let mn = 6; mn <= 254; mn += 11) {
        const member = at("m", mn, "b.co");
        const v = verpAddress(l, member, k);
        if (v === bounceAddress(l)) continue;
        verps++;
        assert.ok(v.length <= VERP_ADDRESS_MAX && v.lastIndexOf("@") <= VERP_LOCAL_MAX, v);
        assert.equal(canonicalAddress(v), v.toLowerCase(), "an address by the product's own rule");
        const back = bounceTarget(v, (a) => lists.get(a.toLowerCase()));
        assert.deepEqual(back, { list: l, verp: member, tag: verpTag(k, l, member) }, v);
      }
    }
  }
  assert.ok(verps > 0);
});

test("the unsubscribe key is made once, 0600, and refused when it is not one", () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-key-"));
  try {
    const k = ensureUnsubscribeKey(dir);
    assert.equal(k.length, 32);
    assert.equal(statSync(join(dir, "unsubscribe.key")).mode & 0o777, 0o600);
    assert.deepEqual(ensureUnsubscribeKey(dir), k);
    writeFileSync(join(dir, "unsubscribe.key"), "not a key\n");
    assert.throws(() => ensureUnsubscribeKey(dir), /does not hold an unsubscribe key/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const message = (head: string[], body = "Hello\r\n"): Buffer => Buffer.from([...head, "", body].join("\r\n"), "latin1");

test("the one-click fields replace List-Unsubscribe where it was, folded or not, once, and leave the body alone", async () => {
  const url = "https://lists.example.org/unsubscribe/abc.def.0.sig";
  const raw = message(
    [
      "From: a@example.org",
      "List-Unsubscribe:",
      " <mailto:trim140-request@example.org?subject=unsubscribe>",
      "List-Unsubscribe-Post: something else",
      "List-Unsubscribe: <mailto:second@example.org>",
      "Subject: x",
    ],
    "List-Unsubscribe: <https://evil.example/>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
  );
  const out = withOneClick(raw, url).toString("latin1");
  const [head, body] = out.split("\r\n\r\n") as [string, string];
  assert.equal(head.match(/^List-Unsubscribe:/gm)?.length, 1);
  assert.equal(head.match(/^List-Unsubscribe-Post:/gm)?.length, 1);
  assert.match(head, /^From: a@example\.org\r\nList-Unsubscribe: <https:\/\/lists\.example\.org\/unsubscribe\/abc\.def\.0\.sig>,\r\n <mailto:trim140-request@example\.org\?subject=unsubscribe>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nSubject: x$/);
  assert.equal(body, "List-Unsubscribe: <https://evil.example/>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", "the body is untouched");
  const parsed = await simpleParser(Buffer.from(out, "latin1"));
  assert.equal((parsed.headers.get("list") as unknown as Record<string, { url?: string }>)["unsubscribe"]?.url, url);
  // Without a List-Unsubscribe the fields are added at the end of the header; a message without a body stays as it is.
  assert.match(withOneClick(message(["From: a@example.org"]), url).toString("latin1"), /^From: a@example\.org\r\nList-Unsubscribe: <https:[^>]+>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nHello/);
  const headOnly = Buffer.from("From: a@example.org\r\n");
  assert.equal(withOneClick(headOnly, url), headOnly);
});

test("VERP addresses name the recipient with the list's tag, and only a list's own bounce address is read back as one", () => {
  const k = "0".repeat(64);
  const tag = verpTag(k, "trim140@example.org", "ann@mail.example.net");
  assert.match(tag, /^[a-z2-7]{8}$/);
  assert.equal(verpAddress("trim140@example.org", "ann@mail.example.net", k), `trim140-bounces+${tag}-ann=mail.example.net@example.org`);
  assert.equal(verpTag(k, "TRIM140@Example.org", "Ann@MAIL.example.net"), tag, "addresses compare without case");
  assert.notEqual(verpTag("1".repeat(64), "trim140@example.org", "ann@mail.example.net"), tag, "another key");
  assert.equal(verpAddress("trim140@example.org", `${"x".repeat(51)}@example.net`, k), "trim140-bounces@example.org", "over 64 before the @: the plain address");
  assert.equal(verpAddress("trim140@example.org", "no-at-sign", k), "trim140-bounces@example.org");
  const lists = new Map([["trim140@example.org", "trim140@example.org"], ["bounces@example.org", "bounces@example.org"]]);
  const isList = (a: string): string | undefined => lists.get(a.toLowerCase());
  assert.deepEqual(bounceTarget("trim140-bounces@example.org", isList), { list: "trim140@example.org", verp: null, tag: null });
  assert.deepEqual(bounceTarget(`<TRIM140-Bounces+${tag.toUpperCase()}-ann=mail.example.net@Example.org>`, isList), { list: "trim140@example.org", verp: "ann@mail.example.net", tag });
  assert.deepEqual(bounceTarget("trim140-bounces+abcdefgh-a=b=c.example@example.org", isList), { list: "trim140@example.org", verp: "a=b@c.example", tag: "abcdefgh" });
  // The form before tags still names a member, with no tag: it verifies for nobody.
  assert.deepEqual(bounceTarget("<TRIM140-Bounces+ann=mail.example.net@Example.org>", isList), { list: "trim140@example.org", verp: "ann@mail.example.net", tag: null });
  assert.deepEqual(bounceTarget("bounces-bounces@example.org", isList), { list: "bounces@example.org", verp: null, tag: null });
  assert.deepEqual(bounceTarget("trim140-bounces+junk@example.org", isList), { list: "trim140@example.org", verp: null, tag: null }, "an extension that is no address names nobody");
  assert.deepEqual(bounceTarget("trim140-bounces+__proto__=x@example.org", isList), { list: "trim140@example.org", verp: "__proto__@x", tag: null });
  for (const none of ["trim140@example.org", "-bounces@example.org", "other-bounces@example.org", "trim140-bounces@example.com", "trim140-bounce@example.org", "trim140-bounces", "@example.org"]) {
    assert.equal(bounceTarget(none, isList), undefined, none);
  }
});

const report = (blocks: string[], returned = ""): Buffer => statusReport(["Reporting-MTA: dns; mx.example.net", "", blocks.join("\r\n\r\n")], returned);

test("RFC 3464 reports: each recipient block read; only failed with a 5.x.x status is a bounce", async () => {
  const dsn = await readDsn(
    report(
      [
        "Final-Recipient: rfc822; <ann@example.org>\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user\r\n unknown",
        "Original-Recipient: rfc822;Bob@Example.ORG\r\nFinal-Recipient: rfc822;bob@elsewhere.example\r\nAction: delayed\r\nStatus: 4.4.7",
        "Final-Recipient: x400; /C=US/O=Nobody\r\nAction: failed\r\nStatus: 5.0.0",
        "FINAL-RECIPIENT: RFC822; cat@example.org\r\nACTION: FAILED\r\nSTATUS: 5.7.1 (refused by policy)",
        "Final-Recipient: rfc822; dan@example.org\r\nAction: failed\r\nStatus: 2.0.0",
        "Final-Recipient: rfc822; eve@example.org\r\nAction: failed\r\nStatus: five",
      ],
      "Message-ID: <thwonk.abc.1@example.org>\r\nSubject: hi",
    ),
  );
  assert.ok(dsn);
  assert.deepEqual(dsn.originalIds, ["thwonk.abc.1@example.org"]);
  assert.deepEqual(
    dsn.recipients.map((r) => [r.originalRecipient ?? r.finalRecipient, r.action, r.status, isHardFailure(r)]),
    [
      ["ann@example.org", "failed", "5.1.1", true],
      ["bob@example.org", "delayed", "4.4.7", false],
      ["cat@example.org", "failed", "5.7.1", true],
      ["dan@example.org", "failed", "2.0.0", false],
      ["eve@example.org", "failed", "", false],
    ],
  );
  assert.equal(dsn.recipients[0]!.diagnostic, "smtp; 550 5.1.1 user unknown");
  // Not a report: a plain message, a report of another type, junk bytes.
  assert.equal(await readDsn(Buffer.from("From: a@example.org\r\nSubject: Action: failed\r\n\r\nFinal-Recipient: rfc822; ann@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n")), undefined);
  assert.equal(await readDsn(Buffer.from("Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n\r\n--b\r\nContent-Type: message/disposition-notification\r\n\r\nFinal-Recipient: rfc822; a@b.org\r\n--b--\r\n")), undefined);
  assert.equal(await readDsn(randomBytes(4096)), undefined);
});

test("a report of thousands of recipients is read to a bound; field names and values are bounded", async () => {
  const many = Array.from({ length: 3000 }, (_, i) => `Final-Recipient: rfc822; m${i}@example.org\r\nAction: failed\r\nStatus: 5.1.1`);
  const dsn = await readDsn(report(many));
  assert.equal(dsn?.recipients.length, 1000);
  const blocks = statusBlocks(`${"X".repeat(200)}: y\nAction: ${"z".repeat(5000)}\n`);
  assert.equal(blocks[0]!.has("x".repeat(200)), false);
  assert.equal(blocks[0]!.get("action")!.length, 1000);
  const odd = statusBlocks("__proto__: polluted\nconstructor: x\nAction: failed\n")[0]!;
  assert.deepEqual([...odd.keys()], ["constructor", "action"], "a field name is letters, digits and '-' (RFC 5322 would allow more; no report uses it)");
  assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
});

test("the mail settings: dkim as JSON or DOMAIN=SELECTOR:FILE, lists' verp and oneClick, the public URL; bad ones said", () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-cfg-"));
  try {
    const c = resolveConfig({ data: dir, dkim: "example.org=s1:/k/a.pem,example.net=s2:/k/b.pem", publicUrl: "https://lists.example.org/", oneClick: "true" }, {});
    assert.deepEqual(c.dkim, { "example.org": { selector: "s1", keyFile: "/k/a.pem" }, "example.net": { selector: "s2", keyFile: "/k/b.pem" } });
    assert.equal(c.publicUrl, "https://lists.example.org");
    assert.equal(c.oneClick, true);
    const env = { THWONKD_LISTS: JSON.stringify({ "a@example.org": { verp: true, oneClick: false, from: "keep" } }), THWONKD_DKIM: '{"example.org":{"selector":"s","keyFile":"f"}}' };
    const e = resolveConfig({ data: dir }, env);
    assert.deepEqual(e.lists["a@example.org"], { verp: true, oneClick: false, from: "keep" });
    assert.deepEqual(e.dkim, { "example.org": { selector: "s", keyFile: "f" } });
    assert.equal(e.oneClick, false);
    // Keys are the lists' canonical addresses: another case, or `é` written as e + U+0301, is the same list's.
    const decomposed = resolveConfig({ data: dir, lists: JSON.stringify({ "Liste\u0301@Example.org": { verp: true } }) }, {});
    assert.deepEqual(Object.keys(decomposed.lists), ["list\u00e9@example.org"]);
    assert.equal(verpOf(decomposed)("list\u00e9@example.org"), true);
    // A domain in Unicode is its xn-- form, as members, deploys and mail read it.
    const unicode = resolveConfig({ data: dir, lists: JSON.stringify({ "a@bücher.example": { verp: true } }) }, {});
    assert.deepEqual(Object.keys(unicode.lists), ["a@xn--bcher-kva.example"]);
    for (const [flags, message] of [
      [{ dkim: "example.org" }, /not DOMAIN=SELECTOR:KEYFILE/],
      [{ dkim: '{"example.org":{"selector":"s"}}' }, /must be \{ "selector": "S", "keyFile": "FILE" \}/],
      [{ publicUrl: "ftp://x" }, /publicUrl must be an http\(s\) URL/],
      [{ publicUrl: "https://x/?a=1" }, /without a query/],
      [{ oneClick: "maybe" }, /oneClick must be true or false/],
      [{ lists: '{"a@example.org":{"verp":"yes"}}' }, /"verp" and "oneClick" true or false/],
      [{ lists: '{"a@example.org":{"footer":"x"}}' }, /lists\.a@example\.org must be/],
      [{ lists: '{"a@localhost":{"verp":true}}' }, /lists\.a@localhost is not a list's address/],
      [{ lists: '{"a@bücher.example":{"verp":true},"a@xn--bcher-kva.example":{"verp":false}}' }, /are the same list \(a@xn--bcher-kva\.example\)/],
      [{ lists: '{"A@example.org":{"verp":true},"a@EXAMPLE.org":{"verp":false}}' }, /lists\.A@example\.org and lists\.a@EXAMPLE\.org are the same list \(a@example\.org\)/],
    ] as const) {
      assert.throws(() => resolveConfig({ data: dir, ...flags }, {}), (err: unknown) => err instanceof ConfigError && message.test(err.message));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("DKIM keys: a missing file, not a key, an ed25519 key, a bad selector or domain refused at start; thwonkc dkim-key never overwrites", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-dkim-"));
  try {
    assert.throws(() => loadDkimKeys({ "example.org": { selector: "s", keyFile: join(dir, "none.pem") } }), /cannot be read .*thwonkc dkim-key example\.org/);
    writeFileSync(join(dir, "junk.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assert.throws(() => loadDkimKeys({ "example.org": { selector: "s", keyFile: join(dir, "junk.pem") } }), /does not hold a private key/);
    const { generateKeyPairSync } = await import("node:crypto");
    writeFileSync(join(dir, "ed.pem"), generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }));
    assert.throws(() => loadDkimKeys({ "example.org": { selector: "s", keyFile: join(dir, "ed.pem") } }), /holds a ed25519 key; thwonkd signs with RSA/);
    const made = await runCli(["dkim-key", "Example.ORG.", "--out", "k.pem"], { cwd: dir });
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^thwonk\._domainkey\.example\.org\. IN TXT \( "v=DKIM1; k=rsa; p=[^"]{200,}" "[^"]+" \)$/m, "a 2048-bit key's record is two strings of at most 255");
    const keys = loadDkimKeys({ "Example.org": { selector: "thwonk", keyFile: join(dir, "k.pem") } });
    assert.ok(keys.optionsFor("list@EXAMPLE.org"));
    assert.equal(keys.optionsFor("list@example.net"), undefined);
    assert.throws(() => loadDkimKeys({ "example.org": { selector: "bad selector;", keyFile: join(dir, "k.pem") } }), /is not a DKIM selector/);
    assert.throws(() => loadDkimKeys({ "not a domain": { selector: "s", keyFile: join(dir, "k.pem") } }), /is not a domain name/);
    const again = await runCli(["dkim-key", "example.org", "--out", "k.pem"], { cwd: dir });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /it exists \(a key in use is never overwritten/);
    for (const args of [["dkim-key", "exa mple.org"], ["dkim-key", "example.org", "--selector", "a;b"], ["dkim-key", "example.org", "--bits", "1024"]]) {
      assert.equal((await runCli(args, { cwd: dir })).code, 2, args.join(" "));
    }
    const printed = await runCli(["dkim-key", "example.org", "--selector", "s2"], { cwd: dir });
    assert.match(printed.stdout, /^-----BEGIN PRIVATE KEY-----/, "without --out the key goes to stdout");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the one-click body, as RFC 8058 allows it: urlencoded or multipart/form-data; anything else is not one", () => {
  const url = "application/x-www-form-urlencoded";
  assert.equal(formValue(url, "List-Unsubscribe=One-Click", "List-Unsubscribe"), "One-Click");
  assert.equal(formValue(undefined, "List-Unsubscribe=One-Click", "List-Unsubscribe"), "One-Click");
  assert.equal(formValue(url, "a=1&List-Unsubscribe=One-Click&b=2", "List-Unsubscribe"), "One-Click");
  assert.equal(formValue(url, "List-Unsubscribe=One-Click&List-Unsubscribe=No", "List-Unsubscribe"), undefined);
  assert.equal(formValue(url, "list-unsubscribe=One-Click", "List-Unsubscribe"), undefined);
  assert.equal(formValue("application/json", "List-Unsubscribe=One-Click", "List-Unsubscribe"), undefined);
  const multipart = ["--XyZ", 'Content-Disposition: form-data; name="List-Unsubscribe"', "", "One-Click", "--XyZ--", ""].join("\r\n");
  assert.equal(formValue('multipart/form-data; boundary="XyZ"', multipart, "List-Unsubscribe"), "One-Click");
  assert.equal(formValue("multipart/form-data; boundary=XyZ", multipart, "List-Unsubscribe"), "One-Click");
  assert.equal(formValue("multipart/form-data", multipart, "List-Unsubscribe"), undefined, "no boundary");
  assert.equal(formValue("multipart/form-data; boundary=Other", multipart, "List-Unsubscribe"), undefined);
  const other = multipart.replace('name="List-Unsubscribe"', 'name="x"');
  assert.equal(formValue("multipart/form-data; boundary=XyZ", other, "List-Unsubscribe"), undefined);
});
