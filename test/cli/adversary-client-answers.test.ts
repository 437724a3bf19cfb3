/**
 * The adversary of thwonkc's client commands (cli/client/): answers that are
 * not thwonkd's (JSON of another shape, an error body that is not one, a
 * connection that breaks mid-answer) from a fake server on real HTTP, and
 * tokens and server URLs that fetch would refuse; then every command's exit
 * code against a real thwonkd for success, a wrong token, an unknown list
 * or run, and a refused request. No input may end a command with 70.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BufferStream } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { startDaemon, workspace, type Running } from "../daemon/helpers.js";

async function cli(cwd: string, env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new BufferStream();
  const err = new BufferStream();
  const code = await main(args, { cwd, env, stdout: out, stderr: err });
  return { code, out: out.text(), err: err.text() };
}

const dir = mkdtempSync(join(tmpdir(), "thwonkc-adversary-"));
writeFileSync(join(dir, "r.thwonk"), "rule r\n\non message(m: Message) {\n}\n");
writeFileSync(join(dir, "members.txt"), "ann@example.org\n");

/** Every client command, as a user would type it (without --server and --token). */
const COMMANDS: string[][] = [
  ["deploy", "r.thwonk", "--address", "r@example.org"],
  ["members", "list", "r@example.org"],
  ["members", "add", "r@example.org", "bob@example.org"],
  ["members", "remove", "r@example.org", "bob@example.org"],
  ["members", "import", "r@example.org", "members.txt"],
  ["state", "r@example.org"],
  ["runs"],
  ["runs", "r@example.org"],
  ["runs", "7"],
  ["runs", "r@example.org", "--failed"],
  ["replay", "7"],
  ["held", "r@example.org"],
  ["held", "7"],
  ["approve", "7"],
  ["reject", "7"],
];

type Answer = { status: number; body: string } | "break";
let answer: Answer = "break";
let fake: Server;
let fakeUrl: string;

before(async () => {
  fake = createServer((req, res) => {
    req.resume();
    if (answer === "break") {
      // Headers and the start of the body, then the connection goes.
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"members":[');
      setTimeout(() => res.socket?.destroy(), 10);
      return;
    }
    res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
  });
  await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
});

after(() => {
  fake.closeAllConnections();
  fake.close();
});

test("a 200 whose JSON is not thwonkd's answer: exit 3 with what came, never 70, for every command and with --json", async () => {
  const bodies = [
    "null",
    "{}",
    "[]",
    "42",
    '"text"',
    '{"addresses":[{}],"runs":[{}],"messages":[{}],"members":[{}],"held":[{}],"replayed":1,"answer":{},"run":{}}',
    '{"addresses":[null],"runs":[null],"messages":[null],"members":[null],"held":[null],"answer":null}',
    '{"ok":true,"addresses":5,"problems":[],"version":1,"members":5,"runs":5,"messages":5,"held":5}',
    // Right but for a time Date cannot print.
    '{"runs":[{"id":1,"now":1e300,"address":"r@example.org","trigger":"message","outcome":"ok","gasUsed":1,"gasBound":2,"replayOf":null,"error":null,"bundleHash":"h","messageId":null,"actionCount":0}]}',
  ];
  for (const body of bodies) {
    answer = { status: 200, body };
    for (const args of COMMANDS) {
      for (const json of [[], ["--json"]]) {
        const r = await cli(dir, {}, ...args, ...json, "--server", fakeUrl, "--token", "t");
        assert.equal(r.code, 3, `${args.join(" ")} ${json.join("")} on ${body}: ${r.err}`);
        assert.match(r.err, /is not thwonkd's answer to it/, `${args.join(" ")} on ${body}`);
      }
    }
  }
});

test("a refusal whose body is not `{ error: { message } }`: exit 1 (4xx) or 3 (5xx) with its status, never 70", async () => {
  for (const [status, body] of [
    [404, "null"],
    [401, '"no"'],
    [409, '{"error":5}'],
    [422, '{"error":{}}'],
    [400, '{"error":{"message":"x"},"result":{"addresses":5}}'],
    [409, '{"error":{"message":"refused"},"result":{"ok":false,"addresses":[{"address":"r@example.org"}],"problems":[]}}'],
    [500, "[]"],
    [502, "{}"],
  ] as const) {
    answer = { status, body };
    for (const args of COMMANDS) {
      const r = await cli(dir, {}, ...args, "--server", fakeUrl, "--token", "t");
      assert.equal(r.code, status >= 500 ? 3 : 1, `${args.join(" ")} on ${status} ${body}: ${r.err}`);
      assert.match(r.err, /the server refused: (HTTP \d{3}|x|refused)/);
    }
  }
});

test("a connection that breaks in the middle of the answer: exit 3, try again", async () => {
  answer = "break";
  for (const args of COMMANDS) {
    const r = await cli(dir, {}, ...args, "--server", fakeUrl, "--token", "t");
    assert.equal(r.code, 3, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, /the connection broke before the whole answer came/);
  }
});

test("a token fetch could not send, or a server URL it could not parse: exit 2 saying which, not 'cannot reach the server'", async () => {
  answer = { status: 200, body: '{"address":"r@example.org","state":null,"hash":null}' };
  for (const token of ["abc\ndef", "a b", "tökén", "€uro", "a\u0000b"]) {
    for (const env of [{}, { THWONK_TOKEN: token }] as Record<string, string>[]) {
      const r = await cli(dir, env, "state", "r@example.org", "--server", fakeUrl, ...("THWONK_TOKEN" in env ? [] : ["--token", token]));
      assert.equal(r.code, 2, `${JSON.stringify(token)}: ${r.err}`);
      assert.match(r.err, /the token has a character no token has/);
    }
  }
  for (const server of ["http://127.0.0.1:99999", "http://[::1", "http://a b"]) {
    const r = await cli(dir, {}, "state", "r@example.org", "--server", server, "--token", "t");
    assert.equal(r.code, 2, `${server}: ${r.err}`);
    assert.match(r.err, /--server must be the API's base URL/);
  }
  // White space around a token (a CRLF file read with $(cat ...)) is not part of it.
  const crlf = await cli(dir, { THWONK_TOKEN: "t\r\n" }, "state", "r@example.org", "--server", fakeUrl);
  assert.equal(crlf.code, 0, crlf.err);
});

let ws: ReturnType<typeof workspace>;
let d: Running;
let token: string;

test("against a real thwonkd: each command's exit code for success (0), a wrong token (1), an unknown list or run (1), a refused request (1)", async (t) => {
  ws = workspace({ r: { source: "rule r\n\nlimits { members: 2 }\n\non message(m: Message) {\n  send(to: members, subject: m.subject, text: m.text)\n}\n", members: ["ann@example.org"] } });
  d = await startDaemon(ws);
  t.after(async () => assert.equal(await d.stop(), 0));
  token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const server = `http://127.0.0.1:${d.ports.http}`;
  writeFileSync(join(ws.dir, "r.thwonk"), readFileSync(join(ws.rules, "r", "r.thwonk")));
  writeFileSync(join(ws.dir, "members.txt"), "ann@example.org\n");
  const run = (...args: string[]) => cli(ws.dir, {}, ...args, "--server", server, "--token", token);

  for (const args of [
    ["deploy", "r.thwonk", "--address", "r@example.org"],
    ["members", "list", "r@example.org"],
    ["members", "add", "r@example.org", "Bob <bob@example.org>"],
    ["members", "remove", "r@example.org", "BOB@example.org"],
    ["members", "import", "r@example.org", "members.txt"],
    ["state", "r@example.org"],
    ["runs"],
    ["runs", "r@example.org"],
    ["runs", "r@example.org", "--failed"],
    ["held", "r@example.org"],
  ]) {
    const ok = await run(...args);
    assert.equal(ok.code, 0, `${args.join(" ")}: ${ok.err}`);
    assert.equal(ok.err, "");
    const json = await run(...args, "--json");
    assert.equal(json.code, 0);
    JSON.parse(json.out);
    const wrong = await cli(ws.dir, {}, ...args, "--server", server, "--token", "0".repeat(64));
    assert.equal(wrong.code, 1, `${args.join(" ")} with a wrong token`);
    assert.match(wrong.err, /TW6020 The token is not valid/);
  }
  for (const args of [["members", "list", "nope@example.org"], ["state", "nope@example.org"], ["runs", "nope@example.org"], ["runs", "nope@example.org", "--failed"], ["held", "nope@example.org"]]) {
    const r = await run(...args);
    assert.equal(r.code, 1, args.join(" "));
    assert.match(r.err, /TW6015 No list is deployed at nope@example\.org/);
  }
  for (const [args, message] of [
    [["runs", "99999999999999999999"], /TW6024 There is no run 99999999999999999999/],
    [["replay", "99999999999999999999"], /TW6024 There is no run/],
    [["held", "99999999999999999999"], /TW6150 There is no held message/],
    [["approve", "0"], /TW6150/],
    [["members", "add", "r@example.org", "not an address"], /TW6017 "not an address" is not an e-mail address/],
    [["members", "add", "r@example.org", "b@example.org", "c@example.org"], /TW6014 r@example\.org would have 3 members, over its rule's limit of 2/],
    [["members", "add", "r@example.org", "b@example.org", "--role", "king"], /TW6021 .*role must be/],
  ] as const) {
    const r = await run(...args);
    assert.equal(r.code, 1, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, message);
  }
});

test("a server that redirects (an http to https proxy): exit 2 naming where, and nothing sent there, neither the rule nor the token", async () => {
  const seen: string[] = [];
  const target = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? "no token"}`);
    req.resume();
    res.writeHead(200, { "content-type": "application/json" }).end('{"address":"r@example.org","state":null,"hash":null}');
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  const there = `http://localhost:${(target.address() as AddressInfo).port}`;
  let hits = 0;
  const proxy = createServer((req, res) => {
    req.resume();
    res.writeHead([301, 302, 307, 308][hits++ % 4]!, { location: `${there}${req.url}` }).end();
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const server = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  try {
    for (const args of COMMANDS) {
      const r = await cli(dir, {}, ...args, "--server", server, "--token", "t");
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, new RegExp(`redirects [A-Z]+ /v1/\\S+ to ${there.replace(/[.]/g, "\\.")}/v1/.*give the API's own URL with --server \\(${there.replace(/[.]/g, "\\.")}\\?\\)`));
    }
    assert.deepEqual(seen, []);
  } finally {
    target.close();
    proxy.close();
  }
});
