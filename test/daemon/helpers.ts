/** Starting a real thwonkd (bin/thwonkd.js) as a child process, on 127.0.0.1 with free ports, and reading what it wrote. */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { simpleParser, type ParsedMail } from "mailparser";
import nodemailer from "nodemailer";
import { BufferStream } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { repoRoot } from "../helpers/repo.js";
import { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import type { Store } from "../../runtime/daemon/store/types.js";

export interface Ports {
  smtp: number;
  lmtp?: number;
  http: number;
  outbox: string;
}

export interface Running {
  proc: ChildProcess;
  ports: Ports;
  stderr: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/** A temporary directory with `rules/NAME/NAME.thwonk` (and members.json) for each rule. */
export function workspace(rules: Record<string, { example?: string; source?: string; members?: unknown[] }>): { dir: string; data: string; rules: string } {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-test-"));
  for (const [name, r] of Object.entries(rules)) {
    const at = join(dir, "rules", name);
    mkdirSync(at, { recursive: true });
    if (r.example) cpSync(join(repoRoot, "examples", r.example, `${r.example}.thwonk`), join(at, `${name}.thwonk`));
    else writeFileSync(join(at, `${name}.thwonk`), r.source!);
    if (r.members) writeFileSync(join(at, "members.json"), JSON.stringify(r.members));
  }
  return { dir, data: join(dir, "data"), rules: join(dir, "rules") };
}

/**
 * `wrap`: the program that runs node with thwonkd's arguments instead of node itself (its file and arguments, given
 * node's): e.g. `unshare` and a shell that mounts a small file system for the data folder first, then execs node.
 */
export function startDaemon(
  ws: { data: string; rules: string },
  options: { env?: Record<string, string>; args?: string[]; wrap?: (node: string, args: string[]) => [string, string[]] } = {},
): Promise<Running> {
  const args = [join(repoRoot, "bin", "thwonkd.js"), "--data", ws.data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--lmtp", "127.0.0.1:0", "--deploy", ws.rules, "--domain", "example.org", "--workers", "2", ...(options.args ?? [])];
  const [file, argv] = options.wrap ? options.wrap(process.execPath, args) : [process.execPath, args];
  const proc = spawn(file, argv, { env: { ...process.env, THWONKD_LOG_LEVEL: "info", ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  proc.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`thwonkd did not start in 60 s:\n${err}`)), 60_000);
    proc.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      const ports = JSON.parse(out.slice(0, nl)) as Ports;
      resolve({
        proc,
        ports,
        stderr: () => err,
        async stop() {
          proc.kill("SIGTERM");
          return exited;
        },
        async kill() {
          proc.kill("SIGKILL");
          await exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`thwonkd exited with ${code} before it was ready:\n${err}`));
    });
  });
}

/** The messages in the outbox's new/, parsed. */
export async function outboxMail(outbox: string): Promise<{ file: string; raw: string; mail: ParsedMail; recipients: string[] }[]> {
  const dir = join(outbox, "new");
  if (!existsSync(dir)) return [];
  const out = [];
  for (const file of readdirSync(dir).sort()) {
    const raw = readFileSync(join(dir, file), "utf8");
    const mail = await simpleParser(raw);
    const rcpt = mail.headers.get("x-thwonk-recipients");
    out.push({ file, raw, mail, recipients: String(rcpt ?? "").split(",").map((s) => s.trim()).filter(Boolean) });
  }
  return out;
}

/**
 * The CPU time a process has used so far (ms, all its threads: /proc/PID/stat's utime + stime at 100 ticks a
 * second, Linux's USER_HZ): what a test compares where wall time would follow the machine's load.
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command's name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
  const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(after[11]) + Number(after[12])) * 10;
}

/** The store, read-only (WAL lets a reader in beside the daemon). */
export function readStore<T>(data: string, read: (db: Database.Database) => T): T {
  const db = new Database(join(data, "thwonkd.sqlite"), { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/**
 * Waits until every outgoing message committed so far is in the outbox (no outbox row left unwritten). A run's
 * messages are committed with it, before its 250: once this returns, a message of an answered run that is not in
 * new/ was never made, without a fixed wait for one that might come.
 */
export function outboxWritten(data: string): Promise<true> {
  return until("the outbox written", () => readStore(data, (db) => (db.prepare("SELECT count(*) AS n FROM outbox WHERE done = 0").get() as { n: number }).n === 0) || undefined);
}

/** Whether a program is on the PATH. */
/** Whether this install was asked not to build native/ (THWONK_NO_NATIVE as scripts/build-native.js reads it). */
export function nativeRefused(): boolean {
  return !["", "0"].includes(process.env["THWONK_NO_NATIVE"] ?? "");
}

/**
 * Whether this process may mount a file system of its own (a tmpfs in a mount namespace: root, or a user namespace
 * the system allows), for the tests of a full disk; where it may not, they are skipped.
 */
export function canMount(): boolean {
  mountable ??= spawnSync("unshare", ["-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"], { encoding: "utf8" }).status === 0;
  return mountable;
}
let mountable: boolean | undefined;

export function have(program: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${program}`]).status === 0;
}

export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs a Python script (smtplib) and returns its stdout. */
export function python(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn("python3", ["-c", script], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (c: Buffer) => (out += c.toString()));
    p.stderr.on("data", (c: Buffer) => (err += c.toString()));
    p.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`python3 failed (${code}): ${err}`))));
  });
}

export function swaks(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn("swaks", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (c: Buffer) => (out += c.toString()));
    p.stderr.on("data", (c: Buffer) => (out += c.toString()));
    p.on("exit", (code) => resolve({ code, out }));
  });
}

/** A rule counting its messages in state and sending each to the members with its count: runs that skip, repeat or reorder show in the subjects. */
export const COUNTER = `rule counter

limits { members: 10, fanout: 10 }

state {
  count: int = 0
}

on message(m: Message) {
  if state.count < 1000000 {
    state.count = state.count + 1
  }
  send(to: members, subject: "{state.count} {m.subject.truncate(100)}", text: m.text, from: "sender", replyTo: "list")
}
`;

/** `thwonkc ARGS` in this process, in `cwd`, with an empty environment: its exit code and what it printed. */
export async function cliIn(cwd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new BufferStream();
  const err = new BufferStream();
  const code = await main(args, { cwd, env: {}, stdout: out, stderr: err });
  return { code, out: out.text(), err: err.text() };
}

/** A Daemon in this process (2 sandbox workers, silent) with `source` deployed at `addresses`, each with Ann as its member; `close` removes its data. */
export async function listDaemon(o: { source: string; fileName: string; addresses: string[]; store?: (dir: string) => Store }): Promise<{ dir: string; daemon: Daemon; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-list-"));
  const daemon = await Daemon.open({ dataDir: dir, log: createLogger({ level: "silent", pretty: false }), workers: 2, ...(o.store ? { store: o.store(dir) } : {}) });
  const r = await daemon.deploy({ source: o.source, fileName: o.fileName, addresses: o.addresses });
  if (!r.ok) throw new Error(`deploy refused: ${JSON.stringify(r)}`);
  for (const list of o.addresses) await daemon.addMembers(list, [{ address: "ann@example.org", name: "Ann" }]);
  daemon.start();
  return {
    dir,
    daemon,
    async close() {
      await daemon.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let posted = 0;

/** A message from `from` with `subject` handed to the list as the SMTP ingress hands it: the answer's code, and whom the run's send went to. */
export async function postTo(daemon: Daemon, list: string, from: string, subject: string): Promise<{ code: number; to: string[] }> {
  const raw = Buffer.from(`From: <${from}>\r\nTo: <${list}>\r\nSubject: ${subject}\r\nMessage-ID: <post.${posted++}@example.org>\r\n\r\nhello\r\n`);
  const a = await daemon.runner.deliver({ address: list, rcptTo: list, mailFrom: from, raw, receivedAt: Date.now() });
  const run = a.runId === undefined ? undefined : await daemon.store.run(a.runId);
  const send = run?.actions.find((x) => x.kind === "send") as { to?: string[] } | undefined;
  return { code: a.code, to: [...(send?.to ?? [])].sort() };
}

/**
 * After a crash and a restart: every message that got a 250 (`acked`, by subject) was run once and written to the
 * outbox once, nothing twice; the counting list (COUNTER) counts 1..n in commit order and stored n; `plain` is the
 * other list the messages went to.
 */
export async function assertEachAcknowledgedOnce(data: string, outbox: string, acked: Set<string>, plain: string): Promise<void> {
  const subjectsOf = (list: string): string[] =>
    readStore(data, (db) => (db.prepare("SELECT actions FROM runs WHERE address = ? ORDER BY id").all(list) as { actions: string }[]).map((r) => (JSON.parse(r.actions) as { subject: string }[])[0]!.subject));
  const counted = subjectsOf("counter@example.org");
  // "k m-c-i": the k-th committed run of the list saw the k-1 before it, whatever was in flight when it died.
  assert.deepEqual(counted.map((s) => Number(s.split(" ")[0])), counted.map((_, i) => i + 1), "the counting list's runs count 1..n in commit order");
  const state = readStore(data, (db) => (db.prepare("SELECT state FROM lists WHERE address = 'counter@example.org'").get() as { state: string | null }).state);
  assert.equal(state === null ? 0 : (JSON.parse(state) as { count: number }).count, counted.length, "the stored count is the number of committed runs");
  const runs = [...subjectsOf(plain), ...counted.map((s) => s.slice(s.indexOf(" ") + 1))];
  const files = await until("the outbox written for every committed run", async () => {
    const m = await outboxMail(outbox);
    return m.length >= runs.length ? m : undefined;
  });
  const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
  const runCount = count(runs);
  const fileCount = count(files.map((f) => (f.mail.subject ?? "").replace(/^\d+ /, "")));
  for (const s of acked) {
    assert.equal(runCount.get(s), 1, `${s} got a 250: run once`);
    assert.equal(fileCount.get(s), 1, `${s} got a 250: written once`);
  }
  for (const [s, n] of runCount) assert.equal(n, 1, `${s} run at most once`);
  for (const [s, n] of fileCount) assert.equal(n, 1, `${s} written at most once`);
  assert.equal(files.length, runs.length, "one outbox file per committed run");
}

/**
 * `clients` parallel SMTP clients (nodemailer, one connection each) posting `each` messages from ann@example.org to
 * trim140@example.org, each named by its subject; the subject of each answered 250 goes into `acked`. SIGKILLs the
 * daemon once `killAt` more were acknowledged (never, for Infinity), and resolves when the posts and the kill are done.
 */
export async function postUntilKilled(
  d: Running,
  o: { acked: Set<string>; clients: number; each: number; killAt: number; subject: (client: number, i: number) => string; text: (subject: string) => string },
): Promise<void> {
  const start = o.acked.size;
  const killed = new Promise<void>((resolve) => {
    if (o.killAt === Infinity) return resolve();
    const timer = setInterval(() => {
      if (o.acked.size - start >= o.killAt) {
        clearInterval(timer);
        void d.kill().then(resolve);
      }
    }, 2);
  });
  await Promise.all(
    Array.from({ length: o.clients }, async (_, c) => {
      const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
      for (let i = 0; i < o.each; i++) {
        const subject = o.subject(c, i);
        try {
          const info = await t.sendMail({ from: "ann@example.org", to: "trim140@example.org", subject, text: o.text(subject) });
          if (/^250 /.test(info.response)) o.acked.add(subject);
        } catch {
          // The daemon is gone: this message is not acknowledged.
        }
      }
      t.close();
    }),
  );
  await killed;
}

/** `real` seen through a store that counts how many times each outbox row is marked done (`marked`: id → times). */
export function countingMarks<S extends Store>(real: S): { store: S; marked: Map<number, number> } {
  const marked = new Map<number, number>();
  const store = Object.create(real) as S;
  store.markOutboxDone = async (ids) => {
    for (const id of ids) marked.set(id, (marked.get(id) ?? 0) + 1);
    return real.markOutboxDone(ids);
  };
  return { store, marked };
}
