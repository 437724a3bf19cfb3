/**
 * What the checker learned about a rule, for the later phases (verifier,
 * emitter) and the language server: the type of every expression, what every
 * name refers to, the state schema, limits, settings, triggers, functions,
 * and which stdlib declaration each call resolved to.
 */
import type { Span } from "../diagnostics/diagnostic.js";
import type { Capability, FieldDecl, FunctionDecl, LimitDecl, OperatorDecl, SettingDecl } from "../../stdlib/decl.js";
import type {
  Arg,
  AssignStmt,
  BinaryExpr,
  CallExpr,
  ConstDecl,
  EveryDecl,
  ExpectClause,
  Expr,
  FnDecl,
  ForStmt,
  Ident,
  IndexExpr,
  MemberExpr,
  OnDecl,
  StateField,
  TestDecl,
  TypeDecl,
  UnaryExpr,
} from "../syntax/ast.js";
import type { Symbol } from "./scope.js";
import type { Signature } from "./stdlib-types.js";
import type { RecordField, RecordType, Type } from "./types.js";

export interface StateFieldInfo {
  name: string;
  symbol: Symbol;
  type: Type;
  /** The field's own `max` bound (`Map<...> max 5000`), when declared. Inner bounds are on `type`. */
  max: number | undefined;
  init: Expr | undefined;
  decl: StateField;
}

export interface LimitInfo {
  name: string;
  /** The declared value, or the stdlib default. */
  value: number;
  /** Where the rule sets it; undefined when the default applies. */
  declared: Span | undefined;
  decl: LimitDecl;
}

export interface SettingInfo {
  name: string;
  value: string;
  declared: Span | undefined;
  decl: SettingDecl;
}

export interface TypeDeclInfo {
  name: string;
  decl: TypeDecl;
  symbol: Symbol;
  type: Type;
}

/** `every day at 00:00`, `every monday at 9:30`, `every 2h`, normalized. */
export interface ScheduleInfo {
  /** `day`, `week`, `hour`, a weekday (`monday`...), or undefined for an interval. */
  unit: string | undefined;
  intervalMs: number | undefined;
  /** Minutes after midnight, for `at`. */
  atMinutes: number | undefined;
  /** The schedule as written in canonical form, e.g. `day at 00:00`, `2h`. */
  text: string;
}

export type TriggerInfo =
  | { kind: "on"; event: string; decl: OnDecl; param: Symbol | undefined; paramType: Type | undefined }
  | { kind: "every"; decl: EveryDecl; schedule: ScheduleInfo };

export interface FnInfo {
  name: string;
  decl: FnDecl;
  symbol: Symbol;
  sig: Signature;
  /** The parameters' symbols, in order. */
  params: Symbol[];
  /** The user functions this one calls, with the call sites. */
  calls: { fn: FnInfo; call: CallExpr }[];
}

export type CallTarget =
  /** A stdlib function: `send(...)`, `address(...)`. */
  | { kind: "function"; name: string; decl: FunctionDecl; sig: Signature }
  /** A stdlib method: `m.text.truncate(140)`, `members.add(a)`; `owner` is the receiver's type name. */
  | { kind: "method"; owner: string; name: string; decl: FunctionDecl; sig: Signature; receiverType: Type }
  /** A `fn` of the rule. */
  | { kind: "fn"; fn: FnInfo };

export type MemberTarget =
  /** A field of a stdlib type (`m.subject`). */
  | { kind: "field"; owner: string; name: string; decl: FieldDecl }
  /** A field of a record (declared type or record literal). */
  | { kind: "record"; name: string; field: RecordField }
  /** A field of the rule's state (`state.lastPost`). */
  | { kind: "state"; field: StateFieldInfo };

export interface LoopInfo {
  iterable: Type;
  element: Type;
  /** The second variable's type in `for k, v in map`. */
  value: Type | undefined;
}

export interface TestInfo {
  name: string;
  decl: TestDecl;
  file: string;
  /** The trigger the test runs: the `run every ...` one, or `on message`. */
  trigger: TriggerInfo | undefined;
  /**
   * The runs of the test, in order: the first, then one for each given or
   * `run` after an expectation (state, members and time carried over), each
   * with its clauses and the trigger it runs.
   */
  steps: TestStep[];
}

export interface TestStep {
  clauses: TestDecl["clauses"];
  trigger: TriggerInfo | undefined;
}

/** An `expect ACTION(...)` clause: which action it matches. */
export interface ExpectPattern {
  target: CallTarget;
  negated: boolean;
}

/** The value of a name known when the rule is checked: a constant, or a limit read in code. */
export interface ConstValue {
  type: Type;
  /** An int, or a Duration or Time in milliseconds; a string or Address; a bool. */
  value: number | string | boolean;
}

export interface ConstInfo extends ConstValue {
  name: string;
  decl: ConstDecl;
}

export interface SemanticModel {
  ruleName: string | undefined;
  /** The type of every checked expression. */
  types: Map<Expr, Type>;
  /** The symbol each identifier refers to (and each declaring identifier to its own symbol). */
  symbols: Map<Ident, Symbol>;
  /** Every symbol the rule and its tests declare. */
  declarations: Symbol[];
  state: StateFieldInfo[];
  /** The record type of `state`. */
  stateType: RecordType;
  typeDecls: Map<string, TypeDeclInfo>;
  /** Every limit, declared or default. */
  limits: Map<string, LimitInfo>;
  /** Every setting, declared or default. */
  settings: Map<string, SettingInfo>;
  triggers: TriggerInfo[];
  fns: Map<string, FnInfo>;
  /** Helpers declared in test files (`fn` in NAME.test.thwonk): seen by tests only, emitted only with them. */
  testFns: Map<string, FnInfo>;
  calls: Map<CallExpr, CallTarget>;
  /** `xs[i]` reads through the type's `get` method. */
  indexes: Map<IndexExpr, CallTarget>;
  members: Map<MemberExpr, MemberTarget>;
  /** Operators resolved to a stdlib operator declaration (arithmetic, ordering). */
  operators: Map<BinaryExpr | UnaryExpr | AssignStmt, OperatorDecl>;
  /**
   * Each call's arguments in the order of its parameters (`undefined`: not
   * given), as the checker bound them: the verifier and the emitter read
   * this instead of matching names and positions again.
   */
  argumentsOf: Map<CallExpr, readonly (Arg | undefined)[]>;
  loops: Map<ForStmt, LoopInfo>;
  /** The capabilities the rule's code uses (not its tests), with where. */
  capabilities: Map<Capability, Span[]>;
  tests: TestInfo[];
  expectations: Map<ExpectClause, ExpectPattern>;
  /** The rule's `const` declarations with their values, by name. */
  consts: Map<string, ConstInfo>;
  /** Each use of a constant (an identifier) or a limit read in code (`limits.members`), with its value. */
  constants: Map<Expr, ConstValue>;
}

export function emptyModel(stateType: RecordType): SemanticModel {
  return {
    ruleName: undefined,
    types: new Map(),
    symbols: new Map(),
    declarations: [],
    state: [],
    stateType,
    typeDecls: new Map(),
    limits: new Map(),
    settings: new Map(),
    triggers: [],
    fns: new Map(),
    testFns: new Map(),
    calls: new Map(),
    indexes: new Map(),
    members: new Map(),
    operators: new Map(),
    argumentsOf: new Map(),
    loops: new Map(),
    capabilities: new Map(),
    tests: [],
    expectations: new Map(),
    consts: new Map(),
    constants: new Map(),
  };
}
