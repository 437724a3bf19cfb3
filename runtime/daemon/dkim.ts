/**
 * DKIM signing of list mail: each list's mail is signed with the key of the
 * list's own domain (thwonkd's `dkim` setting: `{ "example.org": {
 * "selector": "s1", "keyFile": "/etc/thwonk/example.org.pem" } }`), by
 * dkim-sign.ts (relaxed/relaxed, rsa-sha256, every signed field
 * oversigned so none can be added after). The relay signs each
 * transaction as it goes out (after the per-recipient headers, which the
 * signature covers: RFC 8058 asks that List-Unsubscribe and
 * List-Unsubscribe-Post are signed), the Maildir outbox each file as it is
 * written. A domain without a key sends unsigned mail.
 */
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { BodyHashCache, signDkim } from "./dkim-sign.js";
import { ConfigError } from "./config.js";

export interface DkimSetting {
  selector: string;
  keyFile: string;
}

export interface DkimKey {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/** The header fields signed: nodemailer's list (RFC 6376 5.4.1) with the list fields, List-Unsubscribe-Post among them. */
export const SIGNED_FIELDS =
  "From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:" +
  "In-Reply-To:References:List-Id:List-Help:List-Unsubscribe:List-Unsubscribe-Post:List-Post:Auto-Submitted:Precedence";

const SELECTOR = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/;
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+$/;

/** Reads each domain's key file; a key that is missing, unreadable or not RSA is refused at start, never at the first message. */
export function loadDkimKeys(settings: Record<string, DkimSetting>): DkimKeys {
  const keys = new Map<string, DkimKey>();
  for (const [given, s] of Object.entries(settings)) {
    const domain = given.toLowerCase();
    if (!DOMAIN.test(domain)) throw new ConfigError(`dkim: ${JSON.stringify(given)} is not a domain name (e.g. "example.org")`);
    if (!SELECTOR.test(s.selector)) throw new ConfigError(`dkim.${given}.selector ${JSON.stringify(s.selector)} is not a DKIM selector (letters, digits, "-" and ".", e.g. "thwonk1")`);
    let pem: string;
    try {
      pem = readFileSync(s.keyFile, "utf8");
    } catch (e) {
      throw new ConfigError(`dkim.${given}.keyFile ${s.keyFile} cannot be read (${e instanceof Error ? e.message : String(e)}); make one with thwonkc dkim-key ${domain} --out FILE`);
    }
    let type: string | undefined;
    try {
      type = createPrivateKey(pem).asymmetricKeyType;
    } catch (e) {
      throw new ConfigError(`dkim.${given}.keyFile ${s.keyFile} does not hold a private key in PEM (${e instanceof Error ? e.message : String(e)})`);
    }
    if (type !== "rsa") throw new ConfigError(`dkim.${given}.keyFile ${s.keyFile} holds a ${type} key; thwonkd signs with RSA keys (thwonkc dkim-key ${domain} makes one)`);
    keys.set(domain, { domainName: domain, keySelector: s.selector, privateKey: pem });
  }
  return new DkimKeys(keys);
}

export class DkimKeys {
  /** The body hashes of the last messages signed: a message's per-recipient copies hash its body once. */
  readonly bodies = new BodyHashCache();

  constructor(private readonly keys: ReadonlyMap<string, DkimKey>) {}

  get size(): number {
    return this.keys.size;
  }

  /** nodemailer's per-message `dkim` option for mail from `address`'s domain, or undefined when it has no key. */
  optionsFor(address: string): { keys: DkimKey[]; headerFieldNames: string } | undefined {
    const key = this.keys.get(address.slice(address.lastIndexOf("@") + 1).toLowerCase());
    return key ? { keys: [key], headerFieldNames: SIGNED_FIELDS } : undefined;
  }

  /**
   * The message signed for `address`'s domain (a DKIM-Signature field first), or as it is when the domain has no
   * key; every signed field oversigned (dkim-sign.ts), so no field can be added after signing.
   */
  async sign(address: string, raw: Buffer): Promise<Buffer> {
    const options = this.optionsFor(address);
    if (!options) return raw;
    return signDkim(raw, options.keys[0]!, SIGNED_FIELDS.split(":"), this.bodies);
  }
}

export const NO_DKIM = new DkimKeys(new Map());
