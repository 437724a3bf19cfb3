/**
 * Bytes to source text (compiler/syntax/utf8.ts), the one decision the CLI
 * and the language server make on the files they read: UTF-8 text, a BOM
 * kept, or where the first malformed byte is, as a diagnostic counts
 * positions (its line, its column in UTF-16 units, a BOM not counted), and
 * that place's diagnostic, TW1024, from the catalog. (The CLI's wording of
 * the same place: test/cli/adversary-utf8-positions.test.ts.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeSource, notUtf8Diagnostic } from "../../compiler/index.js";

const bytes = (...parts: (string | number[])[]): Uint8Array => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

test("UTF-8 is text, a BOM kept and a U+FFFD the file holds read as itself", () => {
  const text = "\uFEFFrule a\r\n// 😀 \uFFFD é\n";
  assert.deepEqual(decodeSource(Buffer.from(text)), { ok: true, text });
});

test("the first malformed byte: its line and UTF-16 column after a BOM, a 2-unit character and a lone CR; the offset into the text", () => {
  const r = decodeSource(bytes([0xef, 0xbb, 0xbf], "rule a\r// 😀 \uFFFD ", [0xe9], "\n", [0xff]));
  assert.deepEqual(r, { ok: false, at: { line: 2, col: 9, offset: 15, byte: 0xe9 } });
});

test("TW1024 spans the malformed byte's place, names the byte and says how to fix it, for a .thwonk and a .ts rule alike", () => {
  const r = decodeSource(bytes('rule a\nlog("caf', [0xe9], '")\n'));
  assert.equal(r.ok, false);
  if (r.ok) return;
  const d = notUtf8Diagnostic("dir/a.thwonk", r.at);
  assert.equal(d.code, "TW1024");
  assert.equal(d.severity, "error");
  assert.deepEqual(d.span, { file: "dir/a.thwonk", start: 15, end: 16, line: 2, col: 9, endLine: 2, endCol: 10 });
  assert.match(d.message, /^This file is not UTF-8 text: the byte 0xE9 here is not valid UTF-8 .*Save it as UTF-8/);
  assert.equal(notUtf8Diagnostic("a.ts", r.at).message, d.message);
});
