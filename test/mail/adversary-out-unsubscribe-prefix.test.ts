/**
 * Adversary: one-click unsubscribe behind a TLS proxy that serves thwonkd
 * under a path (`--public-url https://lists.example.org/thwonk`, the proxy
 * stripping `/thwonk`), as the docs tell a list owner to set it up. The
 * member's mail client opens the link (a GET, the page with the button);
 * the button must post back to the public URL, through the proxy, not to a
 * path the proxy does not serve. A real thwonkd and a real HTTP proxy on
 * 127.0.0.1.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { unsubscribeToken } from "../../runtime/daemon/unsubscribe.js";
import { readStore, startDaemon, workspace } from "../daemon/helpers.js";

const LIST = "trim140@example.org";
const PREFIX = "/thwonk";

test("the unsubscribe page's button posts to the public URL when thwonkd is served under a path", async () => {
  let target = 0;
  // The proxy: serves PREFIX/... from thwonkd's /..., and nothing else.
  const proxy = createServer((req, res) => {
    const url = req.url ?? "/";
    if (!url.startsWith(`${PREFIX}/`)) return void res.writeHead(404).end("not here\n");
    const up = request({ host: "127.0.0.1", port: target, method: req.method, path: url.slice(PREFIX.length), headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((ok) => proxy.listen(0, "127.0.0.1", () => ok()));
  const publicUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${PREFIX}`;
  const ws = workspace({ trim140: { example: "trim140", members: ["ann@example.org", "bob@example.org"] } });
  const d = await startDaemon(ws, { args: ["--one-click", "--public-url", publicUrl] });
  target = d.ports.http;
  try {
    const key = Buffer.from(readFileSync(join(ws.data, "unsubscribe.key"), "utf8").trim(), "hex");
    const members = (): string[] => readStore(ws.data, (db) => (db.prepare("SELECT member FROM members WHERE address = ? ORDER BY pos").all(LIST) as { member: string }[]).map((m) => m.member));
    const joined = readStore(ws.data, (db) => (db.prepare("SELECT joined FROM members WHERE member = ?").get("bob@example.org") as { joined: number }).joined);
    // The link as the member's mail carries it (docs/mail-out.md: PUBLIC/unsubscribe/TOKEN).
    const link = `${publicUrl}/unsubscribe/${unsubscribeToken(key, LIST, "bob@example.org", joined)}`;
    const page = await fetch(link);
    assert.equal(page.status, 200);
    const form = /<form method="post" action="([^"]*)"/.exec(await page.text());
    assert.ok(form, "the page has the form");
    // Where a browser posts it: the action resolved against the page's own URL.
    const action = new URL(form[1]!.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))), link).href;
    assert.equal(action, link, "the button posts somewhere the proxy does not serve");
    const post = await fetch(action, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    assert.equal(post.status, 200, await post.text());
    assert.deepEqual(members(), ["ann@example.org"]);
  } finally {
    await d.stop();
    await new Promise<void>((ok) => proxy.close(() => ok()));
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
