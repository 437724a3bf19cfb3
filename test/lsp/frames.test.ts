/**
 * Input on the server's stdin that is not the Language Server Protocol
 * (lsp/frames.ts): the server says so on stderr and exits 1. Before, the
 * protocol library took it as the start of a header that never ended: the
 * server stayed up and never answered again.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { binPath } from "../helpers/cli.js";

const frame = (body: string): string => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const INITIALIZE = frame(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { processId: null, rootUri: null, capabilities: {} } }));

/** Starts `thwonkc lsp --stdio`, writes `input` (stdin left open, as an editor's is), and waits for its exit (10 s at most). */
async function feed(input: (string | Buffer)[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [binPath, "lsp", "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  for (const chunk of input) proc.stdin.write(chunk);
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      resolve(null);
    }, 10_000);
    proc.once("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, stdout, stderr };
}

const cases: [string, (string | Buffer)[], RegExp][] = [
  ["a line of text", ["hello\n"], /header line not ended by CR LF/],
  ["binary junk", [Buffer.from([0x00, 0xff, 0xfe, 0x10])], /byte 0x00 where a header was expected/],
  ["text without a line end", ["x".repeat(10_000)], /header of more than 8192 bytes/],
  ["a header that is not one", ["GET / HTTP/1.1\r\n\r\n"], /not a header line: "GET \/ HTTP\/1\.1"/],
  ["a Content-Length that is not a number", ["Content-Length: abc\r\n\r\n"], /Content-Length is not a length/],
  ["a header without Content-Length", ["Content-Type: application/json\r\n\r\n"], /without Content-Length/],
  ["a body that is not JSON, after a good message", [INITIALIZE, "Content-Length: 5\r\n\r\nhello"], /not UTF-8 JSON/],
  ["a body shorter than its Content-Length says, then the next message", [frame('{"jsonrpc":"2.0","method":"x"}').replace(/Content-Length: \d+/, "Content-Length: 10"), INITIALIZE], /not UTF-8 JSON/],
  ["JSON that is not JSON-RPC", [frame("[1,2]")], /not a JSON-RPC 2\.0 message/],
];

for (const [name, input, why] of cases) {
  test(`${name}: an error on stderr, exit 1, never a hang`, async () => {
    const r = await feed(input);
    assert.equal(r.code, 1, `exit code (null: still running after 10 s); stderr: ${r.stderr}`);
    assert.match(r.stderr, /^thwonkc lsp: the input is not the Language Server Protocol: /m);
    assert.match(r.stderr, why);
  });
}

test("the error says where the junk starts: after the good messages", async () => {
  const r = await feed([INITIALIZE, "junk\r\n\r\n"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`not a header line: "junk" \\(at byte ${Buffer.byteLength(INITIALIZE)} of stdin\\)`));
});
