/**
 * The adversary of a deploy that drops stored data (`allowDataLoss`, daemon.ts swapCheck): the new version's record
 * and the state it drops are one write. Written one after the other, a write that fails between them (a full disk,
 * or a crash there) left the new version recorded (and so deployed at the next start) over the state it was to drop,
 * saved by the version before: a later version that brings the field back then found the dropped value, and the
 * running daemon kept the old version while the store named the new one.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { Store } from "../../runtime/daemon/store/types.js";

const LIST = "drop@example.org";
const rule = (fields: string, body: string) => `rule drop

state {
${fields}
}

on message(m: Message) {
${body}
}
`;
const A = rule("  f: int = 0\n  g: int = 0", "  state.f += 1\n  state.g += 1");
const B = rule("  g: int = 0", "  state.g += 1");

async function post(daemon: Daemon): Promise<void> {
  const raw = Buffer.from(`From: <ann@example.org>\r\nTo: <${LIST}>\r\nSubject: x\r\nMessage-ID: <d.${Math.random()}@example.org>\r\n\r\nx\r\n`);
  assert.equal((await daemon.runner.deliver({ address: LIST, rcptTo: LIST, mailFrom: "ann@example.org", raw, receivedAt: daemon.clock() })).code, 250);
}

test("allowDataLoss: the deploy's record and the state it drops are one write, so no failure between them deploys the version over the undropped state", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-lifetime-deploy-"));
  const log = createLogger({ level: "silent", pretty: false });
  const open = (store?: Store) => Daemon.open({ dataDir: dir, log, workers: 1, tickMs: 3_600_000, ...(store ? { store } : {}) });
  let daemon = await open();
  try {
    assert.equal((await daemon.deploy({ source: A, addresses: [LIST] })).ok, true);
    await post(daemon);
    await post(daemon);
    await daemon.close();

    // A store whose writes of state outside a run fail: a write there after the deploy's own is lost.
    const real = openSqliteStore(join(dir, "thwonkd.sqlite"));
    const failing = Object.assign(Object.create(real) as Store, {
      setState: async () => {
        throw new Error("injected: the disk is full");
      },
    });
    daemon = await open(failing);
    const r = await daemon.deploy({ source: B, addresses: [LIST], allowDataLoss: true });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.match(r.addresses[0]!.dropped!.join(" "), /TW6041 .*`state\.f`/);
    assert.equal(daemon.lists()[0]!.hash, r.hash);
    await daemon.close();

    daemon = await open();
    const stored = await daemon.state(LIST);
    assert.deepEqual(stored, { state: { g: 2 }, hash: r.hash }, "the deployed version and its dropped state");
    // A later version that brings `f` back starts it afresh: the dropped 2 is not found again.
    assert.equal((await daemon.deploy({ source: A, addresses: [LIST] })).ok, true);
    await post(daemon);
    assert.deepEqual((await daemon.state(LIST)).state, { f: 1, g: 3 });
  } finally {
    await daemon.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});
