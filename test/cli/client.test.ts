/**
 * thwonkc's client commands without a server (exit 3 when it cannot be
 * reached, usage errors), and the quick start: `npm start`'s command line
 * (scripts/start.js) started with a temporary data directory and free
 * ports, one example message sent through it with `thwonkc mail`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BufferStream } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { outboxMail, until } from "../daemon/helpers.js";
import { repoRoot } from "../helpers/repo.js";

async function cli(cwd: string, env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new BufferStream();
  const err = new BufferStream();
  const code = await main(args, { cwd, env, stdout: out, stderr: err });
  return { code, out: out.text(), err: err.text() };
}

/** The command lines of the processes whose parent is `pid` (Linux's /proc). */
function childrenOf(pid: number): string[][] {
  const found: string[][] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== pid) continue;
      found.push(readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean));
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/** A port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test("exit 3 when the server cannot be reached: every client command, and mail", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkc-client-"));
  const port = await closedPort();
  const server = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, "r.thwonk"), "rule r\n\non message(m: Message) {\n}\n");
  writeFileSync(join(dir, "m.eml"), "From: ann@example.org\r\nSubject: hi\r\n\r\nhi\r\n");
  for (const args of [
    ["deploy", "r.thwonk", "--address", "r@example.org", "--server", server, "--token", "t"],
    ["members", "list", "r@example.org", "--server", server],
    ["state", "r@example.org", "--server", server],
    ["runs", "r@example.org", "--failed", "--server", server],
    ["replay", "7", "--server", server],
  ]) {
    const r = await cli(dir, {}, ...args);
    assert.equal(r.code, 3, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, new RegExp(`cannot reach the server at ${server.replace(/\./g, "\\.")} \\(ECONNREFUSED\\)`));
  }
  const env = await cli(dir, { THWONK_SERVER: server, THWONK_TOKEN: "t" }, "state", "r@example.org");
  assert.equal(env.code, 3, "THWONK_SERVER is where it goes");
  const mail = await cli(dir, {}, "mail", "m.eml", "--to", "r@example.org", "--server", `smtp://127.0.0.1:${port}`);
  assert.equal(mail.code, 3, mail.err);
  assert.match(mail.err, /cannot send through smtp:\/\/127\.0\.0\.1:\d+ .*ECONNREFUSED/);
});

test("client usage errors: exit 2 with what to give", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkc-client-"));
  const noToken = await cli(dir, {}, "state", "r@example.org", "--data", "nowhere");
  assert.equal(noToken.code, 2);
  assert.match(noToken.err, /cannot read the admin token .*nowhere\/admin\.token \(ENOENT\)/);
  assert.equal((await cli(dir, {}, "deploy", "missing.thwonk", "--address", "r@example.org")).code, 2);
  assert.equal((await cli(dir, {}, "deploy", "missing.thwonk")).code, 2, "--address is required");
  assert.equal((await cli(dir, {}, "replay", "abc", "--server", "http://127.0.0.1:1")).code, 2);
  const noFrom = await cli(dir, {}, "mail", "x.eml", "--to", "r@example.org");
  assert.equal(noFrom.code, 2);
  writeFileSync(join(dir, "nofrom.eml"), "Subject: hi\r\n\r\nhi\r\n");
  const from = await cli(dir, {}, "mail", "nofrom.eml", "--to", "r@example.org");
  assert.equal(from.code, 2);
  assert.match(from.err, /no From address; give the envelope sender with --from/);
  const op = await cli(dir, {}, "members", "rename", "r@example.org", "--server", "http://127.0.0.1:1");
  assert.equal(op.code, 2);
  assert.match(op.err, /the operations are list, add, remove and import/);
});

test("npm start's command line: the examples deployed with their members, the printed hint, one message sent through it", async () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts["start"], "node scripts/start.js");
  const dir = mkdtempSync(join(tmpdir(), "thwonk-start-"));
  const proc = spawn(process.execPath, [join(repoRoot, "scripts", "start.js"), "--data", join(dir, "data"), "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--workers", "1"], {
    cwd: dir,
    env: { ...process.env, THWONKD_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  let out = "";
  let err = "";
  proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr.on("data", (c: Buffer) => (err += c.toString()));
  try {
    await until("npm start's hint", () => (out.includes("Stop with Ctrl-C.") ? true : undefined), 60_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${out}\n${err}`);
    });
    const up = JSON.parse(out.slice(0, out.indexOf("\n"))) as { smtp: number; http: number; outbox: string; lists: string[] };
    // thwonkd was started through its launcher, whose #! line gives node the daemon's flags.
    const daemon = childrenOf(proc.pid!);
    assert.equal(daemon.length, 1, "npm start runs one thwonkd");
    const argv = daemon[0]!;
    assert.ok(argv.includes("--single-threaded-gc") && argv.some((a) => a.endsWith(join("bin", "thwonkd.js"))), argv.join(" "));
    for (const name of ["trim140", "once-a-day", "daily-or-out", "moderated", "subscribe", "digest", "archive", "bumplist", "auto-reply"]) assert.ok(up.lists.includes(`${name}@lists.localhost`), name);
    assert.match(out, new RegExp(`npx thwonkc mail .*examples/trim140/weather\\.eml --to trim140@lists\\.localhost --server smtp://127\\.0\\.0\\.1:${up.smtp}`));
    assert.match(out, /ls data\/outbox\/new/);
    assert.match(out, new RegExp(`npx thwonkc runs trim140@lists\\.localhost --data data --server http://127\\.0\\.0\\.1:${up.http}`));

    const members = await cli(dir, {}, "members", "list", "trim140@lists.localhost", "--data", "data", "--server", `http://127.0.0.1:${up.http}`);
    assert.equal(members.code, 0, members.err);
    assert.match(members.out, /Ann Lee <ann@example\.org>\nBob Martin <bob@example\.org>\nCy Young <cy@example\.org>\n3 members/);

    const sent = await cli(dir, {}, "mail", join(repoRoot, "examples", "trim140", "weather.eml"), "--to", "trim140@lists.localhost", "--server", `smtp://127.0.0.1:${up.smtp}`);
    assert.equal(sent.code, 0, sent.err);
    assert.match(sent.out, /^250 2\.0\.0 accepted/);
    const mail = await until("the trimmed copy in the outbox", async () => {
      const m = await outboxMail(up.outbox);
      return m.length ? m : undefined;
    });
    assert.deepEqual(mail[0]!.recipients.sort(), ["ann@example.org", "bob@example.org", "cy@example.org"]);
    assert.equal([...mail[0]!.mail.text!.trim()].length, 140);
    const runs = await cli(dir, { THWONK_SERVER: `http://127.0.0.1:${up.http}` }, "runs", "trim140@lists.localhost", "--data", "data");
    assert.match(runs.out, /trim140@lists\.localhost {2}message {2}ok .*\n1 run\n$/);
  } finally {
    proc.kill("SIGTERM");
    assert.equal(await exited, 0, err);
  }
});
