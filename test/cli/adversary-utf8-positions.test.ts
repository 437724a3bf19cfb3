/**
 * `thwonkc check|compile|fmt` on bytes that are not UTF-8 (cli/files.ts
 * decodeUtf8): refused at the line and column a diagnostic would give for
 * the same place (the compiler's lines break at `\n`, `\r\n` and a lone
 * `\r`; columns count UTF-16 units; a BOM is not a column), and `fmt` leaves
 * the file byte for byte. Valid UTF-8 (a BOM, 4-byte characters) passes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { LineMap } from "../../compiler/syntax/lines.js";
import { decodeUtf8 } from "../../cli/files.js";
import { runCli, tempDir } from "../helpers/cli.js";

/** The position a diagnostic would give to the character after `before` (its BOM not counted), as LINE:COL. */
function expected(before: string): string {
  const text = before.startsWith("\uFEFF") ? before.slice(1) : before;
  const map = new LineMap(text);
  return `${map.line(text.length)}:${map.col(text.length)}`;
}

const PREFIXES = [
  "rule a\n// x",
  "rule a\r\n// x",
  // Classic Mac line ends: the compiler breaks lines at a lone CR.
  "rule a\r// x",
  "rule a\r\r\n\r// x",
  "\uFEFFrule a\n// 😀 é 中",
  "\uFEFF// 😀",
  "rule a\n\n\n  // \uFFFD literal replacement character, then",
];
const BAD = [
  [0xe9], // Latin-1 é
  [0xc0, 0xaf], // overlong /
  [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], // CESU-8 surrogates of 😀
  [0xf0, 0x9f, 0x98], // a 4-byte character cut short
  [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
  [0xff, 0xfe],
];

test("the position of the first byte that is not UTF-8 is the one the compiler's diagnostics would give", () => {
  for (const prefix of PREFIXES) {
    for (const bad of BAD) {
      const bytes = Buffer.concat([Buffer.from(prefix), Buffer.from(bad), Buffer.from(" tail\n")]);
      const hex = bad[0]!.toString(16).toUpperCase();
      // Before: a lone CR was not a line break here, so "rule a\r// x" was refused at 1:12 instead of 2:5.
      assert.throws(
        () => decodeUtf8(bytes, "a.thwonk"),
        (e: Error) => e.message.startsWith(`cannot read a.thwonk:${expected(prefix)}: it is not UTF-8 text (byte 0x${hex})`),
        `${JSON.stringify(prefix)} + ${bad.map((b) => b.toString(16)).join(" ")}`,
      );
    }
  }
});

test("valid UTF-8 passes whole: a BOM, 4-byte characters, a literal U+FFFD, CR line ends", () => {
  for (const prefix of PREFIXES) {
    const text = `${prefix} 😀\u{10FFFF}\uFFFD\r\n`;
    assert.equal(decodeUtf8(Buffer.from(text), "a.thwonk"), text);
  }
});

test("check, compile and fmt: the same position with CR line ends, and fmt writes nothing", async () => {
  const t = tempDir();
  try {
    const bytes = Buffer.concat([Buffer.from('rule a\ron message(m: Message) {\r  log("caf'), Buffer.from([0xe9]), Buffer.from('")\r}\r')]);
    writeFileSync(t.path("a.thwonk"), bytes);
    for (const args of [["check", "a.thwonk"], ["compile", "a.thwonk"], ["fmt", "a.thwonk"], ["fmt", "--check", "."]]) {
      const r = await runCli(args, { cwd: t.dir });
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.stderr, /cannot read a\.thwonk:3:11: it is not UTF-8 text \(byte 0xE9\)/, args.join(" "));
    }
    assert.ok(readFileSync(t.path("a.thwonk")).equals(bytes), "left byte for byte");
  } finally {
    t.remove();
  }
});

test("fmt DIR with one file that is not UTF-8: the others are formatted (or, with --check, listed), that one is left, exit 2", async () => {
  const messy = 'rule NAME\non message(m: Message) {\nlog("x")\n}\n';
  const t = tempDir({ "a.thwonk": messy.replace("NAME", "a"), "c.thwonk": messy.replace("NAME", "c") });
  try {
    const bad = Buffer.concat([Buffer.from('rule b\non message(m: Message) {\nlog("caf'), Buffer.from([0xe9]), Buffer.from('")\n}\n')]);
    writeFileSync(t.path("b.thwonk"), bad);
    const check = await runCli(["fmt", "--check", "."], { cwd: t.dir });
    assert.equal(check.code, 2);
    assert.deepEqual(check.stdout.trim().split("\n").sort(), ["a.thwonk", "c.thwonk"], "the files that would change are listed");
    assert.match(check.stderr, /cannot read b\.thwonk:3:9: it is not UTF-8 text/);
    const fmt = await runCli(["fmt", "."], { cwd: t.dir });
    assert.equal(fmt.code, 2);
    for (const name of ["a", "c"]) assert.match(readFileSync(t.path(`${name}.thwonk`), "utf8"), /\n {2}log\("x"\)\n/, `${name}.thwonk formatted`);
    assert.ok(readFileSync(t.path("b.thwonk")).equals(bad), "b.thwonk left byte for byte");
  } finally {
    t.remove();
  }
});
