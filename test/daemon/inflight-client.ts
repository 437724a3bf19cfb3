/**
 * A plain SMTP/LMTP client on a raw socket, for the adversary tests of the in-flight budget: every byte it sends
 * is the test's (no client library that would reorder, wait or dot-stuff), and each reply is read whole, in order.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { createIngress, type Ingress, type IngressOptions } from "../../runtime/daemon/smtp.js";
import type { Store } from "../../runtime/daemon/store/types.js";
import { listDaemon } from "./helpers.js";

/** Takes every message (text up to 1,000,000 characters) and sends nothing, so a message holds only itself. */
export const QUIET = `rule quiet

limits { members: 10, text: 1000000 }

on message(m: Message) {
  if m.subject == "reject" {
    reject("no")
  }
}
`;

/** A daemon with `source` at `addresses` (one member each) and an ingress on it on 127.0.0.1; close() stops both. */
export async function serveOn(
  o: { source: string; addresses: string[]; store?: (dir: string) => Store } & Omit<IngressOptions, "daemon" | "log">,
): Promise<{ daemon: Daemon; ingress: Ingress; port: number; close(): Promise<void> }> {
  const { source, addresses, store, ...options } = o;
  const d = await listDaemon({ source, fileName: "rule.thwonk", addresses, ...(store ? { store } : {}) });
  const ingress = createIngress({ daemon: d.daemon, log: createLogger({ level: "silent", pretty: false }), ...options });
  const port = await ingress.listen("127.0.0.1", 0);
  return {
    daemon: d.daemon,
    ingress,
    port,
    async close() {
      await ingress.close();
      await d.close();
    },
  };
}

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** The process's memory once the garbage is collected (twice: the second takes what the first's finalizers let go). */
export function collected(): NodeJS.MemoryUsage {
  gc();
  gc();
  return process.memoryUsage();
}

export class RawClient {
  private buffered = "";
  private replies: string[] = [];
  private waiting: ((reply: string) => void)[] = [];
  readonly socket: Socket;
  closed = false;

  constructor(port: number, opts: { allowHalfOpen?: boolean } = {}) {
    this.socket = connect({ port, host: "127.0.0.1", allowHalfOpen: opts.allowHalfOpen ?? false });
    this.socket.setEncoding("latin1");
    this.socket.on("data", (d: string) => {
      this.buffered += d;
      for (let nl = this.buffered.indexOf("\r\n"); nl >= 0; nl = this.buffered.indexOf("\r\n")) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 2);
        if (line[3] === "-") continue; // a continued reply
        const w = this.waiting.shift();
        if (w) w(line);
        else this.replies.push(line);
      }
    });
    this.socket.on("close", () => {
      this.closed = true;
      // Whoever still waits learns the connection is gone.
      for (const w of this.waiting.splice(0)) w("(closed)");
    });
    this.socket.on("error", () => undefined);
  }

  reply(): Promise<string> {
    const r = this.replies.shift();
    if (r !== undefined) return Promise.resolve(r);
    if (this.closed) return Promise.resolve("(closed)");
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  write(s: string | Buffer): void {
    this.socket.write(s);
  }

  async command(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  async open(hello = "EHLO"): Promise<this> {
    assert.match(await this.reply(), /^220 /);
    assert.match(await this.command(`${hello} client.example.org`), /^250 /);
    return this;
  }

  /** MAIL, each RCPT (its answer must match), DATA: the client may send the message now. */
  async begin(rcpts: { to: string; expect?: RegExp }[], from = "ann@example.org"): Promise<void> {
    assert.match(await this.command(`MAIL FROM:<${from}>`), /^250 /);
    for (const r of rcpts) assert.match(await this.command(`RCPT TO:<${r.to}>`), r.expect ?? /^250 /);
    assert.match(await this.command("DATA"), /^354 /);
  }

  /** The dot that ends the message, and the `n` answers to it (LMTP: one per accepted recipient). */
  async end(n = 1): Promise<string[]> {
    this.socket.write(".\r\n");
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.reply());
    return out;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * A message whose DATA is exactly `bytes` bytes as the server counts them (after the 354, up to and with the CRLF
 * before the final dot; no line starts with a dot, so nothing is unstuffed): a header block, then lines of x.
 */
export function message(subject: string, bytes: number, head: string[] = []): string {
  let s = `From: ann@example.org\r\nSubject: ${subject}\r\n${head.map((h) => `${h}\r\n`).join("")}\r\n`;
  if (bytes < s.length + 2) throw new Error(`a message of ${bytes} bytes cannot hold its header block (${s.length})`);
  let left = bytes - s.length;
  while (left > 0) {
    // Lines of 76 characters and CRLF; never a last piece of 1 byte (a line is at least its CRLF).
    let n = Math.min(78, left);
    if (left - n === 1) n -= 1;
    s += `${"x".repeat(n - 2)}\r\n`;
    left -= n;
  }
  assert.equal(Buffer.byteLength(s, "latin1"), bytes);
  return s;
}
