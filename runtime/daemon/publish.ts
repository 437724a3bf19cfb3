/**
 * Published files, served read-only over HTTP: GET /lists/ADDRESS/PATH
 * answers the HTML a run last published at PATH for the list at ADDRESS.
 * A plain node:http handler, so the API server can mount it; it answers
 * false for a request that is not its own.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { mailboxAddress } from "../input/decode.js";
import type { Store } from "./store/types.js";

export const PUBLIC_PREFIX = "/lists/";

export function publicPath(address: string, path: string): string {
  return `${PUBLIC_PREFIX}${encodeURIComponent(address)}/${path}`;
}

/** A path part URL-decoded; undefined when it is not valid URL encoding (`%E0`, a lone `%`): a client's mistake, not the server's. */
export function decoded(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** `clock`: the daemon's (an If-Modified-Since later than it is no date a client can have had a copy at). */
export function publishHandler(store: Store, resolve: (address: string) => string | undefined, clock: () => number = Date.now) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith(PUBLIC_PREFIX)) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("published files are read-only\n");
      return true;
    }
    const rest = url.pathname.slice(PUBLIC_PREFIX.length);
    const slash = rest.indexOf("/");
    // A part that is not valid URL encoding names nothing published: 404, not a thrown URIError.
    const list = decoded(slash < 0 ? rest : rest.slice(0, slash));
    // The address as a browser writes it: a domain in Unicode is the list's, which is kept in ASCII (xn--).
    const address = list === undefined ? undefined : resolve(mailboxAddress(list) ?? list);
    let path = slash < 0 ? "" : decoded(rest.slice(slash + 1));
    if (path !== undefined && (path === "" || path.endsWith("/"))) path += "index.html";
    const page = address === undefined || path === undefined ? undefined : await store.published(address, path);
    if (!page) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("nothing is published here\n");
      return true;
    }
    const body = Buffer.from(page.html, "utf8");
    const tag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    const headers = {
      "content-type": "text/html; charset=utf-8",
      // Never later than the clock (RFC 9110 8.8.2.1): a page's time may be ahead of it (changed twice in a second,
      // or the clock went back). An earlier date makes a later If-Modified-Since answer 200, never a stale 304.
      "last-modified": new Date(Math.min(page.updatedAt, clock())).toUTCString(),
      etag: tag,
      // A page changes with the list's next run (an archive's index): a cache asks again each time, a 304 when it has it.
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      // A rule's HTML runs no script and loads nothing from elsewhere when it is shown here.
      "content-security-policy": "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'",
    };
    if (notModified(req, tag, page.updatedAt, clock())) {
      res.writeHead(304, headers).end();
      return true;
    }
    res.writeHead(200, { ...headers, "content-length": body.length });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}

/**
 * A conditional GET or HEAD the client's copy answers (RFC 9110 13.1): If-None-Match when it is sent (its tags, or
 * `*`; weak tags compare as strong ones here, RFC 9110 8.8.3.2), else If-Modified-Since, to the second: ignored when
 * it is not one HTTP-date (13.1.3) or is later than `now` (a date no copy can have, as Apache reads it: `9999`, which
 * Date.parse takes, answered 304 for every page whatever its changes).
 */
function notModified(req: IncomingMessage, tag: string, updatedAt: number, now: number): boolean {
  const match = req.headers["if-none-match"];
  if (match !== undefined) return match.trim() === "*" || match.split(",").some((t) => t.trim().replace(/^W\//, "") === tag);
  const since = req.headers["if-modified-since"];
  const at = since === undefined ? undefined : httpDate(since);
  return at !== undefined && at <= now && Math.floor(updatedAt / 1000) * 1000 <= at;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH = MONTHS.join("|");
const TIME = "(\\d\\d):(\\d\\d):(\\d\\d)";
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d\\d) (${MONTH}) (\\d{4}) ${TIME} GMT$`);
const RFC850 = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d\\d)-(${MONTH})-(\\d\\d) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MONTH}) ([ \\d]\\d) ${TIME} (\\d{4})$`);

/** An HTTP-date (RFC 9110 5.6.7: IMF-fixdate, or the obsolete RFC 850 and asctime forms) in ms, or undefined. */
export function httpDate(value: string): number | undefined {
  const v = value.trim();
  let f: [string, string, string, string, string, string] | undefined;
  let m = IMF_FIXDATE.exec(v);
  if (m) f = [m[3]!, m[2]!, m[1]!, m[4]!, m[5]!, m[6]!];
  else if ((m = RFC850.exec(v))) {
    // A two-digit year more than 50 years ahead is the latest past year with those digits (5.6.7).
    const now = new Date().getUTCFullYear();
    let year = now - (now % 100) + Number(m[3]);
    if (year > now + 50) year -= 100;
    f = [String(year), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!];
  } else if ((m = ASCTIME.exec(v))) f = [m[6]!, m[1]!, m[2]!.trim(), m[3]!, m[4]!, m[5]!];
  if (!f) return undefined;
  const [y, mon, day, h, min, s] = [Number(f[0]), MONTHS.indexOf(f[1]), Number(f[2]), Number(f[3]), Number(f[4]), Number(f[5])];
  const t = Date.UTC(y, mon, day, h, min, s);
  const back = new Date(t);
  // Date.UTC carries an impossible field over (day 32 is the next month's 1st): such a date is none.
  return back.getUTCFullYear() === y && back.getUTCMonth() === mon && back.getUTCDate() === day && h < 24 && min < 60 && s < 61 ? t : undefined;
}
