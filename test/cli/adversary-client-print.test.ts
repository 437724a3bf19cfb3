/**
 * The adversary of what thwonkc prints from a server's answers: a stranger
 * who subscribes by mail to a real thwonkd (the subscribe example) with a
 * From name holding C1 controls (U+009B is a CSI: it clears or rewrites the
 * screen on terminals that take 8-bit controls) and a bidirectional
 * override, and answers (state, runs, failed messages, refusals) carrying
 * them from a fake server. None reaches the admin's terminal as it is.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { cliIn, startDaemon, until, workspace, type Running } from "../daemon/helpers.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const EVIL = "Eve\u009b2J\u009b1;1H\u202Egro.elpmaxe@nimda\u202C\u0085";

let ws: ReturnType<typeof workspace>;
let d: Running;
let token: string;
let fake: Server;
let fakeBody = "";
let fakeStatus = 200;

before(async () => {
  ws = workspace({ talk: { example: "subscribe", members: ["ann@example.org"] } });
  d = await startDaemon(ws);
  token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  fake = createServer((req, res) => {
    req.resume();
    res.writeHead(fakeStatus, { "content-type": "application/json" }).end(fakeBody);
  });
  await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
});

after(async () => {
  fake.closeAllConnections();
  fake.close();
  if (d) assert.equal(await d.stop(), 0);
});

const admin = (server: string, ...args: string[]) => cliIn(ws.dir, [...args, "--server", server, "--token", token]);

test("a member's name from a stranger's From header: members list shows it without its controls and overrides, --json escapes them", async () => {
  const name = `=?utf-8?b?${Buffer.from(EVIL).toString("base64")}?=`;
  writeFileSync(join(ws.dir, "sub.eml"), `From: ${name} <eve@example.org>\r\nTo: talk-request@example.org\r\nSubject: subscribe\r\n\r\n\r\n`);
  const sent = await cliIn(ws.dir, ["mail", "sub.eml", "--to", "talk-request@example.org", "--server", `smtp://127.0.0.1:${d.ports.smtp}`]);
  assert.equal(sent.code, 0, sent.err);
  const api = `http://127.0.0.1:${d.ports.http}`;
  const stored = await until("eve subscribed", async () => {
    const r = await admin(api, "members", "list", "talk@example.org", "--json");
    const m = (JSON.parse(r.out) as { members: { address: string; name: string }[] }).members.find((x) => x.address === "eve@example.org");
    return m;
  });
  assert.ok(UNSAFE.test(stored.name), "the store keeps the name as the rule gave it (the attack is real)");
  const list = await admin(api, "members", "list", "talk@example.org");
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /Eve 2J 1;1H gro\.elpmaxe@nimda <eve@example\.org>/);
  assert.doesNotMatch(list.out, UNSAFE);
  const json = await admin(api, "members", "list", "talk@example.org", "--json");
  assert.doesNotMatch(json.out, UNSAFE);
  assert.match(json.out, /\\u009b2J/);
  assert.equal((JSON.parse(json.out) as { members: { name: string }[] }).members.find((m) => m.name.startsWith("Eve"))?.name, stored.name, "the same JSON");
});

test("state, runs, failed messages, replay answers and refusals from a server: printed without controls or overrides", async () => {
  const server = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  const run = {
    id: 7,
    now: 0,
    address: `list${EVIL}@example.org`,
    trigger: `message${EVIL}`,
    outcome: "failed",
    gasUsed: 1,
    gasBound: 2,
    replayOf: null,
    error: { code: "TW5010", message: `divided ${EVIL}`, line: 3, column: 1 },
    bundleHash: `h${EVIL}`,
    messageId: 1,
    actions: [{ kind: "send", to: [`x${EVIL}@example.org`], at: { line: 1 }, subject: `s${EVIL}`, [`k${EVIL}`]: 1 }],
    actionCount: 1,
  };
  const cases: [string[], number, unknown][] = [
    [["state", "talk@example.org"], 200, { address: "talk@example.org", state: { note: EVIL, [EVIL]: [EVIL] }, hash: null }],
    [["runs", "talk@example.org"], 200, { runs: [run] }],
    [["runs", "7"], 200, run],
    [["runs", "talk@example.org", "--failed"], 200, { messages: [{ id: 1, address: `l${EVIL}`, mailFrom: `m${EVIL}@example.org`, receivedAt: 0, runId: 7, error: run.error }] }],
    [["replay", "7"], 200, { replayed: 7, answer: { code: 250, message: `ok ${EVIL}` }, run }],
    [["members", "list", "talk@example.org"], 200, { version: 1, members: [{ address: `a${EVIL}@example.org`, name: EVIL, role: `owner${EVIL}` }] }],
    [["state", "talk@example.org"], 409, { error: { code: "TW6016", message: `refused ${EVIL}` } }],
    [["state", "talk@example.org"], 200, `not json ${EVIL}`],
  ];
  for (const [args, status, body] of cases) {
    fakeStatus = status;
    fakeBody = typeof body === "string" ? body : JSON.stringify(body);
    for (const json of [[], ["--json"]]) {
      const r = await admin(server, ...args, ...json);
      assert.notEqual(r.code, 70, r.err);
      assert.doesNotMatch(r.out, UNSAFE, `${args.join(" ")} ${json.join("")}: stdout`);
      assert.doesNotMatch(r.err, UNSAFE, `${args.join(" ")} ${json.join("")}: stderr`);
      assert.ok(r.out.length + r.err.length > 0);
    }
  }
});
