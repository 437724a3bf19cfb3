/**
 * Published files, served read-only over HTTP: GET /lists/ADDRESS/PATH
 * answers the HTML a run last published at PATH for the list at ADDRESS.
 * A plain node:http handler, so the API server can mount it; it answers
 * false for a request that is not its own.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
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

export function publishHandler(store: Store, resolve: (address: string) => string | undefined) {
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
    const address = list === undefined ? undefined : resolve(list);
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
      "last-modified": new Date(page.updatedAt).toUTCString(),
      etag: tag,
      // A page changes with the list's next run (an archive's index): a cache asks again each time, a 304 when it has it.
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      // A rule's HTML runs no script and loads nothing from elsewhere when it is shown here.
      "content-security-policy": "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'",
    };
    if (notModified(req, tag, page.updatedAt)) {
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
 * `*`; weak tags compare as strong ones here, RFC 9110 8.8.3.2), else If-Modified-Since, to the second.
 */
function notModified(req: IncomingMessage, tag: string, updatedAt: number): boolean {
  const match = req.headers["if-none-match"];
  if (match !== undefined) return match.trim() === "*" || match.split(",").some((t) => t.trim().replace(/^W\//, "") === tag);
  const since = req.headers["if-modified-since"];
  if (since === undefined) return false;
  const at = Date.parse(since);
  return Number.isFinite(at) && Math.floor(updatedAt / 1000) * 1000 <= at;
}
