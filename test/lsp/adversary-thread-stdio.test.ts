/**
 * The server over stdio with its stdin guard and its verifier thread:
 * valid input the guard must let through, a host whose entry cannot be
 * started as the verifier thread, the end of stdin, and exit or close while a
 * verify runs. Waits are for events (a publish, a notification, an exit); the
 * long timers only turn a hang into a failure.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { tempDir } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";
import { bigRule as bigRuleOf, initServer, openDocument, startServer, stopServer, type StdioServer } from "./stdio-server.js";

type Server = StdioServer;
const start = (args?: string[]): Server => startServer(args ? { args } : {});
const init = async (s: Server, root?: string): Promise<void> => void (await initServer(s, root ? [root] : [], { capabilities: {} }));
const stop = stopServer;
const open = openDocument;
/** A rule that checks clean but takes the verifier a second or more. */
const bigRule = (name: string, ifs = 3300): string => bigRuleOf(name, ifs);

const SMALL = "rule small\n\non message(m: Message) {\n  reply(m, text: \"hi\")\n}\n";

test("a host whose entry cannot start again as a thread (node -e): the rule is still verified, and thwonk/check answers", async () => {
  // argv[1] is then "lsp", which `new Worker` refuses at once. Before: the first verify never ended and held every later one.
  const s = start(["-e", `import(${JSON.stringify(pathToFileURL(`${repoRoot}/dist/lsp/node.js`).href)}).then((m) => m.runLsp("stdio"))`, "lsp", "--stdio"]);
  await init(s);
  const u = "file:///virtual/small.thwonk";
  await open(s, u, SMALL);
  await s.until("the first verified pass", () => s.verified.some((v) => v.uri === u && v.version === 1));
  const r = (await s.conn.sendRequest("thwonk/check", { uri: u })) as { errors: number };
  assert.equal(r.errors, 0);
  assert.equal(await stop(s), 0);
  assert.doesNotMatch(s.stderr(), /internal error/);
});

test("a 5 MB document in didOpen, a header with Content-Type, a response and an unknown notification from the client: the server goes on", async () => {
  const s = start();
  await init(s);
  const u = "file:///virtual/big.thwonk";
  const text = `${SMALL}${"// é😀 filler line of a long comment\n".repeat(140_000)}`;
  assert.ok(Buffer.byteLength(text) > 5_000_000);
  await open(s, u, text);
  // Written by hand: a response to a request the server never sent, a notification it does not know, a Content-Type header.
  const body = JSON.stringify({ jsonrpc: "2.0", id: 4242, result: { applied: true } });
  s.proc.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${body}`);
  const note = JSON.stringify({ jsonrpc: "2.0", method: "$/someClientThing", params: { é: "😀" } });
  s.proc.stdin!.write(`content-length:\t${Buffer.byteLength(note)}\r\n\r\n${note}`);
  await s.until("the big document verified", () => s.verified.some((v) => v.uri === u && v.version === 1));
  const last = s.published.filter((p) => p.uri === u).at(-1)!;
  // The verifier's finding on the whole 5 MB text: its code is counted in the memory bound.
  assert.ok(last.diagnostics.some((d) => d.code === "TW3030"), JSON.stringify(last.diagnostics.map((d) => d.code)));
  assert.equal(await stop(s), 0);
  assert.equal(s.stderr(), "");
});

test("stdin closed without shutdown: exit 1; closed after shutdown: exit 0; neither hangs", async () => {
  const a = start();
  await init(a);
  a.proc.stdin!.end();
  assert.equal(await a.exited, 1);
  a.conn.dispose();
  const b = start();
  await init(b);
  await b.conn.sendRequest("shutdown");
  b.proc.stdin!.end();
  assert.equal(await b.exited, 0);
  b.conn.dispose();
});

test("exit while a verify runs on the thread: the process ends with 0, no thread keeps it", async () => {
  const s = start();
  await init(s);
  const u = "file:///virtual/slow.thwonk";
  await open(s, u, bigRule("slow"));
  // The types published: the verify is queued or running now.
  await s.until("the first publish", () => s.published.some((p) => p.uri === u));
  assert.equal(await stop(s), 0);
});

test("open, close, open again while the first verifies; two rules at once: thwonk/verified in version order per document, the last one verified", async () => {
  const dir = tempDir({ "a.thwonk": bigRule("a", 1500), "b.thwonk": bigRule("b", 1500) });
  try {
    const s = start();
    // The files' folder is the workspace's: a closed document is read from disk again only where the scan finds it.
    await init(s, dir.dir);
    const a = pathToFileURL(dir.path("a.thwonk")).href;
    const b = pathToFileURL(dir.path("b.thwonk")).href;
    await open(s, a, bigRule("a", 1500));
    await open(s, b, bigRule("b", 1500));
    await s.until("a's types", () => s.published.some((p) => p.uri === a && p.version === 1));
    await s.conn.sendNotification("textDocument/didClose", { textDocument: { uri: a } });
    await open(s, a, `${bigRule("a", 1500)}\non message(m: Message) {\n  let x = 1\n}\n`, 5);
    const beforeClose = s.verified.length;
    await s.conn.sendNotification("textDocument/didClose", { textDocument: { uri: b } });
    await s.until("a's version 5 verified", () => s.verified.some((v) => v.uri === a && v.version === 5));
    await s.until("b verified after its close (from disk)", () => s.verified.slice(beforeClose).some((v) => v.uri === b && v.version === undefined));
    for (const u of [a, b]) {
      const gens = s.verified.filter((v) => v.uri === u).map((v) => v.generation!);
      assert.deepEqual(gens, [...gens].sort((x, y) => x - y), `verified passes of ${u} in order`);
    }
    // The last publish for a is version 5's, and it carries the verifier's finding.
    const lastA = s.published.filter((p) => p.uri === a).at(-1)!;
    assert.equal(lastA.version, 5);
    const r = (await s.conn.sendRequest("thwonk/check", { uri: a })) as { diagnostics: string[] };
    assert.deepEqual(lastA.diagnostics.map((d) => d.message).sort(), r.diagnostics.map((d) => d.replace(/^\S+ \S+ \S+ /, "")).sort());
    assert.equal(await stop(s), 0);
  } finally {
    dir.remove();
  }
});

test("a rule closed (no file on disk) and later a test file of its name opened: the verifier thread does not check the test against the closed rule", async () => {
  const dir = tempDir();
  try {
    const s = start();
    await init(s);
    const ts = readFileSync(`${repoRoot}/examples/once_a_day/once_a_day.ts`, "utf8");
    const tests = readFileSync(`${repoRoot}/examples/once_a_day/once_a_day.test.thwonk`, "utf8");
    const ru = pathToFileURL(dir.path("once_a_day.ts")).href;
    const tu = pathToFileURL(dir.path("once_a_day.test.thwonk")).href;
    await open(s, ru, ts);
    await s.until("the rule verified", () => s.verified.some((v) => v.uri === ru));
    // Closed unsaved: the server forgets it (no file on disk), and it has no test file yet, so no verify job says so.
    await s.conn.sendNotification("textDocument/didClose", { textDocument: { uri: ru } });
    // Its publish without a version: the close has been checked (no rule, no test file: nothing to verify).
    await s.until("the rule's diagnostics cleared", () => s.published.some((p) => p.uri === ru && p.version === undefined));
    await open(s, tu, tests);
    await s.until("the test file's diagnostics", () => s.published.some((p) => p.uri === tu));
    const typed = s.published.find((p) => p.uri === tu)!;
    // Its rule is gone: the checker says so (TW2001), and thwonk/check (verified on the thread) must say the same,
    // not check the test against the rule closed before, which the thread still held.
    assert.deepEqual(typed.diagnostics.map((d) => d.code), ["TW2001"]);
    const full = (await s.conn.sendRequest("thwonk/check", { uri: tu })) as { diagnostics: string[] };
    assert.deepEqual(full.diagnostics.map((d) => d.split(" ")[2]), ["TW2001"], JSON.stringify(full.diagnostics));
    assert.equal(await stop(s), 0);
  } finally {
    dir.remove();
  }
});
