/** Folding ranges read off the syntax tree: brackets spanning lines, runs of line comments; brackets inside strings and comments are text. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { foldingRanges } from "../../lsp/folding.js";

function lineOf(text: string): (offset: number) => number {
  return (offset) => text.slice(0, offset).split("\n").length - 1;
}

test("brackets over several lines fold; a bracket in a string or a comment does not; comment runs fold", () => {
  const text = [
    "// one", // 0
    "// two", // 1
    "// three", // 2
    "rule r", // 3
    "on message(m: Message) {", // 4
    '  log("( not a bracket [")', // 5
    "  // { nor this", // 6
    "  let xs = [", // 7
    '    "a",', // 8
    "  ]", // 9
    "}", // 10
    "// alone", // 11
    "",
  ].join("\n");
  const folds = foldingRanges("r.thwonk", text, lineOf(text));
  assert.deepEqual(
    folds.map((f) => [f.startLine, f.endLine, f.kind ?? "region"]).sort((a, b) => Number(a[0]) - Number(b[0])),
    [
      [0, 2, "comment"],
      [4, 9, "region"],
      [7, 8, "region"],
    ],
  );
});
