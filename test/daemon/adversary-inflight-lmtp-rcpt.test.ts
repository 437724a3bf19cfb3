/**
 * LMTP recipients against the lists they reach, over real LMTP on 127.0.0.1: smtp-server keeps one entry per address
 * (compared without case; a repeated RCPT replaces the earlier one in its place), so thwonkd's own record of each
 * recipient's list must follow the addresses, not the order of the RCPT commands. Each recipient's answer must be its
 * own list's run, and each list that answered 250 must have the message.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { InFlight } from "../../runtime/daemon/smtp.js";
import { COUNTER, until } from "./helpers.js";
import { message, RawClient, serveOn } from "./inflight-client.js";

const A = "alpha@example.org";
const B = "beta@example.org";

let daemon: Daemon;
let port: number;
let stop: () => Promise<void>;
const budget = new InFlight(10_000_000);

before(async () => {
  ({ daemon, port, close: stop } = await serveOn({ source: COUNTER, addresses: [A, B], lmtp: true, inFlight: budget }));
});

after(() => stop());

async function storedFor(list: string, subject: string): Promise<number> {
  const ms = await daemon.store.messages({ address: list, limit: 1000 });
  const raws = await Promise.all(ms.map(async (m) => (await daemon.store.message(m.id))!.raw.toString("latin1")));
  return raws.filter((r) => r.includes(`Subject: ${subject}\r\n`)).length;
}

test("a recipient repeated before another list's: each list gets the message once, and each answer is its own", { timeout: 60_000 }, async () => {
  const c = await new RawClient(port).open("LHLO");
  try {
    // smtp-server keeps [alpha, beta] (the repeat replaces the first alpha); three RCPTs were answered 250.
    await c.begin([{ to: A }, { to: A.toUpperCase() }, { to: B }]);
    c.write(message("repeated", 2000));
    const answers = await c.end(2);
    assert.deepEqual(answers.map((a) => a.slice(0, 3)), ["250", "250"], answers.join(" | "));
    await until("the budget given back", () => (budget.bytes === 0 ? true : undefined));
    assert.equal(await storedFor(A, "repeated"), 1, "alpha has it once");
    assert.equal(await storedFor(B, "repeated"), 1, "beta, answered 250, has it");
  } finally {
    c.destroy();
  }
});

test("recipients repeated in every order: each distinct list runs once per message", { timeout: 60_000 }, async () => {
  const orders = [
    [A, B, A],
    [B, A, B, A],
    [A, A, A, B],
    [B.toUpperCase(), A, B],
  ];
  for (const [i, order] of orders.entries()) {
    const c = await new RawClient(port).open("LHLO");
    try {
      await c.begin(order.map((to) => ({ to })));
      c.write(message(`order ${i}`, 1000));
      const answers = await c.end(2);
      assert.deepEqual(answers.map((a) => a.slice(0, 3)), ["250", "250"], `order ${i}: ${answers.join(" | ")}`);
      assert.equal(await storedFor(A, `order ${i}`), 1, `order ${i}: alpha`);
      assert.equal(await storedFor(B, `order ${i}`), 1, `order ${i}: beta`);
    } finally {
      c.destroy();
    }
  }
});
