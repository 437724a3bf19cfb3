/**
 * A message cut into tiny pieces against the in-flight budget, over real SMTP on 127.0.0.1. smtp-server hands the
 * message on in a piece for each escape dot (the line before it), so a message of lines that start with a dot comes
 * as one Buffer per line of three bytes; kept as they came, each piece costs its object many times its bytes, which
 * the budget (it counts bytes) does not see: a client could hold tens of times its count while it streams. What a
 * message holds must stay near what it is counted, and the message must be stored byte for byte as sent (unstuffed),
 * whatever the cuts.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { createIngress, InFlight, type Ingress } from "../../runtime/daemon/smtp.js";
import { listDaemon, until } from "./helpers.js";
import { collected, QUIET, RawClient } from "./inflight-client.js";

const LIST = "dots@example.org";
const SIZE = 4 * 2 ** 20;

let daemon: Daemon;
let close: () => Promise<void>;
let ingress: Ingress;
let port: number;
const budget = new InFlight(64 * 2 ** 20);

before(async () => {
  ({ daemon, close } = await listDaemon({ source: QUIET, fileName: "quiet.thwonk", addresses: [LIST] }));
  ingress = createIngress({ daemon, log: createLogger({ level: "silent", pretty: false }), size: SIZE, inFlight: budget });
  port = await ingress.listen("127.0.0.1", 0);
});

after(async () => {
  await ingress.close();
  await close();
});

function memory(): number {
  const m = collected();
  return m.heapUsed + m.arrayBuffers;
}

test("a message of lines that start with a dot, while it streams, holds about what the budget counts for it", { timeout: 120_000 }, async (t) => {
  const c = await new RawClient(port).open();
  try {
    await c.begin([{ to: LIST }]);
    const base = memory();
    // 250,000 lines "." sent stuffed as "..": 750,000 bytes counted, in as many pieces; the final dot not yet sent.
    c.write("Subject: dots\r\n\r\n");
    c.write("..\r\n".repeat(250_000));
    await until("every line taken in", () => (budget.bytes >= 750_000 ? true : undefined), 60_000);
    const held = memory() - base;
    t.diagnostic(`${budget.bytes} bytes counted, ${held} held (${(held / budget.bytes).toFixed(1)} times)`);
    assert.ok(held < 3 * budget.bytes, `a message counted as ${budget.bytes} bytes holds ${held} (${(held / budget.bytes).toFixed(1)} times)`);
  } finally {
    c.destroy();
  }
  await until("given back", () => (budget.bytes === 0 ? true : undefined));
});

/** A small deterministic generator (xorshift), so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test("a message cut anywhere, with escape dots anywhere, is stored byte for byte as sent", { timeout: 120_000 }, async () => {
  for (const seed of [1, 7, 42]) {
    const r = random(seed);
    // Lines of every length, some starting with one or more dots, some empty, a few long.
    const lines: string[] = [`Subject: cut ${seed}`, ""];
    for (let i = 0; i < 4000; i++) {
      const kind = r();
      const n = Math.floor(r() * (kind < 0.02 ? 5000 : 80));
      const text = "abcdefghij".repeat(Math.ceil(n / 10)).slice(0, n);
      lines.push(kind < 0.3 ? `.${text}` : kind < 0.35 ? `..${text}` : kind < 0.4 ? "." : text);
    }
    const plain = lines.map((l) => `${l}\r\n`).join("");
    const wire = lines.map((l) => `${l.startsWith(".") ? "." : ""}${l}\r\n`).join("");
    const c = await new RawClient(port).open();
    try {
      c.socket.setNoDelay(true);
      await c.begin([{ to: LIST }]);
      const all = `${wire}.\r\n`;
      for (let at = 0; at < all.length; ) {
        const n = 1 + Math.floor(r() * (r() < 0.5 ? 8 : 3000));
        c.write(all.slice(at, at + n));
        at += n;
        if (r() < 0.05) await new Promise((res) => setTimeout(res, 1));
      }
      assert.match(await c.reply(), /^250 /, `seed ${seed}`);
    } finally {
      c.destroy();
    }
    const ms = await daemon.store.messages({ address: LIST, limit: 1000 });
    const raws = await Promise.all(ms.map(async (m) => (await daemon.store.message(m.id))!.raw.toString("latin1")));
    const stored = raws.find((x) => x.includes(`Subject: cut ${seed}\r\n`));
    assert.ok(stored, `seed ${seed}: stored`);
    assert.equal(stored.slice(stored.indexOf(`Subject: cut ${seed}`)), plain, `seed ${seed}: the stored message is what was sent, unstuffed`);
  }
  await until("given back", () => (budget.bytes === 0 ? true : undefined));
});
