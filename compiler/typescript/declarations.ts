/**
 * The top level of a `.ts` rule, lowered into the core's declarations; each
 * line reads like its .thwonk twin (docs/typescript.md):
 *
 *     import { … } from "thwonk";              (the library; nothing else)
 *     export const rule = "once_a_day";        rule once_a_day
 *     export const limits = { members: 5000 }; limits { members: 5000 }
 *     export const settings = { … };           settings { … }
 *     export const state = { n: 0, … };        state { n: int = 0 … }
 *     const CAPACITY = 10;                     const CAPACITY = 10
 *     type Post = { … };                       type Post = { … }
 *     export function onMessage(m: Message)    on message(m: Message)
 *     every("day at 00:00", () => { … });      every day at 00:00 { … }
 *     function f(x: T): R { … }                fn f(x: T): R { … }
 */
import type * as TsMorph from "ts-morph";
import type { Decl, Entry, Param, StateField, TypeNode } from "../syntax/ast.js";
import type { Span } from "../diagnostics/diagnostic.js";
import { parseFile } from "../syntax/parser.js";
import { typescriptMessages as M } from "../diagnostics/catalog/typescript.js";
import { report, spanAt, spanOf, textOf, type Lowering } from "./context.js";
import { lowerExpr } from "./expressions.js";
import { lowerBlock } from "./statements.js";
import { lowerMax, lowerType } from "./types.js";
import { thwonkName } from "./calls.js";

type Node = TsMorph.ts.Node;

const SPECIAL = new Set(["rule", "limits", "settings", "state"]);

export function lowerTopLevel(cx: Lowering, sf: TsMorph.ts.SourceFile): Decl[] {
  const ts = cx.ts;
  for (const s of sf.statements) if (ts.isImportDeclaration(s)) checkImport(cx, s);
  const decls: Decl[] = [];
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s) || ts.isEmptyStatement(s)) continue;
    if (ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) {
      report(cx, M.ambientDeclaration, s, [textOf(cx, s, 60)]);
      continue;
    }
    const exported = ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ? 1 : 0;
    if (ts.isVariableStatement(s)) decls.push(...variable(cx, s, exported !== 0));
    else if (ts.isFunctionDeclaration(s)) {
      const d = fn(cx, s, exported !== 0);
      if (d) decls.push(d);
    } else if (ts.isTypeAliasDeclaration(s)) {
      if (s.typeParameters) report(cx, M.notInSubset, s, ["A generic type", "Declare the record type with its field types written out."]);
      decls.push({ kind: "TypeDecl", span: spanOf(cx, s), name: ident(cx, s.name), type: lowerType(cx, s.type) });
    } else if (ts.isExpressionStatement(s) && ts.isCallExpression(s.expression) && thwonkName(cx, s.expression.expression) === "every") {
      const d = every(cx, s.expression);
      if (d) decls.push(d);
    } else if (ts.isClassDeclaration(s)) report(cx, M.classOrThis, s, ["class"]);
    else if (ts.isWhileStatement(s) || ts.isForStatement(s) || ts.isDoStatement(s)) report(cx, M.unboundedLoop, s.getFirstToken(sf) ?? s, [s.getFirstToken(sf)?.getText(sf) ?? "loop"]);
    else if (ts.isTryStatement(s)) report(cx, M.tryCatch, s, ["try"]);
    else if (ts.isExportDeclaration(s) || ts.isExportAssignment(s)) report(cx, M.moduleOutsideThwonk, s, ["Re-exporting or a default export"]);
    else if (ts.isInterfaceDeclaration(s)) report(cx, M.notInSubset, s, ["An interface", "Declare a record type: `type Post = { from: Address; text: Text<4000> };`."]);
    else if (ts.isEnumDeclaration(s) || ts.isModuleDeclaration(s)) report(cx, M.notInSubset, s, [`\`${textOf(cx, s, 30)}\``, "Use `const` names and record `type`s."]);
    else report(cx, M.moduleShape, s, [`\`${textOf(cx, s)}\` cannot stand at the top level of a rule`, "A rule's top level declares; code goes inside `export function onMessage(m: Message) { … }`, an `every(…)` schedule or a function"]);
  }
  // The core would say so in .thwonk's words (`rule NAME`); a `rule` declared otherwise was refused where it stands.
  if (!decls.some((d) => d.kind === "RuleDecl") && !declaresRule(cx, sf)) {
    report(cx, M.moduleShape, spanAt(cx, 0, 0), ["This file has no `export const rule`", 'A rule starts with its name: `export const rule = "announcements";`']);
  }
  return decls;
}

/** Whether a top-level `const rule` is written (exported or not, well formed or not). */
function declaresRule(cx: Lowering, sf: TsMorph.ts.SourceFile): boolean {
  const ts = cx.ts;
  return sf.statements.some((s) => ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === "rule"));
}

function ident(cx: Lowering, n: TsMorph.ts.Identifier) {
  return { kind: "Ident" as const, span: spanOf(cx, n), name: n.text };
}

/** `import { send, type Message } from "thwonk"`: names under their own names, from "thwonk" only. */
function checkImport(cx: Lowering, s: TsMorph.ts.ImportDeclaration): void {
  const ts = cx.ts;
  const from = ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : "?";
  if (from !== "thwonk") {
    report(cx, M.moduleOutsideThwonk, s, [`Importing from "${from}"`]);
    return;
  }
  const clause = s.importClause;
  if (!clause) return;
  if (clause.name || (clause.namedBindings && !ts.isNamedImports(clause.namedBindings))) {
    report(cx, M.importShape, clause, ["A default or namespace import"]);
    return;
  }
  for (const el of clause.namedBindings?.elements ?? []) {
    if (el.propertyName && el.propertyName.getText(cx.sf) !== el.name.text) {
      report(cx, M.importShape, el, [`\`${textOf(cx, el)}\` renames an import`]);
      continue;
    }
    cx.imported.add(el.name.text);
    if (!clause.isTypeOnly && !el.isTypeOnly) cx.importedValues.add(el.name.text);
    // A value imported after an `import type { … }`'s names would be a type: such an import is not where one is added.
    if (!clause.isTypeOnly) cx.importEnd = Math.max(cx.importEnd ?? 0, el.getEnd());
  }
}

function variable(cx: Lowering, s: TsMorph.ts.VariableStatement, exported: boolean): Decl[] {
  const ts = cx.ts;
  const list = s.declarationList;
  if ((list.flags & ts.NodeFlags.Const) === 0 || list.declarations.length !== 1 || !ts.isIdentifier(list.declarations[0]!.name) || !list.declarations[0]!.initializer) {
    report(cx, M.moduleShape, s, ["At the top level, a rule declares one `const` at a time, with a value", "Use `const NAME = value;`; a value that changes between runs goes in `state`"]);
    return [];
  }
  const d = list.declarations[0]!;
  const name = (d.name as TsMorph.ts.Identifier).text;
  const init = d.initializer!;
  const span = spanOf(cx, s);
  if (exported && SPECIAL.has(name)) {
    if (name === "rule") {
      if (!ts.isStringLiteral(init) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(init.text)) {
        report(cx, M.moduleShape, init, ["`rule` is the rule's name, a string literal that is a name", 'Write `export const rule = "once_a_day";`']);
        return [];
      }
      return [{ kind: "RuleDecl", span, name: { kind: "Ident", span: spanOf(cx, init), name: init.text } }];
    }
    if (!ts.isObjectLiteralExpression(init)) {
      report(cx, M.moduleShape, init, [`\`${name}\` is an object literal`, `Write \`export const ${name} = { … };\``]);
      return [];
    }
    if (name === "state") return [{ kind: "StateDecl", span, fields: stateFields(cx, init) }];
    const entries = entriesOf(cx, init);
    return [name === "limits" ? { kind: "LimitsDecl", span, entries } : { kind: "SettingsDecl", span, entries }];
  }
  if (!exported && SPECIAL.has(name)) {
    report(cx, M.moduleShape, s, [`\`${name}\` declares the rule's ${name === "rule" ? "name" : name}, and is exported`, `Write \`export const ${name} = …;\``]);
    return [];
  }
  if (exported) {
    report(cx, M.moduleShape, s, [`\`export const ${name}\` is not part of a rule`, "A rule exports `rule`, `limits`, `settings`, `state` and `onMessage`; drop the `export` from a constant of its own"]);
  }
  return [{ kind: "ConstDecl", span, name: ident(cx, d.name as TsMorph.ts.Identifier), type: d.type ? lowerType(cx, d.type) : undefined, value: lowerExpr(cx, init) }];
}

function entriesOf(cx: Lowering, o: TsMorph.ts.ObjectLiteralExpression): Entry[] {
  const out: Entry[] = [];
  for (const p of o.properties) {
    if (!cx.ts.isPropertyAssignment(p) || !cx.ts.isIdentifier(p.name)) {
      report(cx, M.moduleShape, p, ["Each entry is `name: value`", "Write the value out, e.g. `members: 5000`"]);
      continue;
    }
    out.push({ kind: "Entry", span: spanOf(cx, p), name: ident(cx, p.name), value: lowerExpr(cx, p.initializer) });
  }
  return out;
}

/** A state field's type read off its initial value: `new Map<K, V, N>()`, `new List<T, N>()`, or a literal. */
function stateFields(cx: Lowering, o: TsMorph.ts.ObjectLiteralExpression): StateField[] {
  const ts = cx.ts;
  const out: StateField[] = [];
  for (const p of o.properties) {
    if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name)) {
      report(cx, M.moduleShape, p, ["Each state field is `name: initial value`", "Write e.g. `count: 0` or `seen: new Map<Address, Time, 5000>()`"]);
      continue;
    }
    // `title: "" as Text<100>`: here `as` declares the field's type (`title: string max 100 = ""`); the checker checks the value against it.
    const init = ts.isAsExpression(p.initializer) ? p.initializer.expression : p.initializer;
    const type = ts.isAsExpression(p.initializer) ? lowerType(cx, p.initializer.type) : stateType(cx, init);
    if (!type) {
      report(cx, M.stateInit, p.initializer, [p.name.text]);
      continue;
    }
    out.push({ kind: "StateField", span: spanOf(cx, p), name: ident(cx, p.name), type, init: lowerExpr(cx, init) });
  }
  return out;
}

function stateType(cx: Lowering, init: Node): TypeNode | undefined {
  const ts = cx.ts;
  const span = spanOf(cx, init);
  if (ts.isNumericLiteral(init) || (ts.isPrefixUnaryExpression(init) && ts.isNumericLiteral(init.operand))) return typeRef(span, "int");
  if (init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword) return typeRef(span, "bool");
  return madeType(cx, init, true);
}

function typeRef(span: Span, name: string, args: TypeNode[] = [], max: ReturnType<typeof lowerMax> = undefined): TypeNode {
  return { kind: "TypeRef", span, name: { kind: "Ident", span, name }, args, max, optional: false };
}

/**
 * The type `new Map<K, V, N>()` or `new List<T, N>()` makes, from its type
 * arguments (in state, the bound is required; elsewhere it may be left out).
 */
export function madeType(cx: Lowering, init: Node, bounded: boolean): TypeNode | undefined {
  const ts = cx.ts;
  if (!ts.isNewExpression(init) || !ts.isIdentifier(init.expression)) return undefined;
  const span = spanOf(cx, init);
  const what = thwonkName(cx, init.expression);
  const targs = [...(init.typeArguments ?? [])];
  const max = (t: Node | undefined) => (t === undefined ? undefined : lowerMax(cx, t));
  if (what === "Map" && (targs.length === 3 || (!bounded && targs.length === 2))) return typeRef(span, "Map", [lowerType(cx, targs[0]!), lowerType(cx, targs[1]!)], max(targs[2]));
  if (what === "List" && (targs.length === 2 || (!bounded && targs.length === 1))) return typeRef(span, "List", [lowerType(cx, targs[0]!)], max(targs[1]));
  return undefined;
}

function params(cx: Lowering, ps: readonly TsMorph.ts.ParameterDeclaration[]): Param[] {
  const out: Param[] = [];
  for (const p of ps) {
    if (cx.ts.isIdentifier(p.name) && p.name.text === "this") {
      report(cx, M.classOrThis, p, [textOf(cx, p)]);
      continue;
    }
    if (!cx.ts.isIdentifier(p.name) || p.initializer || p.dotDotDotToken || p.questionToken) {
      report(cx, M.notInSubset, p, ["A destructured, default, optional or rest parameter", "Write each parameter as `name: Type` (a missing value is `T | undefined`, passed as `undefined`)."]);
      continue;
    }
    out.push({ kind: "Param", span: spanOf(cx, p), name: ident(cx, p.name), type: p.type ? lowerType(cx, p.type) : undefined });
  }
  return out;
}

function fn(cx: Lowering, s: TsMorph.ts.FunctionDeclaration, exported: boolean): Decl | undefined {
  const ts = cx.ts;
  if (!s.name || !s.body) return undefined;
  const mods = ts.getCombinedModifierFlags(s);
  if (mods & ts.ModifierFlags.Async || s.asteriskToken) {
    report(cx, M.asyncCode, s.name, [s.asteriskToken ? "function*" : "async"]);
    return undefined;
  }
  if (s.typeParameters) report(cx, M.notInSubset, s.typeParameters[0]!, ["A generic function", "Write the function for the types it takes."]);
  const span = spanOf(cx, s);
  const name = ident(cx, s.name);
  if (name.name === "onMessage") {
    if (!exported) report(cx, M.moduleShape, s.name, ["`onMessage` is the rule's message trigger", "Export it: `export function onMessage(m: Message) { … }`"]);
    const [param] = params(cx, s.parameters);
    const extra = s.parameters[1];
    if (extra !== undefined) report(cx, M.moduleShape, extra, ["`onMessage` takes one parameter, the message", "Write `export function onMessage(m: Message) { … }`"]);
    return { kind: "OnDecl", span, event: { ...name, name: "message" }, param, body: lowerBlock(cx, s.body) };
  }
  // `export function onX` declares the trigger `on x`: the checker says whether there is one (TW2090, with "did you mean" and its fix).
  const on = /^on([A-Z])(\w*)$/.exec(name.name);
  if (exported && on) {
    const [param] = params(cx, s.parameters);
    return { kind: "OnDecl", span, event: { ...name, name: on[1]!.toLowerCase() + on[2]! }, param, body: lowerBlock(cx, s.body) };
  }
  if (exported) report(cx, M.moduleShape, s.name, [`\`export function ${name.name}\` is not part of a rule`, "A rule exports only `onMessage` among its functions; drop the `export`"]);
  // TypeScript infers a return type the lowering cannot see: without one written, the core's function returns nothing.
  if (s.type === undefined && returnsValue(cx, s.body)) {
    const sig = cx.checker.getSignatureFromDeclaration(s);
    const inferred = sig === undefined ? "int" : cx.checker.typeToString(cx.checker.getReturnTypeOfSignature(sig));
    report(cx, M.notInSubset, s.name, ["A function that returns a value without its return type", `Write the type it returns: \`function ${name.name}(…): ${inferred} { … }\`.`]);
  }
  const returnType = s.type && s.type.kind !== ts.SyntaxKind.VoidKeyword ? lowerType(cx, s.type) : undefined;
  return { kind: "FnDecl", span, name, params: params(cx, s.parameters), returnType, body: lowerBlock(cx, s.body) };
}

/** Whether a `return` with a value is in `body` (nested functions are refused elsewhere, and their returns are theirs). */
function returnsValue(cx: Lowering, body: Node): boolean {
  const ts = cx.ts;
  let found = false;
  const visit = (n: Node): void => {
    if (found || ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression !== undefined) found = true;
    else ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

/** `every("day at 00:00", () => { … })`: the schedule's text is read by the .thwonk parser. */
/**
 * For the source between a string literal's quotes, the source offset of each UTF-16 unit of its value (and of its end,
 * last): an escape (`\x64`, `\u{1F600}`, `\n`) is one source run for the one or two units it stands for.
 */
function rawOffsets(raw: string): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < raw.length) {
    if (raw[i] !== "\\") {
      out.push(i++);
      continue;
    }
    const start = i;
    const c = raw[i + 1] ?? "";
    let units = 1;
    if (c === "x") i += 4;
    else if (c === "u" && raw[i + 2] === "{") {
      const close = raw.indexOf("}", i);
      units = Number.parseInt(raw.slice(i + 3, close), 16) > 0xffff ? 2 : 1;
      i = close + 1;
    } else if (c === "u") i += 6;
    else if (c === "\r" && raw[i + 2] === "\n") [i, units] = [i + 3, 0];
    else if (c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029") [i, units] = [i + 2, 0];
    else if (c >= "0" && c <= "7") {
      i += 2;
      while (i < raw.length && i - start < 4 && raw[i]! >= "0" && raw[i]! <= "7") i++;
    } else i += 2;
    for (let u = 0; u < units; u++) out.push(start);
  }
  out.push(raw.length);
  return out;
}

function every(cx: Lowering, call: TsMorph.ts.CallExpression): Decl | undefined {
  const ts = cx.ts;
  const [text, body] = call.arguments;
  if (!text || !ts.isStringLiteral(text) || !body || !ts.isArrowFunction(body) || body.parameters.length > 0 || !ts.isBlock(body.body)) {
    report(cx, M.moduleShape, call, ["`every` takes a schedule and a body", 'Write `every("day at 00:00", () => { … });`']);
    return undefined;
  }
  const parsed = parseFile(cx.fileName, `every ${text.text} {}`);
  const decl = parsed.file.decls[0];
  const problem = parsed.diagnostics.find((d) => d.severity === "error");
  // The text is the schedule alone: not one followed by `{} every hour` or holding a comment, which the .thwonk parser would read past.
  if (problem || decl?.kind !== "EveryDecl" || parsed.file.decls.length !== 1 || parsed.file.comments.length > 0) {
    report(cx, M.badLiteral, text, [`The schedule \`${text.text}\``, `${problem?.message ?? "it is not a schedule."} A schedule reads like \`day at 00:00\`, \`monday at 09:30\`, \`hour\` or \`2h\`.`]);
    return undefined;
  }
  const at = spanOf(cx, text);
  // A part of the schedule at its place inside the string literal (so a fix edits that part, `"day"` for `"dya"`), its
  // escapes read (`"\x64ya"`: the fix replaces `\x64ya`, not the whole literal with a bare `day`).
  const source = rawOffsets(text.getText(cx.sf).slice(1, -1));
  const inner = (i: number): number => at.start + 1 + (source[i - "every ".length] ?? source[source.length - 1]!);
  const respan = <T extends { span: Span }>(n: T | undefined): T | undefined => (n ? { ...n, span: spanAt(cx, inner(n.span.start), inner(n.span.end)) } : undefined);
  const sch = decl.schedule;
  const schedule = { kind: "Schedule" as const, span: at, unit: respan(sch.unit), interval: respan(sch.interval), at: respan(sch.at) };
  return { kind: "EveryDecl", span: spanOf(cx, call), schedule, body: lowerBlock(cx, body.body) };
}
