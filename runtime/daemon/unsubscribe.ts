/**
 * One-click unsubscribe (RFC 8058). Each member's mail carries
 * `List-Unsubscribe: <PUBLIC/unsubscribe/TOKEN>, <mailto:...>` and
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (personal.ts); the
 * token names the list, the member and when they joined, with an HMAC-SHA256
 * under the daemon's key (DIR/unsubscribe.key, 32 random bytes, mode 0600).
 *
 *   POST /unsubscribe/TOKEN  body `List-Unsubscribe=One-Click`: removes the
 *        member, recorded as a run of trigger `unsubscribe`; 200.
 *   GET  /unsubscribe/TOKEN  a page with the button that POSTs; a GET never
 *        unsubscribes (mail scanners follow links).
 *
 * A token that was not made with the key (forged, or changed to name another
 * member or list) gets 403. A token used again changes nothing: the
 * subscription it was made for is gone (a member who joins again has a new
 * `joined`, so an old URL cannot remove them); the answer is 200, "not
 * subscribed", as RFC 8058 asks of a repeated POST.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { ADDRESS_MAX } from "../../contract/index.js";
import type { Daemon } from "./daemon.js";
import type { Logger } from "./log.js";
import { addressKey, ListGone } from "./runner.js";
import { daemonMessages as M, say } from "./messages.js";

export const UNSUBSCRIBE_KEY_FILE = "unsubscribe.key";
export const UNSUBSCRIBE_PATH = "/unsubscribe/";
/** RFC 5322 2.1.1: a line of a message is at most 998 octets, its CRLF aside. */
export const MAX_LINE = 998;
/** The first line of the one-click field for a URL (personal.ts withOneClick), before the `,` a mailto after it adds. */
export const ONE_CLICK_FIELD = (url: string): string => `List-Unsubscribe: <${url}>`;
/**
 * The longest token of a list and a member whose addresses fit an SMTP path (254 octets of ASCII, what mail goes out
 * to: compose.ts safeAddress): each address in base64url, the joined time (13 at most: readToken), the MAC (43), 3 dots.
 * It bounds the public URL only: a token of any list and member (ADDRESS_MAX each, in UTF-8: ADDRESS_MAX_B64 below)
 * reads back, and its link goes out whenever its field fits a line (personal.ts withOneClick).
 */
const LONGEST_TOKEN = 2 * Math.ceil((254 * 4) / 3) + 13 + 43 + 3;
/**
 * The longest public URL (--public-url) whose one-click links fit a line for any such list and member: the field
 * cannot be folded inside its URL (RFC 8058 readers take the URL as written), so a longer one is refused at start.
 */
export const MAX_PUBLIC_URL = MAX_LINE - ONE_CLICK_FIELD(UNSUBSCRIBE_PATH).length - LONGEST_TOKEN - ",".length;
/** A one-click body is 26 bytes; anything much larger is not one. */
const MAX_BODY = 4096;

/** Reads DIR/unsubscribe.key, making it (0600) at the first start. */
export function ensureUnsubscribeKey(dataDir: string): Buffer {
  const file = join(dataDir, UNSUBSCRIBE_KEY_FILE);
  if (existsSync(file)) {
    const text = readFileSync(file, "utf8").trim();
    if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`${file} does not hold an unsubscribe key (64 hex digits); delete it and start again to make a new one (links in mail already sent stop working)`);
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return Buffer.from(text, "hex");
  }
  const key = randomBytes(32);
  try {
    writeFileSync(file, `${key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return ensureUnsubscribeKey(dataDir);
    throw e;
  }
  return key;
}

/**
 * The most UTF-8 an address can take: ADDRESS_MAX UTF-16 units, each at most 3 bytes (a character past U+07FF;
 * one past U+FFFF is 4 bytes in 2 units). A list or a member of any address the product takes fits it.
 */
export const ADDRESS_MAX_BYTES = 3 * ADDRESS_MAX;
/** The longest base64url (no padding) of an address: what a token's address part may be, and no longer. */
export const ADDRESS_MAX_B64 = Math.ceil((ADDRESS_MAX_BYTES * 4) / 3);
const ADDRESS_B64 = new RegExp(`^[A-Za-z0-9_-]{1,${ADDRESS_MAX_B64}}$`);

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64url");
const unb64 = (s: string): string | undefined => {
  if (!ADDRESS_B64.test(s)) return undefined;
  const t = Buffer.from(s, "base64url").toString("utf8");
  return t.length <= ADDRESS_MAX ? t : undefined;
};

function mac(key: Buffer, list: string, member: string, joined: number): Buffer {
  return createHmac("sha256", key).update(`thwonk-unsubscribe\0${addressKey(list)}\0${addressKey(member)}\0${joined}`).digest();
}

/** The token of one subscription: `b64(list).b64(member).joined36.hmac`. */
export function unsubscribeToken(key: Buffer, list: string, member: string, joined: number): string {
  return `${b64(list)}.${b64(member)}.${joined.toString(36)}.${mac(key, list, member, joined).toString("base64url")}`;
}

/** What a token says, when the key made it; undefined for anything else. */
export function readToken(key: Buffer, token: string): { list: string; member: string; joined: number } | undefined {
  const parts = token.split(".");
  if (parts.length !== 4) return undefined;
  const [l, m, j, sig] = parts as [string, string, string, string];
  const list = unb64(l);
  const member = unb64(m);
  if (list === undefined || member === undefined || !/^-?[0-9a-z]{1,12}$/.test(j) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return undefined;
  const joined = parseInt(j, 36);
  if (!Number.isSafeInteger(joined)) return undefined;
  // The whole token as this key spells it, compared as text: base64url has spellings that decode alike (the last
  // character's unused bits), and a token is valid in one spelling only.
  const given = Buffer.from(token, "utf8");
  const want = Buffer.from(unsubscribeToken(key, list, member, joined), "utf8");
  return given.length === want.length && timingSafeEqual(given, want) ? { list, member, joined } : undefined;
}

export interface UnsubscribeOptions {
  daemon: Daemon;
  key: Buffer;
  log: Logger;
}

export type OneClickResult = "removed" | "not-subscribed" | "no-list";

/** Removes the member a token names, in the list's order, recorded as a run of trigger `unsubscribe`. */
export async function oneClickRemove(daemon: Daemon, list: string, member: string, joined: number): Promise<OneClickResult> {
  const at = daemon.resolve(list);
  if (at === undefined || addressKey(at) !== addressKey(list)) return "no-list";
  // Queued behind the list's removal (the click came while it waited): no list, as a click after it (not a 500).
  const gone = (err: unknown): OneClickResult => {
    if (err instanceof ListGone) return "no-list";
    throw err;
  };
  return daemon.runner.withList(at, async (bundle): Promise<OneClickResult> => {
    const m = await daemon.store.member(at, member);
    if (!m || m.joined !== joined) return "not-subscribed";
    await daemon.committer.commit({
      address: at,
      run: {
        trigger: "unsubscribe",
        now: daemon.clock(),
        bundleHash: bundle.sha256,
        outcome: "ok",
        error: null,
        gasUsed: 0,
        gasBound: 0,
        actions: [{ kind: "members.remove", to: [], at: { line: 0, column: 0 }, address: m.address, via: "one-click" }],
        replayOf: null,
      },
      members: [{ op: "remove", address: m.address }],
    });
    return "removed";
  }).catch(gone);
}

/** The HTTP side of one-click unsubscribe (main.ts mounts it before the API). */
export function unsubscribeHandler(o: UnsubscribeOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith(UNSUBSCRIBE_PATH)) return false;
    const token = url.pathname.slice(UNSUBSCRIBE_PATH.length);
    const method = req.method ?? "GET";
    if (method !== "POST" && method !== "GET") return answer(res, 405, say(M.unsubscribeMethod, method), { allow: "GET, POST" });
    const sub = readToken(o.key, token);
    if (!sub) {
      o.log.warn({ path: url.pathname.slice(0, 200) }, "one-click unsubscribe refused: the link was not made by this server");
      return answer(res, 403, say(M.unsubscribeForged));
    }
    if (method === "GET") return page(res, sub.list, token);
    const body = await readBody(req);
    if (body === undefined) return answer(res, 413, say(M.unsubscribeNotOneClick));
    if (formValue(req.headers["content-type"], body, "List-Unsubscribe") !== "One-Click") return answer(res, 400, say(M.unsubscribeNotOneClick));
    const result = await oneClickRemove(o.daemon, sub.list, sub.member, sub.joined);
    o.log.info({ list: sub.list, member: sub.member, result }, "one-click unsubscribe");
    if (result === "no-list") return answer(res, 404, say(M.unsubscribeNoList, sub.list));
    return answer(res, 200, result === "removed" ? say(M.unsubscribed, sub.member, sub.list) : say(M.notSubscribed, sub.member, sub.list));
  };
}

function answer(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): true {
  const body = `${text}\n`;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), "cache-control": "no-store", ...headers }).end(body);
  return true;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page behind a link. The form posts to the token alone, relative to the page's own URL: behind a proxy that
 * serves thwonkd under a path (`--public-url https://host/lists`) that is the public URL, where `/unsubscribe/...`
 * from the root would be a path the proxy does not serve. (A token checked by readToken has no `/` or `:`.)
 */
function page(res: ServerResponse, list: string, token: string): true {
  const html = `<!doctype html><meta charset="utf-8"><title>Unsubscribe</title>
<form method="post" action="${escapeHtml(token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<p>Unsubscribe from ${escapeHtml(list)}?</p><button type="submit">Unsubscribe</button></form>\n`;
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(html), "cache-control": "no-store" }).end(html);
  return true;
}

/**
 * A field of a form body: RFC 8058 allows application/x-www-form-urlencoded and multipart/form-data (what a
 * provider sends); anything else, or a field given twice with different values, is no value.
 */
export function formValue(contentType: string | undefined, body: string, name: string): string | undefined {
  // The media type exactly (its parameters after `;`): `application/x-www-form-urlencodedX` is another type.
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const values: string[] = [];
  if (type === "multipart/form-data") {
    const boundary = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType ?? "");
    const b = boundary?.[1] ?? boundary?.[2];
    if (!b) return undefined;
    for (const part of body.split(`--${b}`).slice(1)) {
      const end = part.indexOf("\r\n\r\n");
      if (end < 0) continue;
      const disposition = /^content-disposition:\s*form-data;[^\r\n]*?\bname="([^"]*)"/im.exec(part.slice(0, end));
      if (disposition?.[1] === name) values.push(part.slice(end + 4).replace(/\r\n$/, ""));
    }
  } else if (type === "" || type === "application/x-www-form-urlencoded") {
    values.push(...new URLSearchParams(body).getAll(name));
  }
  return values.length > 0 && values.every((v) => v === values[0]) ? values[0] : undefined;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"] ?? 0) > MAX_BODY) {
      req.resume();
      return resolve(undefined);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("error", reject);
    req.on("end", () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString("utf8")));
  });
}
