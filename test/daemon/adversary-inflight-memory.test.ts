/**
 * What the in-flight budget counts against what a message in flight really holds. The budget counts a message's
 * bytes once (smtp.ts InFlight: "a message is held whole in memory from its first byte until its run's commit is
 * answered"); the memory a message held while its run waits for its commit must be about that, not twice it (the
 * chunks as received kept beside the one buffer the message is stored from), or a budget of 256 MiB bounds 512.
 * Measured on a real daemon over real SMTP on 127.0.0.1, with the group commit held and the garbage collected.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { createIngress, InFlight, type Ingress } from "../../runtime/daemon/smtp.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import { failingStore, type FailingStore } from "./failing-store.js";
import { listDaemon, until } from "./helpers.js";
import { collected, message, QUIET, RawClient } from "./inflight-client.js";

const LIST = "quiet@example.org";

let store: FailingStore;
let daemon: Daemon;
let close: () => Promise<void>;
let ingress: Ingress;
const budget = new InFlight(200 * 2 ** 20);

before(async () => {
  ({ daemon, close } = await listDaemon({ source: QUIET, fileName: "quiet.thwonk", addresses: [LIST], store: (at: string) => (store = failingStore(openSqliteStore(join(at, "thwonkd.sqlite")))) }));
  ingress = createIngress({ daemon, log: createLogger({ level: "silent", pretty: false }), size: 2 ** 20, inFlight: budget });
  await ingress.listen("127.0.0.1", 0);
});

after(async () => {
  try {
    store.release();
  } catch {}
  await ingress.close();
  await close();
});

function buffers(): number {
  return collected().arrayBuffers;
}

test("messages waiting for their commit hold about the bytes the budget counts for them, not twice", { timeout: 120_000 }, async (t) => {
  const port = (ingress.server.server.address() as { port: number }).port;
  const N = 24;
  const BYTES = 900_000;
  const clients = await Promise.all(Array.from({ length: N }, () => new RawClient(port).open()));
  try {
    // A first message takes the list's place in the group commit, which is held: every message after it waits.
    await clients[0]!.begin([{ to: LIST }]);
    const base = buffers();
    store.hold();
    clients[0]!.write(`${message("first", 1000)}.\r\n`);
    await store.holding();
    for (const c of clients.slice(1)) {
      await c.begin([{ to: LIST }]);
      c.write(`${message("waits", BYTES)}.\r\n`);
    }
    const counted = 1000 + (N - 1) * BYTES;
    await until("every message taken in", () => (budget.bytes === counted ? true : undefined));
    // Parsed and run: each waits for the commit now.
    await new Promise((r) => setTimeout(r, 1500));
    const held = buffers() - base;
    store.release();
    for (const c of clients) assert.match((await c.reply()) ?? "", /^250 /);
    await until("every byte given back", () => (budget.bytes === 0 ? true : undefined));
    t.diagnostic(`held ${(held / counted).toFixed(2)} times the bytes counted`);
    assert.ok(held < 1.5 * counted, `messages counted as ${counted} bytes in flight held ${held} bytes of buffers (${(held / counted).toFixed(2)} times)`);
    // Given back, and nothing keeps them: the memory is free as the budget says (the test store's record of the
    // groups it was handed, which has every message, let go first).
    store.groups.splice(0);
    await new Promise((r) => setTimeout(r, 500));
    const left = buffers() - base;
    t.diagnostic(`left ${left} bytes once answered`);
    assert.ok(left < 0.1 * counted, `answered and given back, yet ${left} bytes of buffers are still held`);
  } finally {
    for (const c of clients) c.destroy();
  }
});
