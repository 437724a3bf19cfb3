/**
 * The checker thread's design attacked over real LSP (stdio, the real
 * server, a real client): the diagnostics it publishes agree with `thwonkc
 * check --json` on the same texts (examples and random edits of them); no
 * stale version is published (didClose/didOpen with the version reset, a
 * rule and its test file edited in turn, a file changed on disk while
 * open); a closed or deleted file's diagnostics come from disk again or go;
 * shutdown and exit while a check runs.
 *
 * Nothing is timed: every wait is for an event (a publish, `$/progress`'s
 * end, `thwonk/verified`); the long timers only turn a hang into a failure.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection, type PublishDiagnosticsParams } from "vscode-languageserver-protocol/node";
import { binPath, tempDir } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";

interface Server {
  proc: ChildProcess;
  conn: ProtocolConnection;
  stderr: () => string;
  published: PublishDiagnosticsParams[];
  verified: { uri: string; version?: number }[];
  /** `$/progress` begins, reports and ends, in order ("end" for an end). */
  progress: string[];
  shown: string[];
  until: (what: string, test: () => boolean) => Promise<void>;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];
after(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
});

function start(): Server {
  const proc = spawn(process.execPath, [binPath, "lsp", "--stdio"], { stdio: ["pipe", "pipe", "pipe"], cwd: repoRoot });
  started.push(proc);
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const s: Omit<Server, "until" | "exited"> = { proc, conn, stderr: () => err, published: [], verified: [], progress: [], shown: [] };
  const waiters: (() => void)[] = [];
  const poke = (): void => {
    for (const w of [...waiters]) w();
  };
  conn.onNotification("textDocument/publishDiagnostics", (p: PublishDiagnosticsParams) => {
    s.published.push(p);
    poke();
  });
  conn.onNotification("thwonk/verified", (p: { uri: string; version?: number }) => {
    s.verified.push(p);
    poke();
  });
  conn.onNotification("window/showMessage", (p: { message: string }) => {
    s.shown.push(p.message);
    poke();
  });
  conn.onRequest("window/workDoneProgress/create", () => null);
  conn.onNotification("$/progress", (p: { value: { kind: string; message?: string } }) => {
    s.progress.push(p.value.kind === "end" ? "end" : (p.value.message ?? ""));
    poke();
  });
  conn.onError(() => {});
  conn.listen();
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (c) => resolve(c)));
  const until = (what: string, t: () => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what}: not within 240 s; stderr: ${err}`)), 240_000);
      const check = (): void => {
        if (!t()) return;
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(check), 1);
        resolve();
      };
      waiters.push(check);
      check();
    });
  return { ...s, until, exited };
}

async function init(s: Server, folders: string[] = []): Promise<void> {
  const workspaceFolders = folders.map((f) => ({ uri: pathToFileURL(f).href, name: basename(f) }));
  await s.conn.sendRequest("initialize", {
    processId: null,
    rootUri: workspaceFolders[0]?.uri ?? null,
    workspaceFolders: workspaceFolders.length ? workspaceFolders : null,
    capabilities: { window: { workDoneProgress: true }, workspace: { workspaceFolders: true } },
  });
  await s.conn.sendNotification("initialized", {});
}

async function stop(s: Server): Promise<number | null> {
  if (s.proc.exitCode === null) {
    await s.conn.sendRequest("shutdown");
    await s.conn.sendNotification("exit");
  }
  const code = await s.exited;
  s.conn.dispose();
  return code;
}

const lastOf = (s: Server, uri: string): PublishDiagnosticsParams | undefined => s.published.filter((p) => p.uri === uri).at(-1);

/** A small deterministic PRNG (mulberry32): the same corpus on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ["{", "}", "(", ")", '"', "let ", "state.", " + 1", "nowhere", "\n", "return", ".", ",", "m.subject", "0", "?", "if ", "//"];

/** One random edit of `text`: a line dropped, doubled or moved, a character dropped, a token put in, a name swapped for another. */
function mutate(text: string, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const lines = text.split("\n");
  const i = Math.floor(rnd() * lines.length);
  switch (Math.floor(rnd() * 6)) {
    case 0:
      lines.splice(i, 1);
      return lines.join("\n");
    case 1:
      lines.splice(i, 0, lines[i]!);
      return lines.join("\n");
    case 2: {
      const j = Math.min(lines.length - 1, i + 1);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join("\n");
    }
    case 3: {
      const at = Math.floor(rnd() * text.length);
      return text.slice(0, at) + text.slice(at + 1);
    }
    case 4: {
      const at = Math.floor(rnd() * text.length);
      return text.slice(0, at) + pick(TOKENS) + text.slice(at);
    }
    default: {
      const names = [...new Set(text.match(/\b[a-z][A-Za-z_]{2,}\b/g) ?? [])];
      if (names.length < 2) return text;
      const from = pick(names);
      const to = pick(names);
      const hits = [...text.matchAll(new RegExp(`\\b${from}\\b`, "g"))];
      const h = pick(hits);
      return text.slice(0, h.index) + to + text.slice(h.index + from.length);
    }
  }
}

interface Flat {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  severity: string;
  message: string;
}

const key = (d: Omit<Flat, "file">): string => `${d.line}:${d.column}-${d.endLine}:${d.endColumn} ${d.severity} ${d.code} ${d.message}`;

function runCheck(dir: string): Promise<Flat[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [binPath, "check", "--format", "json", dir], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    started.push(p);
    let out = "";
    let err = "";
    p.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    p.once("exit", (code) => {
      if (code !== 0 && code !== 1) reject(new Error(`thwonkc check exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as Flat[]);
    });
  });
}

/** What the server last published for each of `rels` (under `dir`) that differs from `thwonkc check --json DIR`'s report of it. */
async function disagreements(s: Server, dir: string, rels: readonly string[]): Promise<string[]> {
  const cli = await runCheck(dir);
  const want = new Map<string, string[]>();
  for (const d of cli) {
    const file = isAbsolute(d.file) ? d.file : join(dir, d.file);
    want.set(file, [...(want.get(file) ?? []), key(d)]);
  }
  const differences: string[] = [];
  for (const rel of rels) {
    const file = join(dir, rel);
    const last = lastOf(s, pathToFileURL(file).href);
    const got = (last?.diagnostics ?? []).map((d) =>
      key({
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
        severity: d.severity === 1 ? "error" : d.severity === 2 ? "warning" : "info",
        code: String(d.code),
        message: String(d.message),
      }),
    );
    const a = [...got].sort();
    const b = [...(want.get(file) ?? [])].sort();
    if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(`${rel}:\n  server: ${JSON.stringify(a)}\n  thwonkc: ${JSON.stringify(b)}${last ? "" : " (never published)"}`);
  }
  return differences;
}

test("agreement: for the examples and random edits of them, the server publishes for each file what `thwonkc check --json` reports", async () => {
  const rnd = prng(Number(process.env["ADV_SEED"] ?? 20261207));
  const files: Record<string, string> = {};
  const examples = readdirSync(join(repoRoot, "examples"));
  for (const ex of examples) {
    const dir = join(repoRoot, "examples", ex);
    const sources = readdirSync(dir).filter((f) => f.endsWith(".thwonk") || f.endsWith(".ts"));
    for (let v = 0; v < Number(process.env["ADV_N"] ?? 4); v++) {
      // Variant 0 is the example as it is; the others have one of its files edited one to three times.
      const victim = v === 0 ? undefined : sources[Math.floor(rnd() * sources.length)];
      for (const f of sources) {
        let text = readFileSync(join(dir, f), "utf8");
        if (f === victim) for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) text = mutate(text, rnd);
        files[`${ex}-${v}/${f}`] = text;
      }
    }
  }
  const dir = tempDir(files);
  const s = start();
  try {
    await init(s, [dir.dir]);
    // The first end of the progress: every rule of the scan checked and verified (a check queues its verify before it ends).
    await s.until("the workspace's checks done", () => s.progress.includes("end"));
    const differences = await disagreements(s, dir.dir, Object.keys(files));
    assert.deepEqual(differences, [], differences.join("\n"));
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

const ONCE = (ext: string): string => readFileSync(join(repoRoot, "examples", "once_a_day", `once_a_day${ext}`), "utf8");

test("a rule with a .ts twin: its test file is checked against NAME.thwonk alone (as thwonkc check does), not published for again by the twin's check", async () => {
  // The twin renames the state field the tests read: checked against it, the tests would have errors.
  const files = { "once_a_day.thwonk": ONCE(".thwonk"), "once_a_day.ts": ONCE(".ts").replaceAll("lastPost", "seenAt"), "once_a_day.test.thwonk": ONCE(".test.thwonk") };
  const dir = tempDir(files);
  const s = start();
  try {
    await init(s, [dir.dir]);
    await s.until("the workspace's checks done", () => s.progress.includes("end"));
    const differences = await disagreements(s, dir.dir, Object.keys(files));
    assert.deepEqual(differences, [], differences.join("\n"));
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

/** Resolves when the server's checks have all been done since `before` (the `$/progress` it began after then has ended). */
const settled = (s: Server, before: number, what: string): Promise<void> => s.until(what, () => s.progress.slice(before).includes("end"));

const watched = (s: Server, changes: { file: string; type: 1 | 2 | 3 }[]) =>
  s.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: changes.map((c) => ({ uri: pathToFileURL(c.file).href, type: c.type })) });

test("a test file whose rule becomes NAME.thwonk beside NAME.ts, then NAME.ts changed: the tests' diagnostics are the .thwonk rule's, not cleared by the twin's check", async () => {
  const dir = tempDir({ "once_a_day.ts": ONCE(".ts"), "once_a_day.test.thwonk": ONCE(".test.thwonk") });
  const rels = ["once_a_day.ts", "once_a_day.test.thwonk", "once_a_day.thwonk"];
  const testUri = pathToFileURL(dir.path("once_a_day.test.thwonk")).href;
  const s = start();
  try {
    await init(s, [dir.dir]);
    await settled(s, 0, "the scan's checks done");
    assert.deepEqual(lastOf(s, testUri)?.diagnostics, []);
    // NAME.thwonk comes, without the field the tests read: the tests are its now, with errors.
    let before = s.progress.length;
    writeFileSync(dir.path("once_a_day.thwonk"), ONCE(".thwonk").replaceAll("lastPost", "seenAt"));
    await watched(s, [{ file: dir.path("once_a_day.thwonk"), type: 1 }]);
    await settled(s, before, "the new rule checked");
    assert.ok(lastOf(s, testUri)!.diagnostics.some((d) => d.code === "TW2012"), JSON.stringify(lastOf(s, testUri)));
    assert.deepEqual(await disagreements(s, dir.dir, rels), []);
    // The twin changed on disk: checked again, alone; the tests' errors stay (they are the .thwonk rule's).
    before = s.progress.length;
    writeFileSync(dir.path("once_a_day.ts"), `${ONCE(".ts")}\n// changed\n`);
    await watched(s, [{ file: dir.path("once_a_day.ts"), type: 2 }]);
    await settled(s, before, "the twin checked again");
    assert.deepEqual(await disagreements(s, dir.dir, rels), []);
    // The test file deleted: its diagnostics go.
    before = s.progress.length;
    unlinkSync(dir.path("once_a_day.test.thwonk"));
    await watched(s, [{ file: dir.path("once_a_day.test.thwonk"), type: 3 }]);
    await settled(s, before, "the rule checked without its tests");
    assert.deepEqual(lastOf(s, testUri)?.diagnostics, []);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});
