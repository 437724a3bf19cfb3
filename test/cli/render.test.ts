/**
 * The three renderers of `thwonkc check`, fed made-up diagnostics, so every
 * part of the output (notes, help, fixes, multi-line spans) is exercised
 * whatever the checker reports today.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic, Span } from "../../compiler/diagnostics/diagnostic.js";
import { codeFrame, renderPretty, summaryLine } from "../../cli/render/pretty.js";
import { renderJson } from "../../cli/render/json.js";
import { renderSarif } from "../../cli/render/sarif.js";
import { selectDiagnostics } from "../../cli/check.js";
import { wantColor, BufferStream, type CliIo } from "../../cli/io.js";
import { THWONKC_VERSION } from "../../cli/version.js";
import { allMessages } from "../../compiler/diagnostics/catalog/index.js";
import { repoRoot } from "../helpers/repo.js";

const FILE = "rules/greet.thwonk";
const TEXT = ["rule greet", "", "on message(m: Message) {", "  let name = m.form", "  log(nme)", "}", ""].join("\n");

/** A span from 1-based line/col to line/col (end exclusive), offsets computed from TEXT. */
function span(line: number, col: number, endLine: number, endCol: number, file = FILE, text = TEXT): Span {
  const lines = text.split("\n");
  const off = (l: number, c: number) => lines.slice(0, l - 1).reduce((n, s) => n + s.length + 1, 0) + c - 1;
  return { file, start: off(line, col), end: off(endLine, endCol), line, col, endLine, endCol };
}

const unknownField: Diagnostic = {
  code: "TW2002",
  severity: "error",
  span: span(4, 16, 4, 20),
  message: "`Message` has no field `form`.",
  related: [],
  fix: { description: "Replace `form` with `from`.", edits: [{ span: span(4, 16, 4, 20), newText: "from" }] },
};
const unknownName: Diagnostic = {
  code: "TW2003",
  severity: "warning",
  span: span(5, 7, 5, 10),
  message: "Unknown name `nme`.",
  related: [{ span: span(4, 7, 4, 11), message: "`name` is declared here" }],
};
const texts = new Map([[FILE, TEXT]]);

describe("pretty", () => {
  test("header, frame, notes and help, then the summary", () => {
    const out = renderPretty([unknownField, unknownName], texts, 1, { color: false });
    assert.equal(
      out,
      [
        "rules/greet.thwonk:4:16: error TW2002: `Message` has no field `form`.",
        "  2 |",
        "  3 | on message(m: Message) {",
        "> 4 |   let name = m.form",
        "    |                ^^^^",
        "  5 |   log(nme)",
        "help: Replace `form` with `from`.",
        "",
        "rules/greet.thwonk:5:7: warning TW2003: Unknown name `nme`.",
        "  3 | on message(m: Message) {",
        "  4 |   let name = m.form",
        "> 5 |   log(nme)",
        "    |       ^^^",
        "  6 | }",
        "rules/greet.thwonk:4:7: note: `name` is declared here",
        "> 4 |   let name = m.form",
        "    |       ^^^^",
        "",
        "1 error, 1 warning in 1 file",
        "",
      ].join("\n"),
    );
  });

  test("an empty span gets one caret; a span past the last line points at the end", () => {
    const lines = ["rule x", "on message(m: Message) {"];
    assert.equal(codeFrame(lines, span(2, 25, 2, 25), 0, false), "> 2 | on message(m: Message) {\n    |                         ^");
    assert.equal(codeFrame(lines, span(3, 1, 3, 1), 0, false), "> 2 | on message(m: Message) {\n    |                         ^");
  });

  test("a multi-line span is underlined on each line, up to its exclusive end", () => {
    const lines = ["let x = [", "  1,", "  2]", "log(x)"];
    assert.equal(
      codeFrame(lines, span(1, 9, 3, 5), 0, false),
      ["> 1 | let x = [", "    |         ^", "> 2 |   1,", "    | ^^^^", "> 3 |   2]", "    | ^^^^"].join("\n"),
    );
  });

  test("a span ending at the start of a line ends on the line before", () => {
    const lines = ["abc", "def"];
    assert.equal(codeFrame(lines, span(1, 2, 2, 1), 0, false), "> 1 | abc\n    |  ^^");
  });

  test("a long span is underlined on its first line only", () => {
    const lines = ["on message(m: Message) {", "  a()", "  b()", "  c()", "  d()", "}"];
    assert.equal(codeFrame(lines, span(1, 1, 6, 2), 0, false), "> 1 | on message(m: Message) {\n    | ^^^^^^^^^^^^^^^^^^^^^^^^");
  });

  test("tabs before the span are kept so the caret lines up", () => {
    assert.equal(codeFrame(["\tlog(x)"], span(1, 6, 1, 7), 0, false), "> 1 | \tlog(x)\n    | \t    ^");
  });

  test("CRLF line ends count as one line break", () => {
    const out = renderPretty(
      [{ ...unknownName, related: [], span: { ...unknownName.span, file: "crlf.thwonk" } }],
      new Map([["crlf.thwonk", TEXT.replace(/\n/g, "\r\n")]]),
      1,
      { color: false },
    );
    assert.ok(out.includes("> 5 |   log(nme)\n    |       ^^^\n"), out);
  });

  test("the summary", () => {
    assert.equal(summaryLine([], 3, false), "no problems in 3 files");
    assert.equal(summaryLine([unknownField], 1, false), "1 error, 0 warnings in 1 file");
    assert.equal(summaryLine([unknownField, unknownField, unknownName], 2, false), "2 errors, 1 warning in 2 files");
    assert.equal(summaryLine([{ ...unknownName, severity: "info" }], 1, false), "0 errors, 0 warnings, 1 info in 1 file");
  });
});

describe("json", () => {
  test("positions, code, severity, message; related and fix when present", () => {
    const out = JSON.parse(renderJson([unknownField, unknownName]));
    assert.deepEqual(out, [
      {
        file: FILE,
        line: 4,
        column: 16,
        endLine: 4,
        endColumn: 20,
        code: "TW2002",
        severity: "error",
        message: "`Message` has no field `form`.",
        fix: {
          description: "Replace `form` with `from`.",
          edits: [{ file: FILE, line: 4, column: 16, endLine: 4, endColumn: 20, newText: "from" }],
        },
      },
      {
        file: FILE,
        line: 5,
        column: 7,
        endLine: 5,
        endColumn: 10,
        code: "TW2003",
        severity: "warning",
        message: "Unknown name `nme`.",
        related: [{ file: FILE, line: 4, column: 7, endLine: 4, endColumn: 11, message: "`name` is declared here" }],
      },
    ]);
  });
});

describe("sarif", () => {
  const log = JSON.parse(
    renderSarif([unknownField, unknownName, { ...unknownName, severity: "info", code: "TW0000" }], {
      toolVersion: "1.2.3",
      rules: allMessages,
      cwd: "/home/ann/list",
    }),
  );
  const run = log.runs[0];

  test("levels: error, warning, and note for info; ruleIndex only for catalog codes", () => {
    assert.deepEqual(
      run.results.map((r: { level: string; ruleId: string; ruleIndex?: number }) => [r.ruleId, r.level, r.ruleIndex === undefined]),
      [
        ["TW2002", "error", !allMessages.some((m) => m.code === "TW2002")],
        ["TW2003", "warning", !allMessages.some((m) => m.code === "TW2003")],
        ["TW0000", "note", true],
      ],
    );
  });

  test("the driver lists every catalog message as a rule", () => {
    assert.equal(run.tool.driver.version, "1.2.3");
    assert.deepEqual(
      run.tool.driver.rules.map((r: { id: string; shortDescription: { text: string } }) => [r.id, r.shortDescription.text]),
      allMessages.map((m) => [m.code, m.title]),
    );
    assert.deepEqual(run.originalUriBaseIds, { "%SRCROOT%": { uri: "file:///home/ann/list/" } });
  });

  test("related locations and fixes", () => {
    const [fixed, related] = run.results;
    assert.deepEqual(fixed.fixes, [
      {
        description: { text: "Replace `form` with `from`." },
        artifactChanges: [
          {
            artifactLocation: { uri: FILE, uriBaseId: "%SRCROOT%" },
            replacements: [
              { deletedRegion: { startLine: 4, startColumn: 16, endLine: 4, endColumn: 20 }, insertedContent: { text: "from" } },
            ],
          },
        ],
      },
    ]);
    assert.deepEqual(related.relatedLocations, [
      {
        id: 0,
        physicalLocation: {
          artifactLocation: { uri: FILE, uriBaseId: "%SRCROOT%" },
          region: { startLine: 4, startColumn: 7, endLine: 4, endColumn: 11 },
        },
        message: { text: "`name` is declared here" },
      },
    ]);
  });
});

describe("what check reports", () => {
  test("not the diagnostics of context files; --strict turns warnings into errors", () => {
    const other = { ...unknownField, span: { ...unknownField.span, file: "context.thwonk" } };
    const context = new Set(["context.thwonk"]);
    assert.deepEqual(selectDiagnostics([unknownField, other, unknownName], context, false), [unknownField, unknownName]);
    const strict = selectDiagnostics([unknownField, other, unknownName], context, true);
    assert.deepEqual(strict.map((d) => d.severity), ["error", "error"]);
    assert.equal(unknownName.severity, "warning", "the original is not changed");
  });

  test("colour: flag, then FORCE_COLOR, then NO_COLOR, then the terminal", () => {
    const tty = new BufferStream(true);
    const pipe = new BufferStream(false);
    const io = (env: Record<string, string>): CliIo => ({ cwd: "/", env, stdout: tty, stderr: tty });
    assert.equal(wantColor(io({}), tty, undefined), true);
    assert.equal(wantColor(io({}), pipe, undefined), false);
    assert.equal(wantColor(io({ TERM: "dumb" }), tty, undefined), false);
    assert.equal(wantColor(io({ NO_COLOR: "1" }), tty, undefined), false);
    assert.equal(wantColor(io({ NO_COLOR: "" }), tty, undefined), true);
    assert.equal(wantColor(io({ FORCE_COLOR: "1" }), pipe, undefined), true);
    assert.equal(wantColor(io({ FORCE_COLOR: "" }), pipe, undefined), true);
    assert.equal(wantColor(io({ FORCE_COLOR: "0" }), tty, undefined), false);
    assert.equal(wantColor(io({ FORCE_COLOR: "false" }), tty, undefined), false);
    assert.equal(wantColor(io({ FORCE_COLOR: "1", NO_COLOR: "1" }), pipe, undefined), true);
    assert.equal(wantColor(io({ FORCE_COLOR: "1" }), pipe, false), false);
    assert.equal(wantColor(io({ NO_COLOR: "1" }), pipe, true), true);
  });

  test("the CLI's version is package.json's", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    assert.equal(THWONKC_VERSION, pkg.version);
  });
});
