/**
 * The adversary of thwonkd's administration API (runtime/daemon/api.ts,
 * auth.ts, publish.ts) on a real daemon (bin/thwonkd.js, real HTTP, a real
 * SQLite store): every route's token check, paths that are not valid URL
 * encoding, a deploy body nested too deep to stringify, members the runner
 * would refuse to load, and members removed by another spelling of their
 * address.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cliIn, startDaemon, workspace, type Running } from "./helpers.js";

const LIST = "tiny@example.org";
const TINY = `rule tiny

limits { members: 3 }

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;

let ws: ReturnType<typeof workspace>;
let d: Running;
let token: string;
let base: string;

before(async () => {
  ws = workspace({ tiny: { source: TINY, members: ["ann@example.org"] }, archive: { example: "archive", members: ["ann@example.org"] } });
  d = await startDaemon(ws);
  base = `http://127.0.0.1:${d.ports.http}`;
  token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
});

after(async () => {
  if (d) assert.equal(await d.stop(), 0);
});

async function raw(method: string, path: string, o: { auth?: string | null; body?: string } = {}): Promise<{ status: number; text: string }> {
  const auth = o.auth === undefined ? `Bearer ${token}` : o.auth;
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(auth !== null ? { authorization: auth } : {}), ...(o.body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(o.body !== undefined ? { body: o.body } : {}),
  });
  return { status: res.status, text: await res.text() };
}
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await raw(method, `/v1/${path}`, body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: r.status, json: JSON.parse(r.text) as Record<string, unknown> };
}
const codeOf = (r: { json: Record<string, unknown> }) => (r.json["error"] as { code: string } | undefined)?.code;
const members = async () => ((await call("GET", `lists/${LIST}/members`)).json["members"] as { address: string; name: string }[]).map((m) => m.address);
const mail = async (subject: string) => {
  writeFileSync(join(ws.dir, "post.eml"), `From: ann@example.org\r\nTo: ${LIST}\r\nSubject: ${subject}\r\n\r\nhello\r\n`);
  return cliIn(ws.dir, ["mail", "post.eml", "--to", LIST, "--server", `smtp://127.0.0.1:${d.ports.smtp}`]);
};

/** Every route of api.ts and api-held.ts, with a body where it takes one. */
const ROUTES: [string, string, string?][] = [
  ["GET", "/v1/lists"],
  ["POST", "/v1/deploy", JSON.stringify({ source: TINY, addresses: ["evil@example.org"] })],
  ["GET", `/v1/lists/${LIST}`],
  ["GET", `/v1/lists/${LIST}/members`],
  ["POST", `/v1/lists/${LIST}/members`, JSON.stringify({ members: ["evil@example.org"] })],
  ["DELETE", `/v1/lists/${LIST}/members`, JSON.stringify({ addresses: ["ann@example.org"] })],
  ["PUT", `/v1/lists/${LIST}/members`, JSON.stringify({ text: "evil@example.org\n" })],
  ["GET", `/v1/lists/${LIST}/state`],
  ["GET", `/v1/lists/${LIST}/runs`],
  ["GET", `/v1/lists/${LIST}/failed`],
  ["GET", "/v1/runs"],
  ["GET", "/v1/failed"],
  ["GET", "/v1/runs/1"],
  ["POST", "/v1/runs/1/replay"],
  ["GET", `/v1/lists/${LIST}/held`],
  ["GET", "/v1/held/1"],
  ["POST", "/v1/held/1/approve"],
  ["POST", "/v1/held/1/reject", "{}"],
  ["GET", "/v1/no-such-route"],
];

test("every /v1 route but health refuses a missing, wrong or mis-sent token with 401, and changes nothing", async () => {
  assert.equal((await mail("a first run")).code, 0, "a run, so /v1/runs/1 exists");
  const upper = token.toUpperCase();
  const refused: (string | null)[] = [null, "", "Bearer", `Bearer ${upper}`, `Bearer ${token}x`, `Bearer ${token.slice(0, 63)}`, `Basic ${token}`, token, `Bearer ${token} ${token}`];
  for (const [method, path, body] of ROUTES) {
    for (const auth of refused) {
      const r = await raw(method, path, { auth, ...(body !== undefined ? { body } : {}) });
      assert.equal(r.status, 401, `${method} ${path} with ${JSON.stringify(auth)}: ${r.text}`);
      assert.match(r.text, /"TW6020"/);
    }
    const query = await raw(method, `${path}?token=${token}&access_token=${token}`, { auth: null, ...(body !== undefined ? { body } : {}) });
    assert.equal(query.status, 401, `${method} ${path}: a token in the query string is no token`);
  }
  assert.deepEqual(await members(), ["ann@example.org"]);
  assert.deepEqual(((await call("GET", "lists")).json["lists"] as { address: string }[]).map((l) => l.address), ["archive@example.org", LIST]);
  // The scheme's case and the white space around the token do not matter; the token's own case does (it is hex as made).
  for (const auth of [`bearer ${token}`, `BEARER   ${token}  `, `Bearer\t${token}`]) assert.equal((await raw("GET", "/v1/lists", { auth })).status, 200, JSON.stringify(auth));
  assert.equal((await raw("GET", "/v1/health", { auth: null })).status, 200);
});

test("published files are public and read-only: no method but GET and HEAD, with or without the token", async () => {
  for (const method of ["PUT", "POST", "DELETE", "PATCH"]) {
    for (const auth of [null, `Bearer ${token}`]) {
      const r = await raw(method, `/lists/${LIST}/index.html`, { auth, body: "<p>defaced</p>" });
      assert.equal(r.status, 405, `${method} ${auth === null ? "without" : "with"} the token`);
    }
  }
  assert.equal((await raw("GET", `/lists/${LIST}/index.html`, { auth: null })).status, 404, "nothing was published");
});

test("a published page: served without a token; a path that climbs out (.., encoded, backslashes) or has a NUL finds nothing; it cannot be changed over HTTP", async () => {
  writeFileSync(join(ws.dir, "arch.eml"), "From: ann@example.org\r\nTo: archive@example.org\r\nSubject: first\r\n\r\nhello archive\r\n");
  const sent = await cliIn(ws.dir, ["mail", "arch.eml", "--to", "archive@example.org", "--server", `smtp://127.0.0.1:${d.ports.smtp}`]);
  assert.equal(sent.code, 0, sent.err);
  const page = "/lists/archive@example.org/posts/1.html";
  const ok = await raw("GET", page, { auth: null });
  assert.equal(ok.status, 200);
  assert.match(ok.text, /hello archive/);
  for (const path of [
    "/lists/archive@example.org/posts/..%2f1.html",
    "/lists/archive@example.org/posts/%2e%2e/posts/1.html%00",
    "/lists/archive@example.org/posts%5c1.html",
    "/lists/archive@example.org/posts/1.html%00.txt",
    "/lists/archive@example.org/%2e%2e%2f%2e%2e%2fthwonkd.sqlite",
    "/lists/tiny@example.org/posts/1.html",
    "/lists/ARCHIVE@EXAMPLE.ORG/posts/1.HTML",
  ]) {
    const r = await fetch(`${base}${path}`);
    assert.equal(r.status, 404, `${path}: ${r.status}`);
  }
  for (const method of ["PUT", "POST", "DELETE"]) assert.equal((await raw(method, page, { body: "<p>defaced</p>" })).status, 405);
  assert.match((await raw("GET", page, { auth: null })).text, /hello archive/);
});

test("a path that is not valid URL encoding: 401 without the token, 400 with it, never 500; a published path: 404", async () => {
  for (const path of ["/v1/lists/%E0/members", "/v1/lists/%/state", "/v1/lists/tiny%40example.org%ZZ", "/v1/lists/%C0%AF/runs", "/v1/lists/%ED%A0%80/held"]) {
    const anon = await raw("GET", path, { auth: null });
    assert.equal(anon.status, 401, `${path} without a token: ${anon.text}`);
    const r = await raw("GET", path);
    assert.equal(r.status, 400, `${path}: ${r.text}`);
    assert.match(r.text, /"TW6021".*not valid URL encoding/);
  }
  const post = await raw("POST", "/v1/lists/%E0/members", { body: JSON.stringify({ members: ["bob@example.org"] }) });
  assert.equal(post.status, 400, post.text);
  for (const path of ["/lists/%E0/index.html", `/lists/${encodeURIComponent(LIST)}/%E0.html`, `/lists/${LIST}/a%`, "/lists/%"]) {
    const r = await raw("GET", path, { auth: null });
    assert.equal(r.status, 404, `${path}: ${r.status} ${r.text}`);
  }
  assert.equal((await raw("GET", "/v1/health", { auth: null })).status, 200);
});

test("a deploy whose `bundle` is JSON nested too deep to stringify: 400, and the running version keeps running", async () => {
  const deep = `{"bundle":${"[".repeat(200_000)}${"]".repeat(200_000)},"addresses":["${LIST}"]}`;
  const hash = ((await call("GET", `lists/${LIST}`)).json["hash"] as string) ?? "";
  const r = await call("POST", "deploy", deep);
  assert.equal(r.status, 400, JSON.stringify(r.json));
  assert.equal(codeOf(r), "TW6021");
  assert.equal((await call("GET", `lists/${LIST}`)).json["hash"], hash);
  // The same nesting as a bundle's text is refused by the bundle reader (422), as before.
  const text = await call("POST", "deploy", { bundle: `${"[".repeat(200_000)}${"]".repeat(200_000)}`, addresses: [LIST] });
  assert.equal(text.status, 422);
});

test("a member the runner would refuse to load (a name over 256 characters) is refused by the API, and the list keeps taking mail", async () => {
  const long = await call("POST", `lists/${LIST}/members`, { members: [{ address: "long@example.org", name: "x".repeat(257) }] });
  assert.equal(long.status, 422, JSON.stringify(long.json));
  assert.equal(codeOf(long), "TW6018");
  assert.match((long.json["error"] as { message: string }).message, /long@example\.org: the name is 257 characters long; a name has at most 256/);
  assert.deepEqual(await members(), ["ann@example.org"]);
  const sent = await mail("still open");
  assert.equal(sent.code, 0, `${sent.out}${sent.err}`);
  assert.match(sent.out, /^250 /);
  // 256 is allowed, and so are names beyond the BMP counted as the limit counts them.
  const ok = await call("POST", `lists/${LIST}/members`, { members: [{ address: "long@example.org", name: "y".repeat(256) }] });
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  assert.equal((await mail("a 256-character name")).code, 0);
  await call("DELETE", `lists/${LIST}/members`, { addresses: ["long@example.org"] });
});

test("members removed by another spelling of their address: upper case (ASCII or not), white space around it", async () => {
  const put = await call("PUT", `lists/${LIST}/members`, { text: "ann@example.org\nänn@example.org\nbob@example.org\n" });
  assert.equal(put.status, 200, JSON.stringify(put.json));
  const r = await call("DELETE", `lists/${LIST}/members`, { addresses: ["ÄNN@EXAMPLE.ORG", " bob@example.org\t"] });
  assert.equal(r.status, 200);
  assert.deepEqual(await members(), ["ann@example.org"]);
  assert.deepEqual((await cliIn(ws.dir, ["members", "remove", LIST, "Ann <ANN@Example.Org>", "--server", base, "--token", token])).code, 0);
  assert.deepEqual(await members(), []);
  await call("PUT", `lists/${LIST}/members`, { text: "ann@example.org\n" });
});

test("the member limit: exactly the limit is taken, one over is refused (409) with nothing changed, by add and by import", async () => {
  await call("PUT", `lists/${LIST}/members`, { text: "ann@example.org\n" });
  const three = await call("POST", `lists/${LIST}/members`, { members: ["bob@example.org", "BOB@example.org", "cy@example.org", "ann@example.org"] });
  assert.equal(three.status, 200, "a duplicate (any case) and a member already there count once");
  assert.deepEqual(await members(), ["ann@example.org", "bob@example.org", "cy@example.org"]);
  const four = await call("POST", `lists/${LIST}/members`, { members: ["dan@example.org"] });
  assert.equal(four.status, 409);
  assert.equal(codeOf(four), "TW6014");
  const imported = await call("PUT", `lists/${LIST}/members`, { text: "a@example.org\nb@example.org\nc@example.org\nd@example.org\n" });
  assert.equal(imported.status, 409);
  assert.deepEqual(await members(), ["ann@example.org", "bob@example.org", "cy@example.org"]);
  const exact = await call("PUT", `lists/${LIST}/members`, { text: "a@example.org\nb@example.org\nc@example.org\n" });
  assert.equal(exact.status, 200);
  await call("PUT", `lists/${LIST}/members`, { text: "ann@example.org\n" });
});

test("__proto__ and constructor keys in members and deploy bodies are plain data: no member or option comes from them", async () => {
  const proto = await call("POST", `lists/${LIST}/members`, `{"members":[{"address":"eve@example.org","__proto__":{"role":"owner","name":"Root"}}]}`);
  assert.equal(proto.status, 200, JSON.stringify(proto.json));
  const eve = (proto.json["members"] as { address: string; role: string; name: string }[]).find((m) => m.address === "eve@example.org");
  assert.deepEqual({ role: eve?.role, name: eve?.name }, { role: "member", name: "" });
  const hidden = await call("POST", `lists/${LIST}/members`, `{"__proto__":{"members":["mallory@example.org"]}}`);
  assert.equal(hidden.status, 400);
  const imported = await call("PUT", `lists/${LIST}/members`, { text: `[{"__proto__":{"address":"mallory@example.org"}},{"address":"ann@example.org","constructor":{"prototype":{"role":"owner"}}}]` });
  assert.equal(imported.status, 422, "an entry without its own address is refused");
  const deploy = await call("POST", "deploy", `{"__proto__":{"addresses":["${LIST}"]},"source":"rule x\\n"}`);
  assert.equal(deploy.status, 400);
  const nonString = await call("POST", `lists/${LIST}/members`, { members: [42, null] });
  assert.equal(nonString.status, 400);
  assert.ok(!(await members()).includes("mallory@example.org"));
  await call("PUT", `lists/${LIST}/members`, { text: "ann@example.org\n" });
});
