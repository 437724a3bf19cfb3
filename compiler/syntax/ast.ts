/**
 * The syntax tree of a .thwonk file. Every node has a span. The parser
 * always produces a tree, even for broken input: missing expressions become
 * `ErrorExpr` nodes, and statements it could not make sense of are dropped
 * after a diagnostic, so later phases and the editor still see the rest.
 */
import type { Span } from "../diagnostics/diagnostic.js";

export interface Ident {
  kind: "Ident";
  span: Span;
  name: string;
  /**
   * The name as the source writes it, when a front end lowered it to the
   * stdlib's (a `.ts` rule's `sorted` for `sort`, `codePointLength` for
   * `length`): the words about it (the cost explanation, a quoted
   * expression) show it as the rule wrote it. The checker reads `name`.
   */
  written?: string;
  /**
   * A `.ts` rule's shorthand property (`{ tags }`): the name is the field's
   * as well as the value's, so an edit that appends to the value writes the
   * field out (`{ tags: tags.copy() }`, expr-text.ts afterValue).
   */
  shorthand?: true;
}

export interface Comment {
  span: Span;
  text: string;
}

export interface SourceFile {
  kind: "SourceFile";
  span: Span;
  fileName: string;
  /** The text as given: a fix that writes a line writes it as the file does (its indentation, its line break). */
  text: string;
  decls: Decl[];
  comments: Comment[];
  /**
   * A `.ts` rule's import from "thwonk": the names it imports, those of them
   * imported as types only (`import type { … }`, `type x`: not a value a fix
   * may write), and the empty span after the last name of an import that is
   * not `import type` (undefined when there is none), where a fix that writes
   * a name not imported yet (`email(…)`) adds it. `line`: where an import
   * line of its own goes when there is no such import, at the start of a line
   * (or the end of a text whose last line has no line break): after the last
   * import of any kind, or, without one, where TypeScript's own auto-import
   * puts the first (after a shebang, a `"use strict"`, a header comment
   * followed by a blank line, a `/*!` or `///` comment; before a comment on
   * the first statement).
   */
  thwonkImport?: { names: readonly string[]; types: readonly string[]; after: Span | undefined; line?: Span };
}

// ---------------------------------------------------------------- declarations

export type Decl =
  | RuleDecl
  | LimitsDecl
  | SettingsDecl
  | StateDecl
  | TypeDecl
  | FnDecl
  | OnDecl
  | EveryDecl
  | TestDecl
  | ConstDecl;

/** `const CAPACITY = 10`, `const OWNER: Address = "ann@example.org"`: a named literal, usable wherever its value is. */
export interface ConstDecl {
  kind: "ConstDecl";
  span: Span;
  name: Ident;
  type: TypeNode | undefined;
  value: Expr;
}

/** `rule name` */
export interface RuleDecl {
  kind: "RuleDecl";
  span: Span;
  name: Ident;
}

/** `name: value` inside `limits { }` and `settings { }`. */
export interface Entry {
  kind: "Entry";
  span: Span;
  name: Ident;
  value: Expr;
}

/** `limits { members: 5000, text: 20000 }` */
export interface LimitsDecl {
  kind: "LimitsDecl";
  span: Span;
  entries: Entry[];
}

/** `settings { timezone: "Europe/Paris" }` */
export interface SettingsDecl {
  kind: "SettingsDecl";
  span: Span;
  entries: Entry[];
}

/** `lastPost: Map<Address, Time> max 5000 = {}` inside `state { }`. */
export interface StateField {
  kind: "StateField";
  span: Span;
  name: Ident;
  type: TypeNode;
  init: Expr | undefined;
}

export interface StateDecl {
  kind: "StateDecl";
  span: Span;
  fields: StateField[];
}

/** `type Name = { field: Type, ... }` */
export interface TypeDecl {
  kind: "TypeDecl";
  span: Span;
  name: Ident;
  type: TypeNode;
}

export interface Param {
  kind: "Param";
  span: Span;
  name: Ident;
  type: TypeNode | undefined;
}

/** `fn name(a: T, b: U): R { ... }` — helper functions; recursion is refused. */
export interface FnDecl {
  kind: "FnDecl";
  span: Span;
  name: Ident;
  params: Param[];
  returnType: TypeNode | undefined;
  body: Block;
}

/** `on message(m: Message) { ... }` */
export interface OnDecl {
  kind: "OnDecl";
  span: Span;
  event: Ident;
  param: Param | undefined;
  body: Block;
}

/**
 * When a scheduled trigger runs. `every day at 00:00`, `every monday at 09:30`,
 * `every 2h`. `unit` is `day`, `week`, a weekday name, or absent when
 * `interval` (a duration) is given.
 */
export interface Schedule {
  kind: "Schedule";
  span: Span;
  unit: Ident | undefined;
  interval: DurationLit | undefined;
  at: ClockLit | undefined;
}

export interface EveryDecl {
  kind: "EveryDecl";
  span: Span;
  schedule: Schedule;
  body: Block;
}

/**
 * `test "name" { ... }`: given members, state, time and a message (or a
 * scheduled trigger), expect actions.
 */
export interface TestDecl {
  kind: "TestDecl";
  span: Span;
  name: StringLit;
  clauses: TestClause[];
}

export type TestClause = GivenClause | RunClause | ExpectClause | StmtClause;

/**
 * A statement among a test's givens: `let n = 200`, `for i in range(200) { ... }`,
 * `state.posts.push(...)`. It runs before the run it belongs to, at no gas.
 */
export interface StmtClause {
  kind: "StmtClause";
  span: Span;
  stmt: Stmt;
}

/** `members = [...]`, `state.count = 3`, `now = 2026-11-25T12:00:00Z`, `message = {...}` */
export interface GivenClause {
  kind: "GivenClause";
  span: Span;
  target: Expr;
  value: Expr;
}

/** `run every day at 00:00`: run that scheduled trigger instead of `on message`. */
export interface RunClause {
  kind: "RunClause";
  span: Span;
  schedule: Schedule;
}

/** `expect send(to: "a@b.org")`, `expect no reply`, `expect state.count == 1` */
export interface ExpectClause {
  kind: "ExpectClause";
  span: Span;
  negated: boolean;
  expr: Expr;
}

// ---------------------------------------------------------------- types

export type TypeNode = TypeRef | RecordTypeNode | ErrorType;

/** `Map<Address, Time> max 5000`, `string?`, `List<string max 200> max 50` */
export interface TypeRef {
  kind: "TypeRef";
  span: Span;
  name: Ident;
  args: TypeNode[];
  /** A number, or the name of an int constant (`max CAPACITY`). */
  max: IntLit | Ident | undefined;
  optional: boolean;
}

export interface RecordFieldType {
  kind: "RecordFieldType";
  span: Span;
  name: Ident;
  type: TypeNode;
}

/** `{ name: string, count: int }` */
export interface RecordTypeNode {
  kind: "RecordType";
  span: Span;
  fields: RecordFieldType[];
  optional: boolean;
}

export interface ErrorType {
  kind: "ErrorType";
  span: Span;
}

// ---------------------------------------------------------------- statements

export type Stmt =
  | LetStmt
  | AssignStmt
  | IfStmt
  | ForStmt
  | ReturnStmt
  | BreakStmt
  | ContinueStmt
  | ExprStmt;

export interface Block {
  kind: "Block";
  span: Span;
  stmts: Stmt[];
}

/** `let x = e` (immutable) or `var x: T = e` (mutable). */
export interface LetStmt {
  kind: "LetStmt";
  span: Span;
  mutable: boolean;
  name: Ident;
  type: TypeNode | undefined;
  init: Expr;
}

export type AssignOp = "=" | "+=" | "-=";

export interface AssignStmt {
  kind: "AssignStmt";
  span: Span;
  target: Expr;
  op: AssignOp;
  value: Expr;
}

export interface IfStmt {
  kind: "IfStmt";
  span: Span;
  cond: Expr;
  then: Block;
  else: Block | IfStmt | undefined;
}

/** `for x in xs where cond { }` or `for k, v in map { }` */
export interface ForStmt {
  kind: "ForStmt";
  span: Span;
  key: Ident | undefined;
  name: Ident;
  iterable: Expr;
  where: Expr | undefined;
  body: Block;
}

export interface ReturnStmt {
  kind: "ReturnStmt";
  span: Span;
  value: Expr | undefined;
}

export interface BreakStmt {
  kind: "BreakStmt";
  span: Span;
}

export interface ContinueStmt {
  kind: "ContinueStmt";
  span: Span;
}

export interface ExprStmt {
  kind: "ExprStmt";
  span: Span;
  expr: Expr;
}

// ---------------------------------------------------------------- expressions

export type Expr =
  | Ident
  | IntLit
  | StringLit
  | BoolLit
  | NoneLit
  | DurationLit
  | TimeLit
  | ListLit
  | BraceLit
  | MemberExpr
  | CallExpr
  | IndexExpr
  | UnaryExpr
  | BinaryExpr
  | ErrorExpr;

export interface IntLit {
  kind: "IntLit";
  span: Span;
  value: number;
}

export interface StringText {
  kind: "StringText";
  span: Span;
  value: string;
}

/** A string; `{expr}` inside it is interpolated. `parts` alternate freely. */
export interface StringLit {
  kind: "StringLit";
  span: Span;
  parts: (StringText | Expr)[];
  /** A `.ts` rule's `email("…")`: an Address wherever it stands, as its TypeScript type says (a .thwonk string is one only where one is expected). */
  address?: true;
}

export interface BoolLit {
  kind: "BoolLit";
  span: Span;
  value: boolean;
}

export interface NoneLit {
  kind: "NoneLit";
  span: Span;
}

/** `90m`, `1d`, `2h`, `30s`, `500ms`, `1w`; `ms` is the value in milliseconds. */
export interface DurationLit {
  kind: "DurationLit";
  span: Span;
  text: string;
  ms: number;
}

/** `2026-11-25`, `2026-11-25T09:00:00Z`; `ms` is milliseconds since the epoch (UTC unless an offset is given). */
export interface TimeLit {
  kind: "TimeLit";
  span: Span;
  text: string;
  ms: number;
}

/** `09:30` in a schedule; `minutes` since midnight. */
export interface ClockLit {
  kind: "ClockLit";
  span: Span;
  text: string;
  minutes: number;
}

export interface ListLit {
  kind: "ListLit";
  span: Span;
  elements: Expr[];
}

export interface BraceEntry {
  kind: "BraceEntry";
  span: Span;
  key: Expr;
  value: Expr;
}

/**
 * `{ a: 1, b: "x" }` (a record: every key an identifier) or
 * `{ "ann@example.org": 3 }` (a map: literal keys). `{}` takes its meaning
 * from the expected type. The checker decides which.
 */
export interface BraceLit {
  kind: "BraceLit";
  span: Span;
  entries: BraceEntry[];
}

export interface MemberExpr {
  kind: "MemberExpr";
  span: Span;
  object: Expr;
  name: Ident;
}

export interface Arg {
  kind: "Arg";
  span: Span;
  name: Ident | undefined;
  value: Expr;
}

export interface CallExpr {
  kind: "CallExpr";
  span: Span;
  callee: Expr;
  args: Arg[];
}

export interface IndexExpr {
  kind: "IndexExpr";
  span: Span;
  object: Expr;
  index: Expr;
}

export type UnaryOp = "not" | "-";

export interface UnaryExpr {
  kind: "UnaryExpr";
  span: Span;
  op: UnaryOp;
  operand: Expr;
}

export type BinaryOp =
  | "or"
  | "and"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "??";

export interface BinaryExpr {
  kind: "BinaryExpr";
  span: Span;
  op: BinaryOp;
  opSpan: Span;
  left: Expr;
  right: Expr;
}

/** Stands where the parser expected an expression and found none. Never reported twice. */
export interface ErrorExpr {
  kind: "ErrorExpr";
  span: Span;
}

export type Node =
  | SourceFile
  | Decl
  | Entry
  | StateField
  | Param
  | Schedule
  | TestClause
  | TypeNode
  | RecordFieldType
  | Stmt
  | Block
  | Expr
  | StringText
  | ClockLit
  | BraceEntry
  | Arg;
