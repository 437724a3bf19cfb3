/**
 * thwonkd (bin/thwonkd.js, a child process) stopped with SIGTERM while mail is in flight, over raw SMTP and LMTP
 * sockets on 127.0.0.1 with a small --in-flight budget: a message whose client finishes it after the signal (within
 * the listeners' grace) is answered, and if the answer is 250 it is stored and written to the outbox before the
 * daemon exits; a message that never ends is not stored and does not keep the daemon from exiting; a new connection
 * gets 421 or finds no listener; nothing acknowledged is lost, and the daemon exits 0 without an error in its log.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { COUNTER, outboxMail, readStore, startDaemon, until, workspace } from "./helpers.js";
import { message, RawClient } from "./inflight-client.js";

const LIST = "counter@example.org";

test("SIGTERM with messages in flight: the one finished after the signal is answered and kept, the unfinished one is dropped, the daemon exits 0", { timeout: 120_000 }, async () => {
  const ws = workspace({ counter: { source: COUNTER, members: [{ address: "ann@example.org", name: "Ann" }] } });
  const d = await startDaemon(ws, { args: ["--in-flight", "200000", "--size", "200000"] });
  const clients: RawClient[] = [];
  try {
    const finished = await new RawClient(d.ports.smtp).open();
    const viaLmtp = await new RawClient(d.ports.lmtp!).open("LHLO");
    const never = await new RawClient(d.ports.smtp).open();
    const over = await new RawClient(d.ports.smtp).open();
    clients.push(finished, viaLmtp, never, over);
    // Before the signal: one message acknowledged, so the outbox has work at the stop.
    await finished.begin([{ to: LIST }]);
    finished.write(message("before the signal", 20_000));
    assert.match((await finished.end())[0]!, /^250 /);
    // Three messages on their way, 60,000 bytes each of the 200,000 when whole; a fourth of 150,000 (under --size)
    // passes the budget beside them, and is refused 452.
    const first = message("finished after the signal", 60_000);
    const second = message("lmtp after the signal", 60_000);
    await finished.begin([{ to: LIST }]);
    finished.write(first.slice(0, 30_000));
    await viaLmtp.begin([{ to: LIST }]);
    viaLmtp.write(second.slice(0, 30_000));
    await never.begin([{ to: LIST }]);
    never.write(message("never finished", 60_000));
    await over.begin([{ to: LIST }]);
    over.write(message("over the budget", 150_000).slice(0, 50_000));
    await new Promise((r) => setTimeout(r, 300));
    const exit = d.stop();
    await new Promise((r) => setTimeout(r, 300));
    // New connections are refused from the signal on (421, or no listener any more).
    const late = new RawClient(d.ports.smtp);
    clients.push(late);
    assert.match(await late.reply(), /^(421 |\(closed\))/);
    // Within the grace the one over the budget ends (452), then the two finish theirs (250).
    over.write(message("over the budget", 150_000).slice(50_000));
    const overAnswer = (await over.end())[0]!;
    finished.write(first.slice(30_000));
    viaLmtp.write(second.slice(30_000));
    const answers = { finished: (await finished.end())[0]!, lmtp: (await viaLmtp.end())[0]!, over: overAnswer };
    assert.match(answers.finished, /^250 /, JSON.stringify(answers));
    assert.match(answers.lmtp, /^250 /, JSON.stringify(answers));
    assert.match(answers.over, /^452 4\.3\.1 TW6028 /, JSON.stringify(answers));
    finished.write("QUIT\r\n");
    viaLmtp.write("QUIT\r\n");
    over.write("QUIT\r\n");
    // `never` keeps its connection and never ends its message: the daemon stops all the same.
    const code = await Promise.race([exit, new Promise<string>((r) => setTimeout(() => r("still running after 30 s"), 30_000).unref())]);
    assert.equal(code, 0, d.stderr());
    assert.doesNotMatch(d.stderr(), /"level":50|SMTP server error|uncaught/i, "an error was logged at the stop");
    const subjects = readStore(ws.data, (db) => (db.prepare("SELECT raw FROM messages ORDER BY id").all() as { raw: Buffer }[]).map((m) => /^Subject: (.*)$/m.exec(m.raw.toString("latin1"))![1]!.trim()));
    assert.deepEqual(subjects.sort(), ["before the signal", "finished after the signal", "lmtp after the signal"]);
    // Each acknowledged message has its one file in the outbox, written before the exit.
    const out = await outboxMail(d.ports.outbox);
    assert.deepEqual(out.map((m) => String(m.mail.subject).replace(/^\d+ /, "")).sort(), ["before the signal", "finished after the signal", "lmtp after the signal"]);
  } finally {
    for (const c of clients) c.destroy();
    await until("stopped", async () => (d.proc.exitCode !== null || d.proc.signalCode !== null ? true : (await d.kill(), true)));
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
