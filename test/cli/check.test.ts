/**
 * `thwonkc check` end to end: the real bin/thwonkc.js (and so the bundle
 * dist/thwonkc.mjs) in a child process, on files in a temporary directory.
 * Output is piped, so it is plain text unless a test asks for colour.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, runCliProcess, tempDir, type TempDir } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";

/** A rule that checks clean. */
const CLEAN = `rule hello

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;

/** A rule with one syntax error: `@` at line 4, columns 13..14. */
const BROKEN = `rule broken

on message(m: Message) {
  let n = 1 @
  send(to: members, subject: m.subject, text: "{n}")
}
`;

/** A rule with one type error (a \`let\` assigned to), which comes with a fix. */
const FIXABLE = `rule fixable

on message(m: Message) {
  let n = m.subject.length
  n += 1
  send(to: members, subject: m.subject, text: "{n}")
}
`;

/** A rule with one warning (an unused variable) and no error. */
const WARNS = `rule warns

on message(m: Message) {
  let unused = 1
  send(to: members, subject: m.subject, text: m.text)
}
`;

const ESC = "\u001b[";

let t: TempDir;
before(async () => {
  t = tempDir({
    "clean.thwonk": CLEAN,
    "broken.thwonk": BROKEN,
    "fixable.thwonk": FIXABLE,
    "warns.thwonk": WARNS,
    "tree/top.thwonk": CLEAN,
    "tree/a/b/deep.thwonk": BROKEN,
    "tree/node_modules/dep/ignored.thwonk": BROKEN,
    "tree/.hidden/ignored.thwonk": BROKEN,
    "tree/a/notes.txt": "not a rule",
    "empty/README.md": "no rules here",
  });
});
after(() => t.remove());

const check = (args: string[], env?: Record<string, string>) =>
  runCli(["check", ...args], env ? { cwd: t.dir, env } : { cwd: t.dir });

describe("exit codes", () => {
  test("0 when there are no errors", async () => {
    const r = await check(["clean.thwonk"]);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.stdout, "no problems in 1 file\n");
  });

  test("1 when there are errors", async () => {
    const r = await check(["broken.thwonk"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "");
  });

  test("2 for a missing file, with a message on stderr", async () => {
    const r = await check(["clean.thwonk", "missing.thwonk"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^thwonkc: cannot read missing\.thwonk: no such file or directory\n$/);
  });

  test("2 for an unknown option", async () => {
    const r = await check(["--frobnicate", "clean.thwonk"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--frobnicate'/);
  });

  test("2 for a bad --format value", async () => {
    const r = await check(["--format", "xml", "clean.thwonk"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Allowed choices are pretty, json, sarif/);
  });

  test("2 when no path is given", async () => {
    const r = await check([]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing required argument 'paths'/);
  });

  test("2 for an unknown command, and for no command at all", async () => {
    // Through the real bin, as a shell runs it: the process's exit code.
    const unknown = runCliProcess(["frobnicate"], { cwd: t.dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const none = await runCli([], { cwd: t.dir });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage: thwonkc/);
  });

  test("2 for a directory without .thwonk files", async () => {
    const r = await check(["empty"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^thwonkc: no \.thwonk files in empty\n$/);
  });
});

describe("warnings and --strict", () => {
  test("warnings alone exit 0", async () => {
    const r = await check(["warns.thwonk"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^warns\.thwonk:4:7: warning TW\d{4}: .*`unused`/);
    assert.match(r.stdout, /\n0 errors, 1 warning in 1 file\n$/);
  });

  test("--strict makes them errors, in every format", async () => {
    const pretty = await check(["--strict", "warns.thwonk"]);
    assert.equal(pretty.code, 1);
    assert.match(pretty.stdout, /^warns\.thwonk:4:7: error TW\d{4}: /);
    assert.match(pretty.stdout, /\n1 error, 0 warnings in 1 file\n$/);
    const json = await check(["--strict", "--format", "json", "warns.thwonk"]);
    assert.equal(json.code, 1);
    assert.deepEqual((JSON.parse(json.stdout) as { severity: string }[]).map((d) => d.severity), ["error"]);
    const sarif = await check(["--strict", "--format", "sarif", "warns.thwonk"]);
    assert.equal(sarif.code, 1);
    assert.equal(JSON.parse(sarif.stdout).runs[0].results[0].level, "error");
  });

  test("without --strict, json and sarif keep the warning's severity", async () => {
    assert.equal((JSON.parse((await check(["-f", "json", "warns.thwonk"])).stdout) as { severity: string }[])[0]!.severity, "warning");
    assert.equal(JSON.parse((await check(["-f", "sarif", "warns.thwonk"])).stdout).runs[0].results[0].level, "warning");
  });
});

describe("--help and --version", () => {
  test("thwonkc --help lists the commands and the exit codes", async () => {
    const r = runCliProcess(["--help"], { cwd: t.dir });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: thwonkc \[options\] \[command\]/);
    assert.match(r.stdout, /check \[options\] <paths\.\.\.>/);
    assert.match(r.stdout, /Exit codes/);
    assert.equal(r.stderr, "");
  });

  test("thwonkc check --help describes the options", async () => {
    for (const args of [["check", "--help"], ["help", "check"], ["check", "-h"]]) {
      const r = await runCli(args, { cwd: t.dir });
      assert.equal(r.code, 0, args.join(" "));
      assert.match(r.stdout, /^Usage: thwonkc check \[options\] <paths\.\.\.>/);
      for (const opt of ["--format", "--strict", "--no-color", "Exit codes"]) assert.ok(r.stdout.includes(opt), opt);
    }
  });

  test("--version prints package.json's version", async () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    const r = runCliProcess(["--version"], { cwd: t.dir });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, pkg.version + "\n");
  });
});

describe("pretty output", () => {
  test("file:line:col, severity and code, a code frame with the span underlined, a summary", async () => {
    const r = await check(["broken.thwonk"]);
    const lines = r.stdout.split("\n");
    assert.match(lines[0]!, /^broken\.thwonk:4:13: error TW1\d{3}: .+/);
    assert.deepEqual(lines.slice(1, 6), [
      "  2 |",
      "  3 | on message(m: Message) {",
      "> 4 |   let n = 1 @",
      "    |             ^",
      '  5 |   send(to: members, subject: m.subject, text: "{n}")',
    ]);
    assert.equal(lines.at(-2), "1 error, 0 warnings in 1 file");
    assert.equal(lines.at(-1), "");
  });

  test("plain when piped; colour with FORCE_COLOR or --color; NO_COLOR and --no-color turn it off", async () => {
    assert.ok(!(await check(["broken.thwonk"])).stdout.includes(ESC));
    assert.ok((await check(["broken.thwonk"], { FORCE_COLOR: "1" })).stdout.includes(ESC));
    assert.ok((await check(["broken.thwonk", "--color"])).stdout.includes(ESC));
    assert.ok(!(await check(["broken.thwonk"], { NO_COLOR: "1" })).stdout.includes(ESC));
    assert.ok(!(await check(["broken.thwonk"], { FORCE_COLOR: "0" })).stdout.includes(ESC));
    assert.ok(!(await check(["broken.thwonk", "--no-color"], { FORCE_COLOR: "1" })).stdout.includes(ESC));
  });

  test("colour changes nothing but the escape codes", async () => {
    const plain = (await check(["broken.thwonk"])).stdout;
    const coloured = (await check(["broken.thwonk", "--color"])).stdout;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what is stripped
    assert.equal(coloured.replace(/\u001b\[[0-9;]*m/g, ""), plain);
  });

  test("related spans are shown as notes, with their own frame", async () => {
    t.write("unclosed.thwonk", `rule unclosed\n\non message(m: Message) {\n  log("hi"\n}\n`);
    const r = await check(["unclosed.thwonk"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^unclosed\.thwonk:\d+:\d+: error TW1\d{3}: /m);
    assert.match(r.stdout, /^unclosed\.thwonk:4:6: note: .+\n> 4 \| {3}log\("hi"\n {4}\| {6}\^$/m);
  });

  test("a fix is described as help", async () => {
    const r = await check(["fixable.thwonk"]);
    assert.equal(r.code, 1);
    const lines = r.stdout.split("\n");
    assert.match(lines[0]!, /^fixable\.thwonk:5:3: error TW2\d{3}: .+/);
    assert.deepEqual(lines.slice(3, 5), ["> 5 |   n += 1", "    |   ^"]);
    assert.match(r.stdout, /^help: .*`var`/m);
  });

  test("the summary counts errors and warnings and the files checked", async () => {
    const r = await check(["clean.thwonk", "broken.thwonk", "tree"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /\n2 errors, 0 warnings in 4 files\n$/);
  });
});

describe("--format json", () => {
  test("an array of diagnostics, field by field", async () => {
    const r = await check(["--format", "json", "broken.thwonk", "clean.thwonk"]);
    assert.equal(r.code, 1);
    const diags = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.ok(Array.isArray(diags));
    assert.equal(diags.length, 1);
    const d = diags[0]!;
    assert.equal(d["file"], "broken.thwonk");
    assert.equal(d["line"], 4);
    assert.equal(d["column"], 13);
    assert.equal(d["endLine"], 4);
    assert.equal(d["endColumn"], 14);
    assert.match(String(d["code"]), /^TW1\d{3}$/);
    assert.equal(d["severity"], "error");
    assert.equal(typeof d["message"], "string");
    assert.ok(String(d["message"]).includes("@"));
    assert.deepEqual(
      Object.keys(d).sort(),
      ["code", "column", "endColumn", "endLine", "file", "line", "message", "severity"],
      "related and fix appear only when present",
    );
  });

  test("a fix is included with its edits", async () => {
    const r = await check(["--format", "json", "fixable.thwonk"]);
    const [d] = JSON.parse(r.stdout) as { fix?: { description: string; edits: Record<string, unknown>[] } }[];
    assert.ok(d?.fix, r.stdout);
    assert.match(d.fix.description, /`var`/);
    assert.deepEqual(d.fix.edits, [{ file: "fixable.thwonk", line: 4, column: 3, endLine: 4, endColumn: 6, newText: "var" }]);
  });

  test("related spans are included", async () => {
    t.write("unclosed2.thwonk", `rule unclosed\n\non message(m: Message) {\n  log("hi"\n}\n`);
    const r = await check(["--format=json", "unclosed2.thwonk"]);
    const diags = JSON.parse(r.stdout) as { related?: Record<string, unknown>[] }[];
    const withRelated = diags.find((d) => d.related);
    assert.ok(withRelated, r.stdout);
    assert.deepEqual(Object.keys(withRelated.related![0]!).sort(), ["column", "endColumn", "endLine", "file", "line", "message"]);
    assert.equal(withRelated.related![0]!["line"], 4);
    assert.equal(withRelated.related![0]!["column"], 6);
  });

  test("an empty array and exit 0 for clean files", async () => {
    const r = await check(["-f", "json", "clean.thwonk"]);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });
});

describe("--format sarif", () => {
  test("a SARIF 2.1.0 log: driver, rules from the catalog, results with locations", async () => {
    const r = await check(["--format", "sarif", "broken.thwonk"]);
    assert.equal(r.code, 1);
    const log = JSON.parse(r.stdout);
    assert.equal(log.version, "2.1.0");
    assert.match(log.$schema, /sarif-2\.1\.0/);
    assert.equal(log.runs.length, 1);
    const run = log.runs[0];
    const driver = run.tool.driver;
    assert.equal(driver.name, "thwonkc");
    assert.match(driver.version, /^\d+\.\d+\.\d+/);
    assert.ok(Array.isArray(driver.rules) && driver.rules.length > 10);
    const ids = driver.rules.map((x: { id: string }) => x.id);
    assert.equal(new Set(ids).size, ids.length, "rule ids are unique");
    for (const rule of driver.rules) {
      assert.match(rule.id, /^TW\d{4}$/);
      assert.equal(typeof rule.shortDescription.text, "string");
      assert.ok(rule.shortDescription.text.length > 0);
    }
    assert.equal(run.results.length, 1);
    const res = run.results[0];
    assert.match(res.ruleId, /^TW1\d{3}$/);
    assert.equal(driver.rules[res.ruleIndex].id, res.ruleId);
    assert.equal(res.level, "error");
    assert.equal(typeof res.message.text, "string");
    const loc = res.locations[0].physicalLocation;
    assert.equal(loc.artifactLocation.uri, "broken.thwonk");
    assert.deepEqual(loc.region, { startLine: 4, startColumn: 13, endLine: 4, endColumn: 14 });
    assert.equal(run.columnKind, "utf16CodeUnits");
    assert.ok(run.originalUriBaseIds[loc.artifactLocation.uriBaseId].uri.startsWith("file://"));
  });

  test("relative URIs keep directories and are percent-encoded", async () => {
    t.write("odd dir/ün.thwonk", BROKEN);
    const r = await check(["--format", "sarif", "odd dir"]);
    const uri = JSON.parse(r.stdout).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri;
    assert.equal(uri, "odd%20dir/%C3%BCn.thwonk");
  });

  test("no results and exit 0 for clean files", async () => {
    const r = await check(["--format", "sarif", "clean.thwonk"]);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout).runs[0].results, []);
  });
});

describe("which files are checked", () => {
  test("a directory: every .thwonk inside, recursively, skipping node_modules and dot-directories", async () => {
    const r = await check(["--format", "json", "tree"]);
    assert.equal(r.code, 1);
    const files = (JSON.parse(r.stdout) as { file: string }[]).map((d) => d.file);
    assert.deepEqual(files, ["tree/a/b/deep.thwonk"]);
    assert.match((await check(["tree"])).stdout, /in 2 files\n$/);
  });

  test("a file named twice, or named and inside a named directory, is checked once", async () => {
    const r = await check(["tree", "tree/a/b/deep.thwonk", "./tree/a/b/deep.thwonk"]);
    assert.match(r.stdout, /^1 error, 0 warnings in 2 files$/m);
  });

  test("an absolute path is shown relative to the working directory", async () => {
    const r = await check(["--format", "json", t.path("broken.thwonk")]);
    assert.equal((JSON.parse(r.stdout) as { file: string }[])[0]!.file, "broken.thwonk");
  });
});

describe("test files", () => {
  const RULE_WITH_ERROR = `rule counter

state {
  count: int = 0
}

on message(m: Message) {
  state.count += 1 @
}
`;
  const TEST = `test "counts" {
  message = { from: "ann@example.org", subject: "Hi", text: "Hello" }
  expect state.count == 1
}
`;

  test("naming NAME.test.thwonk loads NAME.thwonk as its context but reports only on the test file", async () => {
    const d = tempDir({ "counter.thwonk": RULE_WITH_ERROR, "counter.test.thwonk": TEST });
    try {
      const only = await runCli(["check", "--format", "json", "counter.test.thwonk"], { cwd: d.dir });
      assert.deepEqual(JSON.parse(only.stdout), [], "the rule's own error is not reported, and the test has its rule");
      assert.equal(only.code, 0);
      const both = await runCli(["check", "--format", "json", "counter.test.thwonk", "counter.thwonk"], { cwd: d.dir });
      assert.equal(both.code, 1);
      assert.deepEqual([...new Set((JSON.parse(both.stdout) as { file: string }[]).map((x) => x.file))], ["counter.thwonk"]);
      const dir = await runCli(["check", "."], { cwd: d.dir });
      assert.equal(dir.code, 1);
      assert.match(dir.stdout, /in 2 files\n$/);
    } finally {
      d.remove();
    }
  });

  test("a test file without its rule file is an error on the test file", async () => {
    const d = tempDir({ "lonely.test.thwonk": TEST });
    try {
      const r = await runCli(["check", "--format", "json", "lonely.test.thwonk"], { cwd: d.dir });
      assert.equal(r.code, 1);
      const diags = JSON.parse(r.stdout) as { file: string; code: string }[];
      assert.deepEqual(diags.map((x) => [x.file, x.code]), [["lonely.test.thwonk", "TW2001"]]);
    } finally {
      d.remove();
    }
  });

  test("TypeScript beside a test file that is no rule (no import from \"thwonk\") is not its rule: check and test say it has none", async () => {
    const d = tempDir({ "lonely.test.thwonk": TEST, "lonely.ts": "export const x = 1;\n" });
    try {
      for (const args of [["check", "--format", "json", "."], ["check", "--format", "json", "lonely.test.thwonk"]]) {
        const r = await runCli(args, { cwd: d.dir });
        assert.equal(r.code, 1, `${args.join(" ")}: ${r.stdout}`);
        const diags = JSON.parse(r.stdout) as { file: string; code: string }[];
        assert.deepEqual(diags.map((x) => [x.file, x.code]), [["lonely.test.thwonk", "TW2001"]]);
      }
      const t = await runCli(["test", "."], { cwd: d.dir });
      assert.equal(t.code, 1);
      assert.match(t.stdout, /no rule lonely\.thwonk to test/);
    } finally {
      d.remove();
    }
  });
});
