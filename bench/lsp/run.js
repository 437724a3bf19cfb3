// The language server's speed, through the protocol: `node bench/lsp/run.js`
// (after `npm run build`). Spawns `node bin/thwonkc.js lsp --stdio`, opens a
// generated rule of 5,000 lines (bench/check/generate.js), and measures:
// server start to the first diagnostics; then over 100 edits (a digit of the
// state's initial value changed, alternating), the time from didChange to the
// first publishDiagnostics of that version (syntax and types) and to the
// second (the verifier's), completion after `state.` and hover on a call.
// Prints medians and worsts. BENCH_EDITS=N changes the number of edits.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CompletionRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import { generateProgram } from "../check/generate.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const EDITS = Number(process.env.BENCH_EDITS ?? 100);

const { text, lines } = generateProgram(5000);
const dir = mkdtempSync(join(tmpdir(), "thwonk-lsp-bench-"));
const file = join(dir, "bench.thwonk");
writeFileSync(file, text);
const uri = pathToFileURL(file).href;

const started = performance.now();
const proc = spawn(process.execPath, [join(root, "bin", "thwonkc.js"), "lsp", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
const waiters = [];
conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
  const now = performance.now();
  for (let i = waiters.length - 1; i >= 0; i--) {
    const w = waiters[i];
    if (p.uri === uri && p.version === w.version) {
      w.count++;
      if (w.count === 1) w.first = now;
      if (w.count === w.need) {
        w.resolve(w);
        waiters.splice(i, 1);
      }
    }
  }
});
conn.listen();
const publishes = (version, need) =>
  new Promise((resolve) => {
    waiters.push({ version, need, count: 0, first: 0, resolve });
  });

await conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {} });
await conn.sendNotification(InitializedNotification.type, {});
const firstPub = publishes(1, 2);
await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "thwonk", version: 1, text } });
const w0 = await firstPub;
const startToFirst = w0.first - started;
const startToVerified = performance.now() - started;

// Positions: the state's initial value, `state.` in a trigger body, a call to hover.
const lineCol = (offset) => {
  const before = text.slice(0, offset);
  return { line: before.split("\n").length - 1, character: offset - (before.lastIndexOf("\n") + 1) };
};
const valueAt = lineCol(text.indexOf("count: int = 0") + "count: int = ".length);
const stateAt = lineCol(text.indexOf("state.count") + "state.".length);
const hoverAt = lineCol(text.indexOf("log(") + 1);

const typed = [];
const verified = [];
const completion = [];
const hover = [];
for (let i = 0; i < EDITS; i++) {
  const version = i + 2;
  const done = publishes(version, 2);
  const t0 = performance.now();
  await conn.sendNotification(DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version },
    contentChanges: [{ range: { start: valueAt, end: { line: valueAt.line, character: valueAt.character + 1 } }, text: String((i + 1) % 10) }],
  });
  const w = await done;
  typed.push(w.first - t0);
  verified.push(performance.now() - t0);
  let c0 = performance.now();
  const items = await conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: stateAt });
  completion.push(performance.now() - c0);
  if (!Array.isArray(items) || items.length === 0) throw new Error("no completion items after state.");
  c0 = performance.now();
  const h = await conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: hoverAt });
  hover.push(performance.now() - c0);
  if (!h) throw new Error("no hover on log");
}
proc.kill();
rmSync(dir, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => `${x.toFixed(1)} ms`;
const row = (name, xs) => `| ${name} | ${fmt(median(xs))} | ${fmt(Math.max(...xs))} |`;
console.log(`A ${lines}-line rule, ${EDITS} edits, through the protocol (node bin/thwonkc.js lsp --stdio).`);
console.log(`Server start to first diagnostics (syntax and types): ${fmt(startToFirst)}; to the verifier's: ${fmt(startToVerified)}.`);
console.log("");
console.log("| figure | median | worst |");
console.log("| --- | ---: | ---: |");
console.log(row("didChange → first publishDiagnostics (syntax and types)", typed));
console.log(row("didChange → second publishDiagnostics (the verifier's)", verified));
console.log(row("completion after `state.`", completion));
console.log(row("hover on a call", hover));
