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
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { PublishDiagnosticsParams } from "vscode-languageserver-protocol/node";
import { BufferStream } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { binPath, tempDir } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";
import { scaled } from "../helpers/scale.js";
import { bigRule, initServer, killAtEnd, startServer, stopServer, type StdioServer } from "./stdio-server.js";
import { rand as prng } from "../properties/inputs.js";

type Server = StdioServer;
const start = (): Server => startServer({ waitMs: 240_000 });
const init = async (s: Server, folders: string[] = []): Promise<void> => void (await initServer(s, folders));
const stop = stopServer;

const lastOf = (s: Server, uri: string): PublishDiagnosticsParams | undefined => s.published.filter((p) => p.uri === uri).at(-1);


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

/**
 * `thwonkc check --format json DIR`: the CLI's own main in this process (a node and the CLI's bundle started for each
 * of some twenty comparisons was half their time), or, `spawned`, in a process of its own as a user runs it: for the
 * hostile rules, whose .ts depth limit is where a stack runs out.
 */
async function runCheck(dir: string, spawned = false): Promise<Flat[]> {
  if (!spawned) {
    const out = new BufferStream();
    const err = new BufferStream();
    const code = await main(["check", "--format", "json", dir], { cwd: dir, env: {}, stdout: out, stderr: err });
    if (code !== 0 && code !== 1) throw new Error(`thwonkc check exited ${code}: ${err.text()}`);
    return JSON.parse(out.text()) as Flat[];
  }
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [binPath, "check", "--format", "json", dir], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    killAtEnd(p);
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

/**
 * Resolves when every check asked for by the messages sent so far is done:
 * the server answers thwonk/stats after it has read them, and with passes
 * still pending there, the `$/progress` run they are in ends after the answer.
 */
async function settled(s: Server, what: string): Promise<void> {
  const stats = (await s.conn.sendRequest("thwonk/stats")) as { pending: number };
  const mark = s.progress.length;
  if (stats.pending > 0) await s.until(what, () => s.progress.slice(mark).includes("end"));
}

/** What the server last published for each of `rels` (under `dir`) that differs from `thwonkc check --json DIR`'s report of it. */
async function disagreements(s: Server, dir: string, rels: readonly string[], spawned = false): Promise<string[]> {
  const cli = await runCheck(dir, spawned);
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
        // The server names files by their paths, thwonkc relative to its directory (the one difference allowed).
        message: String(d.message).replaceAll(`${dir}/`, ""),
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
  await agreesWithCheck(files);
});

/** A workspace of `files` scanned at start publishes, once every check and verify is done, what thwonkc check says of them. */
async function agreesWithCheck(files: Record<string, string>): Promise<void> {
  const dir = tempDir(files);
  const s = start();
  try {
    await init(s, [dir.dir]);
    // Every rule of the scan checked and verified (a check queues its verify before it ends).
    await settled(s, "the workspace's checks done");
    const differences = await disagreements(s, dir.dir, Object.keys(files));
    assert.deepEqual(differences, [], differences.join("\n"));
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
}

const ONCE = (ext: string): string => readFileSync(join(repoRoot, "examples", "once_a_day", `once_a_day${ext}`), "utf8");

test("a rule with a .ts twin: its test file is checked against NAME.thwonk alone (as thwonkc check does), not published for again by the twin's check", async () => {
  // The twin renames the state field the tests read: checked against it, the tests would have errors.
  const files = { "once_a_day.thwonk": ONCE(".thwonk"), "once_a_day.ts": ONCE(".ts").replaceAll("lastPost", "seenAt"), "once_a_day.test.thwonk": ONCE(".test.thwonk") };
  await agreesWithCheck(files);
});

const watched = (s: Server, changes: { file: string; type: 1 | 2 | 3 }[]) =>
  s.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: changes.map((c) => ({ uri: pathToFileURL(c.file).href, type: c.type })) });

test("a test file whose rule becomes NAME.thwonk beside NAME.ts, then NAME.ts changed: the tests' diagnostics are the .thwonk rule's, not cleared by the twin's check", async () => {
  const dir = tempDir({ "once_a_day.ts": ONCE(".ts"), "once_a_day.test.thwonk": ONCE(".test.thwonk") });
  const rels = ["once_a_day.ts", "once_a_day.test.thwonk", "once_a_day.thwonk"];
  const testUri = pathToFileURL(dir.path("once_a_day.test.thwonk")).href;
  const s = start();
  try {
    await init(s, [dir.dir]);
    await settled(s, "the scan's checks done");
    assert.deepEqual(lastOf(s, testUri)?.diagnostics, []);
    // NAME.thwonk comes, without the field the tests read: the tests are its now, with errors.
    writeFileSync(dir.path("once_a_day.thwonk"), ONCE(".thwonk").replaceAll("lastPost", "seenAt"));
    await watched(s, [{ file: dir.path("once_a_day.thwonk"), type: 1 }]);
    await settled(s, "the new rule checked");
    assert.ok(lastOf(s, testUri)!.diagnostics.some((d) => d.code === "TW2012"), JSON.stringify(lastOf(s, testUri)));
    assert.deepEqual(await disagreements(s, dir.dir, rels), []);
    // The twin changed on disk: checked again, alone; the tests' errors stay (they are the .thwonk rule's).
    writeFileSync(dir.path("once_a_day.ts"), `${ONCE(".ts")}\n// changed\n`);
    await watched(s, [{ file: dir.path("once_a_day.ts"), type: 2 }]);
    await settled(s, "the twin checked again");
    assert.deepEqual(await disagreements(s, dir.dir, rels), []);
    // The test file deleted: its diagnostics go.
    unlinkSync(dir.path("once_a_day.test.thwonk"));
    await watched(s, [{ file: dir.path("once_a_day.test.thwonk"), type: 3 }]);
    await settled(s, "the rule checked without its tests");
    assert.deepEqual(lastOf(s, testUri)?.diagnostics, []);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

/** A rule whose check takes a while (3,000 ifs), so that edits overtake checks under way. */
const TAGGED_RULE = (tag: string): string =>
  `rule r\n\nstate { n: int = 0 }\n\non message(m: Message) {\n  log(nowhere_${tag})\n${Array.from({ length: 3000 }, (_, i) => `  if m.subject.contains("k${i}") {\n    state.n += ${i}\n  }`).join("\n")}\n}\n`;
const TAGGED_TEST = (tag: string): string => `test "t" {\n  message = { from: "a@b.example", subject: "s", text: "t" }\n  expect state.tag_${tag} == 1\n}\n`;
const tagOf = (session: string, version: number): string => `${session}_${String(version).padStart(4, "0")}`;
/** The range of the tag (`A_0001`) in a tagged text. */
const tagRange = (text: string): { start: { line: number; character: number }; end: { line: number; character: number } } => {
  const m = /(nowhere|tag)_([A-Z]_\d{4})/.exec(text)!;
  const before = text.slice(0, m.index + m[1]!.length + 1);
  const line = before.split("\n").length - 1;
  const character = before.length - (before.lastIndexOf("\n") + 1);
  return { start: { line, character }, end: { line, character: character + 6 } };
};

/**
 * `edits` edits in a burst, alternating between the rule `name` (its text
 * `ruleText(tag)`) and its test file, with didSave, hovers and completions
 * cancelled, and the rule closed and opened again at version 1 midway:
 * every publish must be of the text of the version it names (the tag in its
 * diagnostics), the last ones of the last texts. `testsTagged` false: the
 * rule's errors keep its tests from being checked (a .ts rule TypeScript
 * refuses), so the test file's diagnostics have no tag.
 */
async function burst(name: string, ruleText: (tag: string) => string, edits: number, testsTagged = true): Promise<void> {
  const dir = tempDir({});
  const rule = pathToFileURL(dir.path(name)).href;
  const tests = pathToFileURL(dir.path(name.replace(/\.(thwonk|ts)$/, ".test.thwonk"))).href;
  const languageId = name.endsWith(".ts") ? "typescript" : "thwonk";
  const s = start();
  try {
    await init(s, []);
    const versions = new Map<string, { session: string; version: number }>([
      [rule, { session: "A", version: 1 }],
      [tests, { session: "A", version: 1 }],
    ]);
    await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: rule, languageId, version: 1, text: ruleText(tagOf("A", 1)) } });
    await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: tests, languageId: "thwonk", version: 1, text: TAGGED_TEST(tagOf("A", 1)) } });
    const ruleRange = tagRange(ruleText(tagOf("A", 1)));
    const testRange = tagRange(TAGGED_TEST(tagOf("A", 1)));
    const answers: Promise<string>[] = [];
    const { CancellationTokenSource } = await import("vscode-languageserver-protocol/node");
    for (let i = 0; i < edits; i++) {
      const uri = i % 2 === 0 ? rule : tests;
      const v = versions.get(uri)!;
      if (uri === rule && i === edits / 2) {
        // Closed and opened again: the versions start over, in a new session.
        await s.conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
        v.session = "B";
        v.version = 1;
        await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId, version: 1, text: ruleText(tagOf("B", 1)) } });
        continue;
      }
      v.version++;
      await s.conn.sendNotification("textDocument/didChange", {
        textDocument: { uri, version: v.version },
        contentChanges: [{ range: uri === rule ? ruleRange : testRange, text: tagOf(v.session, v.version) }],
      });
      if (i % 50 === 1) await s.conn.sendNotification("textDocument/didSave", { textDocument: { uri } });
      if (i % 10 === 3) {
        const source = new CancellationTokenSource();
        const method = i % 20 === 3 ? "textDocument/hover" : "textDocument/completion";
        answers.push(
          s.conn.sendRequest(method, { textDocument: { uri: rule }, position: ruleRange.start }, source.token).then(
            () => "answered",
            (e: { code?: number }) => (e.code === -32800 ? "cancelled" : `failed: ${JSON.stringify(e)}`),
          ),
        );
        source.cancel();
      }
    }
    const last = (uri: string) => versions.get(uri)!;
    const tagIn = (p: PublishDiagnosticsParams): string | undefined => {
      for (const d of p.diagnostics) {
        const m = /(?:nowhere|tag)_([A-Z]_\d{4})/.exec(String(d.message));
        if (m) return m[1];
      }
      return undefined;
    };
    const isLast = (uri: string): boolean => {
      const p = lastOf(s, uri);
      return p?.version === last(uri).version && tagIn(p) === tagOf(last(uri).session, last(uri).version);
    };
    await s.until("the last texts' diagnostics", () => isLast(rule) && (testsTagged ? isLast(tests) : lastOf(s, tests)?.version === last(tests).version));
    for (const a of await Promise.all(answers)) assert.match(a, /^(answered|cancelled)$/);
    // Every publish names its version's tag; the rule's, once of the second session, never of the first again.
    let inB = false;
    const wrong: string[] = [];
    for (const p of s.published) {
      if (p.uri !== rule && p.uri !== tests) continue;
      const tag = tagIn(p);
      if (p.version === undefined) {
        // The rule closed: cleared (no file on disk), never an open version's diagnostics.
        if (p.uri !== rule || p.diagnostics.length !== 0) wrong.push(`unversioned ${JSON.stringify(p)}`);
        continue;
      }
      // The test file checked while the rule was closed (without its rule) has no tag; the rule always has one.
      if (tag === undefined) {
        if (p.uri === rule) wrong.push(`${p.uri} version ${p.version} without its tag: ${JSON.stringify(p.diagnostics)}`);
        continue;
      }
      const [session, version] = tag.split("_");
      if (Number(version) !== p.version) wrong.push(`${p.uri} version ${p.version} with ${tag}`);
      if (p.uri === rule) {
        if (session === "B") inB = true;
        else if (inB) wrong.push(`${p.uri} ${tag} after the second session's`);
      }
    }
    assert.deepEqual(wrong, []);
    const stats = (await s.conn.sendRequest("thwonk/stats")) as { checks: number; checker: { threads: number; stopped: number } };
    assert.equal(stats.checker.threads, 1);
    console.log(`# measured: ${edits} edits of ${name}: ${s.published.length} publishes, ${stats.checker.stopped} passes stopped, server RSS ${rssKb(s.proc.pid!)} kB`);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
}

// 400 edits, as the .ts rule's burst below has always had (1,000 with THWONK_TEST_SCALE=full): each of the burst's
// events (a didSave each 50, a cancelled hover or completion each 10, the close and reopen half way) comes many times.
const BURST = scaled(400, 1000);

test(`${BURST.toLocaleString("en-US")} edits in a burst, alternating between a rule and its test file, with didSave, hovers and completions cancelled, and the rule closed and opened again at version 1: every publish is of the text of the version it names, the last ones of the last texts`, async () => {
  await burst("r.thwonk", TAGGED_RULE, BURST);
});

test("the same burst on a .ts rule (the TypeScript front end) and its test file", async () => {
  const once = ONCE(".ts").replace("  if (m.isAutomated()) {", "  const seen = nowhere_TAG;\n  if (m.isAutomated()) {");
  assert.notEqual(once, ONCE(".ts"));
  await burst("once_a_day.ts", (tag) => once.replace("nowhere_TAG", `nowhere_${tag}`), 400, false);
});

test("an open rule changed and deleted on disk: the buffer's diagnostics while open; closed, the disk's; deleted, none; its test file's follow", async () => {
  const dir = tempDir({ "r.thwonk": TAGGED_RULE(tagOf("D", 1)), "r.test.thwonk": TAGGED_TEST(tagOf("D", 1)) });
  const rule = pathToFileURL(dir.path("r.thwonk")).href;
  const tests = pathToFileURL(dir.path("r.test.thwonk")).href;
  const tagged = (uri: string, tag: string) => lastOf(s, uri)?.diagnostics.some((d) => String(d.message).includes(tag)) === true;
  const s = start();
  try {
    await init(s, [dir.dir]);
    await s.until("the disk's rule checked", () => tagged(rule, "nowhere_D_0001") && tagged(tests, "tag_D_0001"));
    await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: rule, languageId: "thwonk", version: 7, text: TAGGED_RULE(tagOf("E", 7)) } });
    await s.until("the buffer checked", () => tagged(rule, "nowhere_E_0007") && lastOf(s, rule)?.version === 7);
    // Saved from elsewhere while open (another editor, a git checkout): the buffer still wins.
    writeFileSync(dir.path("r.thwonk"), TAGGED_RULE(tagOf("D", 2)));
    await watched(s, [{ file: dir.path("r.thwonk"), type: 2 }]);
    // A test-file change after it makes the server check the rule (the buffer) again: the disk's change was read by then.
    writeFileSync(dir.path("r.test.thwonk"), TAGGED_TEST(tagOf("D", 2)));
    await watched(s, [{ file: dir.path("r.test.thwonk"), type: 2 }]);
    await settled(s, "checked after the disk's changes");
    assert.ok(tagged(rule, "nowhere_E_0007") && lastOf(s, rule)?.version === 7, JSON.stringify(lastOf(s, rule)));
    assert.ok(tagged(tests, "tag_D_0002"), JSON.stringify(lastOf(s, tests)));
    // Closed: the disk's text is the rule again.
    await s.conn.sendNotification("textDocument/didClose", { textDocument: { uri: rule } });
    await settled(s, "checked after the close");
    assert.ok(tagged(rule, "nowhere_D_0002"), JSON.stringify(lastOf(s, rule)));
    assert.equal(lastOf(s, rule)?.version, undefined);
    // Deleted: the rule's diagnostics go; its test file is reported as without its rule.
    unlinkSync(dir.path("r.thwonk"));
    await watched(s, [{ file: dir.path("r.thwonk"), type: 3 }]);
    await settled(s, "checked after the delete");
    assert.deepEqual(lastOf(s, rule)?.diagnostics, []);
    assert.deepEqual(
      lastOf(s, tests)?.diagnostics.map((d) => d.code),
      (await runCheck(dir.dir)).map((d) => d.code),
    );
    // The test file deleted too: nothing left anywhere.
    unlinkSync(dir.path("r.test.thwonk"));
    await watched(s, [{ file: dir.path("r.test.thwonk"), type: 3 }]);
    await settled(s, "checked after the second delete");
    assert.deepEqual(lastOf(s, tests)?.diagnostics, []);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});


const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

test("a workspace of rules that each kill the checker thread, scanned at start: each is tried twice and gets TW3999, no thread more; the small rule beside them is checked; the server answers and exits", async () => {
  const n = 3;
  const files: Record<string, string> = { "small.thwonk": "rule small\n\non message(m: Message) {\n  log(nowhere)\n}\n" };
  for (let i = 0; i < n; i++) files[`big${i}.thwonk`] = bigRule(`big${i}`, 20000);
  const dir = tempDir(files);
  const s = start();
  try {
    const workspaceFolders = [{ uri: pathToFileURL(dir.dir).href, name: "w" }];
    await s.conn.sendRequest("initialize", {
      processId: null,
      rootUri: workspaceFolders[0]!.uri,
      workspaceFolders,
      capabilities: { window: { workDoneProgress: true } },
      initializationOptions: { checkerHeapMb: 32 },
    });
    await s.conn.sendNotification("initialized", {});
    const uri = (rel: string) => pathToFileURL(dir.path(rel)).href;
    await settled(s, "the scan's checks done");
    for (let i = 0; i < n; i++) {
      const codes = lastOf(s, uri(`big${i}.thwonk`))?.diagnostics.map((d) => d.code);
      assert.deepEqual(codes, ["TW3999"], `big${i}: ${JSON.stringify(codes)}`);
    }
    assert.ok(lastOf(s, uri("small.thwonk"))?.diagnostics.some((d) => d.code === "TW2010"));
    const stats = (await s.conn.sendRequest("thwonk/stats")) as { checker: { threads: number } };
    // Two deaths a rule, and at most the thread started after the last.
    assert.ok(stats.checker.threads <= 2 * n + 1, JSON.stringify(stats));
    // Told once (a crash loop is not a message per rule: the rules' diagnostics say which).
    assert.equal(s.shown.length, 1, JSON.stringify(s.shown));
    console.log(`# measured: ${stats.checker.threads} threads, ${s.shown.length} messages, server RSS ${rssKb(s.proc.pid!)} kB after ${2 * n} thread deaths`);
    const hover = await s.conn.sendRequest("textDocument/hover", { textDocument: { uri: uri("small.thwonk") }, position: { line: 3, character: 7 } });
    assert.equal(hover, null);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

test("exit without shutdown while the thread checks a big rule: the process ends with 1 at once, no thread keeps it", async () => {
  const s = start();
  try {
    await init(s, []);
    await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: "file:///virtual/big.thwonk", languageId: "thwonk", version: 1, text: bigRule("big", 20000) } });
    await s.until("the big rule's check under way", () => s.progress.some((m) => /checking big\.thwonk/.test(m)));
    await s.conn.sendNotification("exit");
    assert.equal(await s.exited, 1);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
  }
});

test("a folder removed while its big rule is checked: the check is dropped, the rule's diagnostics cleared, and no later publish brings them back", async () => {
  const dir = tempDir({ "big.thwonk": bigRule("big", 8000).replace("state.n += 0", "state.n += nowhere") });
  const uri = pathToFileURL(dir.path("big.thwonk")).href;
  const s = start();
  try {
    await init(s, [dir.dir]);
    await s.until("the big rule's check under way", () => s.progress.some((m) => /checking big\.thwonk/.test(m)));
    await s.conn.sendNotification("workspace/didChangeWorkspaceFolders", { event: { added: [], removed: [{ uri: pathToFileURL(dir.dir).href, name: "w" }] } });
    await settled(s, "checked after the removal");
    assert.deepEqual(lastOf(s, uri)?.diagnostics ?? [], []);
    // A request the server answers after every check queued: nothing about the removed rule came since.
    const count = s.published.filter((p) => p.uri === uri).length;
    await s.conn.sendRequest("thwonk/stats");
    assert.equal(s.published.filter((p) => p.uri === uri).length, count);
    const symbols = (await s.conn.sendRequest("workspace/symbol", { query: "" })) as unknown[];
    assert.deepEqual(symbols, []);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

test("a document outside the workspace folders (or under node_modules), or whose folder was removed, closed: its diagnostics go with it, as the scan would not have found it", async () => {
  const bad = "rule r\n\non message(m: Message) {\n  log(nowhere)\n}\n";
  const ws = tempDir({ "in.thwonk": bad, "node_modules/pkg/dep.thwonk": bad });
  const outside = tempDir({ "out.thwonk": bad, "gone/g.thwonk": bad, "gone/g.test.thwonk": TAGGED_TEST(tagOf("G", 1)) });
  const uri = (d: { path: (r: string) => string }, rel: string) => pathToFileURL(d.path(rel)).href;
  const s = start();
  try {
    await init(s, [ws.dir, outside.path("gone")]);
    await settled(s, "the scan's checks done");
    assert.ok(lastOf(s, uri(outside, "gone/g.test.thwonk"))!.diagnostics.length > 0);
    const opened = [uri(ws, "in.thwonk"), uri(ws, "node_modules/pkg/dep.thwonk"), uri(outside, "out.thwonk"), uri(outside, "gone/g.thwonk")];
    let v = 1;
    for (const u of opened) await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: u, languageId: "thwonk", version: v++, text: bad } });
    await s.until("the open documents checked", () => opened.every((u) => lastOf(s, u)?.version !== undefined && lastOf(s, u)!.diagnostics.length > 0));
    // g's folder removed while g.thwonk is open: its buffer stays, its test file (closed) goes.
    await s.conn.sendNotification("workspace/didChangeWorkspaceFolders", { event: { added: [], removed: [{ uri: pathToFileURL(outside.path("gone")).href, name: "gone" }] } });
    await settled(s, "checked after the removal");
    assert.deepEqual(lastOf(s, uri(outside, "gone/g.test.thwonk"))?.diagnostics, []);
    for (const u of opened) await s.conn.sendNotification("textDocument/didClose", { textDocument: { uri: u } });
    await settled(s, "checked after the closes");
    // The workspace's rule is read from disk again; the others are no rules of the workspace any more.
    assert.ok(lastOf(s, uri(ws, "in.thwonk"))!.diagnostics.some((d) => d.code === "TW2010"));
    for (const u of opened.slice(1)) assert.deepEqual(lastOf(s, u)?.diagnostics, [], u);
    const symbols = (await s.conn.sendRequest("workspace/symbol", { query: "" })) as { location: { uri: string } }[];
    assert.deepEqual([...new Set(symbols.map((x) => x.location.uri))], [uri(ws, "in.thwonk")]);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    ws.remove();
    outside.remove();
  }
});

test("a test file open while its rule is renamed on disk (deleted, created under another name) and back, during the rule's check: the diagnostics follow thwonkc check's at each step", async () => {
  const rule = bigRule("r", 3000).replace("state { n: int = 0 }", "state { n: int = 0, tag_R_0001: int = 0 }");
  const dir = tempDir({ "r.thwonk": rule, "r.test.thwonk": TAGGED_TEST(tagOf("R", 1)) });
  const rels = ["r.thwonk", "r.test.thwonk", "s.thwonk"];
  const s = start();
  try {
    await init(s, [dir.dir]);
    await settled(s, "the scan's checks done");
    await s.conn.sendNotification("textDocument/didOpen", {
      textDocument: { uri: pathToFileURL(dir.path("r.test.thwonk")).href, languageId: "thwonk", version: 1, text: TAGGED_TEST(tagOf("R", 1)) },
    });
    assert.deepEqual(await disagreements(s, dir.dir, rels), []);
    for (const [from, to] of [
      ["r.thwonk", "s.thwonk"],
      ["s.thwonk", "r.thwonk"],
    ] as const) {
      const before = s.progress.length;
      // A change first, so that a check of the rule is under way when it goes.
      writeFileSync(dir.path(from), `${rule}\n// touched\n`);
      await watched(s, [{ file: dir.path(from), type: 2 }]);
      await s.until("a check under way", () => s.progress.slice(before).some((m) => m.includes(from)));
      writeFileSync(dir.path(to), readFileSync(dir.path(from), "utf8").replace("rule r", `rule ${to.slice(0, 1)}`));
      unlinkSync(dir.path(from));
      await watched(s, [
        { file: dir.path(from), type: 3 },
        { file: dir.path(to), type: 1 },
      ]);
      await settled(s, "all checked after the rename");
      const differences = await disagreements(s, dir.dir, rels);
      assert.deepEqual(differences, [], differences.join("\n"));
    }
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

/** The one change that turns `a` into `b`: their common start and end kept, the middle replaced. */
function changeOf(a: string, b: string): { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string } {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let q = 0;
  while (q < a.length - p && q < b.length - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
  const pos = (offset: number) => {
    const before = a.slice(0, offset);
    const line = before.split("\n").length - 1;
    return { line, character: offset - (before.lastIndexOf("\n") + 1) };
  };
  return { range: { start: pos(p), end: pos(a.length - q) }, text: b.slice(p, b.length - q) };
}

test("agreement while editing: the examples opened and edited at random (incremental changes, hovers and completions between), the last publishes equal thwonkc check's of the last texts", async () => {
  const rnd = prng(Number(process.env["ADV_SEED"] ?? 7));
  const dir = tempDir({});
  const texts = new Map<string, string>();
  const s = start();
  try {
    await init(s, []);
    for (const ex of readdirSync(join(repoRoot, "examples"))) {
      for (const f of readdirSync(join(repoRoot, "examples", ex)).filter((x) => x.endsWith(".thwonk") || x.endsWith(".ts"))) {
        const rel = `${ex}/${f}`;
        texts.set(rel, readFileSync(join(repoRoot, "examples", ex, f), "utf8"));
        await s.conn.sendNotification("textDocument/didOpen", {
          textDocument: { uri: pathToFileURL(dir.path(rel)).href, languageId: f.endsWith(".ts") ? "typescript" : "thwonk", version: 1, text: texts.get(rel) },
        });
      }
    }
    const rels = [...texts.keys()];
    const versions = new Map(rels.map((r) => [r, 1]));
    for (let i = 0; i < 300; i++) {
      const rel = rels[Math.floor(rnd() * rels.length)]!;
      const uri = pathToFileURL(dir.path(rel)).href;
      const next = mutate(texts.get(rel)!, rnd);
      const change = changeOf(texts.get(rel)!, next);
      texts.set(rel, next);
      versions.set(rel, versions.get(rel)! + 1);
      await s.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version: versions.get(rel) }, contentChanges: [change] });
      if (i % 7 === 0) await s.conn.sendRequest(i % 14 === 0 ? "textDocument/hover" : "textDocument/completion", { textDocument: { uri }, position: change.range.start });
      // Now and then a pause long enough for the checks to catch up, so that passes of every kind are published.
      if (i % 60 === 59) await settled(s, "caught up");
    }
    await settled(s, "the last texts checked");
    for (const [rel, text] of texts) {
      mkdirSync(dirname(dir.path(rel)), { recursive: true });
      writeFileSync(dir.path(rel), text);
    }
    const differences = await disagreements(s, dir.dir, rels);
    assert.deepEqual(differences, [], differences.join("\n"));
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

test("hostile rules in the workspace, opened and edited: a 4 MB string, 100,000 nested brackets (in .thwonk and .ts), 20,000 nested ifs: the diagnostics thwonkc check gives, the server alive", async () => {
  const deep = (open: string, close: string) => `rule deep\n\non message(m: Message) {\n  let x = ${open.repeat(100_000)}1${close.repeat(100_000)}\n  log(x)\n}\n`;
  const files: Record<string, string> = {
    "huge.thwonk": `rule huge\n\non message(m: Message) {\n  let x = "${"a".repeat(4_000_000)}"\n  log(x)\n}\n`,
    "parens.thwonk": deep("(", ")"),
    "lists.thwonk": deep("[", "]"),
    "ifs.thwonk": `rule ifs\n\non message(m: Message) {\n${"if true {\n".repeat(20_000)}log(1)\n${"}\n".repeat(20_000)}}\n`,
    "deep.ts": ONCE(".ts").replace("  if (m.isAutomated()) {", `  const deep = ${"(".repeat(100_000)}1${")".repeat(100_000)};\n  if (m.isAutomated()) {`),
  };
  const dir = tempDir(files);
  const s = start();
  try {
    await init(s, [dir.dir]);
    await settled(s, "the scan's checks done");
    // The .ts rule is refused as too deep where its brackets passed MAX_TS_BRACKETS, found before TypeScript parses
    // it: the same place on the checker thread as in the CLI, whatever their stacks.
    const exact = Object.keys(files);
    const deepTs = pathToFileURL(dir.path("deep.ts")).href;
    const tooDeep = (line: number) => assert.deepEqual(lastOf(s, deepTs)?.diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`), [`TW1018@${line}`]);
    let differences = await disagreements(s, dir.dir, exact, true);
    assert.deepEqual(differences, [], differences.join("\n"));
    tooDeep(19);
    assert.deepEqual((await runCheck(dir.dir, true)).filter((d) => d.file.endsWith("deep.ts")).map((d) => `${d.code}@${d.line}`), ["TW1018@19"]);
    // Opened (the server's own thread checks an open rule too) and edited: still the same answers.
    for (const [rel, text] of Object.entries(files)) {
      const uri = pathToFileURL(dir.path(rel)).href;
      await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: rel.endsWith(".ts") ? "typescript" : "thwonk", version: 1, text } });
      await s.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: 3, character: 8 } });
      await s.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "// edited\n" }] });
      writeFileSync(dir.path(rel), `// edited\n${text}`);
    }
    await settled(s, "the edited rules checked");
    differences = await disagreements(s, dir.dir, exact, true);
    assert.deepEqual(differences, [], differences.join("\n"));
    tooDeep(20);
    const stats = (await s.conn.sendRequest("thwonk/stats")) as { checker: { threads: number } };
    assert.equal(stats.checker.threads, 1);
    console.log(`# measured: server RSS ${rssKb(s.proc.pid!)} kB with the hostile rules open`);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

test("the same file in two folders (nested, and through a link to the folder): one rule per name, kept while a folder still holds it, cleared when the last goes or the file is deleted", async () => {
  const bad = (n: string) => `rule ${n}\n\non message(m: Message) {\n  log(nowhere)\n}\n`;
  const dir = tempDir({ "a/top.thwonk": bad("top"), "a/sub/inner.thwonk": bad("inner"), "a/sub/inner.test.thwonk": TAGGED_TEST(tagOf("N", 1)) });
  symlinkSync(dir.path("a"), dir.path("link"));
  const folder = (rel: string) => ({ uri: pathToFileURL(dir.path(rel)).href, name: rel });
  const uri = (rel: string) => pathToFileURL(dir.path(rel)).href;
  const has = (rel: string) => (lastOf(s, uri(rel))?.diagnostics.length ?? 0) > 0;
  const s = start();
  try {
    await init(s, [dir.path("a"), dir.path("a/sub"), dir.path("link")]);
    await settled(s, "the scan's checks done");
    for (const rel of ["a/top.thwonk", "a/sub/inner.thwonk", "a/sub/inner.test.thwonk", "link/top.thwonk", "link/sub/inner.thwonk"]) assert.ok(has(rel), rel);
    // One rule per name: the nested folder's rule is not a second one.
    const names = (await s.conn.sendRequest("workspace/symbol", { query: "" })) as { location: { uri: string } }[];
    assert.deepEqual([...new Set(names.map((n) => n.location.uri).filter((u) => u.includes("/inner")))].sort(), [uri("a/sub/inner.thwonk"), uri("a/sub/inner.test.thwonk"), uri("link/sub/inner.thwonk"), uri("link/sub/inner.test.thwonk")].sort());
    // The nested folder removed: a still holds its rules.
    await s.conn.sendNotification("workspace/didChangeWorkspaceFolders", { event: { added: [], removed: [folder("a/sub")] } });
    await settled(s, "checked after a/sub's removal");
    assert.ok(has("a/sub/inner.thwonk") && has("a/sub/inner.test.thwonk"));
    // Deleted on disk (the watcher says so under both names): both names cleared.
    unlinkSync(dir.path("a/top.thwonk"));
    await watched(s, [
      { file: dir.path("a/top.thwonk"), type: 3 },
      { file: dir.path("link/top.thwonk"), type: 3 },
    ]);
    await settled(s, "checked after the delete");
    assert.ok(!has("a/top.thwonk") && !has("link/top.thwonk"));
    // a removed: its rules go; the link's names stay, that folder being still the workspace's.
    await s.conn.sendNotification("workspace/didChangeWorkspaceFolders", { event: { added: [], removed: [folder("a")] } });
    await settled(s, "checked after a's removal");
    assert.ok(!has("a/sub/inner.thwonk") && !has("a/sub/inner.test.thwonk"));
    assert.ok(has("link/sub/inner.thwonk") && has("link/sub/inner.test.thwonk"));
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

test("thwonk/check cancelled while it waits behind another rule's long verify: answered RequestCancelled at once, not when that verify ends; the server goes on", async () => {
  const dir = tempDir({ "big.thwonk": bigRule("big", 20000) });
  const big = pathToFileURL(dir.path("big.thwonk")).href;
  const small = "file:///virtual/small.thwonk";
  const s = start();
  try {
    await init(s, [dir.dir]);
    await s.until("the big rule's verify under way", () => s.progress.some((m) => /verifying big\.thwonk/.test(m)));
    await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: small, languageId: "thwonk", version: 1, text: "rule small\n\non message(m: Message) {\n  log(m.subject)\n}\n" } });
    const { CancellationTokenSource } = await import("vscode-languageserver-protocol/node");
    const source = new CancellationTokenSource();
    const answer = s.conn.sendRequest("thwonk/check", { uri: small }, source.token).then(
      () => "answered",
      (e: { code?: number }) => (e.code === -32800 ? "cancelled" : `failed: ${JSON.stringify(e)}`),
    );
    source.cancel();
    assert.equal(await answer, "cancelled");
    // Before the big rule's verify was done: its verified pass had not come.
    assert.equal(s.verified.some((v) => v.uri === big), false);
    await s.until("the big rule verified", () => s.verified.some((v) => v.uri === big));
    const full = (await s.conn.sendRequest("thwonk/check", { uri: small })) as { errors: number };
    assert.equal(full.errors, 0);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

test("a watched change to a file no folder of the workspace holds (outside them, or in a folder since removed) is not taken as a rule: nothing published for it", async () => {
  const bad = "rule r\n\non message(m: Message) {\n  log(nowhere)\n}\n";
  const ws = tempDir({ "in.thwonk": bad });
  const other = tempDir({ "kept/k.thwonk": bad });
  const s = start();
  try {
    await init(s, [ws.dir, other.path("kept")]);
    await settled(s, "the scan's checks done");
    await s.conn.sendNotification("workspace/didChangeWorkspaceFolders", { event: { added: [], removed: [{ uri: pathToFileURL(other.path("kept")).href, name: "kept" }] } });
    await settled(s, "checked after the removal");
    const since = s.published.length;
    writeFileSync(other.path("outside.thwonk"), bad);
    writeFileSync(other.path("kept/late.thwonk"), bad);
    writeFileSync(ws.path("new.thwonk"), bad);
    await watched(s, [
      { file: other.path("outside.thwonk"), type: 1 },
      { file: other.path("kept/late.thwonk"), type: 1 },
      { file: ws.path("new.thwonk"), type: 1 },
    ]);
    await settled(s, "checked after the changes");
    // The workspace's new rule, and nothing else.
    assert.deepEqual([...new Set(s.published.slice(since).map((p) => p.uri))], [pathToFileURL(ws.path("new.thwonk")).href]);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    ws.remove();
    other.remove();
  }
});

test("a directory of rules deleted (the watcher reports the directory alone): its rules' and tests' diagnostics go; an open one stays its buffer's", async () => {
  const bad = (n: string) => `rule ${n}\n\non message(m: Message) {\n  log(nowhere)\n}\n`;
  const dir = tempDir({ "keep.thwonk": bad("keep"), "sub/a.thwonk": bad("a"), "sub/a.test.thwonk": TAGGED_TEST(tagOf("S", 1)), "sub/deeper/b.thwonk": bad("b"), "sub/open.thwonk": bad("open"), "subway.thwonk": bad("subway") });
  const uri = (rel: string) => pathToFileURL(dir.path(rel)).href;
  const has = (rel: string) => (lastOf(s, uri(rel))?.diagnostics.length ?? 0) > 0;
  const s = start();
  try {
    await init(s, [dir.dir]);
    await settled(s, "the scan's checks done");
    await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: uri("sub/open.thwonk"), languageId: "thwonk", version: 1, text: bad("open") } });
    rmSync(dir.path("sub"), { recursive: true });
    await s.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: uri("sub"), type: 3 }] });
    await settled(s, "checked after the delete");
    for (const rel of ["sub/a.thwonk", "sub/a.test.thwonk", "sub/deeper/b.thwonk"]) assert.ok(!has(rel), rel);
    for (const rel of ["keep.thwonk", "subway.thwonk", "sub/open.thwonk"]) assert.ok(has(rel), rel);
    assert.equal(lastOf(s, uri("sub/open.thwonk"))?.version, 1);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

test("shutdown while the thread checks a big rule: nothing is published after the shutdown's answer, and exit ends the process with 0", async () => {
  const s = start();
  try {
    await init(s, []);
    await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: "file:///virtual/big.thwonk", languageId: "thwonk", version: 1, text: bigRule("big", 20000).replace("state.n += 0", "state.n += nowhere") } });
    await s.until("the big rule's check under way", () => s.progress.some((m) => /checking big\.thwonk/.test(m)));
    await s.conn.sendRequest("shutdown");
    const published = s.published.length;
    // A request now is refused; the check under way is dropped, not published.
    await assert.rejects(s.conn.sendRequest("thwonk/stats").then(() => s.conn.sendRequest("textDocument/hover", { textDocument: { uri: "file:///virtual/big.thwonk" }, position: { line: 0, character: 0 } })));
    await s.conn.sendNotification("exit");
    assert.equal(await s.exited, 0);
    assert.equal(s.published.length, published);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
  }
});

test("the checker thread dies twice verifying a rule whose types were checked on the server's thread: TW3999 on the rule, the test file's warnings kept in the test file", async () => {
  const s = start();
  const dir = tempDir({});
  const rule = pathToFileURL(dir.path("big.thwonk")).href;
  const tests = pathToFileURL(dir.path("big.test.thwonk")).href;
  try {
    await s.conn.sendRequest("initialize", { processId: null, rootUri: null, workspaceFolders: null, capabilities: { window: { workDoneProgress: true } }, initializationOptions: { checkerHeapMb: 32 } });
    await s.conn.sendNotification("initialized", {});
    const testText = 'test "t" {\n  let unused = 1\n  message = { from: "a@b.example", subject: "s", text: "t" }\n  expect state.n == 0\n}\n';
    await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: tests, languageId: "thwonk", version: 1, text: testText } });
    // Each version: the big text, and at once a hover, which checks its types here (a check 25 ms off on the thread
    // finds them done and publishes them); the thread then dies verifying it. Should the thread's check run first
    // (a machine stalled between the two messages), it dies there instead: another version is tried.
    let verifying = false;
    for (let v = 1; v <= 4 && !verifying; v++) {
      const text = bigRule("big", 20000 + v);
      if (v === 1) await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: rule, languageId: "thwonk", version: 1, text } });
      else await s.conn.sendNotification("textDocument/didChange", { textDocument: { uri: rule, version: v }, contentChanges: [{ text }] });
      await s.conn.sendRequest("textDocument/hover", { textDocument: { uri: rule }, position: { line: 0, character: 6 } });
      await s.until(`version ${v}'s TW3999`, () => s.published.some((p) => p.uri === rule && p.version === v && p.diagnostics.some((d) => d.code === "TW3999")));
      verifying = String(lastOf(s, rule)!.diagnostics.find((d) => d.code === "TW3999")!.message).includes("while verifying");
    }
    assert.ok(verifying, JSON.stringify(lastOf(s, rule)));
    // The rule's own diagnostics: the crash alone, no line of the test file's.
    assert.deepEqual(lastOf(s, rule)!.diagnostics.map((d) => d.code), ["TW3999"], JSON.stringify(lastOf(s, rule)));
    assert.ok(lastOf(s, tests)!.diagnostics.some((d) => /`unused`/.test(String(d.message))), JSON.stringify(lastOf(s, tests)));
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

test("NAME.thwonk, NAME.ts and the tests: NAME.thwonk deleted (the tests go to NAME.ts), then NAME.ts deleted: each deleted rule's diagnostics cleared, the tests' those of a test file without its rule", async () => {
  const ts = ONCE(".ts").replace("  if (m.isAutomated()) {", "  const seen = nowhere;\n  if (m.isAutomated()) {");
  const dir = tempDir({ "once_a_day.thwonk": ONCE(".thwonk").replace("on message(m: Message) {", "on message(m: Message) {\n  log(nowhere)"), "once_a_day.ts": ts, "once_a_day.test.thwonk": ONCE(".test.thwonk") });
  const rels = ["once_a_day.thwonk", "once_a_day.ts", "once_a_day.test.thwonk"];
  const s = start();
  try {
    await init(s, [dir.dir]);
    await settled(s, "the scan's checks done");
    assert.ok((lastOf(s, pathToFileURL(dir.path("once_a_day.ts")).href)?.diagnostics.length ?? 0) > 0);
    assert.deepEqual(await disagreements(s, dir.dir, rels), []);
    for (const rel of ["once_a_day.thwonk", "once_a_day.ts"]) {
      unlinkSync(dir.path(rel));
      await watched(s, [{ file: dir.path(rel), type: 3 }]);
      await settled(s, `checked after ${rel}'s delete`);
      const differences = await disagreements(s, dir.dir, rels);
      assert.deepEqual(differences, [], differences.join("\n"));
    }
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

test("disk churn: files of the examples changed, deleted, restored and renamed on disk, opened and closed (buffer as on disk), at random: after each round the diagnostics equal thwonkc check's", async () => {
  const rnd = prng(Number(process.env["ADV_SEED"] ?? 99));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const originals: Record<string, string> = {};
  for (const ex of ["once_a_day", "bumplist", "trim140", "digest"]) {
    for (const f of readdirSync(join(repoRoot, "examples", ex)).filter((x) => x.endsWith(".thwonk") || x.endsWith(".ts"))) {
      originals[`${ex}/${f}`] = readFileSync(join(repoRoot, "examples", ex, f), "utf8");
    }
  }
  const dir = tempDir(originals);
  const rels = new Set(Object.keys(originals));
  const open = new Set<string>();
  const exists = (rel: string) => readdirSync(dirname(dir.path(rel))).includes(basename(rel));
  const s = start();
  try {
    await init(s, [dir.dir]);
    await settled(s, "the scan's checks done");
    const uri = (rel: string) => pathToFileURL(dir.path(rel)).href;
    let version = 1;
    for (let round = 0; round < 8; round++) {
      for (let step = 0; step < 5; step++) {
        const rel = pick([...rels]);
        const op = Math.floor(rnd() * 5);
        if (op === 0 && exists(rel)) {
          const text = mutate(readFileSync(dir.path(rel), "utf8"), rnd);
          writeFileSync(dir.path(rel), text);
          if (open.has(rel)) await s.conn.sendNotification("textDocument/didChange", { textDocument: { uri: uri(rel), version: ++version }, contentChanges: [{ text }] });
          else await watched(s, [{ file: dir.path(rel), type: 2 }]);
        } else if (op === 1 && exists(rel) && !open.has(rel)) {
          unlinkSync(dir.path(rel));
          await watched(s, [{ file: dir.path(rel), type: 3 }]);
        } else if (op === 2 && !exists(rel) && originals[rel] !== undefined) {
          writeFileSync(dir.path(rel), originals[rel]!);
          await watched(s, [{ file: dir.path(rel), type: 1 }]);
        } else if (op === 3 && exists(rel) && !open.has(rel)) {
          // Renamed, in its language (a .thwonk text as NAME.ts is no rule, and thwonkc check then skips its tests
          // without a word, where the server says they have no rule): to other.thwonk, other.ts, other.test.thwonk.
          const to = rel.replace(/[^/]+?(\.test\.thwonk|\.thwonk|\.ts)$/, "other$1");
          if (exists(to) || open.has(to)) continue;
          writeFileSync(dir.path(to), readFileSync(dir.path(rel), "utf8"));
          unlinkSync(dir.path(rel));
          rels.add(to);
          await watched(s, [
            { file: dir.path(rel), type: 3 },
            { file: dir.path(to), type: 1 },
          ]);
        } else if (op === 4 && exists(rel)) {
          if (open.has(rel)) {
            open.delete(rel);
            await s.conn.sendNotification("textDocument/didClose", { textDocument: { uri: uri(rel) } });
          } else {
            open.add(rel);
            const languageId = rel.endsWith(".ts") ? "typescript" : "thwonk";
            await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: uri(rel), languageId, version: ++version, text: readFileSync(dir.path(rel), "utf8") } });
          }
        }
      }
      await settled(s, `round ${round} checked`);
      const differences = await disagreements(s, dir.dir, [...rels]);
      assert.deepEqual(differences, [], `round ${round}:\n${differences.join("\n")}`);
    }
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

test("a TypeScript file that is no rule (the editor sends every one), opened, edited and closed: no check of it, nothing published for it", async () => {
  const plain = "export const x: number = 1;\n";
  const dir = tempDir({ "util.ts": plain, "r.thwonk": "rule r\n\non message(m: Message) {\n  log(nowhere)\n}\n" });
  const u = pathToFileURL(dir.path("util.ts")).href;
  const s = start();
  try {
    await init(s, [dir.dir]);
    await settled(s, "the scan's checks done");
    const since = { published: s.published.length, progress: s.progress.length };
    await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: u, languageId: "typescript", version: 1, text: plain } });
    await s.conn.sendNotification("textDocument/didChange", { textDocument: { uri: u, version: 2 }, contentChanges: [{ text: `${plain}export const y = 2;\n` }] });
    await s.conn.sendNotification("textDocument/didClose", { textDocument: { uri: u } });
    await settled(s, "after the close");
    assert.deepEqual(s.published.slice(since.published), []);
    assert.deepEqual(s.progress.slice(since.progress), []);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    dir.remove();
  }
});

test("a checkerHeapMb too small for the thread to start: the rules get TW3999 naming the option, not checks moved to the server's thread without the limit", async () => {
  const s = start();
  try {
    await s.conn.sendRequest("initialize", { processId: null, rootUri: null, workspaceFolders: null, capabilities: { window: { workDoneProgress: true } }, initializationOptions: { checkerHeapMb: 4 } });
    await s.conn.sendNotification("initialized", {});
    const u = "file:///virtual/r.thwonk";
    await s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: u, languageId: "thwonk", version: 1, text: "rule r\n\non message(m: Message) {\n  log(nowhere)\n}\n" } });
    await s.until("the crash reported on the rule", () => lastOf(s, u)?.diagnostics.some((d) => d.code === "TW3999") === true);
    assert.match(String(lastOf(s, u)!.diagnostics.find((d) => d.code === "TW3999")!.message), /ran out of memory \(its heap is limited to 4 MB\).*checkerHeapMb/);
    assert.equal(s.shown.length, 1, JSON.stringify(s.shown));
    const stats = (await s.conn.sendRequest("thwonk/stats")) as { checks: number; checker: { threads: number } };
    assert.equal(stats.checker.threads, 2);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
  }
});
