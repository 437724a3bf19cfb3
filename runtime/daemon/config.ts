/**
 * thwonkd's settings: flags over THWONKD_* variables over the config file
 * (JSON) over the defaults.
 */
import { readFileSync } from "node:fs";
import { mailboxAddress } from "../input/decode.js";
import { daemonMessages as M, say } from "./messages.js";

export interface DaemonConfig {
  data: string;
  smtp: string;
  lmtp: string | null;
  http: string;
  domain: string;
  /** Directories whose rules are deployed at start: each NAME.thwonk at NAME@domain (`_` → `-`). */
  deploy: string[];
  /** Largest message, bytes. */
  size: number;
  /** Most connections at once, per listener (SMTP, LMTP): past it a new one gets 421. */
  maxConnections: number;
  /** Most bytes of mail being taken in or run at once, all listeners together: past it a message gets 452 4.3.1. */
  inFlight: number;
  workers: number | null;
  logLevel: string;
  /**
   * How the Maildir outbox makes a batch of files durable: "syncfs", their file system once (where native/ was built,
   * on Linux 5.8 or later; else each file), or "fdatasync", each file, whatever the machine (runtime/daemon/syncfs.ts).
   */
  outboxSync: "syncfs" | "fdatasync";
  /** The SMTP relay all mail goes to (`smtp://HOST:PORT`); null: the Maildir outbox is the delivery. */
  relay: string | null;
  /** Most recipients in one SMTP transaction to the relay. */
  relayBatch: number;
  /** Retry backoff after a 4xx or an unreachable relay (ms): the first wait, doubled each attempt up to relayRetryMax. */
  relayRetryMin: number;
  relayRetryMax: number;
  /** A message not handed to the relay this long after its commit (ms) is a dead letter. */
  deadAfter: number;
  /** A message that passed through more lists than this is not run (a loop). */
  hopLimit: number;
  /** Per list address: `{ "from": "munge" | "keep", "verp": bool, "oneClick": bool }` (docs/mail-out.md). */
  lists: Record<string, ListConfig>;
  /** A held message no owner approved or rejected this long (ms) after its hold expires (no mail sent). */
  holdExpiry: number;
  /** Per domain: the DKIM key its lists' mail is signed with (`thwonkc dkim-key DOMAIN` makes one). */
  dkim: Record<string, { selector: string; keyFile: string }>;
  /** Where people and mailbox providers reach the HTTP side (the one-click unsubscribe URLs); null: http://HOST:PORT of --http. */
  publicUrl: string | null;
  /** One-click unsubscribe (RFC 8058) for every list unless a list says otherwise: one SMTP transaction per recipient. */
  oneClick: boolean;
  /**
   * Retention: the bytes of messages, runs' actions and outgoing mail older than this many days are removed, their
   * records kept (runtime/daemon/retention.ts); null, the default: kept for ever.
   */
  keep: number | null;
}

/** A list's mail settings in thwonkd's config. */
export interface ListConfig {
  from?: "munge" | "keep";
  /** VERP: the envelope sender names the recipient (LIST-bounces+member=domain@...), one transaction per recipient. */
  verp?: boolean;
  /** One-click unsubscribe URL per member (RFC 8058), one transaction per recipient. */
  oneClick?: boolean;
}

export const DEFAULTS: Omit<DaemonConfig, "data"> & { data: string | null } = {
  data: null,
  smtp: "127.0.0.1:2525",
  lmtp: null,
  http: "127.0.0.1:8025",
  domain: "lists.localhost",
  deploy: [],
  size: 10 * 1024 * 1024,
  maxConnections: 1000,
  inFlight: 256 * 1024 * 1024,
  workers: null,
  logLevel: "info",
  outboxSync: "syncfs",
  relay: null,
  relayBatch: 100,
  relayRetryMin: 30_000,
  relayRetryMax: 3_600_000,
  deadAfter: 5 * 86_400_000,
  hopLimit: 10,
  lists: {},
  holdExpiry: 14 * 86_400_000,
  dkim: {},
  publicUrl: null,
  oneClick: false,
  keep: null,
};

/** The longest retention that is not for ever: 100 years (its milliseconds stay exact). */
export const KEEP_MAX_DAYS = 36_500;

const KEYS = Object.keys(DEFAULTS) as (keyof DaemonConfig)[];

/** The most sandbox workers thwonkd starts (--workers). */
export const MAX_WORKERS = 256;

/** The log levels thwonkd takes (pino's), most quiet last. */
const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

export class ConfigError extends Error {}

function coerce(key: keyof DaemonConfig, v: unknown, from: string): unknown {
  if (key === "deploy") {
    if (typeof v === "string") return v.split(",").map((s) => s.trim()).filter(Boolean);
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
    throw new ConfigError(`${from}: deploy must be a list of directories`);
  }
  if (key === "lists") {
    const data = jsonObject(v, from, 'lists must be JSON: { "LIST@DOMAIN": { "from": "munge" | "keep", "verp": true, "oneClick": true } }');
    for (const [address, s] of Object.entries(data)) {
      const o = s as Record<string, unknown> | null;
      const mode = o?.["from"];
      const ok =
        typeof o === "object" &&
        o !== null &&
        Object.keys(o).every((k) => k === "from" || k === "verp" || k === "oneClick") &&
        (mode === undefined || mode === "munge" || mode === "keep") &&
        (o["verp"] === undefined || typeof o["verp"] === "boolean") &&
        (o["oneClick"] === undefined || typeof o["oneClick"] === "boolean");
      if (!ok) {
        throw new ConfigError(
          `${from}: lists.${address} must be { "from": "munge" } (From is the list, the default) or { "from": "keep" } (From is the author's), with "verp" and "oneClick" true or false`,
        );
      }
    }
    // Keyed by the canonical address, as lists are (lower case, NFC): a key written `Liste@` or with a decomposed `é`
    // is that list's; one that is no address, or a second key for the same list, is a mistake said now.
    const lists: Record<string, unknown> = {};
    const given = new Map<string, string>();
    for (const [address, s] of Object.entries(data)) {
      // A domain in Unicode is its xn-- form, as members, deploys and mail read it.
      const canonical = mailboxAddress(address);
      if (canonical === undefined) throw new ConfigError(`${from}: lists.${address} is not a list's address (LOCAL@DOMAIN)`);
      const before = given.get(canonical);
      if (before !== undefined) throw new ConfigError(`${from}: lists.${before} and lists.${address} are the same list (${canonical}): keep one`);
      given.set(canonical, address);
      lists[canonical] = s;
    }
    return lists;
  }
  if (key === "dkim") {
    // A flag or variable may also say DOMAIN=SELECTOR:KEYFILE[,DOMAIN=SELECTOR:KEYFILE...].
    const data = typeof v === "string" && !v.trim().startsWith("{") ? dkimPairs(v, from) : jsonObject(v, from, 'dkim must be JSON: { "DOMAIN": { "selector": "S", "keyFile": "FILE" } }');
    for (const [domain, s] of Object.entries(data)) {
      const o = s as Record<string, unknown> | null;
      if (typeof o !== "object" || o === null || typeof o["selector"] !== "string" || typeof o["keyFile"] !== "string" || Object.keys(o).some((k) => k !== "selector" && k !== "keyFile")) {
        throw new ConfigError(`${from}: dkim.${domain} must be { "selector": "S", "keyFile": "FILE" } (thwonkc dkim-key ${domain} --out FILE makes the key)`);
      }
    }
    return data;
  }
  if (key === "outboxSync") {
    if (v === "syncfs" || v === "fdatasync") return v;
    throw new ConfigError(`${from}: outboxSync must be "syncfs" (the file system once a batch, where it can) or "fdatasync" (each file), got ${JSON.stringify(v)}`);
  }
  if (key === "keep") {
    // Days, as a whole number: 0 would remove each payload at once, a fraction is a mistyped number of days.
    if (v === null && !from.startsWith("--") && !from.startsWith("THWONKD_")) return null; // `"keep": null` in a file: for ever
    const n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > KEEP_MAX_DAYS) {
      const where = from.startsWith("--") || from.startsWith("THWONKD_") ? from : `${from}: keep`;
      // A number as written (JSON.stringify says `null` for 1e400, which JSON reads as Infinity).
      const given = typeof v === "number" ? String(v) : JSON.stringify(v);
      throw new ConfigError(say(M.keepRefused, where, `${given}${n > KEEP_MAX_DAYS ? ` (at most ${KEEP_MAX_DAYS}, 100 years)` : ""}`));
    }
    return n;
  }
  if ((key === "smtp" || key === "lmtp" || key === "http") && typeof v === "string") {
    // Checked with the other settings, before anything is made: found at the listen, it was a stack trace, exit 1.
    hostPort(v, from.startsWith("--") || from.startsWith("THWONKD_") ? from : `${from}: ${key}`);
    return v;
  }
  if (key === "relay" && typeof v === "string") {
    let url: URL | undefined;
    try {
      url = new URL(v);
    } catch {
      url = undefined;
    }
    // A relay URL nodemailer cannot use was found only at the first delivery, every message then retried for days.
    if (!url || (url.protocol !== "smtp:" && url.protocol !== "smtps:") || url.hostname === "") {
      throw new ConfigError(`${from}: relay must be smtp://HOST:PORT (smtps:// for TLS; options as query parameters), got ${JSON.stringify(v)}`);
    }
    return v;
  }
  if (key === "logLevel") {
    // pino's levels; another name made pino throw at start, a stack trace instead of this line.
    const level = typeof v === "string" ? v.trim().toLowerCase() : v;
    if (typeof level === "string" && LOG_LEVELS.includes(level)) return level;
    throw new ConfigError(`${from}: logLevel must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(v)}`);
  }
  if (key === "oneClick") {
    if (v === true || v === "true" || v === "1") return true;
    if (v === false || v === "false" || v === "0") return false;
    throw new ConfigError(`${from}: oneClick must be true or false, got ${JSON.stringify(v)}`);
  }
  if (key === "publicUrl") {
    let url: URL | undefined;
    try {
      url = new URL(String(v));
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.search || url.hash || url.username) {
      throw new ConfigError(`${from}: publicUrl must be an http(s) URL without a query, e.g. https://lists.example.org, got ${JSON.stringify(v)}`);
    }
    return url.href.replace(/\/$/, "");
  }
  if (key === "size" || key === "maxConnections" || key === "inFlight" || key === "workers" || key === "relayBatch" || key === "relayRetryMin" || key === "relayRetryMax" || key === "deadAfter" || key === "hopLimit" || key === "holdExpiry") {
    const n = typeof v === "number" ? v : Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) throw new ConfigError(`${from}: ${key} must be a positive whole number, got ${JSON.stringify(v)}`);
    // Each worker is a thread with its own QuickJS, all started at once: a million (a typo, a byte count) took the
    // machine's memory before the first line was logged.
    if (key === "workers" && n > MAX_WORKERS) {
      throw new ConfigError(`${from}: workers must be at most ${MAX_WORKERS} (each is a sandbox thread of its own; more than the machine's cores adds memory, not speed), got ${n}`);
    }
    return n;
  }
  if (typeof v !== "string") throw new ConfigError(`${from}: ${key} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function jsonObject(v: unknown, from: string, usage: string): Record<string, unknown> {
  let data = v;
  if (typeof v === "string") {
    try {
      data = JSON.parse(v);
    } catch {
      throw new ConfigError(`${from}: ${usage}`);
    }
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new ConfigError(`${from}: ${usage}`);
  return data as Record<string, unknown>;
}

function dkimPairs(text: string, from: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=\s]+)=([^:\s]+):(.+)$/.exec(part);
    if (!m) throw new ConfigError(`${from}: ${JSON.stringify(part)} is not DOMAIN=SELECTOR:KEYFILE (e.g. example.org=thwonk1:/etc/thwonk/example.org.pem)`);
    out[m[1]!] = { selector: m[2]!, keyFile: m[3]! };
  }
  return out;
}

/** `HOST:PORT` (port 0: any free port). */
export function hostPort(text: string, what: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(text.trim());
  if (!m || Number(m[2]) > 65535) throw new ConfigError(`${what} ${JSON.stringify(text)} is not HOST:PORT (e.g. 127.0.0.1:2525; port 0 picks a free port)`);
  return { host: m[1]!.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1", port: Number(m[2]) };
}

export function resolveConfig(flags: Partial<Record<keyof DaemonConfig, unknown>> & { config?: string }, env: NodeJS.ProcessEnv): DaemonConfig {
  const out: Record<string, unknown> = { ...DEFAULTS };
  const configFile = flags.config ?? env["THWONKD_CONFIG"];
  if (configFile) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(configFile, "utf8"));
    } catch (e) {
      throw new ConfigError(`the config file ${configFile} cannot be read as JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) throw new ConfigError(`the config file ${configFile} must hold a JSON object`);
    for (const [k, v] of Object.entries(data)) {
      if (!KEYS.includes(k as keyof DaemonConfig)) throw new ConfigError(`the config file ${configFile} has ${JSON.stringify(k)}, which is not a setting (settings: ${KEYS.join(", ")})`);
      out[k] = coerce(k as keyof DaemonConfig, v, configFile);
    }
  }
  for (const k of KEYS) {
    const name = `THWONKD_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    if (env[name] !== undefined && env[name] !== "") out[k] = coerce(k, env[name], name);
  }
  // Named as the flag is typed (`--outbox-sync`), not as the setting is spelled in a config file.
  for (const k of KEYS) if (flags[k] !== undefined) out[k] = coerce(k, flags[k], `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  if (typeof out["data"] !== "string") throw new ConfigError("give the data directory: --data DIR (or THWONKD_DATA, or `data` in the config file)");
  // A message the size allows must fit the budget on its own, or it would be answered "try again" for ever.
  if ((out["inFlight"] as number) < (out["size"] as number)) {
    throw new ConfigError(`inFlight (${out["inFlight"]} bytes) must be at least size (${out["size"]} bytes): a message of the largest size must fit in flight on its own`);
  }
  return out as unknown as DaemonConfig;
}

/**
 * Test-only hook: with THWONKD_TEST_CLOCK_FILE set, the daemon's clock reads
 * that file (an ISO 8601 time or epoch ms) whenever it needs the time, and
 * the real clock while the file is missing. Tests move time by writing the
 * file. Never set it in production.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv): { clock: () => number; test: boolean } {
  const file = env["THWONKD_TEST_CLOCK_FILE"];
  if (!file) return { clock: Date.now, test: false };
  let last: number | undefined;
  return {
    test: true,
    clock: () => {
      let text: string;
      try {
        text = readFileSync(file, "utf8").trim();
      } catch {
        return (last = Date.now());
      }
      const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
      // Empty or half-written: a write caught between its truncate and its bytes. The time stays where it was; the
      // real clock here would jump months and run every schedule up to today.
      if (Number.isFinite(value)) last = value;
      return last ?? Date.now();
    },
  };
}
