/**
 * What an editor may fold: brackets that span lines, runs of line comments,
 * block comments over several lines, and `// region` ... `// endregion`. Read off the lossless syntax tree (its tokens and their leading
 * trivia), so strings, comments and brackets are told apart by the one lexer.
 * The tree is the one the server's workspace parsed for the document's
 * version: folding is asked for after every edit, and a parse of its own
 * doubled the parsing of a large rule.
 */
import type { FoldingRange } from "vscode-languageserver";
import type { SyntaxElement, SyntaxNode, SyntaxToken } from "../compiler/index.js";

/**
 * `// region` and `// endregion` lines, as language-configuration.json marks
 * them. VS Code reads those markers only when no folding provider answers
 * (indentation folding): with the server running, a region folded only if
 * the server said so, and it did not.
 */
const REGION = /^\/\/ region\b/;
const END_REGION = /^\/\/ endregion\b/;

const OPEN = new Set(["LCurly", "LBracket", "LParen"]);
const CLOSE = new Set(["RCurly", "RBracket", "RParen"]);

function tokens(n: SyntaxNode, out: SyntaxToken[]): SyntaxToken[] {
  for (const c of n.children as SyntaxElement[]) {
    if ("children" in c) tokens(c, out);
    else out.push(c);
  }
  return out;
}

export function foldingRanges(root: SyntaxNode, lineOf: (offset: number) => number): FoldingRange[] {
  const out: FoldingRange[] = [];
  const stack: number[] = [];
  const regions: number[] = [];
  let run: { start: number; end: number } | undefined;
  const endRun = (): void => {
    if (run && run.end > run.start) out.push({ startLine: run.start, endLine: run.end, kind: "comment" });
    run = undefined;
  };
  for (const t of tokens(root, [])) {
    for (const tr of t.leading) {
      if (tr.kind === "LineComment") {
        const line = lineOf(tr.start);
        // A region's markers are not part of a run of comments (two ranges from one line: VS Code keeps one).
        if (REGION.test(tr.text)) {
          endRun();
          regions.push(line);
        } else if (END_REGION.test(tr.text)) {
          endRun();
          const start = regions.pop();
          if (start !== undefined && line > start) out.push({ startLine: start, endLine: line, kind: "region" });
        } else if (run && line === run.end + 1) run.end = line;
        else {
          endRun();
          run = { start: line, end: line };
        }
      } else if (tr.kind === "BlockComment" || tr.kind === "UnterminatedComment") {
        // A block comment over several lines folds as a run of line comments does.
        endRun();
        const start = lineOf(tr.start);
        const end = lineOf(tr.end);
        if (end > start) out.push({ startLine: start, endLine: end, kind: "comment" });
      } else if (tr.kind !== "Whitespace") endRun();
    }
    endRun();
    if (OPEN.has(t.kind)) stack.push(lineOf(t.start));
    else if (CLOSE.has(t.kind) && stack.length) {
      const start = stack.pop()!;
      const line = lineOf(t.start);
      if (line > start) out.push({ startLine: start, endLine: line - 1 });
    }
  }
  return out;
}
