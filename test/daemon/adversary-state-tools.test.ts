/**
 * The adversary of an owner's tools for a list's state on a real thwonkd (a child process, its SQLite file, QuickJS
 * runs, the admin API over HTTP and its client thwonkc): a deploy that lowers a bound is judged on the stored data
 * (daemon.ts swapCheck), state that the rule refuses (TW5070) is repaired or reset through the API (PUT and DELETE
 * /v1/lists/ADDR/state, `thwonkc state set|reset`) in the list's turn, and a removed field is dropped at the swap only
 * when the deploy allows data loss.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { repoRoot } from "../helpers/repo.js";
import { callApi } from "./adversary-api-helpers.js";
import { cliIn, startDaemon, until, workspace, type Running } from "./helpers.js";

const rule = (name: string, fields: string, body: string) => `rule ${name}

state {
${fields}
}

on message(m: Message) {
${body}
}
`;
const ANN = [{ address: "ann@example.org", name: "Ann" }];

/** A real thwonkd over `rules`, with what a test needs to talk to it: thwonkc as the admin, the API, SMTP. */
async function served(rules: Record<string, string>) {
  const ws = workspace(Object.fromEntries(Object.entries(rules).map(([name, source]) => [name, { source, members: ANN }])));
  let d: Running = await startDaemon(ws);
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  let posted = 0;
  const s = {
    ws,
    token,
    get d() {
      return d;
    },
    api: () => `http://127.0.0.1:${d.ports.http}/v1`,
    admin: (...args: string[]) => cliIn(ws.dir, [...args, "--server", `http://127.0.0.1:${d.ports.http}`, "--token", token]),
    call: (method: string, path: string, body?: unknown) => callApi(s.api(), token, method, path, body),
    async mail(list: string, subject = "hi") {
      const file = join(ws.dir, `post${posted}.eml`);
      writeFileSync(file, `From: ann@example.org\r\nTo: ${list}\r\nSubject: ${subject}\r\nMessage-ID: <p.${posted++}@example.org>\r\n\r\nHello\r\n`);
      const r = await cliIn(ws.dir, ["mail", file, "--to", list, "--server", `smtp://127.0.0.1:${d.ports.smtp}`]);
      assert.equal(r.code, 0, r.out + r.err);
      return r.out;
    },
    async state(list: string) {
      const r = await s.call("GET", `lists/${list}/state`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      return r.json as { state: unknown; hash: string | null };
    },
    async restart(edit: () => void) {
      assert.equal(await d.stop(), 0);
      edit();
      d = await startDaemon(ws);
    },
    file(name: string, text: string) {
      writeFileSync(join(ws.dir, name), text);
      return name;
    },
    async close() {
      await d.stop();
      rmSync(ws.dir, { recursive: true, force: true });
    },
  };
  return s;
}

const LIST5 = rule("bounded", "  xs: List<int> max 5 = []\n  name: string max 40 = \"\"", "  if state.xs.size < 5 { state.xs.push(state.xs.size) }\n  state.name = m.subject.truncate(40)");
const LIST3 = LIST5.replace("max 5 =", "max 3 =").replace("< 5", "< 3").replace(/40/g, "10");

test("a deploy that lowers a bound: taken when the stored values fit it, refused naming the value when they do not", async () => {
  const s = await served({ fits: LIST5, full: LIST5 });
  try {
    await s.mail("fits@example.org", "short");
    await s.mail("fits@example.org", "tiny");
    for (let i = 0; i < 4; i++) await s.mail("full@example.org", "a subject of twenty+");
    s.file("narrow.thwonk", LIST3);

    // Statically, thwonkc check against the old bundle still warns that stored values may not fit (it has no data).
    s.file("bounded.thwonk", LIST5);
    assert.equal((await cliIn(s.ws.dir, ["compile", "bounded.thwonk", "-o", "old.thwb"])).code, 0);
    const checked = await cliIn(s.ws.dir, ["check", "narrow.thwonk", "--against", "old.thwb"]);
    assert.equal(checked.code, 1);
    assert.match(checked.out + checked.err, /TW4022/);

    // thwonkd has the data: [0, 1] and "tiny" fit `max 3` and `max 10`.
    const ok = await s.admin("deploy", "narrow.thwonk", "--address", "fits@example.org");
    assert.equal(ok.code, 0, ok.out + ok.err);
    await s.mail("fits@example.org", "again");
    assert.deepEqual((await s.state("fits@example.org")).state, { xs: [0, 1, 2], name: "again" });

    // Four entries and a subject of 20 characters do not: refused, each value named, the running version kept.
    const before = (await s.state("full@example.org")).hash;
    const refused = await s.call("POST", "deploy", { source: LIST3, fileName: "narrow.thwonk", addresses: ["full@example.org"] });
    assert.equal(refused.status, 409, JSON.stringify(refused.json));
    const message = (refused.json["error"] as { message: string }).message;
    assert.match(message, /TW6012 .*TW4025 .*state\.xs: .*4/);
    assert.match(message, /state\.name: /);
    assert.doesNotMatch(message, /TW4022/);
    await s.mail("full@example.org");
    assert.equal((await s.state("full@example.org")).hash, before);
  } finally {
    await s.close();
  }
});

test("a lower bound over a version that added a record field with no run since: the stored record is read as that version reads it", async () => {
  const REC1 = rule("rec", "  r: { a: int } = { a: 0 }", "  state.r.a += 1");
  const REC2 = rule("rec", '  r: { a: int, b: string max 5 } = { a: 0, b: "" }', "  state.r.a += 1");
  const REC3 = REC2.replace("max 5", "max 3");
  const s = await served({ rec: REC1 });
  try {
    await s.mail("rec@example.org");
    assert.equal((await s.call("POST", "deploy", { source: REC2, addresses: ["rec@example.org"] })).status, 200);
    // The stored `{ r: { a: 1 } }` was saved by REC1: REC2 reads `b` as "" (its zero), which fits `max 3`.
    const r = await s.call("POST", "deploy", { source: REC3, addresses: ["rec@example.org"] });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    await s.mail("rec@example.org");
    assert.deepEqual((await s.state("rec@example.org")).state, { r: { a: 2, b: "" } });
  } finally {
    await s.close();
  }
});

const COUNT = rule("count", "  count: int = 0\n  log: List<int> max 100 = []", "  state.count += 1\n  if state.log.size < 100 { state.log.push(state.count) }");
const LIST = "count@example.org";

test("state the rule refuses (TW5070): thwonkc state set repairs it, refused values are named (422), a replay runs on the repair, reset starts afresh", async () => {
  const s = await served({ count: COUNT });
  try {
    await s.mail(LIST);
    await s.restart(() => {
      const db = new Database(join(s.ws.data, "thwonkd.sqlite"));
      db.prepare("UPDATE lists SET state = ? WHERE address = ?").run('{"count":"lots","log":[1]}', LIST);
      db.close();
    });
    await s.mail(LIST);
    const failed = await s.admin("runs", LIST, "--failed");
    const runId = /run #(\d+) .*TW5070/.exec(failed.out)?.[1];
    assert.ok(runId, failed.out);

    // A repair that still does not fit: refused with each value and its place, the stored state left as it was.
    const bad = s.file("bad.json", '{"count": "x", "log": [1, "two"], "extra": 1}');
    const refused = await s.admin("state", "set", LIST, bad);
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.err, /TW6040 .*state\.count: expected int, got "x".*state\.log\[1\]: expected int.*state\.extra: not a field/);
    const http = await s.call("PUT", `lists/${LIST}/state`, { state: { count: -1.5 } });
    assert.equal(http.status, 422);
    assert.equal((http.json["error"] as { code: string }).code, "TW6040");
    assert.deepEqual((http.json["result"] as { problems: unknown[] }).problems, [{ path: "state.count", problem: "expected int, got -1.5" }]);
    assert.equal((await s.call("PUT", `lists/${LIST}/state`, { count: 1 })).status, 400, "a body without `state`");
    const anonymous = await fetch(`${s.api()}/lists/${LIST}/state`, { method: "PUT", body: JSON.stringify({ state: { count: 1 } }) });
    assert.equal(anonymous.status, 401);
    assert.deepEqual((await s.state(LIST)).state, { count: "lots", log: [1] });

    // A field left out starts at its initial value; the repair is the deployed version's state, and the replay runs on it.
    const good = s.file("good.json", '{"count": 41}');
    const set = await s.admin("state", "set", LIST, good);
    assert.equal(set.code, 0, set.err);
    assert.match(set.out, /is set/);
    const replayed = await s.admin("replay", runId);
    assert.equal(replayed.code, 0, replayed.out + replayed.err);
    assert.deepEqual((await s.state(LIST)).state, { count: 42, log: [42] });

    // stdin, through the bin as a shell runs it.
    const piped = spawnSync(process.execPath, [join(repoRoot, "bin", "thwonkc.js"), "state", "set", LIST, "-", "--server", `http://127.0.0.1:${s.d.ports.http}`, "--token", s.token], {
      input: '{"count": 7, "log": [7]}',
      encoding: "utf8",
    });
    assert.equal(piped.status, 0, piped.stderr);
    await s.mail(LIST);
    assert.deepEqual((await s.state(LIST)).state, { count: 8, log: [7, 8] });

    const reset = await s.admin("state", "reset", LIST);
    assert.equal(reset.code, 0, reset.err);
    const shown = await s.admin("state", LIST);
    assert.match(shown.out, /no state stored/);
    await s.mail(LIST);
    assert.deepEqual((await s.state(LIST)).state, { count: 1, log: [1] });
    // Audit: each change outside a run is in the log with the list.
    await until("the log line", () => /"list":"count@example\.org".*"msg":"state set through the API"/.test(s.d.stderr()) || undefined); // logged asynchronously (log.ts): it may follow the answer
    await until("the log line", () => /"list":"count@example\.org".*"msg":"state reset through the API"/.test(s.d.stderr()) || undefined); // logged asynchronously (log.ts): it may follow the answer

    const usage = await s.admin("state", "set", LIST);
    assert.equal(usage.code, 2);
  } finally {
    await s.close();
  }
});

test("a state set in the middle of a burst of mail: every run sees the state before it whole or the set state whole, never a mix", async () => {
  const s = await served({ count: COUNT });
  try {
    const burst = Array.from({ length: 24 }, (_, i) => s.mail(LIST, `m${i}`));
    await new Promise((r) => setTimeout(r, 30));
    const set = await s.call("PUT", `lists/${LIST}/state`, { state: { count: 1000, log: [] } });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    await Promise.all(burst);
    const runs = (await s.call("GET", `lists/${LIST}/runs`)).json["runs"] as { outcome: string }[];
    assert.equal(runs.filter((r) => r.outcome === "ok").length, 24);
    // The runs after the set counted on from 1,000, one by one; those before it left nothing behind.
    const { count, log } = (await s.state(LIST)).state as { count: number; log: number[] };
    assert.equal(count, 1000 + log.length);
    assert.deepEqual(log, Array.from({ length: log.length }, (_, i) => 1001 + i));
  } finally {
    await s.close();
  }
});

const TAGGED = rule("tagged", '  count: int = 0\n  tag: string max 20 = ""\n  r: { a: int, b: int } = { a: 0, b: 0 }', "  state.count += 1\n  state.tag = m.subject.truncate(20)\n  state.r.b += 1");
const UNTAGGED = rule("tagged", "  count: int = 0\n  r: { a: int } = { a: 0 }", "  state.count += 1");
const RETAGGED = rule("tagged", '  count: int = 0\n  tag: string max 20 = "fresh"\n  r: { a: int, b: int } = { a: 0, b: 0 }', "  state.count += 1");

test("a removed state field: refused saying how to allow it; thwonkc deploy --allow-data-loss drops it at the swap, logged, and a later version that brings it back starts it afresh", async () => {
  const s = await served({ tagged: TAGGED });
  const at = "tagged@example.org";
  try {
    await s.mail(at, "remember me");
    s.file("untagged.thwonk", UNTAGGED);
    const refused = await s.admin("deploy", "untagged.thwonk", "--address", at);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /TW4020 `state\.tag` .*--allow-data-loss/);
    assert.equal((await s.call("POST", "deploy", { source: UNTAGGED, addresses: [at], allowDataLoss: "yes" })).status, 400);
    assert.deepEqual((await s.state(at)).state, { count: 1, tag: "remember me", r: { a: 0, b: 1 } });

    const dropped = await s.admin("deploy", "untagged.thwonk", "--address", at, "--allow-data-loss");
    assert.equal(dropped.code, 0, dropped.out + dropped.err);
    assert.match(dropped.out, /TW6041 .*`state\.tag`, `state\.r\.b`/);
    const after = await s.state(at);
    assert.deepEqual(after.state, { count: 1, r: { a: 0 } });
    await until("the log line", () => /"dropped":\["`state\.tag`","`state\.r\.b`"\].*"msg":"state dropped at deploy \(allowDataLoss\)"/.test(s.d.stderr()) || undefined); // logged asynchronously (log.ts): it may follow the answer

    // No run between: the version that brings `tag` back must not find the value the last one dropped.
    const back = await s.call("POST", "deploy", { source: RETAGGED, addresses: [at] });
    assert.equal(back.status, 200, JSON.stringify(back.json));
    await s.mail(at, "later");
    assert.deepEqual((await s.state(at)).state, { count: 2, tag: "fresh", r: { a: 0, b: 0 } });
  } finally {
    await s.close();
  }
});
