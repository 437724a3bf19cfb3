/**
 * Recipients without end in one LMTP transaction, over real LMTP on 127.0.0.1: anyone can name as many of a list's
 * bounce addresses as they like (LIST-bounces+ANY@domain), each accepted recipient is kept until the transaction
 * ends (by smtp-server and by thwonkd) outside the in-flight budget, and the message is then delivered once for each.
 * A transaction must take a bounded number of recipients (past it 452, which a sender splits on), the rest of the
 * transaction going on as usual.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { InFlight } from "../../runtime/daemon/smtp.js";
import { COUNTER, until } from "./helpers.js";
import { message, RawClient, serveOn } from "./inflight-client.js";

const LIST = "many@example.org";

let port: number;
let stop: () => Promise<void>;
const budget = new InFlight(10_000_000);

before(async () => {
  ({ port, close: stop } = await serveOn({ source: COUNTER, addresses: [LIST], lmtp: true, inFlight: budget }));
});

after(() => stop());

test("20,000 recipients pipelined into one LMTP transaction: a bounded number is taken, the rest get 452, and the message is delivered to those taken", { timeout: 120_000 }, async () => {
  const c = await new RawClient(port).open("LHLO");
  try {
    assert.match(await c.command("MAIL FROM:<x@example.org>"), /^250 /);
    const N = 20_000;
    let s = `RCPT TO:<${LIST}>\r\n`;
    for (let i = 1; i < N; i++) s += `RCPT TO:<many-bounces+m${i}=example.org@example.org>\r\n`;
    c.write(s);
    const replies: string[] = [];
    for (let i = 0; i < N; i++) replies.push(await c.reply());
    const taken = replies.filter((r) => r.startsWith("250 ")).length;
    assert.ok(taken >= 100, `at least the 100 recipients RFC 5321 asks for are taken: ${taken}`);
    assert.ok(taken <= 1000, `${taken} recipients taken in one transaction`);
    assert.equal(replies.filter((r) => r.startsWith("452 ")).length, N - taken, "the others are answered 452");
    assert.match(await c.command("DATA"), /^354 /);
    c.write(message("to many", 2000));
    const answers = await c.end(taken);
    assert.match(answers[0]!, /^250 /, "the list's own address, first, is delivered");
    assert.equal(answers.filter((a) => a.startsWith("250 ")).length, taken);
    await until("given back", () => (budget.bytes === 0 ? true : undefined));
  } finally {
    c.destroy();
  }
});
