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

/**
 * The message with a DKIM-Signature field first, its line endings made CRLF (a bare LF, which the builder's text
 * can hold, would be made CRLF by the SMTP client after signing, and a verifier reads it so): the bytes signed are
 * the bytes sent.
 */
export function signDkim(raw: Buffer, key: DkimSigner, signedNames: readonly string[]): Buffer {
  const text = raw.toString("latin1").replace(/\r\n|\r|\n/g, "\r\n");
  const end = text.indexOf("\r\n\r\n");
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? "" : text.slice(end + 4);
  const bh = createHash("sha256").update(relaxedBody(body), "latin1").digest("base64");

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
  return Buffer.from(`${field}${b}\r\n${text}`, "latin1");
}
