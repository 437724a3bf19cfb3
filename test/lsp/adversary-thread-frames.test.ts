/**
 * The frame guard on the server's stdin (lsp/frames.ts), in process: valid
 * input, however the pipe cuts it into chunks, comes out byte for byte; input
 * that is not the protocol fails with no partial frame handed on.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FrameGuard } from "../../lsp/frames.js";

/** What the guard hands on for `chunks`, and the error it stopped at, if any. */
function through(chunks: Buffer[]): Promise<{ out: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const g = new FrameGuard();
    const out: Buffer[] = [];
    g.on("data", (d: Buffer) => out.push(d));
    g.on("error", (e) => resolve({ out: Buffer.concat(out), error: e.message }));
    g.on("end", () => resolve({ out: Buffer.concat(out) }));
    for (const c of chunks) g.write(c);
    g.end();
  });
}

/** `whole` cut at the given offsets. */
function cut(whole: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((a) => a % (whole.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...points, whole.length]) {
    out.push(whole.subarray(from, p));
    from = p;
  }
  return out.filter((c) => c.length > 0);
}

const frame = (body: string, header = (n: number) => `Content-Length: ${n}\r\n\r\n`): Buffer => {
  const b = Buffer.from(body, "utf8");
  return Buffer.concat([Buffer.from(header(b.length), "latin1"), b]);
};

const didOpen = (text: string) =>
  JSON.stringify({ jsonrpc: "2.0", method: "textDocument/didOpen", params: { textDocument: { uri: "file:///a.thwonk", languageId: "thwonk", version: 1, text } } });

/** Frames a client may write: requests, notifications, responses to the server's requests, multi-byte text, the header spellings. */
const VALID: Buffer[] = [
  frame(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { processId: null, rootUri: null, capabilities: {} } })),
  frame(didOpen("rule r // é ü 😀 中文\n")),
  frame(JSON.stringify({ jsonrpc: "2.0", id: 7, result: null })),
  frame(JSON.stringify({ jsonrpc: "2.0", id: "s1", error: { code: -32601, message: "no" } })),
  frame(JSON.stringify({ jsonrpc: "2.0", method: "$/cancelRequest", params: { id: 1 } })),
  frame(didOpen("x"), (n) => `Content-Length: ${n}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n`),
  frame(didOpen("y"), (n) => `Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: ${n}\r\n\r\n`),
  frame(didOpen("z"), (n) => `content-length: ${n}\r\n\r\n`),
  frame(didOpen("w"), (n) => `CONTENT-LENGTH:${n}   \r\n\r\n`),
  // A UTF-8 byte order mark before the JSON: vscode-jsonrpc's TextDecoder drops it.
  frame(`\ufeff${didOpen("bom")}`),
];

test("valid frames cut at any points, in any order and number: handed on byte for byte, nothing refused", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom(...VALID), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), async (frames, at) => {
      const whole = Buffer.concat(frames);
      const r = await through(cut(whole, at));
      assert.equal(r.error, undefined);
      assert.ok(r.out.equals(whole));
    }),
    { seed: 20261207, numRuns: 300 },
  );
});

test("every single split point of a frame with multi-byte text, and one byte at a time", async () => {
  const whole = Buffer.concat([VALID[1]!, VALID[2]!]);
  for (let i = 0; i <= whole.length; i++) {
    const r = await through(cut(whole, [i]));
    assert.equal(r.error, undefined, `split at ${i}`);
    assert.ok(r.out.equals(whole), `split at ${i}`);
  }
  const bytes = [...whole].map((b) => Buffer.from([b]));
  const r = await through(bytes);
  assert.ok(r.out.equals(whole));
});

test("a 5 MB document in didOpen, in 64 KiB chunks as a pipe gives it", async () => {
  const whole = frame(didOpen(`rule big\n${"// é😀 filler\n".repeat(400_000)}`));
  assert.ok(whole.length > 5_000_000);
  const chunks: Buffer[] = [];
  for (let i = 0; i < whole.length; i += 65536) chunks.push(whole.subarray(i, i + 65536));
  const r = await through(chunks);
  assert.equal(r.error, undefined);
  assert.ok(r.out.equals(whole));
});

test("a tab as the space after a header's colon (HTTP's optional whitespace; vscode-jsonrpc trims it) is a header", async () => {
  // Before: "byte 0x09 where a header was expected", and the server exited on a valid frame.
  const whole = frame(didOpen("tab"), (n) => `Content-Length:\t${n}\r\n\r\n`);
  const r = await through([whole]);
  assert.equal(r.error, undefined);
  assert.ok(r.out.equals(whole));
});

test("junk after good frames, cut anywhere: the good frames whole, then an error, never a part of the junk's frame", async () => {
  const good = Buffer.concat([VALID[0]!, VALID[1]!]);
  const junks = [
    Buffer.from("Content-Length: 5\r\n\r\nhello"),
    frame('{"jsonrpc":"2.0","method":"x"}', () => "Content-Length: 10\r\n\r\n"),
    Buffer.from("Content-Length: 12\r\n\r\n[1,2,3,4,56]"),
    Buffer.from([0xef, 0xbb, 0xbf, 0x43]),
    Buffer.from("Content-Length: 0\r\n\r\n"),
    Buffer.from('Content-Length: 4\r\n\r\n"\xff"}', "latin1"),
    Buffer.from("Content-Length: 9999\r\n\r\n{}"),
  ];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...junks), fc.array(fc.nat(), { maxLength: 8 }), async (junk, at) => {
      const r = await through(cut(Buffer.concat([good, junk]), at));
      assert.notEqual(r.error, undefined);
      assert.ok(r.out.equals(good), "only the good frames");
    }),
    { seed: 7, numRuns: 200 },
  );
});
