/**
 * The start's order: thwonkd orders work (a schedule due before a message
 * runs before it) before any listener takes a connection, and runs nothing
 * by the clock until every listener is bound.
 *
 * The first test drives main() in this process, as bin/thwonkd.js does,
 * with the binds after the SMTP listener's held back (net.Server's listen
 * wrapped here, in the test: a slow bind, as of a host name whose lookup
 * takes a while), and posts over SMTP meanwhile. The others start a real
 * thwonkd: one whose later listener cannot bind, and one whose --deploy
 * brings a changed rule after a missed due time.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { Server as HttpServer } from "node:http";
import { createServer, Server as NetServer } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { main } from "../../runtime/daemon/main.js";
import { repoRoot } from "../helpers/repo.js";
import { readStore, startDaemon, until, workspace } from "./helpers.js";
import { countingRule, lookedAt, testClock } from "./adversary-schedule-helpers.js";

const LIST = "daily-or-out@example.org";
const MEMBERS = [
  { address: "ann@example.org", name: "Ann", joined: "2026-10-01T00:00:00Z" },
  { address: "bob@example.org", name: "Bob", joined: "2026-10-01T00:00:00Z" },
];

/** The list's runs in commit order: "midnight ISO" or "message ISO". */
const runsOf = (data: string): string[] =>
  readStore(data, (db) => db.prepare("SELECT trigger, now FROM runs WHERE address = ? ORDER BY id").all(LIST) as { trigger: string; now: number }[]).map(
    (r) => `${r.trigger === "message" ? "message" : "midnight"} ${new Date(r.now).toISOString()}`,
  );

const membersOf = (data: string): string[] =>
  readStore(data, (db) => (db.prepare("SELECT member FROM members WHERE address = ? ORDER BY pos").all(LIST) as { member: string }[]).map((r) => r.member));

/** daily_or_out deployed on 2026-11-25, where Bob posted that day and Ann did not; stopped before Paris's midnight (23:00Z). */
async function silentAnn(): Promise<{ ws: ReturnType<typeof workspace>; env: { THWONKD_TEST_CLOCK_FILE: string }; set(iso: string): void }> {
  const ws = workspace({ daily_or_out: { example: "daily_or_out", members: MEMBERS } });
  const { env, set } = testClock(ws);
  set("2026-11-25T12:00:00Z");
  const d = await startDaemon(ws, { env });
  try {
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    await t.sendMail({ from: "bob@example.org", to: LIST, subject: "Present", text: "here" });
  } finally {
    assert.equal(await d.stop(), 0);
  }
  return { ws, env, set };
}

/**
 * Until release(): each listen() after the first mail listener's waits (HTTP's and LMTP's as thwonkd binds them
 * now, or any order it binds them in); `mailPort` is the first mail listener's port once it listens.
 */
function holdLaterBinds(): { mailPort: Promise<number>; release(): void; restore(): void } {
  const listen = NetServer.prototype.listen;
  let held: (() => void)[] | undefined = [];
  let mailBound = false;
  let found: (port: number) => void = () => undefined;
  const mailPort = new Promise<number>((r) => (found = r));
  NetServer.prototype.listen = function (this: NetServer, ...args: unknown[]) {
    if (held !== undefined && mailBound) {
      held.push(() => listen.apply(this, args as Parameters<NetServer["listen"]>));
      return this;
    }
    if (!(this instanceof HttpServer) && !mailBound) {
      mailBound = true;
      this.once("listening", () => found((this.address() as { port: number }).port));
    }
    return listen.apply(this, args as Parameters<NetServer["listen"]>);
  } as NetServer["listen"];
  return {
    mailPort,
    release() {
      const waiting = held ?? [];
      held = undefined;
      for (const bind of waiting) bind();
    },
    restore() {
      NetServer.prototype.listen = listen;
    },
  };
}

test("a message taken while a later listener still binds runs after the catch-up of a schedule due before it (daily_or_out's midnight)", async () => {
  const { ws, env, set } = await silentAnn();
  // Down over Paris's midnight; back at 09:00, and Ann's first post comes as soon as the SMTP port takes connections.
  set("2026-11-26T08:00:00Z");
  const given = { ...env, THWONKD_LOG_LEVEL: "error" };
  const saved = Object.fromEntries(Object.keys(given).map((k) => [k, process.env[k]]));
  Object.assign(process.env, given);
  const binds = holdLaterBinds();
  // main() writes its ready line to stdout (here the test runner's): kept aside.
  const write = process.stdout.write;
  let ready: (line: string) => void = () => undefined;
  const readyLine = new Promise<string>((r) => (ready = r));
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === "string" && chunk.startsWith('{"smtp"')) return (ready(chunk), true);
    return (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
  }) as typeof process.stdout.write;
  const signals = new Set(process.listeners("SIGTERM"));
  let exited: Promise<number> | undefined;
  try {
    exited = main(["--data", ws.data, "--smtp", "127.0.0.1:0", "--lmtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--domain", "example.org", "--workers", "1"]);
    const port = await Promise.race([binds.mailPort, exited.then((code) => assert.fail(`thwonkd exited with ${code} before it listened`))]);
    const t = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
    // The midnight ran first: Ann did not post on the 25th, so she was unsubscribed, and her post is a stranger's.
    const answer = await t.sendMail({ from: "ann@example.org", to: LIST, subject: "Still here", text: "here" }).then(
      (info) => info.response,
      (err: { response?: string }) => err.response ?? String(err),
    );
    assert.match(answer, /^550 /, "Ann's post came after the midnight that removed her");
    assert.deepEqual(runsOf(ws.data), ["message 2026-11-25T12:00:00.000Z", "midnight 2026-11-25T23:00:00.000Z", "message 2026-11-26T08:00:00.000Z"]);
    assert.deepEqual(membersOf(ws.data), ["bob@example.org"]);
    binds.release();
    await readyLine;
    // Once listening, the scheduler finds nothing more due: the midnight ran once.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(runsOf(ws.data).filter((r) => r.startsWith("midnight")).length, 1);
  } finally {
    binds.release();
    binds.restore();
    if (exited) {
      // Started (it takes the signals once listening), or failed: then stopped by the SIGTERM handler it took, called as the signal would.
      const code = await Promise.race([readyLine.then(() => undefined), exited]);
      for (const stop of process.listeners("SIGTERM")) if (!signals.has(stop)) (stop as () => void)();
      assert.equal(code ?? (await exited), 0);
    }
    process.stdout.write = write;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

function occupied(): Promise<{ close(): void; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => resolve({ close: () => server.close(), port: (server.address() as { port: number }).port }));
  });
}

test("a listener that cannot bind after others did: exit 2, nothing run by the clock (the due midnight waits for the next start), nothing left running", async () => {
  const { ws, env, set } = await silentAnn();
  set("2026-11-26T08:00:00Z");
  try {
    for (const listener of ["http", "smtp", "lmtp"]) {
      const taken = await occupied();
      try {
        const listeners: Record<string, string> = { smtp: "127.0.0.1:0", lmtp: "127.0.0.1:0", http: "127.0.0.1:0", [listener]: `127.0.0.1:${taken.port}` };
        const args = [join(repoRoot, "bin", "thwonkd.js"), "--data", ws.data, "--domain", "example.org", ...Object.entries(listeners).flatMap(([f, at]) => [`--${f}`, at])];
        // The test clock makes the scheduler look every 100 ms: a tick started before the failure would have run the midnight.
        const r = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env, THWONKD_LOG_LEVEL: "error" } });
        assert.equal(r.status, 2, `${listener}: ${r.signal ?? ""} ${r.stderr}`);
        assert.equal(r.stdout, "", "no ready line");
        assert.match(r.stderr, new RegExp(`^thwonkd: TW6026 Cannot listen for ${listener.toUpperCase()} on 127\\.0\\.0\\.1:${taken.port}: the address is already in use`));
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
        assert.deepEqual(runsOf(ws.data), ["message 2026-11-25T12:00:00.000Z"], `${listener}: no scheduled run recorded`);
        assert.deepEqual(membersOf(ws.data), ["ann@example.org", "bob@example.org"]);
      } finally {
        taken.close();
      }
    }
    // The next start that listens runs it, once, as the missed midnight.
    const d = await startDaemon(ws, { env });
    try {
      await until("the catch-up run", () => runsOf(ws.data).length >= 2 || undefined);
      // A look at the clock in the list's turn, waited for: a second catch-up run would show.
      await lookedAt(d, ws.data, LIST);
      assert.deepEqual(runsOf(ws.data), ["message 2026-11-25T12:00:00.000Z", "midnight 2026-11-25T23:00:00.000Z"]);
      assert.deepEqual(membersOf(ws.data), ["bob@example.org"]);
    } finally {
      assert.equal(await d.stop(), 0);
    }
  } finally {
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("--deploy of a changed rule at a restart after a missed midnight: the midnight runs first, with the version deployed then", async () => {
  // The new version drops the schedule: deployed before the midnight's catch-up, that midnight would never run.
  const ws = workspace({ nightly: { source: countingRule("nightly", "day at 00:00") } });
  const { env, set } = testClock(ws);
  const list = "nightly@example.org";
  set("2026-06-01T12:00:00Z");
  let d = await startDaemon(ws, { env });
  assert.equal(await d.stop(), 0);
  writeFileSync(join(ws.rules, "nightly", "nightly.thwonk"), countingRule("nightly", null));
  set("2026-06-02T09:00:00Z");
  d = await startDaemon(ws, { env });
  try {
    // The catch-up and the deploy queued at start, and a look at the clock after them, waited for in the list's turn.
    await lookedAt(d, ws.data, list);
    const { runs, deployed } = readStore(ws.data, (db) => ({
      runs: db.prepare("SELECT trigger, now, bundle_hash AS hash FROM runs WHERE address = ? ORDER BY id").all(list) as { trigger: string; now: number; hash: string }[],
      deployed: (db.prepare("SELECT hash FROM deployments WHERE address = ? ORDER BY id").all(list) as { hash: string }[]).map((r) => r.hash),
    }));
    assert.equal(deployed.length, 2, "the changed rule was deployed");
    assert.deepEqual(
      runs.map((r) => ({ ...r, now: new Date(r.now).toISOString() })),
      [{ trigger: "every day at 00:00", now: "2026-06-02T00:00:00.000Z", hash: deployed[0] }],
    );
  } finally {
    assert.equal(await d.stop(), 0);
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
