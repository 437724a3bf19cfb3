/**
 * Writes a composed MIME tree (nodemailer's MailComposer `compile()`) to
 * bytes at once, without the streams `build()` goes through: the same
 * header code (`buildHeaders`), the same encoders (quoted-printable and
 * base64, 76 characters a line) and the same boundaries, so the bytes are
 * those `build()` gives for the same tree (test/mail/serialize.test.ts
 * compares them, and reads them back with mailparser). `build()` hands each
 * node, each content and each boundary to the next event-loop turn; for the
 * few kilobytes of a list's text message that costs more than the message.
 *
 * Only what a run's mail holds is written here: text and HTML given as
 * strings or bytes, in multipart nodes or alone. Anything else (a stream, a
 * file or URL, raw node content, transforms, a body over one encoder slice)
 * gives undefined and the caller builds it the streaming way.
 */
import * as base64 from "nodemailer/lib/base64/index.js";
import * as qp from "nodemailer/lib/qp/index.js";

/** The parts of nodemailer's MimeNode this reads (all of them set by `compile()`). */
export interface MimeTreeNode {
  content?: unknown;
  multipart?: string | false;
  boundary?: string | false;
  childNodes: MimeTreeNode[];
  contentType?: string | false;
  _raw?: unknown;
  _transforms?: unknown[];
  _processFuncs?: unknown[];
  getTransferEncoding(): string | false;
  buildHeaders(): string;
}

/** As the quoted-printable encoder's slice (ENCODE_SLICE_SIZE): a body up to it is one slice, encoded as one. */
const SLICE = 64 * 1024;
const LINE = 76;

/** The bytes `node.build()` would give, or undefined when the tree holds something only the streaming build writes. */
export function serializeTree(root: MimeTreeNode): Buffer | undefined {
  if (root._transforms?.length || root._processFuncs?.length) return undefined;
  const parts: string[] = [];
  if (!writeNode(root, parts)) return undefined;
  let out = parts.join("");
  // As build()'s last stage (LastNewline): the message ends with a line break.
  if (!out.endsWith("\n")) out += out.endsWith("\r") ? "\n" : "\r\n";
  // Bodies are 7-bit (QP or base64, or checked to be ASCII); a header may hold UTF-8 (RFC 6532: an address with a
  // non-ASCII local part, which nodemailer writes as it is, as build() does: latin1 made `ä` one byte and `😀` `=\0`).
  return Buffer.from(out, "utf-8");
}

function writeNode(node: MimeTreeNode, parts: string[]): boolean {
  if (node._raw !== undefined && node._raw !== null && node._raw !== false) return false;
  const content = node.content;
  let body = "";
  if (content) {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf-8") : Buffer.isBuffer(content) ? content : undefined;
    if (!bytes || bytes.length > SLICE) return false;
    const te = node.getTransferEncoding();
    if (te === "quoted-printable") body = encodeQp(bytes);
    else if (te === "base64") body = base64.wrap(base64.encode(bytes), LINE);
    // 7bit as it is (the node found it plain ASCII with short lines); anything else the streaming build writes.
    else if (te === "7bit" && isAscii(bytes)) body = bytes.toString("latin1");
    else return false;
  }
  parts.push(`${node.buildHeaders()}\r\n\r\n`, body);
  if (!node.multipart) return true;
  for (let i = 0; i < node.childNodes.length; i++) {
    parts.push(`${i > 0 ? "\r\n" : ""}--${node.boundary}\r\n`);
    if (!writeNode(node.childNodes[i]!, parts)) return false;
  }
  parts.push(`\r\n--${node.boundary}--\r\n`);
  return true;
}

/**
 * Quoted-printable as nodemailer's text encoder writes one chunk: the trailing
 * white space is held back and encoded last (it ends the input, so it is
 * encoded), each piece wrapped after what came before, the last line kept
 * open until the end.
 */
export function encodeQp(bytes: Buffer): string {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x09)) end--;
  let line = "";
  let out = "";
  const piece = (b: Buffer): void => {
    if (!b.length) return;
    const wrapped = qp.wrap(line + qp.encode(b), LINE);
    const lf = wrapped.lastIndexOf("\n");
    line = wrapped.substring(lf + 1);
    out += wrapped.substring(0, lf + 1);
  };
  piece(bytes.subarray(0, end));
  piece(bytes.subarray(end));
  return out + line;
}

function isAscii(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! > 0x7f) return false;
  return true;
}
