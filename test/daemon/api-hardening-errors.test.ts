/**
 * The API's answers to what is not the client's to fix or know (api.ts), on
 * a daemon in this process with its API on real HTTP: a fault of the
 * server's own is 500 with an id its log line carries, never the error's
 * text; a route's path with a method it does not take is 405 with `Allow`
 * (TW6031), and a path the API does not have stays 404 (TW6023).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { Writable } from "node:stream";
import pino from "pino";
import { apiHandler } from "../../runtime/daemon/api.js";
import { adminAuthorizer } from "../../runtime/daemon/auth.js";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { createHttp } from "../../runtime/daemon/main.js";
import { listDaemon } from "./helpers.js";

const TOKEN = "api-hardening-errors-token";
const LIST = "plain@example.org";
const RULE = `rule plain

on message(m: Message) {
  log("{m.subject}")
}
`;
/** What a store's failure can say: a path and SQL, which are the server's and not the client's to read. */
const SECRET = "SQLITE_CORRUPT: /srv/thwonk/data/thwonkd.sqlite: SELECT state FROM lists WHERE address = ?";

let daemon: Daemon;
let close: () => Promise<void>;
let http: Server;
let api: string;
/** The log's lines, as JSON. */
const logged: Record<string, unknown>[] = [];

before(async () => {
  const d = await listDaemon({ source: RULE, fileName: "plain.thwonk", addresses: [LIST] });
  daemon = d.daemon;
  close = d.close;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) logged.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level: "info" }, sink);
  http = createHttp([apiHandler({ daemon, authorize: adminAuthorizer(TOKEN), log })], log);
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  api = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1`;
});

after(async () => {
  await new Promise<void>((r) => http.close(() => r()));
  await close();
});

async function call(method: string, path: string, token: string | null = TOKEN): Promise<{ status: number; allow: string | null; json: { error?: { code: string; message: string; id?: string } } }> {
  const res = await fetch(`${api}/${path}`, { method, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const text = await res.text(); // empty for HEAD
  return { status: res.status, allow: res.headers.get("allow"), json: (text ? JSON.parse(text) : {}) as { error?: { code: string; message: string; id?: string } } };
}

test("a fault of the server's own: 500 TW6032 with an id and none of the error's text; the log line has both", async () => {
  const store = daemon.store as { state: typeof daemon.store.state };
  const real = store.state;
  store.state = async () => {
    throw new Error(SECRET);
  };
  try {
    const answers = [await call("GET", `lists/${LIST}/state`), await call("GET", `lists/${LIST}/state`)];
    for (const a of answers) {
      assert.equal(a.status, 500);
      const e = a.json.error!;
      assert.equal(e.code, "TW6032");
      assert.match(e.id ?? "", /^[0-9a-f-]{36}$/, "an id to find the log line by");
      assert.ok(e.message.includes(e.id!), "the message gives the id");
      for (const leak of ["SQLITE", "/srv/", "SELECT", "thwonkd.sqlite"]) assert.ok(!JSON.stringify(a.json).includes(leak), `the answer leaks ${leak}: ${JSON.stringify(a.json)}`);
      const line = logged.find((l) => l["errorId"] === e.id);
      assert.ok(line, `a log line carries ${e.id}`);
      assert.equal(line["level"], 50, "logged as an error");
      assert.match(JSON.stringify(line["err"]), /SQLITE_CORRUPT/, "the log keeps the cause");
    }
    assert.notEqual(answers[0]!.json.error!.id, answers[1]!.json.error!.id, "each failure its own id");
  } finally {
    store.state = real;
  }
  assert.equal((await call("GET", `lists/${LIST}/state`)).status, 200);
});

test("a route's path with a method it does not take: 405 TW6031 with Allow listing the methods it takes", async () => {
  const cases: [method: string, path: string, allow: string][] = [
    ["POST", `lists/${LIST}/state`, "DELETE, GET, PUT"],
    ["GET", "deploy", "POST"],
    ["DELETE", "lists", "GET"],
    ["PATCH", `lists/${LIST}/members`, "DELETE, GET, POST, PUT"],
    ["POST", `lists/${encodeURIComponent(LIST)}/failed`, "GET"],
    ["DELETE", "runs/1", "GET"],
    ["GET", "runs/1/replay", "POST"],
    ["GET", "held/1/approve", "POST"],
    ["DELETE", "held/1", "GET"],
    ["HEAD", "runs", "GET"],
  ];
  for (const [method, path, allow] of cases) {
    const a = await call(method, path);
    assert.equal(a.status, 405, `${method} ${path}: ${JSON.stringify(a.json)}`);
    assert.equal(a.allow, allow, `${method} ${path}`);
    if (method === "HEAD") continue; // no body
    assert.equal(a.json.error?.code, "TW6031", `${method} ${path}`);
    assert.ok(a.json.error?.message.includes(allow), `${method} ${path}: ${a.json.error?.message}`);
  }
  // The same without the token: 401 first, as for any path.
  for (const [method, path] of cases.filter(([m]) => m !== "HEAD")) {
    const a = await call(method, path, null);
    assert.equal(a.status, 401, `${method} ${path}`);
    assert.equal(a.allow, null);
  }
});

test("a path the API does not have is still 404 TW6023, whatever the method, without Allow", async () => {
  for (const [method, path] of [
    ["GET", "nothing"],
    ["POST", `lists/${LIST}/nothing`],
    ["GET", "runs/abc"],
    ["DELETE", "lists/a/b/c"],
  ] as const) {
    const a = await call(method, path);
    assert.equal(a.status, 404, `${method} ${path}`);
    assert.equal(a.json.error?.code, "TW6023");
    assert.equal(a.allow, null);
  }
});
