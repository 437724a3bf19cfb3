/**
 * `thwonkc mail FILE.eml --to ADDR...`: a real SMTP (or LMTP) submission of
 * a saved message with nodemailer, the envelope given apart from the
 * headers, for people without a mail client at hand. Prints the server's
 * answer; exit 1 when it refuses (5xx or 4xx), 3 when it cannot be reached.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import nodemailer from "nodemailer";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";

export const DEFAULT_SMTP = "smtp://127.0.0.1:2525";

export interface MailOptions {
  to: string[];
  from?: string;
  server?: string;
  json?: boolean;
}

/** The address of the From header of a message (unfolded), if it has one. */
export function fromHeader(raw: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, " ");
  const line = /^from:(.*)$/im.exec(head)?.[1];
  if (line === undefined) return undefined;
  return /<([^<>@\s]+@[^<>\s]+)>/.exec(line)?.[1] ?? /([^\s<>",;:]+@[^\s<>",;]+)/.exec(line)?.[1];
}

function utf8OrLatin1(raw: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    return raw.toString("latin1");
  }
}

/** smtp://HOST:PORT or lmtp://HOST:PORT (HOST:PORT alone means smtp). */
function serverOf(text: string): { host: string; port: number; lmtp: boolean } | undefined {
  const m = /^(?:(smtp|lmtp):\/\/)?(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(text.trim());
  if (!m || Number(m[3]) > 65535) return undefined;
  return { lmtp: m[1] === "lmtp", host: m[2]!.replace(/^\[(.*)\]$/, "$1"), port: Number(m[3]) };
}

export async function runMail(file: string, o: MailOptions, io: CliIo): Promise<number> {
  const fail = (message: string, code: number): number => {
    io.stderr.write(`${message}\n`);
    return code;
  };
  let raw: Buffer;
  try {
    raw = readFileSync(resolve(io.cwd, file));
  } catch (e) {
    return fail(`thwonkc: cannot read the message ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, ExitCode.Usage);
  }
  const serverText = o.server ?? io.env["THWONK_SMTP"] ?? DEFAULT_SMTP;
  const server = serverOf(serverText);
  if (!server) return fail(`thwonkc: --server must be smtp://HOST:PORT or lmtp://HOST:PORT, e.g. ${DEFAULT_SMTP} (got ${JSON.stringify(serverText)})`, ExitCode.Usage);
  // The header as UTF-8 (RFC 6532: an address in a header is ASCII or UTF-8), a byte a character only where it is not:
  // read as latin1, `ü` was `Ã¼`, and the envelope sender an address nobody has.
  const from = o.from ?? fromHeader(utf8OrLatin1(raw));
  if (from === undefined) return fail(`thwonkc: ${file} has no From address; give the envelope sender with --from ADDR`, ExitCode.Usage);
  const to = o.to.flatMap((a) => a.split(",")).map((a) => a.trim()).filter(Boolean);
  if (to.length === 0) return fail("thwonkc: give the recipients with --to ADDR (e.g. --to trim140@lists.localhost)", ExitCode.Usage);

  const transport = nodemailer.createTransport({
    host: server.host,
    port: server.port,
    secure: false,
    ignoreTLS: true,
    lmtp: server.lmtp,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    // The rule runs before the server answers DATA; a slow rule is still an answer, not a timeout.
    socketTimeout: 120_000,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  try {
    const info = (await transport.sendMail({ envelope: { from, to }, raw })) as { accepted: string[]; rejected: string[]; response: string; rejectedErrors?: { recipient?: string; response?: string }[] };
    if (o.json) io.stdout.write(`${JSON.stringify({ accepted: info.accepted, rejected: info.rejected, response: info.response, rejectedErrors: (info.rejectedErrors ?? []).map((e) => ({ recipient: e.recipient, response: e.response })) }, null, 2)}\n`);
    else {
      io.stdout.write(`${info.response}\n`);
      for (const e of info.rejectedErrors ?? []) io.stderr.write(`refused ${e.recipient ?? ""}: ${e.response ?? ""}\n`);
    }
    return info.rejected.length ? ExitCode.Findings : ExitCode.Success;
  } catch (e) {
    const err = e as { code?: string; responseCode?: number; response?: string; message?: string; rejectedErrors?: { recipient?: string; response?: string }[] };
    if (err.responseCode !== undefined) {
      const detail = err.rejectedErrors?.length ? err.rejectedErrors.map((r) => `${r.recipient ?? ""}: ${r.response ?? ""}`).join("\n") : (err.response ?? err.message ?? "");
      if (o.json) io.stdout.write(`${JSON.stringify({ accepted: [], rejected: to, responseCode: err.responseCode, response: detail }, null, 2)}\n`);
      return fail(`thwonkc: the server refused the message:\n${detail}`, ExitCode.Findings);
    }
    return fail(`thwonkc: cannot send through ${serverText} (${err.code ?? ""} ${err.message ?? String(e)}). Is thwonkd running there?`, ExitCode.Server);
  } finally {
    transport.close();
  }
}
