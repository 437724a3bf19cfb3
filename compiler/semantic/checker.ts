import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../syntax/ast.js";

export interface SemanticModel {}
export interface CheckResult { diagnostics: Diagnostic[]; model: SemanticModel }
export function checkRule(_rule: SourceFile, _tests: SourceFile[]): CheckResult {
  return { diagnostics: [], model: {} };
}
