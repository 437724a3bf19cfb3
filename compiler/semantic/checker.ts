/**
 * The checker's entry point: binds a rule file and its test files, resolves
 * types and signatures, checks every declaration, body and test, and returns
 * the diagnostics with the semantic model. Never throws on user input: a bug
 * in the checker itself becomes an internal-error diagnostic.
 *
 * Order: stdlib globals → rule-file declarations → test files → constants → `type`s →
 * `fn` signatures → state → limits → settings → trigger headers → trigger
 * bodies → `fn` bodies → tests → recursion and unused functions → a `hold` that
 * never reads `m.approved`.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { compareDiagnostics } from "../diagnostics/diagnostic.js";
import { makeDiagnostic } from "../diagnostics/catalog/index.js";
import { typeMessages as M } from "../diagnostics/catalog/types.js";
import type { SourceFile } from "../syntax/ast.js";
import type { StdlibDecl } from "../../stdlib/decl.js";
import { bindRuleFile, bindStdlib, bindTestFile } from "./binder.js";
import { Ctx } from "./context.js";
import {
  checkFnBodies,
  checkLimits,
  checkRecursion,
  checkSettings,
  checkState,
  checkTriggerBodies,
  checkTriggers,
  checkUnusedFns,
  resolveSignatures,
  resolveTypes,
} from "./declarations.js";
import { checkConstants, checkUnusedConstants } from "./constants.js";
import { reportUntypedNone } from "./statements.js";
import { emptyModel, type SemanticModel } from "./model.js";
import { loadStdlib } from "./stdlib-types.js";
import { checkTests } from "./tests.js";
import { checkApprovalRead } from "./approval.js";

export type { SemanticModel } from "./model.js";
export { typeToString } from "./types.js";
export type { Type } from "./types.js";
export type { Symbol } from "./scope.js";

export interface CheckResult {
  diagnostics: Diagnostic[];
  model: SemanticModel;
}

/** Checks a rule file together with its test files (which see the rule's state, triggers and types). */
export function checkRule(rule: SourceFile, tests: SourceFile[], decl?: StdlibDecl): CheckResult {
  const std = loadStdlib(decl);
  const model = emptyModel({ kind: "record", name: "state", fields: new Map() });
  const ctx = new Ctx(std, model, rule, tests);
  try {
    bindStdlib(ctx);
    const top = bindRuleFile(ctx, rule);
    for (const t of tests) bindTestFile(ctx, t, top);
    checkConstants(ctx, top.consts);
    resolveTypes(ctx);
    resolveSignatures(ctx, top.fns);
    checkState(ctx, top.stateFields);
    checkLimits(ctx, top.limits);
    checkSettings(ctx, top.settings);
    checkTriggers(ctx, top);
    checkTriggerBodies(ctx, top);
    checkFnBodies(ctx, top.fns);
    checkTests(ctx, top);
    checkRecursion(ctx);
    checkUnusedFns(ctx);
    checkUnusedConstants(ctx, top.consts);
    checkApprovalRead(ctx);
    reportUntypedNone(ctx);
  } catch (err) {
    const detail = err instanceof Error ? `${err.message}${err.stack ? ` (${err.stack.split("\n")[1]?.trim() ?? ""})` : ""}` : String(err);
    ctx.diagnostics.push(makeDiagnostic(M.internalError, { ...rule.span, end: rule.span.start, endLine: rule.span.line, endCol: rule.span.col }, [detail]));
  }
  const diagnostics = ctx.diagnostics.slice().sort(compareDiagnostics);
  return { diagnostics, model };
}
