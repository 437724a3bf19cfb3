/**
 * The failed messages and scheduled runs of a removed list in GET /v1/failed and `thwonkc runs --failed`, on a real
 * thwonkd (SMTP in, its test clock, the CLI as a process, a restart). The defect: every list's failed listing showed
 * a removed list's failures among the others, each offering a replay that is refused (TW6047). Now they are left out,
 * shown with `?removed=1` / `--removed` and marked `listRemoved`; a list deployed at the address since is another list,
 * whose failures are listed as any; the list's own route keeps its history, marked.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { cliIn, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const RULE = `rule boom

limits { members: 20 }

state { n: int = 0 }

on message(m: Message) {
  if m.subject == "boom" {
    let z = state.n - state.n
    state.n = 1 / z
  }
  send(to: members, subject: m.subject, text: m.text)
}

every hour {
  let z = state.n - state.n
  state.n = 1 / z
}
`;
const A = "alpha@example.org";
const B = "beta@example.org";

let ws: ReturnType<typeof workspace>;
let d: Running;
let clock: string;
const api = (): string => `http://127.0.0.1:${d.ports.http}`;
const token = (): string => readFileSync(join(ws.data, "admin.token"), "utf8").trim();
const server = (): string[] => ["--server", api(), "--token", token()];

before(async () => {
  ws = workspace({});
  mkdirSync(ws.rules, { recursive: true });
  clock = join(ws.dir, "clock");
  writeFileSync(clock, "2026-11-25T10:30:00Z");
  d = await startDaemon(ws, { env: { THWONKD_TEST_CLOCK_FILE: clock } });
});

after(async () => {
  await d?.stop();
  rmSync(ws.dir, { recursive: true, force: true });
});

type Failed = { messages: { id: number; address: string; runId: number; listRemoved?: boolean }[]; more: boolean; next: number | null; schedules: { runs: { id: number; address: string; listRemoved?: boolean }[] } };

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${api()}/v1/${path}`, {
    method,
    headers: { authorization: `Bearer ${token()}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const failed = async (path: string): Promise<Failed> => {
  const r = await call("GET", path);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json as unknown as Failed;
};

async function deploy(address: string): Promise<void> {
  const r = await call("POST", "deploy", { source: RULE, fileName: "boom.thwonk", addresses: [address] });
  assert.equal(r.status, 200, JSON.stringify(r.json));
}

async function boom(to: string): Promise<number> {
  const client = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    const info = await client.sendMail({ from: "ann@example.net", to, subject: "boom", text: "x" });
    assert.match(info.response, /^250 /);
  } finally {
    client.close();
  }
  return readStore(ws.data, (db) => (db.prepare("SELECT MAX(id) AS id FROM messages WHERE address = ?").get(to) as { id: number }).id);
}

const failedSchedules = (address: string): number[] =>
  readStore(ws.data, (db) => (db.prepare("SELECT id FROM runs WHERE address = ? AND outcome = 'failed' AND message_id IS NULL ORDER BY id").all(address) as { id: number }[]).map((r) => r.id));
const shown = (f: Failed): string[] => [
  ...f.messages.map((m) => `${m.id} ${m.address}${m.listRemoved ? " removed" : ""}`),
  ...f.schedules.runs.map((r) => `run ${r.id} ${r.address}${r.listRemoved ? " removed" : ""}`),
];

let a1 = 0;
let b1 = 0;
let a2 = 0;
let sA = 0;
let sB = 0;

test("a removed list's failures are left out of every list's failed listing, shown with removed=1, marked", async () => {
  await deploy(A);
  await deploy(B);
  a1 = await boom(A);
  b1 = await boom(B);
  writeFileSync(clock, "2026-11-25T11:00:05Z");
  await until("both lists' 11:00 runs failed", () => (failedSchedules(A).length && failedSchedules(B).length ? true : undefined));
  [sA] = failedSchedules(A);
  [sB] = failedSchedules(B);
  const removal = await call("DELETE", `lists/${A}`);
  assert.equal(removal.status, 200, JSON.stringify(removal.json));
  // A list deployed at the address since is another list: its failures are listed as any list's.
  await deploy(A);
  a2 = await boom(A);

  const all = await failed("failed");
  assert.deepEqual(shown(all), [`${b1} ${B}`, `${a2} ${A}`, `run ${sB} ${B}`]);
  // Paged within what is shown: the removed list's message takes no place in a page.
  const first = await failed("failed?limit=1");
  assert.deepEqual([first.messages.map((m) => m.id), first.more], [[b1], true]);
  const second = await failed(`failed?limit=1&after=${first.next}`);
  assert.deepEqual([second.messages.map((m) => m.id), second.more], [[a2], false]);

  const withRemoved = await failed("failed?removed=1");
  assert.deepEqual(shown(withRemoved), [`${a1} ${A} removed`, `${b1} ${B}`, `${a2} ${A}`, `run ${sA} ${A} removed`, `run ${sB} ${B}`]);
  assert.deepEqual(shown(await failed("failed?removed=true")), shown(withRemoved));
  // The list's own route is its history: both lists at the address, the removed one's marked.
  assert.deepEqual(shown(await failed(`lists/${A}/failed`)), [`${a1} ${A} removed`, `${a2} ${A}`, `run ${sA} ${A} removed`]);
  // Why they are apart: a replay of the removed list's is refused.
  const old = withRemoved.messages.find((m) => m.id === a1)!;
  const replay = await call("POST", `runs/${old.runId}/replay`);
  assert.equal(replay.status, 409);
  assert.equal((replay.json["error"] as { code: string }).code, "TW6047");
});

test("thwonkc runs --failed leaves them out; --removed shows them, marked; --removed alone is a usage error", async () => {
  const plain = await cliIn(ws.dir, ["runs", "--failed", ...server()]);
  assert.equal(plain.code, 0, plain.err);
  assert.doesNotMatch(plain.out, new RegExp(`message #${a1} `));
  assert.match(plain.out, new RegExp(`message #${b1} `));
  assert.match(plain.out, new RegExp(`message #${a2} `));
  assert.match(plain.out, /^2 failed messages;/m);
  assert.doesNotMatch(plain.out, new RegExp(`run #${sA} `));
  assert.doesNotMatch(plain.out, /removed/);

  const removed = await cliIn(ws.dir, ["runs", "--failed", "--removed", ...server()]);
  assert.equal(removed.code, 0, removed.err);
  assert.match(removed.out, new RegExp(`message #${a1} .*alpha@example\\.org.*\\(its list was removed: not replayable\\)`));
  assert.match(removed.out, new RegExp(`run #${sA} .*\\(its list was removed: not replayable\\)`));
  assert.doesNotMatch(removed.out, new RegExp(`message #${a2} .*removed`));
  assert.match(removed.out, /^3 failed messages;/m);

  const json = JSON.parse((await cliIn(ws.dir, ["runs", "--failed", "--removed", "--json", ...server()])).out) as Failed;
  assert.deepEqual(json.messages.map((m) => m.listRemoved ?? false), [true, false, false]);

  const alone = await cliIn(ws.dir, ["runs", "--removed", ...server()]);
  assert.equal(alone.code, 2);
  assert.match(alone.err, /--removed goes with --failed/);
});

test("after a restart the same: the removed list's messages are known from the store", async () => {
  assert.equal(await d.stop(), 0);
  d = await startDaemon(ws, { env: { THWONKD_TEST_CLOCK_FILE: clock } });
  assert.deepEqual(shown(await failed("failed")), [`${b1} ${B}`, `${a2} ${A}`, `run ${sB} ${B}`]);
  assert.deepEqual(shown(await failed("failed?removed=1")).filter((l) => l.endsWith("removed")), [`${a1} ${A} removed`, `run ${sA} ${A} removed`]);
});
