/**
 * The adversary of a list whose stored state was edited by hand to text that is not JSON, on a real thwonkd: real
 * SMTP (`thwonkc mail`), the admin API and its client (`thwonkc state`, `runs`, `replay`), a real SQLite file
 * edited while the daemon is stopped. The list must go on taking mail, each run failing with the reason
 * (TW5070), the admin must see the state, and once it is fixed a replay must run the message on it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { cliIn, startDaemon, workspace } from "./helpers.js";

const COUNTER = `rule counter

state {
  count: int = 0
}

on message(m: Message) {
  state.count += 1
}
`;
const LIST = "counter@example.org";

test("state that is not JSON: SMTP takes the mail, the run fails with TW5070, thwonkc state shows it, a replay after the fix runs", async () => {
  const ws = workspace({ counter: { source: COUNTER, members: [{ address: "ann@example.org", name: "Ann" }] } });
  const setState = (text: string) => {
    const db = new Database(join(ws.data, "thwonkd.sqlite"));
    db.prepare("UPDATE lists SET state = ? WHERE address = ?").run(text, LIST);
    db.close();
  };
  writeFileSync(join(ws.dir, "post.eml"), `From: ann@example.org\r\nTo: ${LIST}\r\nSubject: hi\r\nMessage-ID: <a.1@example.org>\r\n\r\nHello\r\n`);
  writeFileSync(join(ws.dir, "post2.eml"), `From: ann@example.org\r\nTo: ${LIST}\r\nSubject: hi\r\nMessage-ID: <a.2@example.org>\r\n\r\nHello\r\n`);
  let d = await startDaemon(ws);
  try {
    const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
    const admin = async (...args: string[]) => cliIn(ws.dir, [...args, "--server", `http://127.0.0.1:${d.ports.http}`, "--token", token]);
    const mail = async (file: string) => cliIn(ws.dir, ["mail", file, "--to", LIST, "--server", `smtp://127.0.0.1:${d.ports.smtp}`]);
    assert.equal((await mail("post.eml")).code, 0);
    assert.equal(await d.stop(), 0);
    setState('{"count":');
    d = await startDaemon(ws);

    const sent = await mail("post2.eml");
    assert.equal(sent.code, 0, sent.out + sent.err);
    assert.match(sent.out, /^250 /);
    const shown = await admin("state", LIST);
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, /"\{\\"count\\":"/);
    const failed = await admin("runs", LIST, "--failed");
    const runId = /run #(\d+) .*TW5070/.exec(failed.out)?.[1];
    assert.ok(runId, failed.out);
    // The refusal says where thwonkd keeps the state and how to run the message again once it is fixed.
    const run = await admin("runs", runId);
    assert.match(run.out, /`thwonkc state set ADDRESS FILE` puts it back fixed, or `thwonkc state reset ADDRESS` starts it again, then `thwonkc replay RUN`/, run.out);

    // Fixed as the advice says, through the running daemon: no SQLite, no restart.
    writeFileSync(join(ws.dir, "fixed.json"), '{"count":1}');
    const set = await admin("state", "set", LIST, "fixed.json");
    assert.equal(set.code, 0, set.out + set.err);
    const replayed = await admin("replay", runId);
    assert.equal(replayed.code, 0, replayed.out + replayed.err);
    assert.match(replayed.out, new RegExp(`replayed run #${runId}: 250 `));
    assert.match((await admin("state", LIST)).out, /"count": 2/);
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
