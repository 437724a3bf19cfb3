/** Walking the statements of a rule: every statement of its triggers and fns, nested ones and `else if`s included. */
import type { SourceFile, Stmt } from "./ast.js";

export function forEachRuleStatement(file: SourceFile, visit: (s: Stmt) => void): void {
  const walk = (stmts: readonly Stmt[]): void => {
    for (const s of stmts) {
      visit(s);
      if (s.kind === "IfStmt") {
        walk(s.then.stmts);
        if (s.else) walk(s.else.kind === "IfStmt" ? [s.else] : s.else.stmts);
      } else if (s.kind === "ForStmt") walk(s.body.stmts);
    }
  };
  for (const d of file.decls) if (d.kind === "OnDecl" || d.kind === "EveryDecl" || d.kind === "FnDecl") walk(d.body.stmts);
}
