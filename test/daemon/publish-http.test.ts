/**
 * Published pages as a web server serves static files, on a real thwonkd with the archive example: their headers
 * (type, length, ETag, Last-Modified, no-cache, nosniff, the CSP), HEAD without a body, and conditional requests
 * (If-None-Match, If-Modified-Since) answered 304 while the page is the client's copy and 200 once a run changed it.
 */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { cliIn, startDaemon, workspace, type Running } from "./helpers.js";

let ws: ReturnType<typeof workspace>;
let d: Running;
let base: string;

before(async () => {
  ws = workspace({ archive: { example: "archive", members: ["ann@example.org"] } });
  d = await startDaemon(ws);
  base = `http://127.0.0.1:${d.ports.http}/lists/archive@example.org`;
});

after(async () => {
  await d.stop();
  rmSync(ws.dir, { recursive: true, force: true });
});

async function post(subject: string, text: string): Promise<void> {
  writeFileSync(join(ws.dir, "post.eml"), `From: ann@example.org\r\nTo: archive@example.org\r\nSubject: ${subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`);
  const sent = await cliIn(ws.dir, ["mail", "post.eml", "--to", "archive@example.org", "--server", `smtp://127.0.0.1:${d.ports.smtp}`]);
  assert.equal(sent.code, 0, sent.err);
}

test("a page's headers; HEAD; If-None-Match and If-Modified-Since answer 304 until the page changes", async () => {
  await post("first", "hello archive 😀");
  const page = await fetch(`${base}/posts/1.html`);
  assert.equal(page.status, 200);
  const body = Buffer.from(await page.arrayBuffer());
  assert.match(body.toString("utf8"), /hello archive 😀/);
  assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(page.headers.get("content-length"), String(body.length), "octets, not characters");
  assert.equal(page.headers.get("cache-control"), "no-cache");
  assert.equal(page.headers.get("x-content-type-options"), "nosniff");
  assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'/);
  const etag = page.headers.get("etag")!;
  const modified = page.headers.get("last-modified")!;
  assert.match(etag, /^"[A-Za-z0-9_-]{22}"$/);

  const head = await fetch(`${base}/posts/1.html`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("etag"), etag);
  assert.equal(head.headers.get("content-length"), String(body.length));
  assert.equal((await head.arrayBuffer()).byteLength, 0);

  const conditional = async (path: string, headers: Record<string, string>) => {
    const r = await fetch(`${base}${path}`, { headers });
    return { status: r.status, etag: r.headers.get("etag"), body: await r.text() };
  };
  const asks: Record<string, string>[] = [{ "if-none-match": etag }, { "if-none-match": `"other", W/${etag}` }, { "if-none-match": "*" }, { "if-modified-since": modified }];
  for (const h of asks) {
    const r = await conditional("/posts/1.html", h);
    assert.equal(r.status, 304, JSON.stringify(h));
    assert.equal(r.etag, etag);
    assert.equal(r.body, "");
  }
  // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2); an older date or a bad one is a full answer.
  assert.equal((await conditional("/posts/1.html", { "if-none-match": '"other"', "if-modified-since": modified })).status, 200);
  assert.equal((await conditional("/posts/1.html", { "if-modified-since": new Date(Date.parse(modified) - 1000).toUTCString() })).status, 200);
  assert.equal((await conditional("/posts/1.html", { "if-modified-since": "yesterday" })).status, 200);

  // The index changes with the next post: the client's copy of it is stale, of the first post's page still good.
  const index = await fetch(`${base}/index.html`);
  const indexTag = index.headers.get("etag")!;
  await post("second", "again");
  const after = await conditional("/index.html", { "if-none-match": indexTag });
  assert.equal(after.status, 200);
  assert.notEqual(after.etag, indexTag);
  assert.match(after.body, /second/);
  assert.equal((await conditional("/posts/1.html", { "if-none-match": etag })).status, 304);
  assert.equal((await conditional("/posts/3.html", { "if-none-match": "*" })).status, 404, "nothing there: no 304 for `*`");
});
