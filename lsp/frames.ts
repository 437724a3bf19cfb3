/**
 * The server's stdin checked frame by frame before vscode-jsonrpc reads it.
 * The protocol library takes anything up to a blank line as a header and
 * waits for more: bytes that are not the base protocol (a stray `echo`, a
 * client writing the wrong stream, a body longer than its Content-Length)
 * left the server alive but deaf, every later message swallowed as part of a
 * header that never ended.
 *
 * Such input ends the server (the host logs why on stderr, exit 1) rather
 * than being skipped to the next header: the base protocol has no way to find
 * a frame's start again (a body may hold the text `Content-Length: 9`
 * itself), so resynchronising would guess, and a guess that lands inside a
 * document's text applies edits nobody made. A client that loses its server
 * sees it exit and starts another (VS Code's does, up to five times in three
 * minutes); one talking to a silently confused server would not know.
 *
 * A frame: header lines `Name: value` ended by CR LF (Content-Length, decimal,
 * required; Content-Type allowed), a blank line, then that many bytes of a
 * JSON-RPC 2.0 message (a JSON object whose `jsonrpc` is "2.0"). Only whole
 * frames that pass are handed on.
 */
import { Transform, type TransformCallback } from "node:stream";

/** More header than any client writes (two short lines): past this it is not a header. */
const MAX_HEADER_BYTES = 8192;
/** A body V8 could not even hold as a string. */
const MAX_BODY_BYTES = 512 * 1024 * 1024;
// The space around a value may be tabs too (HTTP's optional whitespace; vscode-jsonrpc trims them).
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([\t\x20-\x7e]*)$/;

export class FrameError extends Error {
  constructor(
    message: string,
    /** The offset in the input of the frame that is wrong. */
    readonly at: number,
  ) {
    super(message);
    this.name = "FrameError";
  }
}

export class FrameGuard extends Transform {
  private header: number[] = [];
  private body: Buffer[] = [];
  private bodyLeft = -1;
  private headerBytes: Buffer | undefined;
  /** Bytes read before the frame being read: where an error is. */
  private frameStart = 0;
  private seen = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.scan(chunk);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    // The input ended inside a frame: what came is not a message, and no more will.
    if (this.header.length > 0 || this.bodyLeft >= 0) done(new FrameError("the input ended inside a message", this.frameStart));
    else done();
  }

  private scan(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft < 0) {
        const b = chunk[i++]!;
        this.header.push(b);
        // Printable ASCII, tab, CR, LF only: a byte past that is not a header, whatever follows.
        if (b !== 13 && b !== 10 && b !== 9 && (b < 0x20 || b > 0x7e)) throw this.error(`byte 0x${b.toString(16).padStart(2, "0")} where a header was expected`);
        if (b === 10) this.headerLine();
        else if (this.header.length > MAX_HEADER_BYTES) throw this.error(`a header of more than ${MAX_HEADER_BYTES} bytes without an end`);
        continue;
      }
      const n = Math.min(this.bodyLeft, chunk.length - i);
      this.body.push(chunk.subarray(i, i + n));
      i += n;
      this.bodyLeft -= n;
      if (this.bodyLeft === 0) this.frameDone();
    }
  }

  /** A line of the header has ended (at the LF just pushed). */
  private headerLine(): void {
    const bytes = Buffer.from(this.header);
    const text = bytes.toString("latin1");
    const lines = text.split("\r\n");
    const last = lines.at(-2) ?? "";
    if (!text.endsWith("\r\n") || lines.slice(0, -1).some((l) => l.includes("\n"))) throw this.error(`a header line not ended by CR LF: ${show(text)}`);
    if (last !== "") {
      if (!HEADER_LINE.test(last)) throw this.error(`not a header line: ${show(last)}`);
      return;
    }
    // The blank line: the header is complete.
    const fields = new Map<string, string>();
    for (const l of lines.slice(0, -2)) {
      const m = HEADER_LINE.exec(l)!;
      fields.set(m[1]!.toLowerCase(), m[2]!.trim());
    }
    const length = fields.get("content-length");
    if (length === undefined) throw this.error(`a header without Content-Length: ${show(text)}`);
    if (!/^\d{1,10}$/.test(length) || Number(length) > MAX_BODY_BYTES) throw this.error(`Content-Length is not a length: ${show(length)}`);
    this.headerBytes = bytes;
    this.header = [];
    this.bodyLeft = Number(length);
    if (this.bodyLeft === 0) this.frameDone();
  }

  private frameDone(): void {
    const body = Buffer.concat(this.body);
    let message: unknown;
    try {
      message = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
    } catch (e) {
      throw this.error(`a body that is not UTF-8 JSON (${e instanceof Error ? e.message : String(e)}): ${show(body.toString("latin1"))}`);
    }
    if (typeof message !== "object" || message === null || Array.isArray(message) || (message as { jsonrpc?: unknown }).jsonrpc !== "2.0") {
      throw this.error(`a body that is not a JSON-RPC 2.0 message: ${show(body.toString("latin1"))}`);
    }
    this.push(Buffer.concat([this.headerBytes!, body]));
    this.seen += this.headerBytes!.length + body.length;
    this.frameStart = this.seen;
    this.body = [];
    this.bodyLeft = -1;
    this.headerBytes = undefined;
  }

  private error(why: string): FrameError {
    return new FrameError(why, this.frameStart);
  }
}

/** A short, printable quote of input (it may be binary, or a whole document). */
function show(text: string): string {
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(cut);
}
