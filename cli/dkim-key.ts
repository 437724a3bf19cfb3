/**
 * `thwonkc dkim-key DOMAIN [--selector S] [--bits N] [--out FILE]`: makes an
 * RSA key for signing a domain's list mail (thwonkd's `dkim` setting) and
 * prints the DNS TXT record to publish at SELECTOR._domainkey.DOMAIN. The
 * private key goes to FILE (mode 0600, never over an existing file), or to
 * stdout before the record when no FILE is given.
 */
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { ExitCode } from "./exit-codes.js";
import type { CliIo } from "./io.js";

export interface DkimKeyOptions {
  selector: string;
  bits: string;
  out?: string;
}

const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** The TXT record's value for an RSA public key (SubjectPublicKeyInfo, DER, base64): RFC 6376 3.6.1. */
export function dkimRecordValue(publicKeyDer: Buffer): string {
  return `v=DKIM1; k=rsa; p=${publicKeyDer.toString("base64")}`;
}

/** A zone-file line: the value in quoted strings of at most 255 characters (RFC 1035 character-strings). */
export function zoneLine(selector: string, domain: string, value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(`"${value.slice(i, i + 255)}"`);
  return `${selector}._domainkey.${domain}. IN TXT ( ${parts.join(" ")} )`;
}

export function runDkimKey(domainGiven: string, o: DkimKeyOptions, io: CliIo): number {
  const domain = domainGiven.toLowerCase().replace(/\.$/, "");
  if (!DOMAIN.test(domain)) {
    io.stderr.write(`thwonkc: ${JSON.stringify(domainGiven)} is not a domain name; give the lists' domain, e.g. thwonkc dkim-key lists.example.org\n`);
    return ExitCode.Usage;
  }
  if (!SELECTOR.test(o.selector)) {
    io.stderr.write(`thwonkc: --selector ${JSON.stringify(o.selector)} is not a DKIM selector (letters, digits, "-" and "."), e.g. --selector thwonk2026\n`);
    return ExitCode.Usage;
  }
  const bits = Number(o.bits);
  if (bits !== 2048 && bits !== 3072 && bits !== 4096) {
    io.stderr.write(`thwonkc: --bits must be 2048, 3072 or 4096 (RFC 8301 asks for at least 1024; 2048 fits a TXT record everywhere), got ${JSON.stringify(o.bits)}\n`);
    return ExitCode.Usage;
  }
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const value = dkimRecordValue(publicKey.export({ type: "spki", format: "der" }));
  if (o.out !== undefined) {
    const file = resolve(io.cwd, o.out);
    try {
      writeFileSync(file, pem, { mode: 0o600, flag: "wx" });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      io.stderr.write(
        `thwonkc: cannot write ${o.out}: ${code === "EEXIST" ? "it exists (a key in use is never overwritten; give another --out)" : e instanceof Error ? e.message : String(e)}\n`,
      );
      return ExitCode.Usage;
    }
    io.stdout.write(`Wrote the private key to ${o.out} (mode 0600). Keep it secret.\n\n`);
  } else io.stdout.write(pem + "\n");
  io.stdout.write(
    `Publish this DNS TXT record:\n\n${zoneLine(o.selector, domain, value)}\n\n` +
      `(name ${o.selector}._domainkey.${domain}, value ${value})\n\n` +
      `Then sign ${domain}'s lists with it (thwonkd's config file):\n  "dkim": { "${domain}": { "selector": "${o.selector}", "keyFile": "${o.out ?? "FILE.pem"}" } }\n` +
      `or thwonkd --dkim ${domain}=${o.selector}:${o.out ?? "FILE.pem"}\n`,
  );
  return ExitCode.Success;
}
