/**
 * What the verifier's walk carries (analyze.ts and the files beside it):
 * the cost of a path (gas and fan-out), the frame of a block, the state
 * one walk of a trigger accumulates, and how a charge is added — the one
 * place that decides that a trial pass (`quiet`) records and charges
 * nothing.
 */
import type { Capability, FunctionDecl } from "../../stdlib/decl.js";
import { evalCost, type CostDomain, type CostSizes } from "../../stdlib/cost-eval.js";
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { makeDiagnostic, verifyMessages } from "../diagnostics/catalog/index.js";
import type { IsCancelled } from "../cancel.js";
import type { SemanticModel, TriggerInfo } from "../semantic/model.js";
import type { Symbol } from "../semantic/scope.js";
import type { StdlibTypes } from "../semantic/stdlib-types.js";
import type * as A from "../syntax/ast.js";
import { join, type InputBounds, type Origin, type Shape } from "./shapes.js";
import * as S from "./sym.js";
import type { Sym } from "./sym.js";
import type { ChargeContext, NodeCharge } from "./units.js";
import type { Room } from "./writes.js";
import { NamedSizes } from "./sizes.js";

/** Gas and fan-out together: every rule of the walk applies to both. */
export interface Cost {
  g: Sym;
  f: Sym;
  /** Bytes of the actions the path records (kept until the run ends): memory.ts. Absent: none. */
  m?: Sym;
}

export const NONE: Cost = { g: S.ZERO, f: S.ZERO };

// Most fan-outs are zero: `0 + 0` and `max(0, 0)` (both 0, as S.add and S.max give) are not worked out.
export function plus(a: Cost, b: Cost): Cost {
  const c: Cost = { g: S.add2(a.g, b.g), f: a.f === S.ZERO && b.f === S.ZERO ? S.ZERO : S.add2(a.f, b.f) };
  if (a.m || b.m) c.m = a.m && b.m ? S.add2(a.m, b.m) : a.m ?? b.m;
  return c;
}

export function maxCost(a: Cost, b: Cost): Cost {
  const c: Cost = { g: S.max2(a.g, b.g), f: a.f === S.ZERO && b.f === S.ZERO ? S.ZERO : S.max2(a.f, b.f) };
  if (a.m || b.m) c.m = a.m && b.m ? S.max2(a.m, b.m) : a.m ?? b.m;
  return c;
}

/** Each part of a cost put through `sub` (slots replaced by their solutions, a summary's by the arguments). */
export function mapCost(c: Cost, sub: (x: Sym) => Sym): Cost {
  const out: Cost = { g: sub(c.g), f: sub(c.f) };
  if (c.m) out.m = sub(c.m);
  return out;
}

/**
 * A value that may be alive while the trigger runs: a local (keyed by its
 * symbol) or a value an expression builds (keyed by the node), its bytes
 * at its bound (memory.ts). The bound of the working set sums, per key,
 * the largest; slots in `bytes` are replaced when their loop is solved.
 */
export interface LiveValue {
  key: object;
  bytes: Sym;
  /** Where it is made: the local's declaration, or the expression. */
  span: Span;
  what: string;
}

/** The result of a statement list: the cost of the paths that go on, and of those that end the trigger. */
export interface Flow {
  cont: Cost;
  exit: Cost | undefined;
  /** Every path ends the trigger (`return`, `reject`, `hold`). */
  ends: boolean;
}

/** Nothing happens and control goes on (an `if` without `else`). Flows are never mutated. */
export const GOES_ON: Flow = { cont: NONE, exit: undefined, ends: false };

/** A copy of a frame's locals (`new Map(m)` makes an entry array per entry; this does not). */
export function copyLocals(m: ReadonlyMap<Symbol, Shape>): Map<Symbol, Shape> {
  const out = new Map<Symbol, Shape>();
  m.forEach((v, k) => out.set(k, v));
  return out;
}

/** The joined `return` shapes of two paths (either may have none). */
export function joinReturns(x: Shape | undefined, y: Shape | undefined): Shape | undefined {
  return x && y ? join(x, y) : x ?? y;
}

export const symDomain: CostDomain<Sym> = {
  num: S.num,
  add: S.addAll,
  mul: S.mulAll,
  max: S.maxAll,
  min: S.minAll,
  ceilDiv: S.cdiv,
  log2: S.log2,
};

export type RecipientClass = Exclude<Origin, "list"> | "list";

export interface TriggerAnalysis {
  trigger: TriggerInfo;
  name: string;
  gas: Sym;
  fanout: Sym;
  /** Bytes of the actions recorded (memory.ts). */
  actions: Sym;
  /** Values alive while the trigger runs, in limits' terms once every loop is solved. */
  live: LiveValue[];
  capabilities: Set<Capability>;
  recipients: Set<RecipientClass>;
  /** `where` filters assumed to pass for every element. */
  filters: Span[];
  /** Statements and expressions the analysis visited. */
  steps: number;
}

export interface Frame {
  locals: Map<Symbol, Shape>;
  /** Joined shapes of `return` values, in a fn. */
  returns: Shape | undefined;
  /** Replies here are guarded by an `isAutomated()` check. */
  guarded: boolean;
  /** What the conditions in force prove about room in state collections (writes.ts). */
  room: Room;
}

/** The loop being analysed: the locals where an iteration goes on early (`continue`) or leaves (`break`). */
export interface LoopFrame {
  carried: Map<Symbol, Shape>[];
  broken: Map<Symbol, Shape>[];
  watched: ReadonlySet<Symbol>;
}

export interface AnalyzeHost {
  model: SemanticModel;
  std: StdlibTypes;
  /** The symbolic variable of a limit. */
  limit(name: string): Sym;
  /** A bound's value at the rule's limits (and state maxima). */
  evaluate(s: Sym): number;
  report(d: Diagnostic): void;
  /** Polled at every block: the check is no longer wanted (see compiler/cancel.ts). */
  isCancelled?: IsCancelled;
}

/**
 * One walk of a trigger: what it has found so far, and the two entry
 * points the parts of the walk recurse through (a statement list, an
 * expression), which TriggerAnalyzer (analyze.ts) provides.
 */
export abstract class Walk {
  readonly capabilities = new Set<Capability>();
  readonly recipients = new Set<RecipientClass>();
  readonly filters = new Map<number, Span>();
  /** State fields the trigger reads or writes. */
  readonly stateUsed = new Set<string>();
  readonly stateShapes = new Map<string, Shape>();
  accCounter = 0;
  private readonly warnedAt = new Set<number>();
  /**
   * Inside a trial pass (loop growth): effects and warnings are not
   * recorded, and nothing is charged (the pass is run for the shapes it
   * leaves; its cost is not used).
   */
  quiet = 0;
  /** Statements and expressions visited: the verifier's work, which a test holds polynomial. */
  steps = 0;
  readonly loops: LoopFrame[] = [];
  /** Writes into state to check against their bounds, once the loops around them are solved. */
  readonly pendingFits: { shape: Shape; check: (shape: Shape) => void }[] = [];
  /** The values the trigger builds and keeps in locals (memory.ts). */
  readonly live: LiveValue[] = [];
  /** Analyses of a fn for the shapes it was called with (a call tree must not be walked exponentially often). */
  readonly fnMemo = new Map<string, { cost: Cost; returns: Shape | undefined }>();
  /** How many precise analyses each fn had (by symbol id), and its summary once it has one. */
  readonly fnAnalyses = new Map<number, number>();
  readonly fnSummaries = new Map<number, FnSummary>();

  constructor(readonly host: AnalyzeHost) {}

  /** A statement list: its cost, on the paths that go on and on those that end the trigger. */
  abstract block(b: A.Block, frame: Frame): Flow;
  /** An expression: its shape, its cost added to `acc`. */
  abstract expr(e: A.Expr, frame: Frame, acc: { cost: Cost }): Shape;

  warn(at: Span, d: Diagnostic): void {
    if (this.quiet > 0 || this.warnedAt.has(at.start)) return;
    this.warnedAt.add(at.start);
    this.host.report(d);
  }

  /** Where values enter: a value no declaration bounds refuses the rule (TW3020), reported at the trigger. */
  readonly bounds: InputBounds = {
    limit: (name: string): Sym => this.host.limit(name),
    unbounded: (what: string): Sym => this.cannotBound(what, undefined),
  };

  /** The same, reported at a call. */
  boundsAt(at: Span): InputBounds {
    return { limit: this.bounds.limit, unbounded: (what: string): Sym => this.cannotBound(what, at) };
  }

  /**
   * A size no declaration bounds: the rule is refused (an error; never the
   * size 0 it would otherwise be assumed). The placeholder returned keeps
   * the walk going for the other diagnostics.
   */
  private cannotBound(what: string, at: Span | undefined): Sym {
    const span = at ?? this.host.model.triggers[0]?.decl.span;
    if (span) this.warn(span, makeDiagnostic(verifyMessages.unboundedSize, span, [what]));
    return S.ZERO;
  }

  get constructs() {
    return this.host.std.decl.constructs;
  }

  get cx(): ChargeContext {
    return { model: this.host.model, std: this.host.std };
  }

  charge(acc: { cost: Cost }, c: Cost, span: Span, label: string): void {
    if (this.quiet > 0 || (S.isZero(c.g) && S.isZero(c.f) && (!c.m || S.isZero(c.m)))) return;
    // A constant's provenance is lost when it is added to the constant of a sum: no `at` needed.
    const g = c.g.k === "num" ? c.g : S.at(c.g, span, label);
    const f = c.f.k === "num" ? c.f : S.at(c.f, span, label);
    const withAt: Cost = { g, f };
    if (c.m) withAt.m = S.at(c.m, span, label);
    acc.cost = plus(acc.cost, withAt);
  }

  /** A node's charge (nodeCharge) on its operands' bounds. */
  chargeNode(acc: { cost: Cost }, c: NodeCharge | undefined, sizes: CostSizes<Sym>, span: Span, label: string): void {
    if (!c || this.quiet > 0) return;
    if (c.kind === "literal") sizes = new NamedSizes(this.host, { result: S.num(c.count) });
    this.charge(acc, { g: evalCost(c.cost, sizes, symDomain), f: S.ZERO }, span, label);
  }

  chargeDecl(acc: { cost: Cost }, decl: FunctionDecl, sizes: CostSizes<Sym>, span: Span, label: string): Cost {
    if (this.quiet > 0) return NONE;
    const g = evalCost(decl.cost, sizes, symDomain);
    const f = decl.fanout !== undefined ? evalCost(decl.fanout, sizes, symDomain) : S.ZERO;
    const c = { g, f };
    this.charge(acc, c, span, label);
    return c;
  }
}

/** The name a call is written with: the stdlib's, or a `.ts` rule's own spelling of it (`sorted` for `sort`, ast.ts `Ident.written`). */
export function writtenName(e: A.CallExpr, name: string): string {
  const c = e.callee;
  return (c.kind === "MemberExpr" ? c.name.written : c.kind === "Ident" ? c.written : undefined) ?? name;
}

/** `send(...)`: the label of a call's part of a bound, made once per name. */
export function callLabel(name: string): string {
  let label = callLabels.get(name);
  if (label === undefined) callLabels.set(name, (label = `${name}(...)`));
  return label;
}
const callLabels = new Map<string, string>();

/** `` `+` ``: the label of an operator's part of a bound, made once per operator. */
export function opLabel(op: string): string {
  let label = opLabels.get(op);
  if (label === undefined) opLabels.set(op, (label = `\`${op}\``));
  return label;
}
const opLabels = new Map<string, string>();

export function rootIdent(e: A.Expr): A.Ident | undefined {
  if (e.kind === "Ident") return e;
  if (e.kind === "MemberExpr") return rootIdent(e.object);
  if (e.kind === "IndexExpr") return rootIdent(e.object);
  return undefined;
}

/** The locals of `watched` in `m`: what a loop carries from one iteration to the next. */
export function pick(m: ReadonlyMap<Symbol, Shape>, watched: ReadonlySet<Symbol>): Map<Symbol, Shape> {
  const out = new Map<Symbol, Shape>();
  for (const sym of watched) {
    const x = m.get(sym);
    if (x) out.set(sym, x);
  }
  return out;
}

/**
 * A fn analysed once with symbolic parameters: each measure of each
 * parameter a slot, its origins unknown ("any"). A call instantiates it by
 * putting the arguments' measures in the slots.
 */
export interface FnSummary {
  params: Map<Symbol, Shape>;
  cost: Cost;
  returns: Shape | undefined;
  /** Writes into state in the body, to check per call once the slots are the arguments' measures. */
  fits: { shape: Shape; check: (shape: Shape) => void }[];
  /** Values the body builds, in the parameters' slots: put per call with the arguments' measures. */
  live: LiveValue[];
}
