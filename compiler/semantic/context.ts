/**
 * The state one check of a rule carries through all the semantic modules:
 * the loaded stdlib, the model being built, the diagnostics, the current
 * scope, the current narrowing facts and where in the program we are.
 */
import type { Capability } from "../../stdlib/decl.js";
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { makeDiagnostic, type DiagnosticExtras, type MessageDef, type SpelledArgs } from "../diagnostics/catalog/index.js";
import type { Block, Expr, Ident, IfStmt, LetStmt, SourceFile, TypeDecl } from "../syntax/ast.js";
import type { Facts } from "./narrowing.js";
import type { FnInfo, SemanticModel, TypeDeclInfo } from "./model.js";
import { newSymbol, Scope, type Symbol, type SymbolKind } from "./scope.js";
import type { StdlibTypes } from "./stdlib-types.js";
import type { RecordField, Type } from "./types.js";

/** What the code being checked belongs to, for `return`. */
export type Body =
  | { kind: "fn"; fn: FnInfo }
  | { kind: "trigger"; what: string }
  | { kind: "test" }
  | { kind: "top" };

/** A `type` declaration while types are being resolved (to find cycles). */
export interface PendingType {
  decl: TypeDecl;
  symbol: Symbol;
  state: "pending" | "resolving" | "done";
  info?: TypeDeclInfo;
}

export class Ctx {
  readonly diagnostics: Diagnostic[] = [];
  private readonly reported = new Set<string>();
  /** The scope of stdlib globals and functions; the file scope is its child. */
  readonly globalScope = new Scope("global", undefined);
  readonly fileScope = new Scope("file", this.globalScope);
  scope: Scope = this.fileScope;
  facts: Facts = new Map();
  body: Body = { kind: "top" };
  loopDepth = 0;
  /** Path keys of the collections the enclosing `for` loops walk. */
  iterating: { key: string; name: string }[] = [];
  /** Locals whose collection was moved into another home, by symbol id (ownership.ts). */
  readonly moves = new Map<number, { span: Span; into: string; scope: Scope }>();
  /** The loop depth each local was declared at, by symbol id: a move from outside a loop is refused. */
  readonly loopDepthOf = new Map<number, number>();
  /** Inside a `test` block: capabilities are not recorded and stdlib records may be written partially. */
  inTest = false;
  /** `var x = none` declarations, by symbol id, with the first value assigned to them (reported at the end). */
  readonly untypedNone = new Map<number, { decl: LetStmt; later: { type: string; line: number } | undefined }>();
  /** The `if`s whose then-block is being checked, innermost last, and those that are an `else if`. */
  readonly enclosingIfs: IfStmt[] = [];
  readonly elseIfs = new WeakSet<IfStmt>();
  /** The block each `if` stands in (an `else if` stands in none): where a fix may declare a name before it. */
  readonly ifBlocks = new WeakMap<IfStmt, Block>();
  /** The callees of `contains(...)` that are a whole argument of an expected action: the only places it may stand for a value. */
  readonly patternContains = new Set<Expr>();
  readonly userTypes = new Map<string, PendingType>();
  readonly fieldSymbols = new WeakMap<RecordField, Symbol>();
  stateSymbol: Symbol | undefined;

  constructor(
    readonly std: StdlibTypes,
    readonly model: SemanticModel,
    /** The rule's file (a `.ts` rule's imports: SourceFile.thwonkImport). */
    readonly ruleFile?: SourceFile,
    /** Its test files: with the rule's, the texts a fix writes its lines to match (SourceFile.text). */
    readonly testFiles: readonly SourceFile[] = [],
  ) {}

  /** The text of the file named `fileName`, the rule's or one of its tests' (undefined for another, as the stdlib's). */
  textOf(fileName: string): string | undefined {
    if (this.ruleFile?.fileName === fileName) return this.ruleFile.text;
    return this.testFiles.find((f) => f.fileName === fileName)?.text;
  }

  /** Reports a diagnostic; a second error on the same span is dropped (one error per span). */
  report<A extends unknown[]>(m: MessageDef<A>, span: Span, args: SpelledArgs<A>, extras?: DiagnosticExtras): void {
    const key = m.severity === "error" ? `${span.file}:${span.start}:${span.end}` : `${m.code}:${span.file}:${span.start}:${span.end}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.diagnostics.push(makeDiagnostic(m, span, args, extras));
  }

  /** Declares a user symbol in the current scope and records it in the model. */
  declare(kind: SymbolKind, name: Ident, type: Type, node?: Parameters<typeof newSymbol>[4]): Symbol {
    const sym = newSymbol(kind, name.name, name.span, type, node);
    this.scope.declare(sym);
    this.model.symbols.set(name, sym);
    this.model.declarations.push(sym);
    return sym;
  }

  /** Runs `f` in a new child scope; returns its result and the scope (for unused-variable checks). */
  inScope<R>(kind: Scope["kind"], f: (scope: Scope) => R): R {
    const saved = this.scope;
    this.scope = new Scope(kind, saved);
    try {
      return f(this.scope);
    } finally {
      this.scope = saved;
    }
  }

  useCapability(cap: Capability, span: Span): void {
    if (this.inTest) return;
    const list = this.model.capabilities.get(cap) ?? [];
    list.push(span);
    this.model.capabilities.set(cap, list);
  }
}
