/**
 * The concrete tree is lossless: printing it gives back the source byte for
 * byte, for correct and broken files alike. Checked on every .thwonk file
 * the repository holds (examples, golden inputs, regression files), on
 * random byte strings and random token sequences (fast-check), and (in
 * test/fuzz.test.ts) on every mutated example. Also checked here: the
 * tree's shape (tokens in order, node ranges from their first token to
 * their last) and that the typed tree's statements and declarations are
 * nodes of the concrete tree, span for span.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import fc from "fast-check";
import { isSyntaxNode, parseFile, printSyntax, type SyntaxElement, type SyntaxNode, type SyntaxToken } from "../../compiler/syntax/parser.js";
import type * as A from "../../compiler/syntax/ast.js";
import { repoRoot } from "../helpers/repo.js";

function thwonkFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && !e.name.startsWith(".")) thwonkFiles(full, out);
    } else if (e.name.endsWith(".thwonk")) out.push(full);
  }
  return out;
}

/** Every token of a tree, in order. */
function tokens(e: SyntaxElement, out: SyntaxToken[] = []): SyntaxToken[] {
  if (isSyntaxNode(e)) for (const c of e.children) tokens(c, out);
  else out.push(e);
  return out;
}

/** Prints back, and has a sane shape: tokens and trivia contiguous and in order, EOF last, node ranges from first to last token. */
function assertLossless(name: string, text: string): SyntaxNode {
  const root = parseFile(name, text).syntax.root;
  assert.equal(printSyntax(root), text, `${name} does not print back`);
  assert.equal(root.kind, "SourceFile");
  const toks = tokens(root);
  assert.equal(toks.at(-1)!.kind, "EOF");
  let at = 0;
  for (const t of toks) {
    for (const tr of t.leading) {
      assert.equal(tr.start, at, `${name}: trivia at ${tr.start}, expected ${at}`);
      at = tr.end;
    }
    assert.equal(t.start, at, `${name}: token ${t.kind} at ${t.start}, expected ${at}`);
    assert.equal(text.slice(t.start, t.end), t.text);
    at = t.end;
  }
  assert.equal(at, text.length);
  const check = (n: SyntaxNode): void => {
    const inner = tokens(n);
    if (inner.length > 0) assert.deepEqual([n.start, n.end], [inner[0]!.start, inner.at(-1)!.end], `${name}: range of ${n.kind}`);
    for (const c of n.children) if (isSyntaxNode(c)) check(c);
  };
  check(root);
  return root;
}

const files = thwonkFiles(repoRoot).filter((f) => !relative(repoRoot, f).startsWith("dist"));

test("the concrete tree prints back every .thwonk file of the repository", () => {
  const dirs = new Set(files.map((f) => relative(repoRoot, f).split("/")[0]));
  assert.ok(dirs.has("examples") && dirs.has("test"), `found ${[...dirs].join(", ")}`);
  assert.ok(files.some((f) => f.includes("golden/cases")), "golden inputs included");
  for (const f of files) assertLossless(relative(repoRoot, f), readFileSync(f, "utf8"));
});

test("every statement and declaration of the typed tree is a node of the concrete tree, span for span", () => {
  const kinds = new Set(["RuleDecl", "LimitsDecl", "SettingsDecl", "StateDecl", "TypeDecl", "FnDecl", "OnDecl", "EveryDecl", "TestDecl", "Block", "LetStmt", "AssignStmt", "IfStmt", "ForStmt", "ReturnStmt", "BreakStmt", "ContinueStmt", "ExprStmt", "CallExpr", "MemberExpr", "BinaryExpr"]);
  let compared = 0;
  for (const f of files.filter((x) => relative(repoRoot, x).startsWith("examples"))) {
    const text = readFileSync(f, "utf8");
    const r = parseFile(f, text);
    const concrete = new Set<string>();
    const walkC = (n: SyntaxNode): void => {
      concrete.add(`${n.kind} ${n.start} ${n.end}`);
      for (const c of n.children) if (isSyntaxNode(c)) walkC(c);
    };
    walkC(r.syntax.root);
    const walkA = (x: unknown): void => {
      if (Array.isArray(x)) return x.forEach(walkA);
      if (typeof x !== "object" || x === null) return;
      const node = x as { kind?: string; span?: A.Node["span"] };
      if (typeof node.kind === "string" && node.span && kinds.has(node.kind)) {
        // Parentheses only group: the typed expression takes the span of its ParenExpr.
        const at = ` ${node.span.start} ${node.span.end}`;
        assert.ok(concrete.has(node.kind + at) || concrete.has("ParenExpr" + at), `${relative(repoRoot, f)}: ${node.kind} at ${node.span.line}:${node.span.col} has no concrete node`);
        compared++;
      }
      // A string is one token of the concrete tree: its interpolations are in the typed tree only.
      for (const [k, v] of Object.entries(x)) if (k !== "span" && k !== "parts") walkA(v);
    };
    walkA(r.file.decls);
  }
  assert.ok(compared > 500, `compared ${compared} nodes`);
});

test("broken files print back too: skipped tokens, unknown characters, unclosed strings and comments, deep nesting", () => {
  const cases = [
    "",
    "   \n\t",
    "// only a comment",
    "rule x # y € §\n",
    "rule x\n) ] } ,\n".repeat(50),
    'rule x\non message(m) {\n  log("unclosed\n  let = = (\n}\n/* never closed',
    "rule x\nfn f() { let a = " + "(".repeat(2000) + "1" + ")".repeat(2000) + " }\n",
    "rule x\nfn f() { let a = " + "1 + ".repeat(3000) + "1 }\n",
    `rule r\non message(m: Message) {\n  log(${'"{'.repeat(300)}1${'}"'.repeat(300)})\n}\n`,
    "rule x\r\non message(m) {\r\n  log(\"a\")\r\n}\r\n",
    "\ufeffrule x\n" + "= = =\n".repeat(500),
  ];
  for (const [i, text] of cases.entries()) assertLossless(`case${i}.thwonk`, text);
});

/** Pieces a .thwonk file is made of, glued at random. */
const PIECES = [
  "rule", "limits", "state", "type", "fn", "on", "every", "test", "let", "var", "if", "else", "for", "in", "where",
  "return", "expect", "no", "run", "at", "max", "not", "and", "or", "true", "none", "message", "m", "x", "send",
  "0", "42", "1_000", "90m", "500ms", "2026-11-25", "2026-11-25T09:30:00Z", "09:30", "24:61", "99999999999999999999",
  '"a"', '"{m.subject}"', '"{"', '"\\q"', '"x', "{", "}", "(", ")", "[", "]", "<", ">", ".", ",", ":", ";", "?", "??",
  "=", "==", "!=", "+=", "-", "+", "*", "/", "%", "!", "#", "€", "//c", "/*c*/", "/*", " ", "  ", "\n", "\r\n", "\t",
];

test("property: any text prints back, and parsing never throws", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
      assertLossless("p.thwonk", text);
    }),
    { numRuns: 400 },
  );
});

test("property: any sequence of tokens and trivia prints back", () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 120 }), (pieces) => {
      assertLossless("p.thwonk", pieces.join(""));
    }),
    { numRuns: 600 },
  );
});
