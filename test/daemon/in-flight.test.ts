/**
 * Memory that mail takes while it comes in, against clients that try to exhaust it, over real SMTP on 127.0.0.1:
 * a message far over SIZE is not buffered while it streams (552 at its end); messages over the in-flight budget
 * together get 452 4.3.1 (TW6028) and are not stored, and a retry once there is room is taken; a client gone in the
 * middle of DATA gives its bytes back; past the most connections a new one gets 421.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { createIngress, InFlight, type Ingress } from "../../runtime/daemon/smtp.js";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { Store } from "../../runtime/daemon/store/types.js";
import { ConfigError, resolveConfig } from "../../runtime/daemon/config.js";
import { COUNTER, listDaemon, startDaemon, until, workspace } from "./helpers.js";
import { RawClient } from "./inflight-client.js";

const LIST = "inflight@example.org";
const SIZE = 100_000;
const BUDGET = 300_000;
const MAX_CONNECTIONS = 5;

let daemon: Daemon;
let close: () => Promise<void>;
let ingress: Ingress;
let port: number;
const budget = new InFlight(BUDGET);

before(async () => {
  ({ daemon, close } = await listDaemon({ source: COUNTER, fileName: "counter.thwonk", addresses: [LIST] }));
  ingress = createIngress({ daemon, log: createLogger({ level: "silent", pretty: false }), size: SIZE, maxConnections: MAX_CONNECTIONS, inFlight: budget });
  port = await ingress.listen("127.0.0.1", 0);
});

after(async () => {
  await ingress.close();
  await close();
});

/** The raw client with this file's list and the steps its tests take. */
class Client extends RawClient {
  constructor(
    at = port,
    private readonly list = LIST,
    private readonly hello = "EHLO",
  ) {
    super(at);
  }

  override open(): Promise<this> {
    return super.open(this.hello);
  }

  /** MAIL, RCPT and DATA, then the header block: the body may follow. */
  async startData(subject: string): Promise<void> {
    await this.begin([{ to: this.list }]);
    this.write(`From: ann@example.org\r\nTo: ${this.list}\r\nSubject: ${subject}\r\n\r\n`);
  }

  /** `bytes` of body in lines of 76 characters (and their line ends). */
  body(bytes: number): void {
    const line = `${"x".repeat(76)}\r\n`;
    this.write(line.repeat(Math.ceil(bytes / line.length)));
  }

  async endOne(): Promise<string> {
    return (await this.end())[0]!;
  }

  async send(subject: string, bytes: number): Promise<string> {
    await this.startData(subject);
    this.body(bytes);
    return this.endOne();
  }

  quit(): void {
    this.socket.end("QUIT\r\n");
  }
}

/** No connection left from an earlier test. */
const idle = (): Promise<unknown> => until("earlier clients gone", () => (ingress.server.connections.size === 0 ? true : undefined));

/** No bytes left in flight from an earlier test. */
const idleBudget = (): Promise<unknown> => until("no bytes in flight", () => (budget.bytes === 0 ? true : undefined));

const stored = (): Promise<number> => daemon.store.messages({ address: LIST }).then((m) => m.length);

test("a message far over SIZE is not kept while it streams: 552, nothing stored, its bytes never counted past one chunk", async () => {
  const c = await new Client().open();
  try {
    const before = await stored();
    budget.peak = budget.bytes;
    // 30 times the limit, and 10 times the budget: buffered whole, it would also take the budget from everyone.
    assert.match(await c.send("huge", 30 * SIZE), /^552 5\.3\.4 /);
    assert.ok(budget.peak <= SIZE + 65_536, `bytes in flight reached ${budget.peak}`);
    assert.equal(budget.bytes, 0);
    assert.equal(await stored(), before);
    // The connection goes on: the next message is taken.
    assert.match(await c.send("small after huge", 1000), /^250 /);
  } finally {
    c.quit();
  }
});

test("a message that would pass the in-flight budget gets 452 4.3.1 and is not stored; its retry, once there is room, is taken", async () => {
  await idle();
  const slow = [await new Client().open(), await new Client().open(), await new Client().open()];
  const b = await new Client().open();
  try {
    const before = await stored();
    // Three messages on their way, 90,000 bytes each (under SIZE), not ended: 270,000 of the 300,000 in flight.
    for (const [i, s] of slow.entries()) {
      await s.startData(`slow ${i}`);
      s.body(90_000);
    }
    await until("their bytes counted", () => (budget.bytes >= 270_000 ? true : undefined));
    assert.match(await b.send("b", 95_000), /^452 4\.3\.1 TW6028 .*--in-flight/);
    assert.ok(budget.bytes < BUDGET, `the refused message's bytes are not held: ${budget.bytes}`);
    // The three end: each was taken in within the budget, so each is run and answered.
    for (const s of slow) assert.match(await s.endOne(), /^250 /);
    assert.equal(await stored(), before + 3, "the refused one is not stored");
    await until("every byte given back", () => (budget.bytes === 0 ? true : undefined));
    // Now there is room: the retry is taken.
    assert.match(await b.send("b again", 95_000), /^250 /);
    assert.equal(await stored(), before + 4);
  } finally {
    for (const c of [...slow, b]) c.socket.destroy();
  }
});

test("a client gone in the middle of DATA gives its bytes back", async () => {
  await idle();
  const c = await new Client().open();
  await c.startData("gone");
  c.body(80_000);
  await until("its bytes counted", () => (budget.bytes >= 80_000 ? true : undefined));
  c.socket.destroy();
  await until("its bytes given back", () => (budget.bytes === 0 ? true : undefined));
  // Many such clients in turn leave the budget whole: a message of most of it is still taken.
  for (let i = 0; i < 5; i++) {
    const x = await new Client().open();
    await x.startData(`gone ${i}`);
    x.body(90_000);
    await until("counted", () => (budget.bytes >= 90_000 ? true : undefined));
    x.socket.destroy();
    await until("given back", () => (budget.bytes === 0 ? true : undefined));
  }
  const ok = await new Client().open();
  assert.match(await ok.send("after the gone", 95_000), /^250 /);
  ok.quit();
});

test("past the most connections a new one gets 421; once one closes, a new one is served", async () => {
  await idle();
  const open = Array.from({ length: MAX_CONNECTIONS }, () => new Client());
  for (const c of open) assert.match(await c.reply(), /^220 /);
  const fourth = new Client();
  assert.match(await fourth.reply(), /^421 /);
  await until("the fourth closed", () => (fourth.closed ? true : undefined));
  open[0]!.quit();
  await until("one closed", () => (ingress.server.connections.size === MAX_CONNECTIONS - 1 ? true : undefined));
  const next = await new Client().open();
  assert.match(await next.send("after the cap", 100), /^250 /);
  next.quit();
  for (const c of open.slice(1)) c.quit();
});

test("the limits' settings: defaults, variables, the file's names, and a refusal for what is not a positive whole number", () => {
  const d = resolveConfig({ data: "d" }, {});
  assert.equal(d.maxConnections, 1000);
  assert.equal(d.inFlight, 256 * 1024 * 1024);
  const e = resolveConfig({ data: "d" }, { THWONKD_MAX_CONNECTIONS: "7", THWONKD_IN_FLIGHT: "123456", THWONKD_SIZE: "1000" });
  assert.equal(e.maxConnections, 7);
  assert.equal(e.inFlight, 123456);
  assert.equal(resolveConfig({ data: "d", inFlight: "99", size: "99" }, { THWONKD_IN_FLIGHT: "123456" }).inFlight, 99, "a flag wins");
  assert.throws(
    () => resolveConfig({ data: "d", size: "2000", inFlight: "1999" }, {}),
    (err: unknown) => err instanceof ConfigError && /inFlight \(1999 bytes\) must be at least size \(2000 bytes\)/.test(err.message),
  );
  assert.equal(resolveConfig({ data: "d", size: "2000", inFlight: "2000" }, {}).inFlight, 2000);
  for (const bad of ["0", "-1", "1.5", "lots"]) {
    assert.throws(() => resolveConfig({ data: "d", maxConnections: bad }, {}), (err: unknown) => err instanceof ConfigError && /maxConnections must be a positive whole number/.test(err.message));
    assert.throws(() => resolveConfig({ data: "d" }, { THWONKD_IN_FLIGHT: bad, THWONKD_SIZE: "1" }), (err: unknown) => err instanceof ConfigError && /THWONKD_IN_FLIGHT: inFlight must be a positive whole number/.test(err.message));
  }
});

test("thwonkd started with --in-flight and --max-connections applies them on SMTP and LMTP alike", async () => {
  const ws = workspace({ counter: { source: COUNTER } });
  const d = await startDaemon(ws, { args: ["--size", "40000", "--in-flight", "50000", "--max-connections", "2"] });
  try {
    const list = "counter@example.org";
    for (const [at, hello] of [
      [d.ports.smtp, "EHLO"],
      [d.ports.lmtp!, "LHLO"],
    ] as const) {
      const slow = await new Client(at, list, hello).open();
      const other = await new Client(at, list, hello).open();
      // 30,000 bytes on their way: the other's 30,000 would pass the 50,000 in flight.
      await slow.startData("slow");
      slow.body(30_000);
      await other.startData("waits");
      await until("the slow one's bytes in flight", async () => {
        const h = (await (await fetch(`http://127.0.0.1:${d.ports.http}/v1/health`)).json()) as { inFlight: { bytes: number; limit: number } };
        assert.equal(h.inFlight.limit, 50_000);
        return h.inFlight.bytes >= 30_000 ? true : undefined;
      });
      other.body(30_000);
      assert.match(await other.endOne(), /^452 4\.3\.1 TW6028 /);
      // A third connection is one past the two.
      const third = new Client(at, list, hello);
      assert.match(await third.reply(), /^421 /);
      assert.match(await slow.endOne(), /^250 /);
      assert.match(await other.send("again", 30_000), /^250 /);
      for (const x of [slow, other, third]) x.socket.destroy();
    }
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("LMTP takes at most 100 recipients in one transaction (each is a delivery of its own): the 101st gets 452", async () => {
  const lmtp = createIngress({ daemon, log: createLogger({ level: "silent", pretty: false }), lmtp: true, inFlight: budget });
  const at = await lmtp.listen("127.0.0.1", 0);
  const c = await new Client(at, LIST, "LHLO").open();
  try {
    assert.match(await c.command("MAIL FROM:<ann@example.org>"), /^250 /);
    const [local, domain] = LIST.split("@");
    for (let i = 0; i < 100; i++) assert.match(await c.command(`RCPT TO:<${local}+${i}@${domain}>`), /^250 /, `recipient ${i}`);
    assert.match(await c.command(`RCPT TO:<${local}+100@${domain}>`), /^452 .*too many recipients/);
    // A new transaction starts again from none.
    assert.match(await c.command("RSET"), /^250 /);
    assert.match(await c.command("MAIL FROM:<ann@example.org>"), /^250 /);
    assert.match(await c.command(`RCPT TO:<${local}+100@${domain}>`), /^250 /);
  } finally {
    c.socket.destroy();
    await lmtp.close();
  }
});

test("a message trickling past the DATA deadline gives its bytes back at the deadline and gets 451 4.4.2 at its end; a prompt one is taken", async () => {
  const slow = createIngress({ daemon, log: createLogger({ level: "silent", pretty: false }), inFlight: budget, dataDeadlineMs: 1500 });
  const at = await slow.listen("127.0.0.1", 0);
  const c = await new Client(at).open();
  try {
    await idleBudget();
    await c.startData("trickle");
    c.body(50_000);
    await until("its bytes counted", () => (budget.bytes >= 50_000 ? true : undefined));
    // A byte now and then, each restarting the idle timer: the deadline lets the message go all the same.
    const drip = setInterval(() => c.socket.write("x"), 200);
    try {
      await until("its bytes given back at the deadline", () => (budget.bytes === 0 ? true : undefined));
    } finally {
      clearInterval(drip);
    }
    c.socket.write("\r\n");
    assert.match(await c.endOne(), /^451 4\.4\.2 TW6029 /);
    // The connection goes on, and a message that arrives in time is taken.
    assert.match(await c.send("prompt", 1000), /^250 /);
  } finally {
    c.socket.destroy();
    await slow.close();
  }
});

test("settled() resolves once every message taken in is answered: an LMTP message's recipients, one after the other", async () => {
  // A store whose group commits take 300 ms: three recipients one after the other take a second.
  let begun = 0;
  let done = 0;
  const slow = await listDaemon({
    source: COUNTER,
    fileName: "counter.thwonk",
    addresses: [LIST],
    store: (dir) => {
      const real = openSqliteStore(join(dir, "thwonkd.sqlite"));
      const wrapped = Object.create(real) as Store;
      wrapped.commitRuns = async (commits) => {
        begun++;
        await new Promise((r) => setTimeout(r, 300));
        const ids = await real.commitRuns(commits);
        done++;
        return ids;
      };
      return wrapped;
    },
  });
  const lmtp = createIngress({ daemon: slow.daemon, log: createLogger({ level: "silent", pretty: false }), lmtp: true });
  const at = await lmtp.listen("127.0.0.1", 0);
  const c = await new Client(at, LIST, "LHLO").open();
  try {
    assert.match(await c.command("MAIL FROM:<ann@example.org>"), /^250 /);
    const [local, domain] = LIST.split("@");
    for (let i = 0; i < 3; i++) assert.match(await c.command(`RCPT TO:<${local}+s${i}@${domain}>`), /^250 /);
    assert.match(await c.command("DATA"), /^354 /);
    const from = begun;
    c.socket.write(`From: ann@example.org\r\nTo: ${LIST}\r\nSubject: settled\r\n\r\nbody\r\n.\r\n`);
    await until("the first recipient's commit under way", () => (begun > from ? true : undefined));
    const doneBefore = done;
    await lmtp.settled();
    assert.equal(done - doneBefore, 3, "the three recipients' commits all ended before settled() resolved");
    for (let i = 0; i < 3; i++) assert.match(await c.reply(), /^250 /);
  } finally {
    c.socket.destroy();
    await lmtp.close();
    await slow.close();
  }
});
