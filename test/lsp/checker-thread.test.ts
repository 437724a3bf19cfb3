/**
 * The checks off the event loop (lsp/checker.ts), over stdio with a real
 * client: while the checker thread parses and checks a big rule, requests on
 * another document are answered; a burst of edits publishes only its last
 * version; a thread that dies (out of memory, under a heap limit the client
 * sets) is reported and replaced, and the documents it had are checked on the
 * new one. Workspace folders added and removed while the server runs.
 *
 * Nothing is timed: the server says a check is running with
 * `$/progress` (the client takes window/workDoneProgress), and every
 * assertion is about the order things came in. The long timers only turn a
 * hang into a failure.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import type { CompletionItem, Hover } from "vscode-languageserver-protocol/node";
import { tempDir } from "../helpers/cli.js";
import { positionOf } from "./client.js";
import { bigRule, initServer, openDocument, startServer, stopServer, type StdioServer } from "./stdio-server.js";

type Server = StdioServer;
const start = (): Server => startServer();
const init = (s: Server, folders: string[] = [], initializationOptions?: object) => initServer(s, folders, initializationOptions ? { initializationOptions } : {});
const stop = stopServer;
const open = openDocument;

const SMALL = 'rule small\n\non message(m: Message) {\n  let greeting = "hi"\n  log(greeting)\n}\n';

test("while the checker thread checks a workspace of big rules, hover and completion on another document answer before that check is published", async () => {
  const dir = tempDir({ "big1.thwonk": bigRule("big1", 20000), "big2.thwonk": bigRule("big2", 20000), "big3.thwonk": bigRule("big3", 20000) });
  const s = start();
  try {
    await init(s, [dir.dir]);
    // The server says which rule it is checking: that check has started and not been published.
    await s.until("a check of a big rule under way", () => s.progress.some((m) => /checking big\d\.thwonk/.test(m)));
    const busy = pathToFileURL(dir.path(/checking (big\d\.thwonk)/.exec(s.progress.find((m) => /checking big\d/.test(m))!)![1]!)).href;
    const publishedOf = (u: string) => s.published.filter((p) => p.uri === u).length;
    assert.equal(publishedOf(busy), 0);
    const small = "file:///virtual/small.thwonk";
    await open(s, small, SMALL);
    const at = positionOf(SMALL, "greeting", 2, 1);
    // Each answer notes how many publishes the busy rule had when it came.
    const hover = s.conn.sendRequest("textDocument/hover", { textDocument: { uri: small }, position: at }).then((h) => ({ h: h as Hover | null, busyPublishes: publishedOf(busy) }));
    const completion = s.conn
      .sendRequest("textDocument/completion", { textDocument: { uri: small }, position: { line: 4, character: 2 } })
      .then((c) => ({ c: c as CompletionItem[], busyPublishes: publishedOf(busy) }));
    const [h, c] = await Promise.all([hover, completion]);
    // Before: the check ran on the event loop, and every request waited for its end and its publish.
    assert.equal(h.busyPublishes, 0, "hover answered before the busy rule's check was published");
    assert.equal(c.busyPublishes, 0, "completion answered before the busy rule's check was published");
    assert.match(JSON.stringify(h.h?.contents), /string/);
    assert.ok(c.c.some((i) => i.label === "greeting"), JSON.stringify(c.c.map((i) => i.label)));
    // And every rule is still checked and verified, the open one too.
    for (const f of ["big1.thwonk", "big2.thwonk", "big3.thwonk"]) {
      const u = pathToFileURL(dir.path(f)).href;
      await s.until(`${f} verified`, () => s.verified.some((v) => v.uri === u));
      // Over its budgets (the verifier's TW3xxx), and nothing else.
      const codes = s.published.filter((p) => p.uri === u).at(-1)!.diagnostics.map((d) => String(d.code));
      assert.ok(codes.length > 0 && codes.every((c) => c.startsWith("TW3")), codes.join());
    }
    await s.until("the small rule verified", () => s.verified.some((v) => v.uri === small && v.version === 1));
    assert.equal(await stop(s), 0);
  } finally {
    dir.remove();
  }
});

test("edits in quick succession while the first version is checked: only the last version's diagnostics are published", async () => {
  const s = start();
  try {
    await init(s);
    const u = "file:///virtual/edited.thwonk";
    const text = bigRule("edited", 20000);
    await open(s, u, text);
    await s.until("version 1's check under way", () => s.progress.some((m) => m.includes("checking edited.thwonk")));
    const since = s.published.length;
    const verifiedSince = s.verified.length;
    const stats = () => s.conn.sendRequest<{ checker: { stopped: number } }>("thwonk/stats");
    const stoppedBefore = (await stats()).checker.stopped;
    // A comment typed a character at a time on line 2: `/*xxxx*/`, each key a version; half-way the text does not parse.
    const typed = `/*${"x".repeat(16)}*/`;
    const versions = await Promise.all(
      Array.from({ length: typed.length }, (_, i) =>
        s.conn.sendNotification("textDocument/didChange", {
          textDocument: { uri: u, version: i + 2 },
          contentChanges: [{ range: { start: { line: 1, character: i }, end: { line: 1, character: i } }, text: typed[i]! }],
        }).then(() => i + 2),
      ),
    );
    const last = Math.max(...versions);
    await s.until("the last version verified", () => s.verified.slice(verifiedSince).some((v) => v.uri === u && v.version === last));
    const afterBurst = s.published.slice(since).filter((p) => p.uri === u);
    // Before: version 1's diagnostics, checked on the event loop while the burst waited, were published after it.
    assert.deepEqual([...new Set(afterBurst.map((p) => p.version))], [last], "publishes after the burst, by version");
    assert.deepEqual(s.verified.slice(verifiedSince).filter((v) => v.uri === u).map((v) => v.version), [last]);
    // Version 1's check was stopped on the thread (its isCancelled read the edit), not run to its end and dropped.
    assert.ok((await stats()).checker.stopped > stoppedBefore);
    // The verifier's findings (over budget), no syntax error of a version half-typed.
    const codes = afterBurst.at(-1)!.diagnostics.map((d) => String(d.code));
    assert.ok(codes.length > 0 && codes.every((c) => c.startsWith("TW3")), codes.join());
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
  }
});

test("the checker thread killed (out of memory under the client's heap limit): reported, started again, the open documents checked on the new one", async () => {
  const s = start();
  try {
    await init(s, [], { checkerHeapMb: 32 });
    const small = "file:///virtual/small.thwonk";
    await open(s, small, SMALL);
    await s.until("the small rule verified", () => s.verified.some((v) => v.uri === small && v.version === 1));
    // 60,000 lines: more than a 32 MB heap holds, parsed. The thread dies under the job; the server does not.
    const big = "file:///virtual/big.thwonk";
    await open(s, big, bigRule("big", 20000));
    await s.until("the big rule's crash reported on it", () => s.published.some((p) => p.uri === big && p.diagnostics.some((d) => d.code === "TW3999")));
    // Said to the user once (the second death on the same version is the rule's diagnostic, and is not tried a third time).
    assert.equal(s.shown.length, 1, JSON.stringify(s.shown));
    assert.match(s.shown[0]!, /checker thread ran out of memory \(its heap is limited to 32 MB\) while checking big\.thwonk\. A new one was started, and tries again/);
    const crash = s.published.filter((p) => p.uri === big).at(-1)!;
    assert.equal(crash.version, 1);
    assert.match(String(crash.diagnostics[0]!.message), /ran out of memory .* twice while checking big\.thwonk/);
    // The small document, edited: checked on a new thread, which has its text only from the server.
    const v2 = await s.conn
      .sendNotification("textDocument/didChange", {
        textDocument: { uri: small, version: 2 },
        contentChanges: [{ range: { start: { line: 4, character: 6 }, end: { line: 4, character: 14 } }, text: "nobody" }],
      })
      .then(() => 2);
    await s.until("the small rule's new version checked", () => s.published.some((p) => p.uri === small && p.version === v2));
    assert.ok(s.published.filter((p) => p.uri === small && p.version === v2)[0]!.diagnostics.some((d) => d.code === "TW2010" && String(d.message).includes("nobody")));
    const hover = (await s.conn.sendRequest("textDocument/hover", { textDocument: { uri: small }, position: { line: 3, character: 7 } })) as Hover | null;
    assert.match(JSON.stringify(hover?.contents), /greeting/);
    // Still too big at a new version: tried again, the diagnostic again, no new message to the user.
    await s.conn.sendNotification("textDocument/didChange", { textDocument: { uri: big, version: 2 }, contentChanges: [{ text: bigRule("big", 20001) }] });
    await s.until("the new version's crash reported on it", () => s.published.some((p) => p.uri === big && p.version === 2 && p.diagnostics.some((d) => d.code === "TW3999")));
    assert.equal(s.shown.length, 1, JSON.stringify(s.shown));
    // The big rule made small: checked again (a new version), its crash diagnostic gone.
    await s.conn.sendNotification("textDocument/didChange", { textDocument: { uri: big, version: 3 }, contentChanges: [{ text: bigRule("big", 3) }] });
    await s.until("the big rule verified at last", () => s.verified.some((v) => v.uri === big && v.version === 3));
    assert.deepEqual(s.published.filter((p) => p.uri === big).at(-1)!.diagnostics, []);
    assert.equal(s.shown.length, 1);
    assert.equal(await stop(s), 0);
  } finally {
    if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
  }
});

test("workspace folders added and removed: the rules and tests of an added folder are checked, those of a removed one cleared", async () => {
  const bad = (name: string) => `rule ${name}\n\non message(m: Message) {\n  log(nowhere)\n}\n`;
  const badTest = 'test "t" {\n  message = { from: "a@b.example", subject: "s", text: "t" }\n  expect nothing\n}\n';
  const a = tempDir({ "a.thwonk": bad("a") });
  const b = tempDir({ "b.thwonk": bad("b"), "b.test.thwonk": badTest, "sub/c.thwonk": bad("c"), "sub/e.thwonk": bad("e"), "node_modules/pkg/d.thwonk": bad("d") });
  const s = start();
  try {
    const init0 = await init(s, [a.dir]);
    // What makes a client (VS Code's) send the folders' changes at all.
    assert.deepEqual(init0.capabilities.workspace?.workspaceFolders, { supported: true, changeNotifications: true });
    const uri = (d: { path: (r: string) => string }, rel: string) => pathToFileURL(d.path(rel)).href;
    const last = (u: string) => s.published.filter((p) => p.uri === u).at(-1);
    const undefinedName = (u: string) => last(u)?.diagnostics.some((d) => d.code === "TW2010") === true;
    await s.until("a's error", () => undefinedName(uri(a, "a.thwonk")));
    // c.thwonk open in the editor before its folder is added: its buffer wins, and stays when the folder goes.
    const openC = "rule c\n\non message(m: Message) {\n  log(stillNowhere)\n}\n";
    await open(s, uri(b, "sub/c.thwonk"), openC);
    // b, and b/sub as a folder of its own too (a multi-root workspace may nest them).
    await s.conn.sendNotification("workspace/didChangeWorkspaceFolders", {
      event: { added: [{ uri: pathToFileURL(b.dir).href, name: "b" }, { uri: pathToFileURL(b.path("sub")).href, name: "sub" }], removed: [] },
    });
    await s.until("b's error", () => undefinedName(uri(b, "b.thwonk")));
    await s.until("b's test file's diagnostics", () => (last(uri(b, "b.test.thwonk"))?.diagnostics.length ?? 0) > 0);
    await s.until("c's buffer checked", () => last(uri(b, "sub/c.thwonk"))?.diagnostics.some((d) => String(d.message).includes("stillNowhere")) === true);
    await s.until("e's error", () => undefinedName(uri(b, "sub/e.thwonk")));
    await s.conn.sendNotification("workspace/didChangeWorkspaceFolders", { event: { added: [], removed: [{ uri: pathToFileURL(b.dir).href, name: "b" }] } });
    await s.until("b's diagnostics cleared", () => last(uri(b, "b.thwonk"))?.diagnostics.length === 0 && last(uri(b, "b.test.thwonk"))?.diagnostics.length === 0);
    await s.conn.sendNotification("workspace/didChangeWorkspaceFolders", { event: { added: [], removed: [{ uri: pathToFileURL(a.dir).href, name: "a" }] } });
    await s.until("a's diagnostics cleared", () => last(uri(a, "a.thwonk"))?.diagnostics.length === 0);
    // e.thwonk is still under a folder of the workspace (b/sub): its diagnostics stay. (Its clear, had it been
    // dropped with b, was queued before a's removal and would have come first.)
    assert.ok(undefinedName(uri(b, "sub/e.thwonk")));
    // The open document is the editor's, folder or not: still checked, still answered.
    assert.ok(last(uri(b, "sub/c.thwonk"))!.diagnostics.some((d) => String(d.message).includes("stillNowhere")));
    const hover = (await s.conn.sendRequest("textDocument/hover", { textDocument: { uri: uri(b, "sub/c.thwonk") }, position: positionOf(openC, "m: Message", 0) })) as Hover | null;
    assert.match(JSON.stringify(hover?.contents), /Message/);
    // The package's rule under node_modules was never one of the workspace's.
    assert.equal(s.published.some((p) => p.uri.includes("node_modules")), false);
    // Added back: checked again.
    const since = s.published.length;
    await s.conn.sendNotification("workspace/didChangeWorkspaceFolders", { event: { added: [{ uri: pathToFileURL(a.dir).href, name: "a" }], removed: [] } });
    await s.until("a's error again", () => s.published.slice(since).some((p) => p.uri === uri(a, "a.thwonk") && p.diagnostics.some((d) => d.code === "TW2010")));
    assert.equal(await stop(s), 0);
  } finally {
    a.remove();
    b.remove();
  }
});
