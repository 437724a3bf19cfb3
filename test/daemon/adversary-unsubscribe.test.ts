/**
 * Adversary: one-click unsubscribe (RFC 8058) against a real thwonkd's HTTP
 * side. Link prefetchers (GET, HEAD, OPTIONS) never unsubscribe; a POST that
 * is not the one-click form is refused; a token made for ann opens nothing
 * for bob; a changed byte is forged; a token used again, and after the
 * member joined again, removes no one.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { test } from "node:test";
import { unsubscribeToken } from "../../runtime/daemon/unsubscribe.js";
import { readStore, startDaemon, workspace } from "./helpers.js";

const LIST = "trim140@example.org";

function call(port: number, method: string, path: string, body?: string, type?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: type ? { "content-type": type } : {} }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("one-click: prefetches, wrong forms, another member's token, forgeries and replays remove no one", async () => {
  const ws = workspace({ trim140: { example: "trim140", members: ["ann@example.org", "bob@example.org"] } });
  const d = await startDaemon(ws, { args: ["--one-click", "--public-url", "https://lists.example.org/"] });
  try {
    const key = Buffer.from(readFileSync(join(ws.data, "unsubscribe.key"), "utf8").trim(), "hex");
    const members = (): { member: string; joined: number }[] => readStore(ws.data, (db) => db.prepare("SELECT member, joined FROM members WHERE address = ? ORDER BY pos").all(LIST) as { member: string; joined: number }[]);
    const joinedOf = (a: string): number => members().find((m) => m.member === a)!.joined;
    const port = d.ports.http;
    const bob = unsubscribeToken(key, LIST, "bob@example.org", joinedOf("bob@example.org"));
    const path = `/unsubscribe/${bob}`;
    const oneClick = "List-Unsubscribe=One-Click";

    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      const r = await call(port, method, path);
      assert.ok(method === "GET" ? r.status === 200 : r.status === 405, `${method}: ${r.status}`);
    }
    assert.equal((await call(port, "GET", `${path}?List-Unsubscribe=One-Click`)).status, 200);
    for (const type of ["text/plain", "application/json", "multipart/form-data", "application/x-www-form-urlencodedX", "multipart/form-dataX; boundary=XX", "text/plain; x=application/x-www-form-urlencoded"]) {
      assert.equal((await call(port, "POST", path, oneClick, type)).status, 400, type);
    }
    assert.equal((await call(port, "POST", path, "List-Unsubscribe=One-Click&List-Unsubscribe=No", "application/x-www-form-urlencoded")).status, 400);
    assert.equal((await call(port, "POST", path, "x".repeat(100_000), "application/x-www-form-urlencoded")).status, 413);
    assert.deepEqual(members().map((m) => m.member), ["ann@example.org", "bob@example.org"], "nothing above unsubscribed");

    // Bob's token with ann's address in it, a flipped signature byte, another list, a huge token: forged.
    const [l, , j, sig] = bob.split(".") as [string, string, string, string];
    const annB64 = Buffer.from("ann@example.org").toString("base64url");
    const flipped = sig.slice(0, -2) + (sig.at(-2) === "A" ? "B" : "A") + sig.at(-1);
    const other = Buffer.from("other@example.org").toString("base64url");
    for (const t of [`${l}.${annB64}.${j}.${sig}`, `${l}.${bob.split(".")[1]}.${j}.${flipped}`, `${other}.${bob.split(".")[1]}.${j}.${sig}`, `${"A".repeat(5000)}.${sig}`, "", "...", `${bob}.x`]) {
      assert.equal((await call(port, "POST", `/unsubscribe/${t}`, oneClick, "application/x-www-form-urlencoded")).status, 403, t.slice(0, 60));
    }
    assert.deepEqual(members().map((m) => m.member), ["ann@example.org", "bob@example.org"]);

    const ok = await call(port, "POST", path, oneClick, "application/x-www-form-urlencoded");
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(members().map((m) => m.member), ["ann@example.org"]);
    const again = await call(port, "POST", path, oneClick, "application/x-www-form-urlencoded");
    assert.equal(again.status, 200);
    assert.match(again.text, /not/i);

    // Bob joins again: the old link must not remove the new subscription.
    const admin = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
    const r = await fetch(`http://127.0.0.1:${port}/v1/lists/${LIST}/members`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ members: ["bob@example.org"] }),
    });
    assert.equal(r.status, 200);
    assert.equal((await call(port, "POST", path, oneClick, "application/x-www-form-urlencoded")).status, 200);
    assert.deepEqual(members().map((m) => m.member), ["ann@example.org", "bob@example.org"], "the old link is spent");
    // The multipart form a mailbox provider may send works with the new token.
    const fresh = `/unsubscribe/${unsubscribeToken(key, LIST, "bob@example.org", joinedOf("bob@example.org"))}`;
    const mp = `--XX\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--XX--\r\n`;
    assert.equal((await call(port, "POST", fresh, mp, "multipart/form-data; boundary=XX")).status, 200);
    assert.deepEqual(members().map((m) => m.member), ["ann@example.org"]);
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
