/**
 * Lists deployed before the address rules of today, at an address a deploy now refuses: one with a zero-width space
 * (the one address rule refuses invisible characters: no recipient finds it, and its runs fail with TW5024) and one
 * over LIST_ADDRESS_MAX as a client writes it (SMTP refuses mail to it). The rows are put in the store as an older
 * thwonkd left them, then a real thwonkd starts on it: its start report names each (TW6044, in the log), the API's
 * list view marks them, the invisible one's schedules are held (no failed run a due time) while the long one's run,
 * and the way out TW6044 gives (a deploy at a new address, members list --json and import, state --json and state
 * set, through thwonkc) moves the list; then `thwonkc lists remove` removes the old one, which a restart no longer
 * installs nor reports.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { compileSource, serializeBundle } from "../../compiler/index.js";
import { LIST_ADDRESS_MAX } from "../../runtime/daemon/smtp.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import { cliIn, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const RULE = `rule pulse

state { n: int = 0 }

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}

every hour {
  state.n = state.n + 1
  send(to: members, subject: "pulse", text: "tick")
}
`;
const INVISIBLE = "pulse\u200b@example.org";
const LONG = `${"a".repeat(LIST_ADDRESS_MAX + 5 - "@example.org".length)}@example.org`;
const FINE = "fine@example.org";
const MOVED = "pulse@example.org";
const DEPLOYED = Date.parse("2026-11-25T10:30:00Z");

let ws: ReturnType<typeof workspace>;
let d: Running;
let api: string;
let token: string;
let clock: string;

before(async () => {
  ws = workspace({});
  mkdirSync(ws.rules, { recursive: true });
  mkdirSync(ws.data, { recursive: true });
  // As an older thwonkd left them: the bundle, the three deployments (each counting its schedule from then), Ann and
  // Bob as members, and state saved by a run.
  const store = openSqliteStore(join(ws.data, "thwonkd.sqlite"));
  const b = compileSource("pulse.thwonk", RULE).bundle!;
  await store.putBundle({ hash: b.sha256, rule: b.manifest.rule, compiler: b.manifest.compiler, source: b.source.text, json: serializeBundle(b), createdAt: DEPLOYED });
  for (const address of [INVISIBLE, LONG, FINE]) {
    await store.deploy(address, b.sha256, DEPLOYED, ["every hour"]);
    await store.changeMembers(address, [
      { op: "add", member: { address: "ann@example.org", name: "Ann", role: "owner", joined: DEPLOYED } },
      { op: "add", member: { address: "bob@example.org", name: "Bob", role: "member", joined: DEPLOYED } },
    ]);
  }
  await store.setState(INVISIBLE, { n: 41 }, b.sha256);
  await store.close();
  clock = join(ws.dir, "clock");
  writeFileSync(clock, "2026-11-25T10:45:00Z");
  d = await startDaemon(ws, { env: { THWONKD_TEST_CLOCK_FILE: clock } });
  api = `http://127.0.0.1:${d.ports.http}`;
  token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
});

after(async () => {
  if (d) assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

const get = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${api}/v1/${path}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, path);
  return (await res.json()) as T;
};
type ListView = { address: string; addressRefused?: string };
const runsOf = (address: string): { trigger: string; outcome: string }[] =>
  readStore(ws.data, (db) => db.prepare("SELECT trigger, outcome FROM runs WHERE address = ? ORDER BY id").all(address) as { trigger: string; outcome: string }[]);

test("the start report names each list at a refused address in the log, with TW6044 and the way to move it", async () => {
  // The log is written asynchronously: the lines logged at the start may follow the ready line on stdout.
  await until("thwonkd is ready in its log", () => d.stderr().includes("thwonkd is ready") || undefined);
  const warned = d.stderr().split("\n").filter((l) => l.includes("TW6044")).map((l) => JSON.parse(l) as { level: number; msg: string });
  assert.equal(warned.length, 2, d.stderr());
  assert.ok(warned.every((w) => w.level === 40));
  const invisible = warned.find((w) => w.msg.includes(INVISIBLE))!;
  assert.match(invisible.msg, /cannot be seen/);
  assert.match(invisible.msg, /schedules do not run/);
  assert.match(invisible.msg, /thwonkc deploy .*thwonkc members list .*--json.*thwonkc members import .*thwonkc state .*--json.*thwonkc state set/);
  assert.ok(invisible.msg.includes(`thwonkc lists remove ${INVISIBLE} --yes`), "and how to remove it then");
  const long = warned.find((w) => w.msg.includes(LONG))!;
  assert.match(long.msg, new RegExp(`limited to ${LIST_ADDRESS_MAX} characters .* has ${LONG.length}`));
  assert.match(long.msg, /schedules still run/);
  assert.ok(!d.stderr().split("\n").some((l) => l.includes("TW6044") && l.includes(FINE)));
});

test("the API's list view marks them, in GET /v1/lists and GET /v1/lists/ADDR", async () => {
  const { lists } = await get<{ lists: ListView[] }>("lists");
  const by = new Map(lists.map((l) => [l.address, l]));
  assert.match(by.get(INVISIBLE)!.addressRefused!, /^TW6044 /);
  assert.match(by.get(LONG)!.addressRefused!, /^TW6044 /);
  assert.equal(by.get(FINE)!.addressRefused, undefined);
  const one = await get<ListView>(`lists/${encodeURIComponent(INVISIBLE)}`);
  assert.equal(one.address, INVISIBLE);
  assert.match(one.addressRefused!, /TW6044/);
  assert.match((await get<ListView>(`lists/${encodeURIComponent(LONG)}`)).addressRefused!, /TW6044/);
});

test("due times pass: the invisible list's schedules are held (no failed run), the long one's and a fine list's run", async () => {
  writeFileSync(clock, "2026-11-25T11:00:05Z");
  await until("the fine list's 11:00 run", () => runsOf(FINE).length === 1 || undefined);
  await until("the long list's 11:00 run", () => runsOf(LONG).length === 1 || undefined);
  writeFileSync(clock, "2026-11-25T12:00:05Z");
  await until("the 12:00 runs", () => (runsOf(FINE).length === 2 && runsOf(LONG).length === 2) || undefined);
  assert.deepEqual(runsOf(LONG).map((r) => r.outcome), ["ok", "ok"]);
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(runsOf(INVISIBLE), [], "no run at all, so no failed run each due time");
  assert.ok(!d.stderr().includes("TW5024"), "no run failed on its address");
});

test("the way out TW6044 gives moves the list: deploy at a new address, its members and its state copied with thwonkc", async () => {
  const src = join(ws.dir, "pulse.thwonk");
  writeFileSync(src, RULE);
  const server = ["--server", api, "--token", token];
  assert.equal((await cliIn(ws.dir, ["deploy", "pulse.thwonk", "--address", MOVED, ...server])).code, 0);
  const members = await cliIn(ws.dir, ["members", "list", INVISIBLE, "--json", ...server]);
  assert.equal(members.code, 0, members.err);
  writeFileSync(join(ws.dir, "members.json"), JSON.stringify((JSON.parse(members.out) as { members: unknown[] }).members));
  assert.equal((await cliIn(ws.dir, ["members", "import", MOVED, "members.json", ...server])).code, 0);
  const state = await cliIn(ws.dir, ["state", INVISIBLE, "--json", ...server]);
  assert.equal(state.code, 0, state.err);
  writeFileSync(join(ws.dir, "state.json"), state.out);
  const set = await cliIn(ws.dir, ["state", "set", MOVED, "state.json", ...server]);
  assert.equal(set.code, 0, set.err);
  const moved = await get<{ members: { address: string; role: string }[] }>(`lists/${MOVED}/members`);
  assert.deepEqual(moved.members.map((m) => [m.address, m.role]), [["ann@example.org", "owner"], ["bob@example.org", "member"]]);
  assert.deepEqual((await get<{ state: unknown }>(`lists/${MOVED}/state`)).state, { n: 41 });
  assert.equal((await get<{ lists: ListView[] }>("lists")).lists.find((l) => l.address === MOVED)!.addressRefused, undefined);
});

test("once moved, the list at a refused address is removed (thwonkc lists remove), and a restart neither installs nor reports it", async () => {
  const server = ["--server", api, "--token", token];
  const listed = await cliIn(ws.dir, ["lists", ...server]);
  assert.equal(listed.code, 0, listed.err);
  assert.match(listed.out, /address-refused \(TW6044\), schedules-held/);
  const r = await cliIn(ws.dir, ["lists", "remove", INVISIBLE, "--yes", "--json", ...server]);
  assert.equal(r.code, 0, r.err);
  const removed = JSON.parse(r.out) as { address: string; members: number; removed: boolean };
  assert.deepEqual([removed.removed, removed.address, removed.members], [true, INVISIBLE, 2]);
  const { lists } = await get<{ lists: ListView[] }>("lists");
  assert.ok(!lists.some((l) => l.address === INVISIBLE));
  assert.equal((await fetch(`${api}/v1/lists/${encodeURIComponent(INVISIBLE)}/runs`, { headers: { authorization: `Bearer ${token}` } })).status, 200, "its history stays readable");
  assert.equal(await d.stop(), 0);
  d = await startDaemon(ws, { env: { THWONKD_TEST_CLOCK_FILE: clock } });
  api = `http://127.0.0.1:${d.ports.http}`;
  await until("thwonkd is ready in its log", () => d.stderr().includes("thwonkd is ready") || undefined);
  const reported = d.stderr().split("\n").filter((l) => l.includes("TW6044"));
  assert.equal(reported.length, 1, d.stderr());
  assert.ok(reported[0]!.includes(LONG) && !reported.some((l) => l.includes(INVISIBLE)));
  const again = await get<{ lists: ListView[] }>("lists");
  assert.deepEqual(again.lists.map((l) => l.address).sort(), [FINE, LONG, MOVED].sort());
});
