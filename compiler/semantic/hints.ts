/**
 * Hints for the mistakes newcomers make, added to a type mismatch: a
 * `string` where an `Address` is wanted says how to convert it (and, for a
 * `let` of a literal, offers to declare it as an Address); a `string` where
 * an enumeration such as `SendFrom` is wanted lists its values; a call
 * checked against none in an `if` and used inside it (a check does not carry
 * over from one call to the next) is bound with `let` first, by a fix.
 *
 * Each is worded, and its fix written, in the language of the file it is
 * reported in (spelling.ts): a `.ts` rule is told `const to = email("…");`
 * and its fix edits TypeScript, where TypeScript's own types differ from the
 * rule language's (an Address is made by `email(…)`, not by a type on the
 * name; `SendFrom` must be imported to be written).
 */
import type { Fix, TextEdit } from "../diagnostics/diagnostic.js";
import { spanEnd } from "../diagnostics/diagnostic.js";
import { q } from "../diagnostics/catalog/define.js";
import { didYouMean } from "../diagnostics/catalog/types.js";
import { spellingOf, surfaceOf, type Spelling, type Words } from "../diagnostics/catalog/spelling.js";
import type { CallExpr, Expr, FnDecl, IfStmt, LetStmt, Param, Stmt } from "../syntax/ast.js";
import { lineLayout } from "../syntax/lines.js";
import { assignable, boundLiteralNode } from "./assign.js";
import type { Ctx } from "./context.js";
import { exprText, plainString } from "./expr-text.js";
import { closest } from "./suggest.js";
import { named, nonOptional, type Type } from "./types.js";

/** For a `string` where an Address (or Recipients) is wanted: how to convert it, with a fix when one edit does it. */
export function addressHint(ctx: Ctx, e: Expr, found: Type, expected: Type): { hint: Words; fix?: Fix } | undefined {
  const f = nonOptional(found);
  if (f.kind !== "named" || f.name !== "string" || !assignable(ctx.std, named("Address"), nonOptional(expected))) return undefined;
  if (e.kind === "Ident") {
    const sym = ctx.model.symbols.get(e);
    const decl = sym?.node as LetStmt | undefined;
    // A literal without interpolations: `"ann@{d}"` is no address literal (neither `: Address` nor `email(…)` takes it).
    const plain = decl?.kind === "LetStmt" && !decl.type ? plainString(decl.init) : undefined;
    if (decl?.kind === "LetStmt" && plain !== undefined) {
      const kw = decl.mutable ? "var" : "let";
      const literal = exprText(decl.init);
      const why = (s: Spelling): string => `${q(e.name)} is a \`string\` because ${q(s.decl(kw, e.name, "..."))} says no type`;
      if (surfaceOf(decl.span.file) === "ts") {
        // TypeScript holds a string literal to `string`: the address is made where it is written, `email("…")`.
        const address = spellingOf("ts").address(plain);
        const hint: Words = (s) => `${why(s)}; an address is written ${q('email("…")')}, checked at compile time, so write it as one: ${q(s.decl(kw, e.name, address))}.`;
        // A name `email` of the rule's own would be what the fix's `email(…)` calls; one imported as a type is no value.
        const imported = importEdit(ctx, "email");
        if ((ctx.ruleFile && declares(ctx.ruleFile, "email")) || imported === undefined) return { hint };
        return {
          hint,
          fix: {
            description: `Write \`${address}\``,
            edits: [{ span: { ...decl.init.span, end: decl.init.span.start, endLine: decl.init.span.line, endCol: decl.init.span.col }, newText: "email(" }, { span: spanEnd(decl.init.span), newText: ")" }, ...imported],
          },
        };
      }
      // A literal becomes an Address where one is expected: give the variable that type.
      return {
        hint: (s) => `${why(s)}; a string literal is read as an address where one is expected, so declare it as one: ${q(s.decl(kw, e.name, literal, "Address"))}.`,
        fix: { description: `Declare \`${e.name}\` as an \`Address\``, edits: [{ span: spanEnd(decl.name.span), newText: ": Address" }] },
      };
    }
  }
  const text = exprText(e);
  return {
    hint: (s) =>
      `A string becomes an address by ${q(`address(${text})`)}, which is ${q(s.optional("Address"))}: ${s.none} when the text is not an address. Check it before use (${q(s.decl("let", "a", `address(${text})`))}, then ${q(s.ifBlock(`a ${s.ne} ${s.none}`))}) or give a default with \`??\`.`,
  };
}

/**
 * In a `.ts` rule that does not import `name` from "thwonk" yet, the edit that does: after its last import, or a new
 * import line. Undefined when it imports it as a type only (`type email`): a second import of the name would clash.
 */
function importEdit(ctx: Ctx, name: string): TextEdit[] | undefined {
  const file = ctx.ruleFile;
  const imp = file?.thwonkImport;
  if (imp?.types.includes(name)) return undefined;
  if (!file || !imp || imp.names.includes(name)) return [];
  if (imp.after) return [{ span: imp.after, newText: `, ${name}` }];
  // A line of its own where TypeScript's auto-import would write it (after the imports, or a header comment: the
  // front end's `line`), with the file's line break (CRLF in a CRLF file), indented as the import line before it
  // (a top-level statement: none after anything else); after a last line without a line break, one is written first.
  const at = imp.line ?? { ...file.span, start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
  const { eol } = lineLayout(file.text, at.start);
  const lastLine = at.start === file.text.length && at.start > 0 && !/[\r\n]$/.test(file.text);
  const before = lastLine ? file.text.slice(file.text.search(/[^\r\n]*$/)) : (/[^\r\n]*[\r\n]+$/.exec(file.text.slice(0, at.start))?.[0] ?? "");
  const indent = /^([ \t]*)import\b/.exec(before)?.[1] ?? "";
  return [{ span: at, newText: `${lastLine ? eol : ""}${indent}import { ${name} } from "thwonk";${eol}` }];
}

/**
 * For a `string` where a type of a few literal values is wanted (`SendFrom`): its values; for a `let` of a literal
 * the type does not have, the closest that it has (a fix); for a `var` of one, the type to declare it with (a fix).
 */
export function literalsHint(ctx: Ctx, e: Expr, found: Type, expected: Type): { hint: Words; fix?: Fix } | undefined {
  const f = nonOptional(found);
  const x = nonOptional(expected);
  if (f.kind !== "named" || f.name !== "string" || x.kind !== "named") return undefined;
  const literals = ctx.std.typeDecl(x.name)?.literals;
  if (!literals?.length) return undefined;
  const values = literals.map((l) => JSON.stringify(l));
  const list = values.length === 1 ? values[0]! : `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
  const head = (s: Spelling): string =>
    `A ${q(x.name)} is one of ${list}${expected.kind === "optional" ? ` (or ${s.none}, to leave it out)` : ""}, written as a literal, or a name bound to one (${q(s.decl("let", "f", values[0]!))}), so that the checker knows which.`;
  if (e.kind === "Ident") {
    const lit = boundLiteralNode(ctx, e);
    const text = lit && plainString(lit);
    if (lit && text !== undefined) {
      // A `let` of a literal has the literal's type (assign.ts, boundLiteral): here, a text the type does not have.
      const best = closest(text, literals);
      const fix = best !== undefined ? { fix: { description: `Change ${q(exprText(lit))} to ${q(JSON.stringify(best))}`, edits: [{ span: lit.span, newText: JSON.stringify(best) }] } } : {};
      return { hint: (s) => `${head(s)} ${q(e.name)} holds ${JSON.stringify(text)}, which is not one of them.${didYouMean(best && JSON.stringify(best))}`, ...fix };
    }
    const decl = ctx.model.symbols.get(e)?.node as LetStmt | undefined;
    // A literal without interpolations: `: SendFrom` does not make `"{who}er"` one.
    if (decl?.kind === "LetStmt" && decl.mutable && !decl.type && plainString(decl.init) !== undefined) {
      const literal = exprText(decl.init);
      if (surfaceOf(decl.span.file) === "ts") {
        // The type can be written only once imported (TypeScript refuses this first: a `let` of a literal is a `string` to it too).
        return { hint: (s) => `${head(s)} To keep the name, declare ${q(e.name)} as one, ${q(s.decl("var", e.name, literal, x.name))}, with ${q(`type ${x.name}`)} imported from "thwonk".` };
      }
      return {
        hint: (s) => `${head(s)} Declare ${q(e.name)} as one: ${q(s.decl("var", e.name, literal, x.name))}.`,
        fix: { description: `Declare \`${e.name}\` as a \`${x.name}\``, edits: [{ span: spanEnd(decl.name.span), newText: `: ${x.name}` }] },
      };
    }
  }
  return { hint: (s) => `${head(s)} To choose by a condition, write the call in an ${s.surface === "ts" ? "`if (…)`" : "`if`"} with a literal in each branch.` };
}

/**
 * A name for the value of a call: `state.lastPost.get(m.from)` → `lastPost`, `oldest()` → `oldest`; `value` for a word
 * the file's language reserves (a `.ts` rule's `state.default.get(k)`), as the message names it (catalog/types.ts).
 */
function callName(call: CallExpr, sp: Spelling): string | undefined {
  const name = calledName(call);
  return name !== undefined && sp.reserved.has(name) ? "value" : name;
}

function calledName(call: CallExpr): string | undefined {
  const c = call.callee;
  const last = c.kind === "MemberExpr" ? c.name.name : c.kind === "Ident" ? c.name : undefined;
  if (last === undefined) return undefined;
  if (["get", "first", "last", "take", "copy"].includes(last) && c.kind === "MemberExpr") {
    const o = c.object;
    const name = o.kind === "MemberExpr" ? o.name.name : o.kind === "Ident" ? o.name : undefined;
    return name === "state" || name === "m" ? undefined : name;
  }
  return last;
}

/** The same expression, written the same way (positions aside). */
function sameExpr(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => k !== "span" && k !== "opSpan");
  const kb = Object.keys(b).filter((k) => k !== "span" && k !== "opSpan");
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameExpr((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Every node of `root` that is the same expression as `e`. */
function occurrences(root: unknown, e: Expr, out: Expr[] = []): Expr[] {
  if (typeof root !== "object" || root === null) return out;
  if ((root as Expr).kind === e.kind && sameExpr(root, e)) {
    out.push(root as Expr);
    return out;
  }
  for (const [k, v] of Object.entries(root)) if (k !== "span" && k !== "opSpan") occurrences(v, e, out);
  return out;
}

/** Whether `name` is declared anywhere in `root` (a `let`, a loop variable, a function or its parameter). */
function declares(root: unknown, name: string): boolean {
  if (typeof root !== "object" || root === null) return false;
  const n = root as Stmt | FnDecl | Param;
  if ((n.kind === "LetStmt" || n.kind === "FnDecl" || n.kind === "Param") && n.name.name === name) return true;
  if (n.kind === "ForStmt" && (n.name.name === name || n.key?.name === name)) return true;
  return Object.entries(root).some(([k, v]) => k !== "span" && typeof v === "object" && declares(v, name));
}

/**
 * `if state.lastPost.get(m.from) != none { ... state.lastPost.get(m.from).date ... }`:
 * the fix that binds the call with `let` before the `if` and uses the name in
 * its condition and its block, so the check carries over. Only for an `if`
 * whose condition starts with `CALL != none` (not an `else if`) and a name
 * not taken.
 */
export function bindCallFix(ctx: Ctx, call: CallExpr): Fix | undefined {
  const sp = spellingOf(surfaceOf(call.span.file));
  const name = callName(call, sp);
  if (name === undefined || ctx.scope.lookup(name)) return undefined;
  for (let i = ctx.enclosingIfs.length - 1; i >= 0; i--) {
    const s: IfStmt = ctx.enclosingIfs[i]!;
    let cond = s.cond;
    while (cond.kind === "BinaryExpr" && cond.op === "and") cond = cond.left;
    if (cond.kind !== "BinaryExpr" || cond.op !== "!=" || cond.right.kind !== "NoneLit" || !sameExpr(cond.left, call)) continue;
    if (ctx.elseIfs.has(s) || cond.left.span.start !== s.cond.span.start) return undefined;
    // The declaration goes before the `if`, in its block: not where the `if` is a statement's whole body without
    // braces (a `.ts` rule's `if (a) if (…) …`, where a `const` cannot stand), nor where that block declares the name
    // later or inside the `if` (a second declaration, or uses renamed to another's).
    const block = ctx.ifBlocks.get(s);
    if (!block || (block.stmts.length === 1 && block.span.start === s.span.start) || declares(block, name)) return undefined;
    const head = { file: s.span.file, start: s.span.start, end: cond.left.span.start, line: s.span.line, col: s.span.col, endLine: cond.left.span.line, endCol: cond.left.span.col };
    // The `if` starts a line of its own, indented as its line is (tabs stay tabs), after the line break the file uses there.
    const text = ctx.textOf(s.span.file);
    const { indent, eol } = text !== undefined ? lineLayout(text, s.span.start) : { indent: " ".repeat(Math.max(0, s.span.col - 1)), eol: "\n" };
    // Its uses in the block and in the rest of the condition (`… != none and CALL.x > 1`), which the check carries to as well.
    const uses = [...occurrences(s.cond, call).filter((u) => u !== cond.left), ...occurrences(s.then, call)].map((u) => ({ span: u.span, newText: name }));
    // `head` is `if ` (`if (` in a `.ts` rule): it becomes the declaration, and the `if` starts again after the call.
    const [declared, again] = sp.surface === "ts" ? [`const ${name} = `, `;${eol}${indent}if (${name}`] : [`let ${name} = `, `${eol}${indent}if ${name}`];
    return {
      description: `Bind it first: ${q(sp.decl("let", name, "..."))} before the \`if\``,
      edits: [{ span: head, newText: declared }, { span: spanEnd(cond.left.span), newText: again }, ...uses],
    };
  }
  return undefined;
}
