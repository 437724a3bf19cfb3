/**
 * The language server on lines of every kind, over stdio: completion,
 * signature help and hover read the line before the cursor with patterns (a
 * dotted chain, an open interpolation); on a line of 40,000 characters they
 * must cost about what they cost on a short line of the same file, not
 * seconds (measured against that baseline in the same run, never against a
 * clock), and lines ended by `\r` alone are lines too. Last, the end of a
 * session: requests after `shutdown` refused, `exit` obeyed.
 */
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { tempDir, type TempDir } from "../helpers/cli.js";
import { LspClient } from "./client.js";

let dir: TempDir;
let client: LspClient;

before(async () => {
  dir = tempDir();
  client = new LspClient();
  await client.initialize(dir.dir);
});

after(async () => {
  await client.close();
  dir.remove();
});

/** The fastest of three answers to `method` at `position` (ms). */
async function fastest(u: string, method: string, position: { line: number; character: number }): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await client.connection.sendRequest(method, { textDocument: { uri: u }, position });
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

test("completion, signature help and hover at the end of a 40,000-character line cost about what a short line costs", async () => {
  const u = pathToFileURL(dir.path("long.thwonk")).href;
  // Lines a pattern tried at every start runs along: a dotted chain ending in `(`, calls in a chain, a string of `{`.
  const chain = `  let a = ${"m.subject.".repeat(4000)}size(`;
  const calls = `  let b = ${"m.trim().".repeat(4000)}x(`;
  const braces = `  log("${"{".repeat(40000)}`;
  const lines = ["rule long", "on message(m: Message) {", chain, calls, braces, '  log("short")', "}", ""];
  await client.open(u, lines.join("\n"));
  await client.waitFor(u, (p) => p.version === 1);
  // The short line comes after the long ones, so its answers read at least as much text before the cursor.
  const short = { line: 5, character: "  log(".length };
  for (const method of ["textDocument/completion", "textDocument/signatureHelp", "textDocument/hover"]) {
    const base = Math.max(await fastest(u, method, short), 10);
    for (const line of [2, 3, 4]) {
      const at = { line, character: lines[line]!.length };
      const took = await fastest(u, method, at);
      // Before: 0.9 to 15 s for completion at the end of such a line (quadratic in its length).
      assert.ok(took < 25 * base, `${method} at the end of line ${line + 1}: ${took.toFixed(0)} ms, ${base.toFixed(0)} ms on a short line`);
    }
  }
});

test("a file with `\\r` line ends (or `\\r\\n`) gets the completion, signature help and limits keys a `\\n` file gets", async () => {
  const answers: string[] = [];
  for (const [name, eol] of [["lf", "\n"], ["crlf", "\r\n"], ["cr", "\r"]] as const) {
    const u = pathToFileURL(dir.path(`eol-${name}.thwonk`)).href;
    const lines = ["// A comment on the first line.", "rule eol", "limits { members: 10,", "  te", "}", "on message(m: Message) {", "  log(m.subject.trunc", "  send(to: members, subject: m.subject, text: ", "}", ""];
    await client.open(u, lines.join(eol));
    const at = (line: number) => ({ textDocument: { uri: u }, position: { line, character: lines[line]!.length } });
    const labels = (r: unknown) => ((r ?? []) as { label: string }[]).map((i) => i.label);
    const methods = labels(await client.connection.sendRequest("textDocument/completion", at(6))).filter((l) => l.startsWith("trunc"));
    const keys = labels(await client.connection.sendRequest("textDocument/completion", at(3))).filter((l) => l.startsWith("te"));
    const sig = (await client.connection.sendRequest("textDocument/signatureHelp", at(7))) as { signatures: { label: string }[]; activeParameter: number } | null;
    answers.push(JSON.stringify({ methods, keys, sig: sig?.signatures[0]?.label.split("(")[0], active: sig?.activeParameter }));
  }
  assert.equal(answers[0], JSON.stringify({ methods: ["truncate"], keys: ["text"], sig: "send", active: 2 }));
  // Before: with `\r` alone the file was one line to these, after a `//` comment: no completion, no signature.
  assert.deepEqual(answers, [answers[0], answers[0], answers[0]]);
});

test("after shutdown: requests are refused (InvalidRequest), exit ends the server", async () => {
  const own = new LspClient();
  await own.initialize(dir.dir);
  const u = pathToFileURL(dir.path("shut.thwonk")).href;
  await own.open(u, 'rule shut\non message(m: Message) {\n  log("x")\n}\n');
  const at = { textDocument: { uri: u }, position: { line: 2, character: 3 } };
  assert.ok(await own.connection.sendRequest("textDocument/hover", at), "answered before shutdown");
  await own.connection.sendRequest("shutdown");
  // Before: answered as if nothing had happened.
  for (const method of ["textDocument/hover", "textDocument/completion", "textDocument/formatting", "thwonk/check"]) {
    await assert.rejects(own.connection.sendRequest(method, { ...at, uri: u, options: { tabSize: 2, insertSpaces: true } }), (e: { code?: number }) => e.code === -32600, method);
  }
  const closed = new Promise<void>((resolve) => own.connection.onClose(() => resolve()));
  await own.connection.sendNotification("exit");
  await closed;
});
