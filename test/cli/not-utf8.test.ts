/**
 * A rule saved in another encoding (Latin-1) is refused by every command
 * that reads it, at the line and column of the first byte that is not
 * UTF-8, rather than checked or compiled with U+FFFD in place of its bytes;
 * `fmt` leaves such a file byte for byte.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { runCli, runCliProcess, tempDir } from "../helpers/cli.js";

// `log("café")` with the é in Latin-1 (0xE9), on line 3 at column 11; a string literal takes any character, so the
// replacement character checked cleanly before.
const LATIN1 = Buffer.concat([
  Buffer.from('rule a\non message(m: Message) {\n  log("caf'),
  Buffer.from([0xe9]),
  Buffer.from('")\n}\n'),
]);

test("check, compile and inspect refuse a file that is not UTF-8 with FILE:LINE:COL (exit 2)", () => {
  const t = tempDir();
  try {
    writeFileSync(t.path("a.thwonk"), LATIN1);
    for (const args of [["check", "a.thwonk"], ["check", "."], ["check", "--format", "json", "a.thwonk"], ["compile", "a.thwonk"]]) {
      const r = runCliProcess(args, { cwd: t.dir });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^thwonkc: cannot read a\.thwonk:3:11: it is not UTF-8 text \(byte 0xE9\)/m, args.join(" "));
      assert.doesNotMatch(r.stdout + r.stderr, /\uFFFD/, "no replacement character is shown");
    }
    assert.ok(readFileSync(t.path("a.thwonk")).equals(LATIN1));
  } finally {
    t.remove();
  }
});

test("the column counts UTF-16 units after a BOM and valid multi-byte characters, as a diagnostic's does", () => {
  const t = tempDir();
  try {
    // BOM, then `// 😀 é` (the emoji is 2 UTF-16 units), with the é in Latin-1: line 1, column 7.
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("// 😀 "), Buffer.from([0xe9]), Buffer.from("\nrule a\n")]);
    writeFileSync(t.path("a.thwonk"), bytes);
    const r = runCliProcess(["check", "a.thwonk"], { cwd: t.dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /a\.thwonk:1:7: it is not UTF-8 text \(byte 0xE9\)/);
    // A U+FFFD the file really holds (written as UTF-8) is text like any other.
    writeFileSync(t.path("b.thwonk"), 'rule b\non message(m: Message) {\n  log("\uFFFD")\n}\n');
    const ok = runCliProcess(["check", "b.thwonk"], { cwd: t.dir });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  } finally {
    t.remove();
  }
});

test("fmt names the position too, and writes nothing", () => {
  const t = tempDir();
  try {
    writeFileSync(t.path("a.thwonk"), LATIN1);
    const r = runCliProcess(["fmt", "a.thwonk"], { cwd: t.dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /thwonkc: cannot read a\.thwonk:3:11: it is not UTF-8 text \(byte 0xE9\); save it as UTF-8 \(left as it is\)/);
    assert.ok(readFileSync(t.path("a.thwonk")).equals(LATIN1), "the file is unchanged");
  } finally {
    t.remove();
  }
});

test("deploy, state set and members import refuse a file that is not UTF-8 before sending it, as check does (exit 2)", async () => {
  const t = tempDir();
  try {
    writeFileSync(t.path("a.thwonk"), LATIN1);
    // `{"note": "café"}` and a members line `Zoé <zoe@example.org>`, the é in Latin-1.
    writeFileSync(t.path("state.json"), Buffer.concat([Buffer.from('{"note": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]));
    writeFileSync(t.path("members.txt"), Buffer.concat([Buffer.from("ann@example.org\nZo"), Buffer.from([0xe9]), Buffer.from(" <zoe@example.org>\n")]));
    // Nothing listens there: a file read through U+FFFD would be sent, and the connection refused instead (exit 3).
    const server = ["--server", "http://127.0.0.1:9", "--token", "t"];
    const cases: [string[], RegExp][] = [
      [["deploy", "a.thwonk", "--address", "a@example.org"], /^thwonkc: cannot read a\.thwonk:3:11: it is not UTF-8 text \(byte 0xE9\); save it as UTF-8/m],
      [["state", "set", "a@example.org", "state.json"], /^thwonkc: cannot read state\.json:1:14: it is not UTF-8 text \(byte 0xE9\); save it as UTF-8/m],
      [["members", "import", "a@example.org", "members.txt"], /^thwonkc: cannot read members\.txt:2:3: it is not UTF-8 text \(byte 0xE9\); save it as UTF-8/m],
    ];
    for (const [args, says] of cases) {
      const r = await runCli([...args, ...server], { cwd: t.dir });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, says, args.join(" "));
    }
  } finally {
    t.remove();
  }
});
