/**
 * The binder: puts the stdlib's globals and functions in the global scope,
 * and the rule's top-level declarations — `type`s, `fn`s, state fields — in
 * the file scope, so that the checker can resolve a name wherever it is used
 * (a `fn` may call one declared below it). Reports duplicates, a missing or
 * second `rule`, and non-test declarations in test files. Types and
 * signatures are resolved afterwards, by declarations.ts.
 */
import type {
  ConstDecl,
  Decl,
  Entry,
  EveryDecl,
  FnDecl,
  OnDecl,
  RuleDecl,
  SourceFile,
  StateField,
  TestDecl,
} from "../syntax/ast.js";
import type { Span } from "../diagnostics/diagnostic.js";
import { typeMessages as M } from "../diagnostics/catalog/types.js";
import type { Ctx } from "./context.js";
import type { FnInfo } from "./model.js";
import { newSymbol } from "./scope.js";
import { errorType, voidType, type RecordType } from "./types.js";

/** The top-level declarations of a rule file, by kind. */
export interface TopLevel {
  rule: RuleDecl | undefined;
  consts: ConstDecl[];
  fns: FnDecl[];
  stateFields: StateField[];
  limits: Entry[];
  settings: Entry[];
  ons: OnDecl[];
  everys: EveryDecl[];
  /** With the file each comes from. */
  tests: { decl: TestDecl; file: string }[];
  /** `fn` helpers of the test files, declared for the tests alone (tests.ts). */
  testFns: FnDecl[];
}

/** Declares the stdlib's globals (`members`, `state`, `now`, ...) and functions (`send`, ...). */
export function bindStdlib(ctx: Ctx): void {
  const decl = ctx.std.decl;
  for (const [name, g] of Object.entries(decl.globals)) {
    const isState = name === "state";
    const sym = newSymbol("global", name, undefined, isState ? ctx.model.stateType : ctx.std.type(g.type), undefined, g.doc);
    if (isState) ctx.stateSymbol = sym;
    ctx.globalScope.declare(sym);
  }
  for (const [name, f] of Object.entries(decl.functions)) {
    ctx.globalScope.declare(newSymbol("function", name, undefined, voidType, undefined, f.doc));
  }
  // `limits.members` in code: every limit, an int (constants.ts records the value of each read).
  const limits: RecordType = { kind: "record", name: "limits", fields: new Map() };
  for (const name of Object.keys(decl.limits)) limits.fields.set(name, { name, type: ctx.std.type("int"), span: undefined });
  ctx.globalScope.declare(newSymbol("limits", "limits", undefined, limits, undefined, "The rule's limits, as the rule declares them or by default: `limits.members`."));
}

const DECL_WORDS: Record<Decl["kind"], string> = {
  RuleDecl: "a `rule` declaration",
  LimitsDecl: "a `limits` block",
  SettingsDecl: "a `settings` block",
  StateDecl: "a `state` block",
  TypeDecl: "a `type` declaration",
  ConstDecl: "a `const` declaration",
  FnDecl: "a `fn` declaration",
  OnDecl: "a trigger",
  EveryDecl: "a scheduled trigger",
  TestDecl: "a test",
};

/** Binds the rule file's declarations. */
export function bindRuleFile(ctx: Ctx, file: SourceFile): TopLevel {
  const top: TopLevel = { rule: undefined, consts: [], fns: [], stateFields: [], limits: [], settings: [], ons: [], everys: [], tests: [], testFns: [] };
  for (const d of file.decls) {
    switch (d.kind) {
      case "RuleDecl":
        if (top.rule) ctx.report(M.duplicateRule, d.span, [top.rule.name.name]);
        else top.rule = d;
        break;
      case "TypeDecl": {
        const name = d.name.name;
        if (ctx.userTypes.has(name)) ctx.report(M.duplicateDeclaration, d.name.span, ["The type", name]);
        else if (ctx.std.typeDecl(name)) ctx.report(M.duplicateDeclaration, d.name.span, ["The built-in type", name]);
        else {
          const symbol = newSymbol("type", name, d.name.span, errorType, d);
          ctx.model.symbols.set(d.name, symbol);
          ctx.model.declarations.push(symbol);
          ctx.userTypes.set(name, { decl: d, symbol, state: "pending" });
        }
        break;
      }
      case "FnDecl": {
        const name = d.name.name;
        const prior = ctx.fileScope.own(name) ?? ctx.globalScope.own(name);
        if (prior) {
          ctx.report(M.duplicateDeclaration, d.name.span, [prior.span ? "The function" : "The built-in name", name]);
          break;
        }
        const symbol = ctx.declare("fn", d.name, voidType, d);
        const info: FnInfo = { name, decl: d, symbol, sig: { name, params: [], returns: voidType }, params: [], calls: [] };
        ctx.model.fns.set(name, info);
        top.fns.push(d);
        break;
      }
      case "ConstDecl": {
        const name = d.name.name;
        const prior = ctx.fileScope.own(name) ?? ctx.globalScope.own(name);
        if (prior) {
          ctx.report(M.duplicateDeclaration, d.name.span, [prior.span ? (prior.kind === "const" ? "The constant" : "The function") : "The built-in name", name]);
          break;
        }
        ctx.declare("const", d.name, errorType, d);
        top.consts.push(d);
        break;
      }
      case "StateDecl":
        top.stateFields.push(...d.fields);
        break;
      case "LimitsDecl":
        top.limits.push(...d.entries);
        break;
      case "SettingsDecl":
        top.settings.push(...d.entries);
        break;
      case "OnDecl":
        top.ons.push(d);
        break;
      case "EveryDecl":
        top.everys.push(d);
        break;
      case "TestDecl":
        top.tests.push({ decl: d, file: file.fileName });
        break;
    }
  }
  if (!top.rule) ctx.report(M.missingRule, fileStart(file), []);
  else ctx.model.ruleName = top.rule.name.name;
  return top;
}

/** Binds a test file: only `test` blocks and `fn` helpers for them belong there. */
export function bindTestFile(ctx: Ctx, file: SourceFile, top: TopLevel): void {
  for (const d of file.decls) {
    if (d.kind === "TestDecl") top.tests.push({ decl: d, file: file.fileName });
    else if (d.kind === "FnDecl") top.testFns.push(d);
    else ctx.report(M.declarationInTestFile, d.span, [DECL_WORDS[d.kind]]);
  }
}

/** An empty span at line 1, column 1 of a file. */
function fileStart(file: SourceFile): Span {
  return { file: file.fileName, start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
}
