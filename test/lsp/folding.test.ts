/** Folding ranges read off the syntax tree: brackets spanning lines, runs of line comments, block comments, regions; brackets inside strings and comments are text. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FoldingRangeRequest } from "vscode-languageserver-protocol/node";
import { parseFile } from "../../compiler/index.js";
import { foldingRanges } from "../../lsp/folding.js";
import { LspClient } from "./client.js";

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
  const folds = foldingRanges(parseFile("r.thwonk", text).syntax.root, lineOf(text));
  assert.deepEqual(
    folds.map((f) => [f.startLine, f.endLine, f.kind ?? "region"]).sort((a, b) => Number(a[0]) - Number(b[0])),
    [
      [0, 2, "comment"],
      [4, 9, "region"],
      [7, 8, "region"],
    ],
  );
});

test("`// region` ... `// endregion` (the language configuration's markers, which VS Code ignores once a server folds) and block comments over several lines fold", () => {
  const text = [
    "// region state", // 0
    "// what it keeps", // 1
    "rule r", // 2
    "/* a note", // 3
    "   on two lines */", // 4
    "// region triggers", // 5
    "on message(m: Message) {", // 6
    "  log(m.subject)", // 7
    "}", // 8
    "// endregion", // 9
    "/* one line */", // 10
    "// endregion", // 11
    "// endregion (one too many)", // 12
    "/* never closed", // 13
    "",
  ].join("\r\n");
  const lineOfCrlf = (offset: number): number => text.slice(0, offset).split("\r\n").length - 1;
  const folds = foldingRanges(parseFile("r.thwonk", text).syntax.root, lineOfCrlf);
  assert.deepEqual(
    folds.map((f) => [f.startLine, f.endLine, f.kind ?? "brackets"]).sort((a, b) => Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1])),
    [
      [0, 11, "region"],
      [3, 4, "comment"],
      [5, 9, "region"],
      [6, 7, "brackets"],
      [13, 14, "comment"],
    ],
  );
});

test("the server folds off the tree of the document's version: one parse per version on its thread, whatever the number of requests", async () => {
  const client = new LspClient();
  try {
    await client.initialize();
    const uri = "file:///nowhere/fold.thwonk";
    const text = "rule fold\non message(m: Message) {\n  log(\"x\")\n}\n";
    await client.open(uri, text);
    await client.waitFor(uri, (p) => p.version === 1);
    const stats = async () => ((await client.connection.sendRequest("thwonk/stats")) as { parses: number }).parses;
    const fold = () => client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } });
    // The check that published ran on the checker thread: the first request parses the version on the server's thread.
    await fold();
    const before = await stats();
    for (let i = 0; i < 3; i++) assert.deepEqual((await fold())?.map((f) => [f.startLine, f.endLine]), [[1, 2]]);
    // Before: a parse of the text for each request.
    assert.equal(await stats(), before);
    // An edit, folded before its check ran: parsed once on the server's thread, however many requests follow.
    const since = client.published.length;
    const v = await client.change(uri, { start: { line: 3, character: 1 }, end: { line: 3, character: 1 } }, "\nfn f() {\n  log(\"y\")\n}");
    assert.deepEqual((await fold())?.map((f) => [f.startLine, f.endLine]), [[1, 2], [4, 5]]);
    await client.waitFor(uri, (p) => p.version === v, since);
    await fold();
    assert.equal(await stats(), before + 1);
  } finally {
    await client.close();
  }
});
