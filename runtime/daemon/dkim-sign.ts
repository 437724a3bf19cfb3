/**
 * A DKIM signature (RFC 6376, rsa-sha256, relaxed/relaxed) that covers the
 * absence of fields too: each signed field name is listed in `h=` once
 * more than the message has it (RFC 6376 8.15, "oversigning"), so nobody
 * who holds a signed message can add a second From or Subject above the
 * signed one, or a Reply-To, Cc or one-click List-Unsubscribe it did not
 * have, and replay it with the list domain's signature still valid.
 * (nodemailer's signer lists only the fields present, once.)
 */
import { createHash, createSign } from "node:crypto";

export interface DkimSigner {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

interface HeaderField {
  /** The name in lower case. */
  key: string;
  /** The whole field as written: name, colon, value, folding CRLFs kept; no final CRLF. */
  text: string;
}

function fields(head: string): HeaderField[] {
  const out: HeaderField[] = [];
  for (const line of head.split("\r\n")) {
    const last = out[out.length - 1];
    if (/^[ \t]/.test(line) && last) last.text += `\r\n${line}`;
    else if (line.includes(":")) out.push({ key: line.slice(0, line.indexOf(":")).trim().toLowerCase(), text: line });
  }
  return out;
}

/** RFC 6376 3.4.2: the name in lower case, the value unfolded, runs of blanks one space, none at its ends. */
function relaxedHeader(f: HeaderField): string {
  const value = f.text
    .slice(f.text.indexOf(":") + 1)
    .replace(/\r\n/g, "")
    .replace(/[ \t]+/g, " ")
    .trim();
  return `${f.key}:${value}`;
}

/** RFC 6376 3.4.4: runs of blanks one space, none at a line's end, no empty lines at the end; CRLF after the last line. */
export function relaxedBody(body: string): string {
  const lines = body.split("\r\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const out = lines.map((l) => {
    const c = l.replace(/[ \t]+/g, " ");
    return c.endsWith(" ") ? c.slice(0, -1) : c;
  });
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out.length === 0 ? "" : `${out.join("\r\n")}\r\n`;
}

/** A message's body, canonical (line endings CRLF), and its body hash (`bh=`). */
interface HashedBody {
  /** The body as it came, the key: compared byte for byte, so a hit is this very body. */
  raw: Buffer;
  /** The body as it goes out, line endings made CRLF. */
  body: Buffer;
  bh: string;
}

/**
 * The body hashes of the last few messages signed. One message goes out as
 * many copies that differ in their header only (one transaction per member
 * for one-click unsubscribe and VERP): the first copy hashes the body, the
 * others find it here. A hit compares the whole body (a memcmp, far below
 * the cost of canonicalizing and hashing it), so a body is never signed
 * with another's hash.
 */
export class BodyHashCache {
  /** How many bodies were canonicalized and hashed (misses), for tests and the bench. */
  hashed = 0;
  private entries: HashedBody[] = [];
  private bytes = 0;

  /** At most `max` bodies, `maxBytes` in all (a body over it is hashed and not kept). */
  constructor(
    private readonly max = 8,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  /** The body and hash of `raw` (a body as it came), from the cache or made now. */
  hash(raw: Buffer): HashedBody {
    for (const e of this.entries) if (e.raw.length === raw.length && (e.raw === raw || e.raw.equals(raw))) return e;
    const made = hashBody(raw);
    this.hashed++;
    const size = made.raw.length + (made.body === made.raw ? 0 : made.body.length);
    if (size <= this.maxBytes) {
      this.entries.unshift(made);
      this.bytes += size;
      while (this.entries.length > this.max || this.bytes > this.maxBytes) {
        const old = this.entries.pop()!;
        this.bytes -= old.raw.length + (old.body === old.raw ? 0 : old.body.length);
      }
    }
    return made;
  }
}

function hashBody(raw: Buffer): HashedBody {
  const text = raw.toString("latin1");
  const canonical = text.replace(/\r\n|\r|\n/g, "\r\n");
  const body = canonical.length === text.length ? raw : Buffer.from(canonical, "latin1");
  return { raw, body, bh: createHash("sha256").update(relaxedBody(canonical), "latin1").digest("base64") };
}

/**
 * Where the header ends: the first line break followed by another (a break is CRLF, a CR alone or an LF alone,
 * as they are made CRLF), as [end of the header, start of the body]; undefined when there is no empty line.
 */
function headerEnd(raw: Buffer): [number, number] | undefined {
  const len = raw.length;
  const breakAt = (i: number): number => (raw[i] === 0x0d ? (raw[i + 1] === 0x0a ? 2 : 1) : raw[i] === 0x0a ? 1 : 0);
  for (let i = 0; i < len; i++) {
    const first = breakAt(i);
    if (first === 0) continue;
    const second = i + first < len ? breakAt(i + first) : 0;
    if (second > 0) return [i, i + first + second];
    i += first - 1;
  }
  return undefined;
}

/**
 * The message with a DKIM-Signature field first, its line endings made CRLF (a bare LF, which the builder's text
 * can hold, would be made CRLF by the SMTP client after signing, and a verifier reads it so): the bytes signed are
 * the bytes sent. `bodies`: the body hashes of messages signed before (one message's copies share theirs).
 */
export function signDkim(raw: Buffer, key: DkimSigner, signedNames: readonly string[], bodies?: BodyHashCache): Buffer {
  const split = headerEnd(raw);
  const head = raw
    .subarray(0, split ? split[0] : raw.length)
    .toString("latin1")
    .replace(/\r\n|\r|\n/g, "\r\n");
  const rawBody = split ? raw.subarray(split[1]) : Buffer.alloc(0);
  const { body, bh } = bodies ? bodies.hash(rawBody) : hashBody(rawBody);

  const present = fields(head);
  const names: string[] = [];
  const picked: string[] = [];
  for (const name of [...new Set(signedNames.map((n) => n.toLowerCase()))]) {
    // Bottom up, as a verifier takes them (RFC 6376 5.4.2); one more than there are, which stands for "no other".
    const instances = present.filter((f) => f.key === name).reverse();
    for (const f of instances) (names.push(name), picked.push(relaxedHeader(f)));
    names.push(name);
  }
  const hTag = names.join(":").replace(/(.{1,70})(?::|$)/g, (m) => `${m}\r\n `).replace(/\r\n $/, "");
  const field = `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${key.domainName}; q=dns/txt;\r\n s=${key.keySelector}; bh=${bh};\r\n h=${hTag}; b=`;
  const signer = createSign("RSA-SHA256");
  signer.update(`${picked.map((p) => `${p}\r\n`).join("")}${relaxedHeader({ key: "dkim-signature", text: field })}`, "latin1");
  const b = signer.sign(key.privateKey, "base64").replace(/(.{1,72})/g, "\r\n $1");
  return Buffer.concat([Buffer.from(`${field}${b}\r\n${head}${split ? "\r\n\r\n" : ""}`, "latin1"), body]);
}
