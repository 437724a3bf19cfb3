/**
 * Removing a list (DELETE /v1/lists/ADDR, thwonkc lists remove ADDR --yes) and seeing the lists (thwonkc lists), on a
 * real thwonkd with a real SQLite data folder, its clock a test's file (THWONKD_TEST_CLOCK_FILE): after the answer,
 * RCPT TO the list and its -request, -bounces and +tag forms gets 550 over a raw SMTP dialog; its schedules do not
 * run; what it accepted before was run once; its history (runs, failed runs, outbox files) stays readable, replays of
 * its runs are refused (TW6047) and its other routes say it was removed (TW6045); a deploy there starts a new list; a
 * restart keeps it removed. Adversarial: removal in a burst of messages, two removals at once, a removal racing a
 * deploy to the same address, the address in another case and decomposed.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { cliIn, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const RULE = `rule pulse

limits { members: 20, fanout: 20 }

state { n: int = 0 }

on message(m: Message) {
  if m.subject == "boom" {
    let z = state.n - state.n
    state.n = 1 / z
  }
  if state.n < 1000000 {
    state.n = state.n + 1
  }
  send(to: members, subject: "{state.n} {m.subject.truncate(100)}", text: m.text)
}

every hour {
  if state.n < 1000000 {
    state.n = state.n + 1
  }
  send(to: members, subject: "pulse", text: "tick")
}
`;
const A = "alpha@example.org";
const WITNESS = "witness@example.org";
const B = "beta@example.org";

let ws: ReturnType<typeof workspace>;
let d: Running;
let api: string;
let token: string;
let clock: string;

before(async () => {
  ws = workspace({});
  mkdirSync(ws.rules, { recursive: true });
  clock = join(ws.dir, "clock");
  writeFileSync(clock, "2026-11-25T10:30:00Z");
  d = await startDaemon(ws, { env: { THWONKD_TEST_CLOCK_FILE: clock } });
  api = `http://127.0.0.1:${d.ports.http}`;
  token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  writeFileSync(join(ws.dir, "pulse.thwonk"), RULE);
});

after(async () => {
  if (d) assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

type Answer = { status: number; json: Record<string, unknown> & { error?: { code: string; message: string } } };
async function call(method: string, path: string, body?: unknown, auth: string | null = token): Promise<Answer> {
  const res = await fetch(`${api}/v1/${path}`, {
    method,
    headers: { ...(auth !== null ? { authorization: `Bearer ${auth}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Answer["json"] };
}
const enc = encodeURIComponent;
const server = (): string[] => ["--server", api, "--token", token];

async function deploy(address: string, source = RULE): Promise<void> {
  const r = await call("POST", "deploy", { source, fileName: "pulse.thwonk", addresses: [address] });
  assert.equal(r.status, 200, JSON.stringify(r.json));
}
async function addMembers(address: string, members: string[]): Promise<void> {
  assert.equal((await call("POST", `lists/${enc(address)}/members`, { members })).status, 200);
}

/** A raw SMTP dialog: each command sent after the reply to the one before (the banner first); every reply, whole. */
function smtp(commands: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const sock = connect(d.ports.smtp, "127.0.0.1");
    const replies: string[] = [];
    let buf = "";
    let reply = "";
    let next = 0;
    sock.setEncoding("utf8");
    sock.on("error", reject);
    sock.on("data", (c: string) => {
      buf += c;
      for (let nl = buf.indexOf("\r\n"); nl >= 0; nl = buf.indexOf("\r\n")) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        reply += `${line}\n`;
        if (!/^\d{3} /.test(line) && !/^\d{3}$/.test(line)) continue;
        replies.push(reply.trimEnd());
        reply = "";
        if (next < commands.length) sock.write(`${commands[next++]}\r\n`);
        else {
          sock.end("QUIT\r\n");
          resolve(replies);
        }
      }
    });
  });
}
const code = (reply: string | undefined): number => Number(reply?.slice(0, 3));

/** Codes of RCPT TO each address, in one transaction each (SMTP takes one list a transaction). */
async function rcptCodes(addresses: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const a of addresses) out.push(code((await smtp(["EHLO test", "MAIL FROM:<ann@example.net>", `RCPT TO:<${a}>`]))[3]));
  return out;
}

let sent = 0;
/** A message to `to` over SMTP: the RCPT reply's code and the DATA reply's (0 when DATA was not reached), and its Message-ID. */
async function post(to: string, subject: string): Promise<{ rcpt: number; data: number; id: string }> {
  const id = `m${sent++}.${Date.now()}@example.net`;
  const r = await smtp([
    "EHLO test",
    "MAIL FROM:<ann@example.net>",
    `RCPT TO:<${to}>`,
    "DATA",
    `From: <ann@example.net>\r\nTo: <${to}>\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\n\r\nhello\r\n.`,
  ]);
  const rcpt = code(r[3]);
  return { rcpt, data: rcpt === 250 && code(r[4]) === 354 ? code(r[5]) : 0, id };
}

const messagesOf = (address: string): { id: number; raw: Buffer }[] =>
  readStore(ws.data, (db) => db.prepare("SELECT id, raw FROM messages WHERE address = ? ORDER BY id").all(address) as { id: number; raw: Buffer }[]);
const runsOf = (address: string): { id: number; trigger: string; outcome: string }[] =>
  readStore(ws.data, (db) => db.prepare("SELECT id, trigger, outcome FROM runs WHERE address = ? ORDER BY id").all(address) as { id: number; trigger: string; outcome: string }[]);

test("thwonkc lists: a table of the lists with their members, and --json; lists ADDRESS shows one with its history", async () => {
  await deploy(A);
  await deploy(WITNESS);
  await addMembers(A, ["ann@example.org", "bob@example.org"]);
  await addMembers(WITNESS, ["cat@example.org"]);
  const t = await cliIn(ws.dir, ["lists", ...server()]);
  assert.equal(t.code, 0, t.err);
  const lines = t.out.trimEnd().split("\n");
  assert.match(lines[0]!, /^ADDRESS\s+RULE\s+BUNDLE\s+MEMBERS\s+FLAGS$/);
  assert.match(t.out, new RegExp(`^${A}\\s+pulse\\s+[0-9a-f]{12}\\s+2$`, "m"));
  assert.match(t.out, new RegExp(`^${WITNESS}\\s+pulse\\s+[0-9a-f]{12}\\s+1$`, "m"));
  assert.equal(lines.at(-1), "2 lists");
  const j = await cliIn(ws.dir, ["lists", "--json", ...server()]);
  assert.equal(j.code, 0, j.err);
  const lists = (JSON.parse(j.out) as { lists: { address: string; members: number; held: number; deployedAt: number; hash: string }[] }).lists;
  assert.deepEqual(lists.map((l) => [l.address, l.members, l.held]), [[A, 2, 0], [WITNESS, 1, 0]]);
  assert.equal(lists[0]!.deployedAt, Date.parse("2026-11-25T10:30:00Z"));
  const one = await cliIn(ws.dir, ["lists", A.toUpperCase(), ...server()]);
  assert.equal(one.code, 0, one.err);
  assert.match(one.out, new RegExp(`^${A}  rule pulse  sha256 ${lists[0]!.hash}\\n  2 members\\n  deployments \\(oldest first\\):\\n    2026-11-25T10:30:00Z  ${lists[0]!.hash}\\n$`));
});

test("removing: 401 without a token, 404 (TW6015) for an address with no list, usage errors and an unreachable server", async () => {
  const none = await call("DELETE", `lists/${A}`, undefined, null);
  assert.equal(none.status, 401);
  assert.equal(none.json.error?.code, "TW6020");
  assert.equal((await call("DELETE", `lists/${A}`, undefined, "0".repeat(64))).status, 401);
  const unknown = await call("DELETE", "lists/nobody@example.org");
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error?.code, "TW6015");
  const cli = await cliIn(ws.dir, ["lists", "remove", "nobody@example.org", "--yes", ...server()]);
  assert.equal(cli.code, 1);
  assert.match(cli.err, /TW6015 No list is deployed at nobody@example\.org/);
  // Without --yes: nothing removed, what would be dropped said, exit 2.
  const careful = await cliIn(ws.dir, ["lists", "remove", A, ...server()]);
  assert.equal(careful.code, 2);
  assert.match(careful.err, /not removed: removing alpha@example\.org .* drops its 2 members and its state .* --yes/);
  assert.equal((await call("GET", `lists/${A}`)).status, 200);
  assert.equal((await cliIn(ws.dir, ["lists", "remove", ...server()])).code, 2);
  assert.equal((await cliIn(ws.dir, ["lists", A, "extra", ...server()])).code, 2);
  assert.equal((await cliIn(ws.dir, ["lists", "--yes", ...server()])).code, 2);
  const gone = await cliIn(ws.dir, ["lists", "--server", "http://127.0.0.1:9", "--token", token]);
  assert.equal(gone.code, 3);
  assert.equal((await call("GET", `lists/${A}`)).status, 200, "still there");
});

let failedRun = 0;
let removedAt = 0;

test("remove: mail accepted before is run once and kept; after the answer RCPT TO it (and -request, -bounces, +tag) gets 550", async () => {
  assert.deepEqual(await rcptCodes([A, "alpha-request@example.org", "alpha+x@example.org", "ALPHA@EXAMPLE.ORG"]), [250, 250, 250, 250]);
  const before = await post(A, "hello");
  assert.deepEqual([before.rcpt, before.data], [250, 250]);
  const boom = await post(A, "boom");
  assert.equal(boom.data, 250, "kept for replay");
  failedRun = runsOf(A).find((r) => r.outcome === "failed")!.id;
  writeFileSync(clock, "2026-11-25T10:45:00Z");
  const r = await cliIn(ws.dir, ["lists", "remove", A, "--yes", ...server()]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^removed alpha@example\.org \(rule pulse, sha256 [0-9a-f]{12}…\) at 2026-11-25T10:45:00Z\n {2}TW6046 The list alpha@example\.org is removed: .*550.* Its 2 members were dropped with its state/);
  removedAt = Date.parse("2026-11-25T10:45:00Z");
  assert.deepEqual(await rcptCodes([A, "alpha-request@example.org", "alpha-bounces@example.org", "alpha+x@example.org", "Alpha@Example.Org"]), [550, 550, 550, 550, 550]);
  const late = await smtp(["EHLO test", "MAIL FROM:<ann@example.net>", `RCPT TO:<${A}>`]);
  assert.match(late[3]!, /^550 5\.1\.1 TW6001 No list is deployed at alpha@example\.org/);
  // The message before the removal: stored once, run once, its mail written out to both members.
  const stored = messagesOf(A).filter((m) => m.raw.includes(before.id));
  assert.equal(stored.length, 1);
  await until("the outbox file of the message accepted before the removal", () => {
    const dir = join(d.ports.outbox, "new");
    return existsSync(dir) && readdirSync(dir).some((f) => readFileSync(join(dir, f), "utf8").includes("Subject: 1 hello")) ? true : undefined;
  });
  // The witness list takes mail as before.
  assert.deepEqual(await rcptCodes([WITNESS]), [250]);
  const lists = (await call("GET", "lists")).json["lists"] as { address: string }[];
  assert.deepEqual(lists.map((l) => l.address), [WITNESS]);
});

test("its schedules never run again (the clock past their due times), while another list's do", async () => {
  const before = runsOf(A).length;
  writeFileSync(clock, "2026-11-25T11:00:05Z");
  await until("the witness's 11:00 run", () => runsOf(WITNESS).some((r) => r.trigger === "every hour") || undefined);
  writeFileSync(clock, "2026-11-25T12:00:05Z");
  await until("the witness's 12:00 run", () => runsOf(WITNESS).filter((r) => r.trigger === "every hour").length === 2 || undefined);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(runsOf(A).length, before, "no run of the removed list");
});

test("its history stays readable; its other routes say it was removed (TW6045); a replay of its runs is refused (TW6047)", async () => {
  const runs = await call("GET", `lists/${A}/runs`);
  assert.equal(runs.status, 200);
  const list = runs.json["runs"] as { id: number; outcome: string; replayable: boolean }[];
  assert.equal(list.length, 2);
  assert.deepEqual(list.map((r) => [r.outcome, r.replayable]), [["ok", false], ["failed", false]]);
  assert.equal((await call("GET", `runs/${failedRun}`)).status, 200);
  const failed = await call("GET", `lists/${A}/failed`);
  assert.equal(failed.status, 200);
  assert.deepEqual((failed.json["messages"] as { runId: number }[]).map((m) => m.runId), [failedRun]);
  assert.equal((await cliIn(ws.dir, ["runs", A, ...server()])).code, 0);
  for (const path of [`lists/${A}`, `lists/${A}/members`, `lists/${A}/state`]) {
    const r = await call("GET", path);
    assert.equal(r.status, 404, path);
    assert.equal(r.json.error?.code, "TW6045", path);
    assert.match(r.json.error!.message, /was removed at 2026-11-25T10:45:00Z .*\(thwonkc runs alpha@example\.org\)/);
  }
  const again = await call("DELETE", `lists/${A}`);
  assert.equal(again.status, 404);
  assert.equal(again.json.error?.code, "TW6045");
  const replay = await call("POST", `runs/${failedRun}/replay`);
  assert.equal(replay.status, 409);
  assert.equal(replay.json.error?.code, "TW6047");
  assert.match(replay.json.error!.message, /its list alpha@example\.org was removed at 2026-11-25T10:45:00Z/);
  const cli = await cliIn(ws.dir, ["replay", String(failedRun), ...server()]);
  assert.equal(cli.code, 1);
  assert.match(cli.err, /TW6047/);
  // History in the store: the deployments and the removal's record.
  const kept = readStore(ws.data, (db) => ({
    deployments: (db.prepare("SELECT COUNT(*) AS n FROM deployments WHERE address = ?").get(A) as { n: number }).n,
    removal: db.prepare("SELECT members, held, removed_at FROM list_removals WHERE address = ?").all(A),
  }));
  assert.equal(kept.deployments, 1);
  assert.deepEqual(kept.removal, [{ members: 2, held: 0, removed_at: removedAt }]);
});

test("a deploy at the same address starts a new list: no members, the initial state, schedules from its deploy; old runs still not replayed", async () => {
  writeFileSync(clock, "2026-11-25T12:10:00Z");
  await deploy(A);
  assert.deepEqual((await call("GET", `lists/${A}/members`)).json["members"], []);
  const state = await call("GET", `lists/${A}/state`);
  assert.equal(state.json["state"], null);
  await addMembers(A, ["dan@example.org"]);
  writeFileSync(clock, "2026-11-25T13:00:05Z");
  await until("the new list's 13:00 run", () => runsOf(A).filter((r) => r.trigger === "every hour").length === 1 || undefined);
  await until("its state saved", async () => ((await call("GET", `lists/${A}/state`)).json["state"] as { n?: number } | null)?.n === 1 || undefined);
  // Only its 13:00 run: nothing between the old list's deploy and this one's ran for it.
  assert.equal(runsOf(A).filter((r) => r.trigger === "every hour").length, 1);
  const replay = await call("POST", `runs/${failedRun}/replay`);
  assert.equal(replay.status, 409);
  assert.equal(replay.json.error?.code, "TW6047");
  const view = (await call("GET", `lists/${A}`)).json;
  assert.equal((view["deployments"] as unknown[]).length, 2, "every deployment at the address kept");
  assert.deepEqual((view["removals"] as { removedAt: number; members: number }[]).map((r) => [r.removedAt, r.members]), [[removedAt, 2]]);
  const shown = await cliIn(ws.dir, ["lists", A, ...server()]);
  assert.equal(shown.code, 0, shown.err);
  assert.match(shown.out, /\n {4}2026-11-25T10:30:00Z {2}[0-9a-f]{64}\n {4}2026-11-25T10:45:00Z {2}removed \(rule pulse, 2 members dropped\)\n {4}2026-11-25T12:10:00Z {2}[0-9a-f]{64}\n$/);
});

test("adversarial: removed during a burst of messages, each message answered 250 was run exactly once, every other refused", async (t) => {
  await deploy(B);
  await addMembers(B, ["eve@example.org"]);
  const posts: Promise<{ rcpt: number; data: number; id: string }>[] = [];
  const launching = (async () => {
    for (let i = 0; i < 60; i++) {
      posts.push(post(B, `burst ${i}`));
      await new Promise((r) => setTimeout(r, 3));
    }
  })();
  // Removed once the first messages are answered, with others in every stage of their transaction.
  await until("ten messages on their way", () => posts.length >= 10 || undefined);
  await posts[4];
  const removal = call("DELETE", `lists/${B}`);
  await launching;
  const answers = await Promise.all(posts);
  const removed = await removal;
  assert.equal(removed.status, 200, JSON.stringify(removed.json));
  const lastRun = removed.json["lastRun"] as number;
  for (const a of answers) {
    if (a.rcpt === 250) assert.ok(a.data === 250 || a.data === 550, `DATA answered ${a.data}`);
    else assert.equal(a.rcpt, 550);
  }
  const accepted = answers.filter((a) => a.data === 250).map((a) => a.id);
  assert.ok(accepted.length >= 1, "some were taken before the removal");
  assert.ok(answers.some((a) => a.data !== 250), "some came after it");
  const stored = messagesOf(B);
  for (const id of accepted) assert.equal(stored.filter((m) => m.raw.includes(`<${id}>`)).length, 1, `${id} stored once`);
  assert.equal(stored.length, accepted.length, "nothing stored that was not answered 250");
  const runs = runsOf(B);
  assert.equal(runs.length, accepted.length, "one run each");
  assert.ok(runs.every((r) => r.id <= lastRun), "no run after the removal");
  const tally = (f: (a: (typeof answers)[number]) => boolean): number => answers.filter(f).length;
  t.diagnostic(`250: ${accepted.length}; 550 at DATA (its RCPT taken before the removal): ${tally((a) => a.data === 550)}; 550 at RCPT: ${tally((a) => a.rcpt === 550)}`);
});

test("adversarial: two removals at once: one removes it, the other is told there is no list", async () => {
  const E = "echo@example.org";
  await deploy(E);
  const both = await Promise.all([call("DELETE", `lists/${E}`), call("DELETE", `lists/${E}`)]);
  assert.deepEqual(both.map((r) => r.status).sort(), [200, 404]);
  const refused = both.find((r) => r.status === 404)!;
  assert.ok(["TW6015", "TW6045"].includes(refused.json.error!.code), JSON.stringify(refused.json));
  assert.equal(readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM list_removals WHERE address = ?").get(E) as { n: number }).n), 1);
});

test("adversarial: a removal racing a deploy to the same address: both answered, and the list is either gone or new", async (t) => {
  const seen = { gone: 0, fresh: 0 };
  const R = "race@example.org";
  await deploy(R);
  for (let round = 0; round < 9; round++) {
    if ((await call("GET", `lists/${R}`)).status !== 200) await deploy(R);
    await addMembers(R, ["old@example.org"]);
    const next = `${RULE}\n// round ${round}\n`;
    // With messages in the list's queue (the removal waits for their commits), the deploy sent first and the removal
    // some time after it (the deploy compiles first), or the removal first.
    const mail = [post(R, "a"), post(R, "b"), post(R, "c")];
    const deploying = (): Promise<Answer> => call("POST", "deploy", { source: next, fileName: "pulse.thwonk", addresses: [R] });
    const removing = (): Promise<Answer> => call("DELETE", `lists/${R}`);
    const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const [dep, del] = round % 3 === 2 ? (await Promise.all([removing(), deploying()])).reverse() : await Promise.all([deploying(), later(20 + 40 * round).then(removing)]);
    await Promise.all(mail);
    assert.equal(dep!.status, 200, JSON.stringify(dep!.json));
    assert.equal(del!.status, 200, JSON.stringify(del!.json));
    const now = await call("GET", `lists/${R}`);
    const row = readStore(ws.data, (db) => db.prepare("SELECT hash FROM lists WHERE address = ?").get(R) as { hash: string });
    if (now.status === 200) {
      // Removed first: the deploy started a new list, without the old one's member, at the version it sent.
      assert.deepEqual((await call("GET", `lists/${R}/members`)).json["members"], []);
      assert.equal(now.json["hash"], (dep!.json as { hash: string }).hash);
      assert.equal(row.hash, now.json["hash"]);
      seen.fresh++;
    } else {
      seen.gone++;
      assert.equal(now.status, 404);
      assert.equal(row.hash, "", "the store agrees: no list");
    }
  }
  t.diagnostic(`removed after the deploy: ${seen.gone}; the deploy a new list after the removal: ${seen.fresh}`);
});

test("the address in another case and decomposed (NFD) names the same list", async () => {
  const cafe = "caf\u00e9@example.org";
  await deploy(cafe);
  const r = await call("DELETE", `lists/${enc("CAFE\u0301@Example.ORG")}`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json["address"], cafe);
  assert.ok(!((await call("GET", "lists")).json["lists"] as { address: string }[]).some((l) => l.address === cafe));
});

test("a restart keeps removed lists removed: not installed, mail refused, their history readable, no start report", async () => {
  assert.equal(await d.stop(), 0);
  d = await startDaemon(ws, { env: { THWONKD_TEST_CLOCK_FILE: clock } });
  api = `http://127.0.0.1:${d.ports.http}`;
  await until("thwonkd is ready in its log", () => d.stderr().includes("thwonkd is ready") || undefined);
  const lists = ((await call("GET", "lists")).json["lists"] as { address: string; members: number }[]).map((l) => l.address);
  const rows = readStore(ws.data, (db) => (db.prepare("SELECT address FROM lists WHERE hash <> '' ORDER BY address").all() as { address: string }[]).map((r) => r.address));
  assert.deepEqual(lists, rows, "the lists the API shows are the store's");
  assert.ok(lists.includes(A) && lists.includes(WITNESS));
  assert.ok(!lists.includes(B) && !lists.includes("echo@example.org"));
  assert.deepEqual(await rcptCodes([B, "beta-request@example.org", A]), [550, 550, 250]);
  assert.equal((await call("GET", `lists/${B}/runs`)).status, 200);
  assert.equal((await call("GET", `lists/${B}`)).json.error?.code, "TW6045");
  assert.deepEqual((await call("GET", `lists/${A}/members`)).json["members"], [{ address: "dan@example.org", name: "", role: "member", joined: Date.parse("2026-11-25T12:10:00Z") }]);
  assert.ok(!/TW6044|TW6045|TW6046/.test(d.stderr()), "nothing reported at the start");
});
