/**
 * One LMTP message to many recipients against the in-flight budget, over real LMTP on 127.0.0.1. The budget counts
 * a message's bytes once, but each recipient's delivery reads the message on its own (a list's run parses it, a
 * bounce address reads it as a report): anyone can write to a list's bounce addresses (LIST-bounces+ANY@domain, as
 * many as they like), so one message of SIZE to a thousand of them, delivered at once, would hold a thousand
 * readings of it. The memory live while such a message is delivered must stay near what the budget counts.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { createIngress, InFlight, type Ingress } from "../../runtime/daemon/smtp.js";
import { COUNTER, listDaemon, until } from "./helpers.js";
import { RawClient } from "./inflight-client.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const LIST = "fan@example.org";
const RCPTS = 60;

let daemon: Daemon;
let close: () => Promise<void>;
let lmtp: Ingress;
let port: number;
const budget = new InFlight(64 * 2 ** 20);

before(async () => {
  ({ daemon, close } = await listDaemon({ source: COUNTER, fileName: "counter.thwonk", addresses: [LIST] }));
  lmtp = createIngress({ daemon, log: createLogger({ level: "silent", pretty: false }), lmtp: true, size: 4 * 2 ** 20, inFlight: budget });
  port = await lmtp.listen("127.0.0.1", 0);
});

after(async () => {
  await lmtp.close();
  await close();
});

function live(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

test("a message to many bounce addresses holds about one reading of it at a time, not one a recipient", { timeout: 120_000 }, async (t) => {
  const c = await new RawClient(port).open("LHLO");
  try {
    assert.match(await c.command("MAIL FROM:<x@example.org>"), /^250 /);
    for (let i = 0; i < RCPTS; i++) assert.match(await c.command(`RCPT TO:<fan-bounces+m${i}=example.org@example.org>`), /^250 /);
    assert.match(await c.command("DATA"), /^354 /);
    // A delivery status report of about 1 MB (its text part), every recipient's delivery reads it whole.
    const text = `${"x".repeat(76)}\r\n`.repeat(13_000);
    c.write(`Subject: fan out\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n${text}\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822; a@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b--\r\n`);
    const base = live();
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, live() - base)), 100);
    await until("the message counted", () => (budget.bytes > 1_000_000 ? true : undefined));
    const counted = budget.bytes;
    const answers = await c.end(RCPTS);
    clearInterval(sample);
    assert.equal(answers.filter((a) => a.startsWith("250 ")).length, RCPTS, answers[0]);
    t.diagnostic(`${counted} bytes counted, ${peak} live at the most (${(peak / counted).toFixed(1)} times)`);
    assert.ok(peak < 30 * counted, `a message counted as ${counted} bytes held ${peak} live (${(peak / counted).toFixed(1)} times) while delivered to ${RCPTS} recipients`);
    await until("given back", () => (budget.bytes === 0 ? true : undefined));
  } finally {
    c.destroy();
  }
});
