/** What the mail-out tests share: an SMTP sink on 127.0.0.1, a DKIM key made by thwonkc, a resolver for mailauth. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { runCli } from "../helpers/cli.js";

export interface Transaction {
  from: string;
  to: string[];
  raw: Buffer;
}

/** An SMTP sink on 127.0.0.1 keeping every transaction; `hideSMTPUTF8`: one that does not offer SMTPUTF8 (RFC 6531), and takes what it is given. */
export async function sink(o: { hideSMTPUTF8?: boolean } = {}): Promise<{ port: number; got: Transaction[]; close(): Promise<void> }> {
  const got: Transaction[] = [];
  const server = new SMTPServer({
    hideSMTPUTF8: o.hideSMTPUTF8 === true,
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        got.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
        cb();
      });
    },
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
  server.on("error", () => undefined);
  return { port: (server.server.address() as { port: number }).port, got, close: () => new Promise((ok) => server.close(() => ok())) };
}

/** `thwonkc dkim-key DOMAIN --selector S --out FILE`: the key file and the TXT record's value it printed. */
export async function makeKey(dir: string, domain: string, selector: string): Promise<{ keyFile: string; txt: string }> {
  const r = await runCli(["dkim-key", domain, "--selector", selector, "--out", "key.pem"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const txt = /\(name \S+, value (v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+)\)/.exec(r.stdout)?.[1];
  assert.ok(txt, r.stdout);
  return { keyFile: join(dir, "key.pem"), txt };
}

/** A DNS resolver for mailauth that knows one TXT record (as node's resolveTxt answers: strings of at most 255). */
export function resolverWith(name: string, value: string) {
  return async (n: string, rr: string): Promise<string[][]> => {
    if (rr === "TXT" && n.toLowerCase() === name) return [value.match(/.{1,255}/g)!];
    throw Object.assign(new Error(`no ${rr} record for ${n}`), { code: "ENOTFOUND" });
  };
}


/** A delivery status report (RFC 3464) as an MTA sends it to `to`, about `member`; with the original's Message-ID returned (`id`) or named in In-Reply-To. */
export function dsnReport(to: string, member: string, opts: { id?: string; inReplyTo?: string; action?: string; status?: string } = {}): string {
  return [
    "From: MAILER-DAEMON@mx.example.net",
    `To: ${to}`,
    "Subject: Undelivered Mail Returned to Sender",
    ...(opts.inReplyTo ? [`In-Reply-To: <${opts.inReplyTo}>`] : []),
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    "",
    "--B",
    "Content-Type: text/plain",
    "",
    "no",
    "--B",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns;mx.example.net",
    "",
    `Final-Recipient: rfc822;${member}`,
    `Action: ${opts.action ?? "failed"}`,
    `Status: ${opts.status ?? "5.1.1"}`,
    "",
    ...(opts.id ? ["--B", "Content-Type: text/rfc822-headers", "", `Message-ID: <${opts.id}>`, "Subject: x", ""] : []),
    "--B--",
    "",
  ].join("\r\n");
}

/** A delivery status report whose delivery-status part is `status` as given, and `returned` headers of the original if any. */
export function statusReport(status: string[], returned = ""): Buffer {
  return Buffer.from(
    [
      "From: MAILER-DAEMON@mx.example.net",
      "Subject: failure",
      "MIME-Version: 1.0",
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain",
      "",
      "failed",
      "--b",
      "Content-Type: message/delivery-status",
      "",
      ...status,
      "",
      ...(returned ? ["--b", "Content-Type: text/rfc822-headers", "", returned, ""] : []),
      "--b--",
      "",
    ].join("\r\n"),
  );
}
