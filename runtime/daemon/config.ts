/**
 * thwonkd's settings: flags over THWONKD_* variables over the config file
 * (JSON) over the defaults.
 */
import { readFileSync } from "node:fs";

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
  workers: number | null;
  logLevel: string;
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
  /** Per list address: `{ "from": "munge" | "keep" }` (docs/mail-out.md). */
  lists: Record<string, { from?: "munge" | "keep" }>;
  /** A held message no owner approved or rejected this long (ms) after its hold expires (no mail sent). */
  holdExpiry: number;
}

export const DEFAULTS: Omit<DaemonConfig, "data"> & { data: string | null } = {
  data: null,
  smtp: "127.0.0.1:2525",
  lmtp: null,
  http: "127.0.0.1:8025",
  domain: "lists.localhost",
  deploy: [],
  size: 10 * 1024 * 1024,
  workers: null,
  logLevel: "info",
  relay: null,
  relayBatch: 100,
  relayRetryMin: 30_000,
  relayRetryMax: 3_600_000,
  deadAfter: 5 * 86_400_000,
  hopLimit: 10,
  lists: {},
  holdExpiry: 14 * 86_400_000,
};

const KEYS = Object.keys(DEFAULTS) as (keyof DaemonConfig)[];

export class ConfigError extends Error {}

function coerce(key: keyof DaemonConfig, v: unknown, from: string): unknown {
  if (key === "deploy") {
    if (typeof v === "string") return v.split(",").map((s) => s.trim()).filter(Boolean);
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
    throw new ConfigError(`${from}: deploy must be a list of directories`);
  }
  if (key === "lists") {
    let data = v;
    if (typeof v === "string") {
      try {
        data = JSON.parse(v);
      } catch {
        throw new ConfigError(`${from}: lists must be JSON: { "LIST@DOMAIN": { "from": "munge" | "keep" } }`);
      }
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) throw new ConfigError(`${from}: lists must be an object: { "LIST@DOMAIN": { "from": "munge" | "keep" } }`);
    for (const [address, s] of Object.entries(data)) {
      const mode = (s as { from?: unknown } | null)?.from;
      if (typeof s !== "object" || s === null || Object.keys(s).some((k) => k !== "from") || (mode !== undefined && mode !== "munge" && mode !== "keep")) {
        throw new ConfigError(`${from}: lists.${address} must be { "from": "munge" } (From is the list, the default) or { "from": "keep" } (From is the author's)`);
      }
    }
    return data;
  }
  if (key === "size" || key === "workers" || key === "relayBatch" || key === "relayRetryMin" || key === "relayRetryMax" || key === "deadAfter" || key === "hopLimit" || key === "holdExpiry") {
    const n = typeof v === "number" ? v : Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) throw new ConfigError(`${from}: ${key} must be a positive whole number, got ${JSON.stringify(v)}`);
    return n;
  }
  if (typeof v !== "string") throw new ConfigError(`${from}: ${key} must be a string, got ${JSON.stringify(v)}`);
  return v;
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
  for (const k of KEYS) if (flags[k] !== undefined) out[k] = coerce(k, flags[k], `--${k}`);
  if (typeof out["data"] !== "string") throw new ConfigError("give the data directory: --data DIR (or THWONKD_DATA, or `data` in the config file)");
  return out as unknown as DaemonConfig;
}

/**
 * Test-only hook: with THWONKD_TEST_CLOCK_FILE set, the daemon's clock reads
 * that file (an ISO 8601 time or epoch ms) whenever it needs the time, and
 * the real clock while the file is missing or empty. Tests move time by
 * writing the file. Never set it in production.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv): { clock: () => number; test: boolean } {
  const file = env["THWONKD_TEST_CLOCK_FILE"];
  if (!file) return { clock: Date.now, test: false };
  return {
    test: true,
    clock: () => {
      try {
        const text = readFileSync(file, "utf8").trim();
        const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
        return Number.isFinite(value) ? value : Date.now();
      } catch {
        return Date.now();
      }
    },
  };
}
