/**
 * One message, many signed copies: with one-click unsubscribe each member's
 * copy is a transaction of its own, the header differing, the body the
 * same. The signer hashes that body once (the cache's count of bodies
 * hashed), every copy still verifies with mailauth against the key's TXT
 * record, a changed body is never signed with the cached hash, and the
 * signed bytes are the ones the plain string way (the signer before the
 * cache, kept here as the reference) gives for random messages with bare
 * CRs and LFs.
 */
import assert from "node:assert/strict";
import { createHash, createSign, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import { BodyHashCache, relaxedBody, signDkim } from "../../runtime/daemon/dkim-sign.js";
import { loadDkimKeys, SIGNED_FIELDS } from "../../runtime/daemon/dkim.js";
import { Personal } from "../../runtime/daemon/personal.js";
import { makeKey, resolverWith } from "./helpers.js";

const LIST = "news@example.org";
const MEMBERS = ["ann@example.org", "bob@example.net", "cat@example.com", "dan+x@example.org", "eve@example.org"];

function post(body: string, id = "m1"): Buffer {
  return Buffer.from(
    [`From: news <${LIST}>`, `To: news <${LIST}>`, "Subject: Weekly", `Message-ID: <${id}@example.org>`, "List-Unsubscribe: <mailto:news-request@example.org?subject=unsubscribe>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", body].join("\r\n"),
    "latin1",
  );
}

test("one-click copies of one message: the body hashed once, every copy verifies with mailauth", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-bh-"));
  try {
    const { keyFile, txt } = await makeKey(dir, "example.org", "s1");
    const dkim = loadDkimKeys({ "example.org": { selector: "s1", keyFile } });
    const personal = new Personal({
      dkim,
      verp: () => true,
      oneClick: () => true,
      unsubscribeUrl: (_l, m, joined) => `https://lists.example.org/unsubscribe/${Buffer.from(m).toString("base64url")}.${joined}`,
      listKey: async () => "k".repeat(64),
      member: async (_l, address) => ({ address, name: "", role: "member", joined: 1_764_000_000_000 }),
    });
    const resolver = resolverWith("s1._domainkey.example.org", txt);
    const body = `${"Grüße, line of the weekly news. ".repeat(3)}\r\n`.repeat(2000);
    const raw = post(Buffer.from(body, "utf8").toString("latin1"));
    const copies = [];
    for (const m of MEMBERS) copies.push(await personal.prepare(LIST, [m], raw));
    assert.equal(dkim.bodies.hashed, 1, "the body was hashed once for five copies");
    const bhs = new Set<string>();
    for (const [i, c] of copies.entries()) {
      const r = (await dkimVerify(c.raw, { resolver })).results[0]!;
      assert.equal(r.status.result, "pass", `${MEMBERS[i]}: ${JSON.stringify(r.status)}`);
      assert.match(c.raw.toString("latin1"), new RegExp(`/unsubscribe/${Buffer.from(MEMBERS[i]!).toString("base64url")}\\.`), "the member's own URL");
      bhs.add(String(/\bbh=([^;]+);/.exec(c.raw.toString("latin1"))?.[1]));
    }
    assert.equal(bhs.size, 1);
    assert.equal(new Set(copies.map((c) => c.raw.toString("latin1"))).size, MEMBERS.length, "each copy its own bytes");

    // A body of the same length that differs in one byte is hashed on its own, and signed with its own hash.
    const other = post(Buffer.from(body.replace(/^Gr/, "Hr"), "utf8").toString("latin1"));
    assert.equal(other.length, raw.length);
    const signed = await personal.prepare(LIST, ["ann@example.org"], other);
    assert.equal(dkim.bodies.hashed, 2);
    assert.equal((await dkimVerify(signed.raw, { resolver })).results[0]!.status.result, "pass");
    assert.notEqual(String(/\bbh=([^;]+);/.exec(signed.raw.toString("latin1"))?.[1]), [...bhs][0]);
    // The first body again, after another: still in the cache.
    await personal.prepare(LIST, ["bob@example.net"], raw);
    assert.equal(dkim.bodies.hashed, 2);
    // A copy changed after signing still fails (the cache signs what it is given, nothing else).
    const tampered = Buffer.from(copies[0]!.raw.toString("latin1").replace("weekly news", "weekly NEWS"), "latin1");
    assert.notEqual((await dkimVerify(tampered, { resolver })).results[0]!.status.result, "pass");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the cache is bounded: the oldest body goes, a body over its bytes is not kept", () => {
  const cache = new BodyHashCache(2, 1000);
  const a = Buffer.from("a\r\n");
  const b = Buffer.from("b\r\n");
  const c = Buffer.from("c\r\n");
  cache.hash(a);
  cache.hash(b);
  cache.hash(Buffer.from("a\r\n"));
  assert.equal(cache.hashed, 2);
  cache.hash(c);
  cache.hash(b);
  assert.equal(cache.hashed, 3, "b was kept");
  cache.hash(a);
  assert.equal(cache.hashed, 4, "a went first");
  const big = Buffer.alloc(2000, 0x41);
  cache.hash(big);
  cache.hash(big);
  assert.equal(cache.hashed, 6, "too big to keep");
});

/** The signer as it was before the cache: the whole message one string, its line endings made CRLF, split at its first empty line. */
function reference(raw: Buffer, key: { domainName: string; keySelector: string; privateKey: string }, signedNames: readonly string[]): Buffer {
  const text = raw.toString("latin1").replace(/\r\n|\r|\n/g, "\r\n");
  const end = text.indexOf("\r\n\r\n");
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? "" : text.slice(end + 4);
  const bh = createHash("sha256").update(relaxedBody(body), "latin1").digest("base64");
  const present: { key: string; text: string }[] = [];
  for (const line of head.split("\r\n")) {
    const last = present[present.length - 1];
    if (/^[ \t]/.test(line) && last) last.text += `\r\n${line}`;
    else if (line.includes(":")) present.push({ key: line.slice(0, line.indexOf(":")).trim().toLowerCase(), text: line });
  }
  const relaxed = (f: { key: string; text: string }): string =>
    `${f.key}:${f.text
      .slice(f.text.indexOf(":") + 1)
      .replace(/\r\n/g, "")
      .replace(/[ \t]+/g, " ")
      .trim()}`;
  const names: string[] = [];
  const picked: string[] = [];
  for (const name of [...new Set(signedNames.map((n) => n.toLowerCase()))]) {
    for (const f of present.filter((x) => x.key === name).reverse()) (names.push(name), picked.push(relaxed(f)));
    names.push(name);
  }
  const hTag = names.join(":").replace(/(.{1,70})(?::|$)/g, (m) => `${m}\r\n `).replace(/\r\n $/, "");
  const field = `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${key.domainName}; q=dns/txt;\r\n s=${key.keySelector}; bh=${bh};\r\n h=${hTag}; b=`;
  const signer = createSign("RSA-SHA256");
  signer.update(`${picked.map((p) => `${p}\r\n`).join("")}${relaxed({ key: "dkim-signature", text: field })}`, "latin1");
  const b = signer.sign(key.privateKey, "base64").replace(/(.{1,72})/g, "\r\n $1");
  return Buffer.from(`${field}${b}\r\n${text}`, "latin1");
}

test("property: the signed bytes are the string way's, line endings of every kind, with the cache or without", () => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const key = { domainName: "example.org", keySelector: "p1", privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString() };
  const names = SIGNED_FIELDS.split(":");
  const cache = new BodyHashCache();
  const piece = fc.constantFrom("From: a@example.org", "Subject: x", " folded", "\tfolded", "To: b@example.org", "x", "  ", "é", "\r\n", "\n", "\r", "\r\r\n", "\n\r", "");
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), (ps) => {
      const raw = Buffer.from(ps.join(""), "latin1");
      const want = reference(raw, key, names);
      assert.ok(signDkim(raw, key, names).equals(want), JSON.stringify(ps));
      assert.ok(signDkim(raw, key, names, cache).equals(want), JSON.stringify(ps));
      assert.ok(signDkim(raw, key, names, cache).equals(want), `${JSON.stringify(ps)} from the cache`);
    }),
    { numRuns: 400, seed: 6376 },
  );
});
