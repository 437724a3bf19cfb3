/**
 * The stop's order, the start's mirror image (start-order.test.ts): at
 * SIGTERM the HTTP API's requests in flight finish, their work queued with
 * the lists while the scheduler still orders it and before the store
 * closes, and a new request gets 503 (TW6008, with Retry-After), as a new
 * SMTP connection gets 421 (TW6007). A real thwonkd, with a request whose
 * body is still coming when the signal comes.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { COUNTER, readStore, startDaemon, workspace } from "./helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("SIGTERM with an API request in flight: it is answered and its change kept; a new request gets 503 TW6008 with Retry-After; exit 0", async () => {
  const ws = workspace({ counter: { source: COUNTER } });
  const list = "counter@example.org";
  const d = await startDaemon(ws);
  try {
    const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
    const body = JSON.stringify({ members: ["zed@example.org"] });
    const socket = connect(d.ports.http, "127.0.0.1");
    await once(socket, "connect");
    let answer = "";
    socket.on("data", (c: Buffer) => (answer += c.toString()));
    const closed = once(socket, "close");
    // The request's head and the first bytes of its body: the API is handling it, reading the rest.
    socket.write(
      `POST /v1/lists/${list}/members HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 5)}`,
    );
    await sleep(300);
    const exited = d.stop();
    await sleep(500);
    // TW6008, the HTTP request's refusal (TW6007 is SMTP's, about a message), with when to try again; in the API's shape under /v1.
    const late = await fetch(`http://127.0.0.1:${d.ports.http}/v1/health`);
    assert.equal(late.status, 503);
    assert.equal(late.headers.get("retry-after"), "5");
    assert.match(late.headers.get("content-type") ?? "", /^application\/json/);
    const refusal = (await late.json()) as { error: { code: string; message: string } };
    assert.equal(refusal.error.code, "TW6008");
    assert.match(refusal.error.message, /^TW6008 thwonkd is stopping, so this request was not handled/);
    const page = await fetch(`http://127.0.0.1:${d.ports.http}/unsubscribe/x`);
    assert.equal(page.status, 503);
    assert.equal(page.headers.get("retry-after"), "5");
    assert.match(await page.text(), /^TW6008 thwonkd is stopping/);
    socket.write(body.slice(5));
    await closed;
    assert.match(answer, /^HTTP\/1\.1 200 /, answer);
    assert.equal(await exited, 0, d.stderr().slice(-2000));
    assert.doesNotMatch(d.stderr(), /"level":50/, "nothing failed");
    const members = readStore(ws.data, (db) => (db.prepare("SELECT member FROM members WHERE address = ?").all(list) as { member: string }[]).map((r) => r.member));
    assert.deepEqual(members, ["zed@example.org"]);
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
