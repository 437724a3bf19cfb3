/**
 * Generated rules for the differential soundness fuzzer (fuzz-bounds.test.ts)
 * and the harness that runs one rule, generated or from the regression corpus
 * (regressions.test.ts), against the verifier's promise.
 *
 * The generator aims at what breaks a verifier that models sizes: locals of
 * strings, optionals, lists, maps and records that grow (`push`, `Map.set`,
 * `+=`, reassignment) inside loops nested up to four deep over members, lines,
 * splits, lists, maps and header fields, with `where`, `break`, `continue`
 * and `return`; a second name for a collection; local collections stored into
 * state and pushed to through either name; mutation through record paths;
 * lists nested in lists and maps; state with `max` bounds written from message
 * data; helper functions that return what they computed in a loop; sends in
 * loops. Rules are mostly well typed, so most pass the checker; those that do
 * not are counted, not failed.
 *
 * A rule is built from a tape of choices (fast-check shrinks the tape, and a
 * shorter tape or smaller numbers give a smaller rule: choice 0 is always the
 * simplest), so a failure shrinks to a small rule.
 */
import fc from "fast-check";
import { compileSource } from "../../compiler/emit/bundle.js";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { checkSources } from "../../compiler/program.js";
import type { Type } from "../../compiler/semantic/types.js";
import { encodeInput } from "../../runtime/input/build.js";
import { expandToMembers, memberAddresses, type RunResult } from "../../runtime/run/run-rule.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";
import { inputProblems, observable, type Example } from "./examples.js";
import { buildInput, codePoints, maxPlan, type MessagePlan, type Plan, type Style } from "./inputs.js";

// ------------------------------------------------------------------ the tape of choices

/** Choices read in order; past its end every choice is 0 (the simplest). */
class Tape {
  private i = 0;
  constructor(private readonly xs: readonly number[]) {}
  /** 0 .. n-1. */
  pick(n: number): number {
    if (n <= 1 || this.i >= this.xs.length) return 0;
    return this.xs[this.i++]! % n;
  }
  /** True with `percent`% (false once the tape is spent). */
  chance(percent: number): boolean {
    if (this.i >= this.xs.length) return false;
    return this.xs[this.i++]! % 100 >= 100 - percent;
  }
  of<T>(xs: readonly T[]): T {
    return xs[this.pick(xs.length)]!;
  }
  get spent(): boolean {
    return this.i >= this.xs.length;
  }
}

// ------------------------------------------------------------------ types and scopes

type Ty =
  | "int"
  | "bool"
  | "string"
  | "string?"
  | "Address"
  | "Member"
  | "List<string>"
  | "List<int>"
  | "List<Address>"
  | "List<List<string>>"
  | "Map<string, string>"
  | "Map<int, string>"
  | "Map<string, List<string>>"
  | "Note";

const COLLECTIONS: readonly Ty[] = ["List<string>", "List<int>", "List<Address>", "List<List<string>>", "Map<string, string>", "Map<int, string>", "Map<string, List<string>>"];

interface Var {
  name: string;
  ty: Ty;
  mutable: boolean;
  /** A helper's parameter: borrowed, never moved. */
  param?: boolean;
}

/**
 * A collection expression that names a collection already: a variable, a state field, an element of either
 * (`(state.nest.get(k) ?? [])`). Stored (a variable's value, a state field, an element, a result) it must be a copy
 * or a moved local: the one-name rule refuses a second name (TW2110) and a use after a move (TW2111).
 */
const NAMED = /^(?:[a-z_]\w*(?:\.\w+)*|\(.*\?\? (?:\[\]|\{\})\))$/i;

interface Fn {
  name: string;
  params: { name: string; ty: Ty }[];
  result: Ty | null;
}

/** The bounds of the rule's state (all small, so full state is cheap to pass in and reached in a few runs). */
interface StateShape {
  /** Characters of every state string. */
  n: number;
  /** Entries of every state collection. */
  k: number;
  fields: Set<string>;
}

interface Limits {
  text: string;
  /** Whether loops over lines of the text are cheap enough to nest. */
  small: boolean;
}

const LIMITS: readonly Limits[] = [
  { text: "limits { members: 50, text: 2000, html: 500, subject: 200, headers: 20, header: 200, recipients: 10, attachments: 2 }", small: true },
  { text: "limits { members: 10, text: 500, html: 100, subject: 50, headers: 8, header: 100, recipients: 4, attachments: 1, fanout: 100000 }", small: true },
  { text: "limits { members: 50, text: 2000, html: 2000, headers: 30, fanout: 100000 }", small: true },
  { text: "limits { members: 20, text: 300, html: 100, subject: 40, headers: 5, header: 60 }", small: true },
  { text: "limits { members: 50, text: 2000, html: 100, headers: 20 }", small: true },
  // Every limit at its default (members 1,000, text 100,000, ...): only the cheap rules fit the budget; the heaviest inputs, so drawn less often.
  { text: "", small: false },
  { text: "limits { members: 50, text: 2000, html: 100, headers: 20 }", small: true },
  { text: "limits { members: 20, text: 300, html: 100, subject: 40, headers: 5, header: 60 }", small: true },
  { text: "limits { members: 50, text: 2000, html: 500, subject: 200, headers: 20, header: 200, recipients: 10, attachments: 2 }", small: true },
];

class Builder {
  t: Tape;
  private readonly lines: string[] = [];
  private depth = 1;
  private serial = 0;
  private readonly scopes: Var[][] = [];
  /** Names walked by an enclosing loop: changing them there is an error. */
  private readonly walked: string[] = [];
  private loops = 0;
  /** In a helper fn: its result type (null: none); undefined in a trigger. */
  private fnResult: Ty | null | undefined = undefined;
  private inMessage = false;
  private readonly fns: Fn[] = [];
  private statements = 0;

  constructor(
    t: Tape,
    private readonly st: StateShape,
  ) {
    this.t = t;
  }

  private fresh(prefix: string): string {
    return `${prefix}${this.serial++}`;
  }

  private emit(line: string): void {
    this.lines.push("  ".repeat(this.depth) + line);
  }

  private vars(pred: (v: Var) => boolean): Var[] {
    const out: Var[] = [];
    for (const s of this.scopes) for (const v of s) if (pred(v)) out.push(v);
    return out;
  }

  private declare(v: Var): void {
    this.scopes[this.scopes.length - 1]!.push(v);
  }

  /** `expr` where it is stored: copied when it names a collection already (NAMED). */
  private owned(expr: string): string {
    return NAMED.test(expr) ? `${expr}.copy()` : expr;
  }

  /**
   * Whether `v` may be moved into a new name here: a local declared in this block (a loop's next turn would use it
   * again), not walked by a loop; then it leaves the scope, as the checker takes it (TW2111 after).
   */
  private moves(v: Var): boolean {
    const here = this.scopes[this.scopes.length - 1]!;
    const at = here.indexOf(v);
    if (at < 0 || v.param || this.walked.includes(v.name)) return false;
    here.splice(at, 1);
    return true;
  }

  private block(body: () => void): void {
    this.depth++;
    this.scopes.push([]);
    body();
    this.scopes.pop();
    this.depth--;
  }

  private hasState(f: string): boolean {
    return this.st.fields.has(f);
  }

  // ---------------------------------------------------------------- expressions

  private lit(): string {
    return this.t.of(['"a"', '"zz"', '""', '","', '"line\\n"', '"😀"', '"İ"', '"\\""']);
  }

  str(d = 0): string {
    const t = this.t;
    const v = this.vars((x) => x.ty === "string");
    const deep = d >= 2;
    const opts: (() => string)[] = [
      () => this.lit(),
      () => (v.length ? t.of(v).name : this.lit()),
      () => (this.inMessage ? t.of(["m.subject", "m.text", "m.subject", "\"{m.from}\""]) : "list.name"),
      () => (v.length ? t.of(v).name : this.inMessage ? "m.subject" : "list.name"),
    ];
    if (!deep) {
      opts.push(
        () => `${this.str(d + 1)}.${t.of(["trim()", "lower()", "upper()", "escapeHtml()", "truncate(5)", "slice(1)"])}`,
        () => `(${this.str(d + 1)} + ${this.str(d + 1)})`,
        () => `"{${this.str(d + 1)}}-{${this.int(d + 1)}}"`,
        () => `${this.strList(d + 1)}.join(${this.lit()})`,
        () => `(${this.strList(d + 1)}.first() ?? ${this.lit()})`,
        () => `(${this.strList(d + 1)}.last() ?? "")`,
        () => `(${this.map(d + 1)}.get(${this.key(d + 1)}) ?? "")`,
        () => `${this.str(d + 1)}.replace(${this.lit()}, ${this.lit()})`,
        () => `(${this.opt(d + 1)} ?? ${this.lit()})`,
      );
      if (this.inMessage) opts.push(() => `(m.headers.get("${t.of(["Received", "X-Mailer", "From", "Keywords"])}") ?? "")`);
      if (this.inMessage) opts.push(() => t.of(["m.fromName", `(m.headers.raw("${t.of(["Received", "From", "Keywords"])}") ?? "")`]));
      if (this.hasState("str")) opts.push(() => "state.str");
      if (this.hasState("rec")) opts.push(() => "state.rec.body");
      if (this.hasState("map")) opts.push(() => `(state.map.get(${this.str(d + 1)}) ?? "")`);
      const notes = this.vars((x) => x.ty === "Note");
      if (notes.length) opts.push(() => `${t.of(notes).name}.body`);
      const members = this.vars((x) => x.ty === "Member");
      if (members.length) opts.push(() => `${t.of(members).name}.name`, () => `"{${t.of(members).name}.address}"`);
      const fns = this.fns.filter((f) => f.result === "string");
      if (fns.length) opts.push(() => this.callFn(t.of(fns), d + 1));
    }
    return t.of(opts)();
  }

  int(d = 0): string {
    const t = this.t;
    const v = this.vars((x) => x.ty === "int");
    const opts: (() => string)[] = [() => t.of(["0", "1", "3", "10"]), () => (v.length ? t.of(v).name : "2")];
    if (d < 3) {
      opts.push(
        () => `${this.str(d + 1)}.length`,
        () => `${this.coll(d + 1)}.size`,
        () => `(${this.int(d + 1)} + ${this.int(d + 1)})`,
        () => `(${this.str(d + 1)}.indexOf(${this.lit()}) ?? 0)`,
        () => "members.size",
        () => `(${this.str(d + 1)}.toInt() ?? 0)`,
      );
      if (this.hasState("count")) opts.push(() => "state.count");
      const fns = this.fns.filter((f) => f.result === "int");
      if (fns.length) opts.push(() => this.callFn(t.of(fns), d + 1));
    }
    return t.of(opts)();
  }

  bool(d = 0): string {
    const t = this.t;
    const opts: (() => string)[] = [() => t.of(["true", "false"])];
    if (d < 3) {
      opts.push(
        () => `(${this.str(d + 1)} == ${this.str(d + 1)})`,
        () => `${this.str(d + 1)}.matches(${t.of(['"*"', '"*a*b?"', '"?*"', '"re:*"', `"*{${this.str(d + 2)}}*"`])}${t.of(["", ", ignoreCase: true"])})`,
        () => `(${this.opt(d + 1)} == ${this.str(d + 1)})`,
        () => `(${this.opt(d + 1)} != none)`,
        () => `(${this.str(d + 1)} < ${this.str(d + 1)})`,
        () => `${this.str(d + 1)}.contains(${this.lit()})`,
        () => `(${this.int(d + 1)} > ${this.int(d + 1)})`,
        () => `${this.strList(d + 1)}.contains(${this.str(d + 1)})`,
        () => `${this.map(d + 1)}.has(${this.key(d + 1)})`,
        () => `(not ${this.bool(d + 1)})`,
        () => `(${this.bool(d + 1)} and ${this.bool(d + 1)})`,
        () => `(${this.bool(d + 1)} or ${this.bool(d + 1)})`,
      );
      if (this.inMessage) opts.push(() => "members.has(m.from)", () => "m.isAutomated()");
    }
    return t.of(opts)();
  }

  /** A `string?`: a variable, a lookup, or none. */
  opt(d = 0): string {
    const v = this.vars((x) => x.ty === "string?");
    const opts: (() => string)[] = [() => (v.length ? this.t.of(v).name : `${this.strList(d + 1)}.first()`)];
    if (d < 3) {
      opts.push(() => `${this.strList(d + 1)}.get(${this.int(d + 1)})`, () => `${this.map(d + 1)}.get(${this.key(d + 1)})`);
      if (this.inMessage) opts.push(() => `m.headers.get("Received")`);
    }
    return this.t.of(opts)();
  }

  /** A key for `map(d)`'s maps, which are keyed by string (the int-keyed ones are used by name only). */
  private key(d: number): string {
    return this.str(d);
  }

  strList(d = 0): string {
    const t = this.t;
    const v = this.vars((x) => x.ty === "List<string>");
    const opts: (() => string)[] = [() => (v.length ? t.of(v).name : `[${this.lit()}]`)];
    if (d < 3) {
      opts.push(
        () => `${this.str(d + 1)}.split(${t.of(['","', '" "', '"\\n"', '"a"'])})`,
        () => `${this.str(d + 1)}.lines()`,
        () => `[${this.str(d + 1)}, ${this.str(d + 1)}]`,
        () => (v.length ? t.of(v).name : `[${this.str(d + 1)}]`),
      );
      if (this.inMessage) opts.push(() => `m.headers.all("${t.of(["Received", "X-Mailer", "Keywords"])}")`);
      if (this.hasState("list")) opts.push(() => "state.list");
      if (this.hasState("rec")) opts.push(() => "state.rec.items");
      if (this.hasState("nest")) opts.push(() => `(state.nest.get(${this.str(d + 1)}) ?? [])`);
      if (this.hasState("lists")) opts.push(() => "(state.lists.first() ?? [])");
      const maps = this.vars((x) => x.ty === "Map<string, string>");
      if (maps.length) opts.push(() => `${t.of(maps).name}.${t.of(["keys()", "values()"])}`);
      const nested = this.vars((x) => x.ty === "List<List<string>>");
      if (nested.length) opts.push(() => `(${t.of(nested).name}.${t.of(["first()", "last()"])} ?? [])`);
      const mls = this.vars((x) => x.ty === "Map<string, List<string>>");
      if (mls.length) opts.push(() => `(${t.of(mls).name}.get(${this.str(d + 1)}) ?? [])`);
      const notes = this.vars((x) => x.ty === "Note");
      if (notes.length) opts.push(() => `${t.of(notes).name}.items`);
      const fns = this.fns.filter((f) => f.result === "List<string>");
      if (fns.length) opts.push(() => this.callFn(t.of(fns), d + 1));
    }
    return t.of(opts)();
  }

  map(d = 0): string {
    const v = this.vars((x) => x.ty === "Map<string, string>");
    const opts: (() => string)[] = [() => (v.length ? this.t.of(v).name : this.hasState("map") ? "state.map" : `{ "a": ${this.str(d + 1)} }`)];
    if (this.hasState("map")) opts.push(() => "state.map");
    return this.t.of(opts)();
  }

  /** Something with a `size`. */
  private coll(d: number): string {
    const v = this.vars((x) => COLLECTIONS.includes(x.ty));
    if (v.length && this.t.chance(60)) return this.t.of(v).name;
    return this.t.chance(50) ? this.strList(d) : this.map(d);
  }

  /** Recipients: an address, a list of them, members, the owners. */
  private recipients(d: number): string {
    const t = this.t;
    const opts: (() => string)[] = [() => "members", () => "list.owners"];
    const addrs = this.vars((x) => x.ty === "List<Address>");
    if (addrs.length) opts.push(() => t.of(addrs).name, () => t.of(addrs).name);
    const members = this.vars((x) => x.ty === "Member");
    if (members.length) opts.push(() => t.of(members).name);
    if (this.inMessage) opts.push(() => "m.from", () => "m.to", () => `[m.from, ${t.of(["m.from", "list.address"])}]`);
    if (this.hasState("addrs")) opts.push(() => "state.addrs");
    void d;
    return t.of(opts)();
  }

  private address(): string {
    const members = this.vars((x) => x.ty === "Member");
    const opts: string[] = ["list.address"];
    if (members.length) opts.push(`${this.t.of(members).name}.address`);
    if (this.inMessage) opts.push("m.from", `(address(${this.str(2)}) ?? m.from)`);
    return this.t.of(opts);
  }

  private callFn(f: Fn, d: number): string {
    const args = f.params.map((p) => this.valueOf(p.ty, d));
    return `${f.name}(${args.join(", ")})`;
  }

  /** A helper's result: a collection it returns is its own (TW2110 for a parameter or a state field). */
  private result(ty: Ty): string {
    const v = this.valueOf(ty, 1);
    return COLLECTIONS.includes(ty) ? this.owned(v) : v;
  }

  /** An expression of type `ty` (for the types a declaration or parameter may take). */
  valueOf(ty: Ty, d = 0): string {
    switch (ty) {
      case "int":
        return this.int(d);
      case "bool":
        return this.bool(d);
      case "string":
        return this.str(d);
      case "string?":
        return this.t.chance(30) ? "none" : this.opt(d);
      case "Address":
        return this.address();
      case "List<string>":
        return this.strList(d);
      case "Map<string, string>":
        return this.map(d);
      case "Note":
        return `{ body: ${this.str(d + 1)}, items: ${this.owned(this.strList(d + 1))} }`;
      default: {
        const v = this.vars((x) => x.ty === ty);
        if (v.length && this.t.chance(50)) return this.t.of(v).name;
        return ty.startsWith("Map") ? "{}" : "[]";
      }
    }
  }

  // ---------------------------------------------------------------- statements

  /** Up to `n` statements at this level. */
  stmts(n: number): void {
    const count = 1 + this.t.pick(n);
    for (let i = 0; i < count && this.statements < 80; i++) this.stmt();
  }

  private stmt(): void {
    this.statements++;
    const t = this.t;
    const kinds: (() => void)[] = [
      () => this.declareLocal(),
      () => this.declareLocal(),
      () => this.mutate(),
      () => this.mutate(),
      () => this.loop(),
      () => this.loop(),
      () => this.ifElse(),
      () => this.stateWrite(),
      () => this.stateWrite(),
      () => this.send(),
      () => this.emit(`log(${this.interp()})`),
      () => this.alias(),
      () => this.exit(),
      () => this.collectRecipients(),
    ];
    t.of(kinds)();
  }

  private interp(): string {
    return `"${this.t.of(["", "n=", "got "])}{${this.t.chance(50) ? this.str(1) : this.int(1)}}${this.t.chance(40) ? ` {${this.bool(1)}}` : ""}"`;
  }

  private declareLocal(): void {
    const t = this.t;
    const ty = t.of<Ty>(["string", "List<string>", "string?", "int", "Map<string, string>", "List<Address>", "List<List<string>>", "Map<string, List<string>>", "Map<int, string>", "Note", "List<int>", "bool"]);
    const mutable = t.chance(80);
    const name = this.fresh(mutable ? "v" : "c");
    let init: string;
    switch (ty) {
      case "string?":
        init = t.chance(60) ? "none" : this.opt(1);
        break;
      case "List<string>":
        init = t.chance(50) ? "[]" : this.strList(1);
        break;
      case "Map<string, string>":
        init = t.chance(60) ? "{}" : this.map(1);
        break;
      case "List<int>":
        init = t.of(["[]", "[1, 2]", "[0]"]);
        break;
      case "List<Address>":
        init = t.chance(60) ? "[]" : `[${this.address()}]`;
        break;
      case "Map<int, string>":
        init = t.chance(60) ? "{}" : `{ 0: ${this.str(1)} }`;
        break;
      default:
        init = this.valueOf(ty, 1);
    }
    if (COLLECTIONS.includes(ty)) init = this.owned(init);
    const annotate = ty !== "Note" && (init === "none" || init === "[]" || init === "{}" || t.chance(40));
    this.emit(`${mutable ? "var" : "let"} ${name}${annotate ? `: ${ty}` : ""} = ${init}`);
    this.declare({ name, ty, mutable });
  }

  /** A collection under a new name: a local moved there (`var ys = xs`, xs gone), or a copy of any. */
  private alias(): void {
    const v = this.vars((x) => COLLECTIONS.includes(x.ty));
    if (!v.length) return this.declareLocal();
    const src = this.t.of(v);
    const name = this.fresh("alias");
    const mutable = this.t.chance(80);
    this.emit(`${mutable ? "var" : "let"} ${name} = ${this.t.chance(50) && this.moves(src) ? src.name : `${src.name}.copy()`}`);
    this.declare({ name, ty: src.ty, mutable });
    if (mutable && this.t.chance(70)) this.mutateVar({ name, ty: src.ty, mutable });
  }

  /** Recipients collected in a loop, in the list or in the one it was moved to, then sent to. */
  private collectRecipients(): void {
    const t = this.t;
    const to = this.fresh("to");
    this.emit(`var ${to}: List<Address> = []`);
    this.declare({ name: to, ty: "List<Address>", mutable: true });
    let via = to;
    if (t.chance(70) && this.moves(this.vars((x) => x.name === to)[0]!)) {
      via = this.fresh("alias");
      this.emit(`var ${via} = ${to}`);
      this.declare({ name: via, ty: "List<Address>", mutable: true });
    }
    const x = this.fresh("x");
    this.emit(`for ${x} in members${t.chance(30) ? ` where ${x}.role != "owner"` : ""} {`);
    this.depth++;
    this.emit(`${via}.push(${x}.address)`);
    this.depth--;
    this.emit("}");
    const target = via;
    this.emit(t.chance(70) ? `send(to: ${target}, subject: ${this.str(2)}, text: ${this.str(2)})` : this.inMessage ? `forward(m, to: ${target})` : `send(to: ${target}, subject: "a", text: "b")`);
  }

  private mutate(): void {
    const v = this.vars((x) => x.mutable && !this.walked.includes(x.name));
    if (!v.length) return this.declareLocal();
    this.mutateVar(this.t.of(v));
  }

  private mutateVar(x: Var): void {
    const t = this.t;
    if (this.walked.includes(x.name)) return;
    switch (x.ty) {
      case "string":
        return this.emit(t.of([`${x.name} += ${this.str(1)}`, `${x.name} = ${this.str(1)}`, `${x.name} = ${x.name} + ${this.str(1)}`]));
      case "string?":
        return this.emit(t.of([`${x.name} = (${x.name} ?? "") + ${this.str(1)}`, `${x.name} = ${this.str(1)}`, `${x.name} = none`, `${x.name} = ${this.opt(1)}`]));
      case "int":
        return this.emit(t.of([`${x.name} += ${this.int(1)}`, `${x.name} = ${this.int(1)}`]));
      case "bool":
        return this.emit(`${x.name} = ${this.bool(1)}`);
      case "List<string>":
        return this.emit(t.of([`${x.name}.push(${this.str(1)})`, `${x.name}.push(${this.str(1)})`, `${x.name} = ${this.owned(this.strList(1))}`]));
      case "List<int>":
        return this.emit(`${x.name}.push(${this.int(1)})`);
      case "List<Address>":
        return this.emit(`${x.name}.push(${this.address()})`);
      case "List<List<string>>":
        return this.emit(`${x.name}.push(${this.owned(this.strList(1))})`);
      case "Map<string, string>":
        return this.emit(t.of([`${x.name}.set(${this.str(1)}, ${this.str(1)})`, `${x.name}.remove(${this.str(1)})`]));
      case "Map<int, string>":
        return this.emit(`${x.name}.set(${this.int(1)}, ${this.str(1)})`);
      case "Map<string, List<string>>":
        return this.emit(`${x.name}.set(${this.str(1)}, ${this.owned(this.strList(1))})`);
      case "Note":
        return this.emit(`${x.name} = { body: ${this.str(1)}, items: ${this.owned(this.strList(1))} }`);
      default:
        return;
    }
  }

  /** A string for state: within its bound (truncated) most of the time, from the message otherwise. */
  private bounded(): string {
    const s = this.str(1);
    return this.t.chance(55) ? `${s}.truncate(${this.st.n})` : s;
  }

  private guard(field: string, body: () => void): void {
    if (this.t.chance(55)) {
      this.emit(`if state.${field}.size < ${this.st.k} {`);
      this.block(body);
      this.emit("}");
    } else body();
  }

  private stateWrite(): void {
    const t = this.t;
    const fields = [...this.st.fields].filter((f) => !this.walked.includes(`state.${f}`));
    if (!fields.length) return this.send();
    const f = t.of(fields);
    const lists = this.vars((x) => x.ty === "List<string>");
    const localList = (): string => this.owned(lists.length && t.chance(60) ? t.of(lists).name : this.strList(1));
    switch (f) {
      case "str":
        return this.emit(t.of([`state.str = ${this.bounded()}`, `state.str += ${this.bounded()}`, `state.str = ""`]));
      case "count":
        return this.emit(t.of(["state.count += 1", `state.count = ${this.int(1)}`]));
      case "list":
        if (t.chance(25)) return this.emit(t.of([`state.list = ${localList()}`, "state.list = []"]));
        return this.guard("list", () => this.emit(`state.list.push(${this.bounded()})`));
      case "map":
        if (t.chance(15)) return this.emit("state.map = {}");
        return this.guard("map", () => this.emit(`state.map.set(${this.bounded()}, ${this.bounded()})`));
      case "rec":
        if (t.chance(40)) return this.guard("rec.items", () => this.emit(`state.rec.items.push(${this.bounded()})`));
        return this.emit(`state.rec = { body: ${this.bounded()}, items: ${t.chance(50) ? "[]" : localList()} }`);
      case "nest":
        return this.guard("nest", () => this.emit(`state.nest.set(${this.bounded()}, ${t.chance(30) ? "[]" : localList()})`));
      case "lists":
        return this.guard("lists", () => this.emit(`state.lists.push(${t.chance(30) ? "[]" : localList()})`));
      case "addrs":
        if (t.chance(20)) return this.emit("state.addrs = []");
        return this.guard("addrs", () => this.emit(`state.addrs.push(${this.address()})`));
      default:
        return;
    }
  }

  private send(): void {
    const t = this.t;
    const k = t.pick(this.inMessage ? 4 : 2);
    if (k === 0 || k === 1) {
      this.emit(`send(to: ${this.recipients(1)}, subject: ${this.str(2)}, text: ${this.str(2)})`);
    } else if (k === 2) {
      this.emit(`reply(m, text: ${this.str(2)})`);
    } else {
      this.emit(`forward(m, to: ${this.recipients(1)})`);
    }
  }

  private exit(): void {
    const t = this.t;
    if (this.loops > 0 && t.chance(70)) {
      this.emit(`if ${this.bool(1)} {`);
      this.block(() => {
        if (t.chance(30)) this.stmt();
        this.emit(t.of(["break", "continue"]));
      });
      this.emit("}");
      return;
    }
    if (this.fnResult === null || this.fnResult === undefined) {
      this.emit(`if ${this.bool(1)} {`);
      this.block(() => this.emit("return"));
      this.emit("}");
      return;
    }
    const r = this.fnResult;
    this.emit(`if ${this.bool(1)} {`);
    this.block(() => this.emit(`return ${this.result(r)}`));
    this.emit("}");
  }

  private ifElse(): void {
    this.emit(`if ${this.bool(1)} {`);
    this.block(() => this.stmts(3));
    if (this.t.chance(50)) {
      this.emit("} else {");
      this.block(() => this.stmts(3));
    }
    this.emit("}");
  }

  private loop(): void {
    if (this.loops >= 4) return this.mutate();
    const t = this.t;
    const x = this.fresh("x");
    const lists = this.vars((v) => v.ty === "List<string>" || v.ty === "List<List<string>>" || v.ty === "List<Address>" || v.ty === "List<int>");
    const maps = this.vars((v) => v.ty === "Map<string, string>" || v.ty === "Map<string, List<string>>" || v.ty === "Map<int, string>");
    const opts: (() => { head: string; walked: string | null; bind: Var[] })[] = [
      () => ({ head: `for ${x} in members`, walked: null, bind: [{ name: x, ty: "Member", mutable: false }] }),
      () => ({ head: `for ${x} in ${this.str(2)}.${t.of(["lines()", 'split(",")', 'split(" ")'])}`, walked: null, bind: [{ name: x, ty: "string", mutable: false }] }),
      () => {
        if (!lists.length) return { head: `for ${x} in ${this.strList(2)}`, walked: null, bind: [{ name: x, ty: "string", mutable: false }] };
        const l = t.of(lists);
        const elem = l.ty.slice(5, -1) as Ty;
        return { head: `for ${x} in ${l.name}`, walked: l.name, bind: [{ name: x, ty: elem, mutable: false }] };
      },
      () => {
        if (!maps.length) return { head: `for ${x} in ${this.strList(2)}`, walked: null, bind: [{ name: x, ty: "string", mutable: false }] };
        const mp = t.of(maps);
        const [kt, vt] = mp.ty === "Map<int, string>" ? (["int", "string"] as Ty[]) : mp.ty === "Map<string, string>" ? (["string", "string"] as Ty[]) : (["string", "List<string>"] as Ty[]);
        const v = this.fresh("y");
        return { head: `for ${x}, ${v} in ${mp.name}`, walked: mp.name, bind: [{ name: x, ty: kt!, mutable: false }, { name: v, ty: vt!, mutable: false }] };
      },
    ];
    if (this.inMessage) opts.push(() => ({ head: `for ${x} in m.${t.of(['headers.all("Received")', "text.lines()", 'subject.split(" ")'])}`, walked: null, bind: [{ name: x, ty: "string", mutable: false }] }));
    if (this.hasState("list")) opts.push(() => ({ head: `for ${x} in state.list`, walked: "state.list", bind: [{ name: x, ty: "string", mutable: false }] }));
    if (this.hasState("map")) {
      const v = this.fresh("y");
      opts.push(() => ({ head: `for ${x}, ${v} in state.map`, walked: "state.map", bind: [{ name: x, ty: "string", mutable: false }, { name: v, ty: "string", mutable: false }] }));
    }
    if (this.hasState("nest")) {
      const v = this.fresh("y");
      opts.push(() => ({ head: `for ${x}, ${v} in state.nest`, walked: "state.nest", bind: [{ name: x, ty: "string", mutable: false }, { name: v, ty: "List<string>", mutable: false }] }));
    }
    const { head, walked, bind } = t.of(opts)();
    this.scopes.push(bind);
    let where = "";
    if (t.chance(30)) {
      const s = bind[0]!.ty === "Member" ? `${bind[0]!.name}.role != "owner"` : bind[0]!.ty === "string" ? `${bind[0]!.name}.length > ${t.of(["0", "3"])}` : this.bool(2);
      where = ` where ${s}`;
    }
    this.emit(`${head}${where} {`);
    if (walked) this.walked.push(walked);
    this.loops++;
    this.block(() => this.stmts(4));
    this.loops--;
    if (walked) this.walked.pop();
    this.scopes.pop();
    this.emit("}");
  }

  // ---------------------------------------------------------------- declarations

  helper(): void {
    const t = this.t;
    const name = this.fresh("f");
    const params: { name: string; ty: Ty }[] = [];
    const np = t.pick(3);
    for (let i = 0; i < np; i++) params.push({ name: this.fresh("p"), ty: t.of<Ty>(["string", "List<string>", "int"]) });
    const result = t.of<Ty | null>(["string", null, "int", "List<string>"]);
    this.emit(`fn ${name}(${params.map((p) => `${p.name}: ${p.ty}`).join(", ")})${result ? `: ${result}` : ""} {`);
    this.fnResult = result;
    this.inMessage = false;
    this.scopes.push(params.map((p) => ({ name: p.name, ty: p.ty, mutable: false, param: true })));
    this.depth++;
    const s = params.find((p) => p.ty === "string");
    if (result === "string" && s && t.chance(40)) {
      // An element of a split, returned from inside a loop.
      const e = this.fresh("x");
      this.emit(`for ${e} in ${s.name}.split(${t.of(['","', '" "'])}) {`);
      this.depth++;
      this.emit(`if ${e}.length > ${t.of(["2", "0"])} {`);
      this.emit(`  return ${e}`);
      this.emit("}");
      this.depth--;
      this.emit("}");
    } else {
      this.stmts(3);
    }
    if (result) this.emit(`return ${this.result(result)}`);
    this.depth--;
    this.scopes.pop();
    this.fnResult = undefined;
    this.emit("}");
    this.fns.push({ name, params, result });
    this.lines.push("");
  }

  trigger(kind: "message" | "schedule"): void {
    this.inMessage = kind === "message";
    this.depth = 0;
    this.emit(kind === "message" ? "on message(m: Message) {" : `every ${this.t.of(["day at 00:00", "hour", "monday at 09:30"])} {`);
    this.depth = 1;
    this.scopes.push([]);
    const calls = this.fns.filter((f) => f.result === null);
    this.stmts(6);
    for (const f of calls) if (this.t.chance(60)) this.emit(this.callFn(f, 1));
    this.scopes.pop();
    this.depth = 0;
    this.emit("}");
    this.lines.push("");
  }

  text(): string {
    return this.lines.join("\n");
  }

  setDepth(d: number): void {
    this.depth = d;
  }
}

// ------------------------------------------------------------------ a whole rule

/** The tapes a rule is built from (what fast-check shrinks): the declarations, the helper functions, each trigger. */
export interface Tapes {
  head: number[];
  helpers: number[];
  message: number[];
  schedule: number[];
}

export interface GeneratedRule {
  source: string;
  tapes: Tapes;
}

const STATE_FIELDS = ["str", "count", "list", "map", "rec", "nest", "lists", "addrs"] as const;

/** The rule a tape stands for. */
export function buildRule(tapes: Tapes): string {
  const t = new Tape(tapes.head);
  const limits = t.of(LIMITS);
  const st: StateShape = { n: t.of([10, 20, 200]), k: t.of([2, 5, 50]), fields: new Set() };
  for (const f of STATE_FIELDS) if (t.chance(40)) st.fields.add(f);
  const b = new Builder(t, st);
  const head: string[] = ["rule fuzzed"];
  if (limits.text) head.push(limits.text);
  head.push("", `type Note = { body: string, items: List<string> }`);
  const N = st.n;
  const K = st.k;
  if (st.fields.has("rec")) head.push(`type Rec = { body: string max ${N}, items: List<string max ${N}> max ${K} }`);
  if (st.fields.size) {
    head.push("", "state {");
    const decl: Record<(typeof STATE_FIELDS)[number], string> = {
      str: `str: string max ${N} = ""`,
      count: "count: int = 0",
      list: `list: List<string max ${N}> max ${K} = []`,
      map: `map: Map<string max ${N}, string max ${N}> max ${K} = {}`,
      rec: `rec: Rec = { body: "", items: [] }`,
      nest: `nest: Map<string max ${N}, List<string max ${N}> max ${K}> max ${K} = {}`,
      lists: `lists: List<List<string max ${N}> max ${K}> max ${K} = []`,
      addrs: `addrs: List<Address> max ${K} = []`,
    };
    for (const f of STATE_FIELDS) if (st.fields.has(f)) head.push(`  ${decl[f]}`);
    head.push("}");
  }
  head.push("");
  b.setDepth(0);
  const helpers = t.pick(4);
  const schedule = t.chance(40);
  b.t = new Tape(tapes.helpers);
  for (let i = 0; i < helpers; i++) b.helper();
  b.t = new Tape(tapes.message);
  b.trigger("message");
  b.t = new Tape(tapes.schedule);
  if (schedule) b.trigger("schedule");
  return `${head.join("\n")}\n${b.text()}`;
}

/** Rules from tapes of up to `maxLength` choices. */
export function ruleArb(maxLength = 200): fc.Arbitrary<GeneratedRule> {
  const tape = (min: number, max: number) => fc.noBias(fc.array(fc.nat({ max: 0xffff }), { minLength: min, maxLength: max }));
  return fc
    .record({ head: tape(12, 16), helpers: tape(0, maxLength), message: tape(20, maxLength), schedule: tape(0, maxLength / 2) })
    .map((tapes) => {
      const source = buildRule(tapes);
      // fast-check prints a counterexample with this: the rule itself, not its tapes.
      return { tapes, source, [fc.toStringMethod]: () => `rule source:\n${source}\ntapes: ${JSON.stringify(tapes)}` };
    });
}

// ------------------------------------------------------------------ compiling a rule

export type Compiled =
  | { kind: "accepted"; ex: Example; diagnostics: Diagnostic[]; checkMs: number }
  | { kind: "refused"; diagnostics: Diagnostic[]; checkMs: number }
  /** `check` threw, or gave an internal error (TWn999): the verifier's own bug. */
  | { kind: "crashed"; problem: string; checkMs: number };

const INTERNAL = /^TW\d999$/;

/** compileSource on a rule's text, with its state types (for the state checks) when it is accepted. */
export function compileRule(name: string, source: string): Compiled {
  const start = performance.now();
  let r;
  try {
    r = compileSource(`${name}.thwonk`, source);
  } catch (e) {
    return { kind: "crashed", problem: `check threw: ${e instanceof Error ? (e.stack ?? e.message).split("\n").slice(0, 4).join(" | ") : String(e)}`, checkMs: performance.now() - start };
  }
  const checkMs = performance.now() - start;
  const internal = r.diagnostics.find((d) => INTERNAL.test(d.code));
  if (internal) return { kind: "crashed", problem: `internal error ${internal.code}: ${internal.message.split("\n")[0]}`, checkMs };
  if (!r.bundle) return { kind: "refused", diagnostics: r.diagnostics, checkMs };
  const unit = checkSources([{ fileName: `${name}.thwonk`, text: source }], { verify: false }).units[0]!;
  const limits: Record<string, number> = {};
  for (const [k, l] of Object.entries(r.bundle.manifest.limits)) limits[k] = l.value;
  const ex: Example = {
    name,
    source,
    bundle: r.bundle,
    limits,
    state: unit.check.model.state,
    timezone: r.bundle.manifest.settings["timezone"] ?? "UTC",
    triggers: r.bundle.manifest.triggers,
  };
  return { kind: "accepted", ex, diagnostics: r.diagnostics, checkMs };
}

// ------------------------------------------------------------------ running a trigger

/**
 * One engine for every run, with the daemon pool's default strategy
 * ("reuse": a bundle is compiled once into its own context and each run
 * calls it; a failed run evicts it). runTrigger (examples.ts, through
 * runOnce) makes a new WebAssembly instance and compiles the prelude for
 * every run: ten times slower for the small inputs the fuzzer passes
 * thousands of times. Reusing the context also makes the determinism check
 * stronger: anything a run leaves behind shows in the next. The time limit
 * is as generous as examples.ts's (gas is the bound under test).
 */
const engine = new Engine({ limits: resolveLimits({ timeLimitMs: 30_000 }), strategy: "reuse" });
export const engineStats = () => engine.stats;

/** One run of one trigger of the bundle, with the gas limit set to the trigger's bound: runBundle's steps on the shared engine. */
export async function runRule(ex: Example, trigger: string, input: Record<string, unknown>): Promise<RunResult> {
  const bound = ex.bundle.manifest.triggers.find((t) => t.name === trigger)?.gasBound ?? 0;
  const { inputJson, members } = encodeInput({ ...input, gas: bound });
  const { result: r } = await engine.run(ex.bundle.code.text, ex.bundle.sha256, trigger, inputJson, members);
  if (!r.ok) return { actions: [], state: null, gas: { used: bound, bound }, error: { code: r.error.code, message: r.error.message, line: r.error.line ?? null, column: r.error.column ?? null }, trace: null };
  let out: {
    actions: RunResult["actions"];
    state: Record<string, unknown> | null;
    gas: { used: number };
    error: { code: string; args: unknown[]; line: number; column: number } | null;
  };
  try {
    out = JSON.parse(r.output);
  } catch (e) {
    // The run "succeeded" but its output is not the result the prelude writes: a sandbox or prelude bug, reported as such.
    return { actions: [], state: null, gas: { used: bound, bound }, error: { code: "NO-RESULT", message: `the run's output is not a result (${String(e)}): ${JSON.stringify(r.output.slice(0, 200))}`, line: null, column: null }, trace: null };
  }
  return {
    actions: expandToMembers(out.actions, memberAddresses(input["members"])),
    state: out.state,
    gas: { used: out.gas.used, bound },
    error: out.error ? { code: out.error.code, message: `${out.error.code} ${JSON.stringify(out.error.args)}`, line: out.error.line, column: out.error.column } : null,
    trace: null,
  };
}

// ------------------------------------------------------------------ the promise, checked on one run

/** What the fuzzer checks on every run: each is a separate property, so one hole does not hide another. */
export type Property = "gas" | "fanout" | "state" | "internal" | "resources" | "determinism";

export const PROPERTIES: readonly Property[] = ["gas", "fanout", "state", "internal", "resources", "determinism"];

/** Stops for memory (TW5002) and time (TW5004): gas that bounds them is issue 11's promise, measured apart. */
export const RESOURCE_STOPS: ReadonlySet<string> = new Set(["TW5002", "TW5004"]);

export const PROPERTY_TEXT: Record<Property, string> = {
  gas: "gas used ≤ the trigger's gas bound (no TW5001)",
  fanout: "recipients sent ≤ the trigger's fan-out bound",
  state: "no over-bound state stored and no failure because state is full (no TW5012)",
  internal: "no internal error or stack stop (TW5003, TW5005, TW5006, input refused, no result)",
  resources: "no memory or time stop (TW5002, TW5004): gas bounds memory and time",
  determinism: "the same input and state give the same gas, actions and state",
};

export interface Problem {
  property: Property;
  what: string;
}

/** Errors a verified rule may legitimately stop with (a division by zero, an int overflow, the member limit, too many logs, a page too large, a bad path). */
const ALLOWED = new Set(["TW5010", "TW5011", "TW5013", "TW5014", "TW5015", "TW5016"]);

export function recipientsSent(actions: readonly { kind: string; to: string[] }[]): number {
  let n = 0;
  for (const a of actions) if (a.kind === "send" || a.kind === "reply" || a.kind === "forward") n += a.to.length;
  return n;
}

/** Where a stored value is over its declared bound (strings in characters, collections in entries), as `state.path`. */
export function overBound(t: Type, v: unknown, path: string, out: string[]): void {
  if (v === null || v === undefined) return;
  if (t.kind === "optional") return overBound(t.inner, v, path, out);
  if (t.kind === "record") {
    const o = v as Record<string, unknown>;
    for (const [name, f] of t.fields) overBound(f.type, o[name], `${path}.${name}`, out);
    return;
  }
  if (t.kind !== "named") return;
  if (t.name === "string" && typeof v === "string") {
    const n = codePoints(v);
    if (t.max !== undefined && n > t.max) out.push(`${path} is ${n} characters, over its max ${t.max}`);
  } else if (t.name === "List" && Array.isArray(v)) {
    if (t.max !== undefined && v.length > t.max) out.push(`${path} has ${v.length} entries, over its max ${t.max}`);
    v.forEach((x, i) => overBound(t.args[0]!, x, `${path}[${i}]`, out));
  } else if (t.name === "Map" && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>);
    if (t.max !== undefined && entries.length > t.max) out.push(`${path} has ${entries.length} entries, over its max ${t.max}`);
    for (const [k, x] of entries) {
      overBound(t.args[0]!, k, `${path} key ${JSON.stringify([...k].slice(0, 12).join(""))}`, out);
      overBound(t.args[1]!, x, `${path}[${JSON.stringify([...k].slice(0, 12).join(""))}]`, out);
    }
  }
}

/** The problems of one run (state after it checked against the declared bounds). */
export function runProblems(ex: Example, trigger: string, r: RunResult): Problem[] {
  const out: Problem[] = [];
  const t = ex.triggers.find((x) => x.name === trigger)!;
  const err = r.error;
  if (err?.code === "TW5001") out.push({ property: "gas", what: `TW5001 out of gas at bound ${t.gasBound}${err.line !== null ? ` (line ${err.line})` : ""}` });
  else if (r.gas.used > t.gasBound) out.push({ property: "gas", what: `used ${r.gas.used} gas, over the bound ${t.gasBound}` });
  if (err?.code === "TW5012") out.push({ property: "state", what: `TW5012 ${err.message.split("\n")[0]}${err.line !== null ? ` (line ${err.line})` : ""}` });
  if (err && RESOURCE_STOPS.has(err.code)) {
    out.push({ property: "resources", what: `stopped with ${err.code}: ${err.message.split("\n")[0]}` });
  } else if (err && err.code !== "TW5001" && err.code !== "TW5012" && !ALLOWED.has(err.code)) {
    out.push({ property: "internal", what: `stopped with ${err.code}: ${err.message.split("\n")[0]}${err.line !== null ? ` (line ${err.line})` : ""}` });
  }
  if (!err) {
    const sent = recipientsSent(r.actions);
    if (sent > t.fanoutBound) out.push({ property: "fanout", what: `sent to ${sent} recipients, over the fan-out bound ${t.fanoutBound}` });
    const over: string[] = [];
    for (const f of ex.state) overBound(f.type, r.state?.[f.name], `state.${f.name}`, over);
    if (over.length) out.push({ property: "state", what: `stored over-bound state: ${over.slice(0, 3).join("; ")}` });
  }
  return out;
}

// ------------------------------------------------------------------ a sequence of runs with state carried

export interface Step {
  trigger: string;
  plan: Plan;
  /** Start from the plan's own state (null, empty or full), not the previous run's. */
  fresh?: boolean;
}

/** The inputs at every declared limit in the worst-case characters, then random ones (from `random`), scheduled triggers between. */
export function adversarialSteps(ex: Example, random: Plan[] = []): Step[] {
  const steps: Step[] = [];
  const msg = ex.triggers.find((t) => t.name === "message");
  const schedules = ex.triggers.filter((t) => t.name !== "message");
  const styles: Style[] = ["astral", "separators", "quot", "caseGrow", "mixed", "ascii"];
  const short: Partial<Plan> = { longAddresses: false };
  // A From header holds the sender's address: addresses of 320 characters only fit a header limit that can hold them.
  const fits = (p: Plan): Plan => (ex.limits["header"]! < 330 ? { ...p, longAddresses: false } : p);
  // Rules at the default limits take megabytes of input at the max (1,000 members of 320-character addresses, 200,000 characters of HTML):
  // three runs get everything at its max, the others a lean roster and message around the text at its max.
  const L = ex.limits;
  const heavy = L["members"]! * 600 + (L["html"]! + L["text"]!) * 2 + L["headers"]! * L["header"]! > 1_000_000;
  const lean = (over: Partial<Plan>, message: Partial<MessagePlan>): [Partial<Plan>, Partial<MessagePlan>] =>
    heavy ? [{ members: Math.min(50, L["members"]!), longAddresses: false, ...over }, { html: null, headers: 3, to: 1, cc: 0, attachments: 0, ...message }] : [over, message];
  const add = (trigger: string, style: Style, over: Partial<Plan> = {}, message: Partial<MessagePlan> = {}, fresh = false, full = false): void => {
    const [o, m] = full ? [over, message] : lean(over, message);
    steps.push({ trigger, plan: fits(maxPlan(ex, trigger, style, { state: "null", ...o }, m)), fresh });
  };
  const first = msg ? "message" : schedules[0]?.name;
  if (!first) return steps;
  // From the initial state, then carried: every size at its max, each kind of character.
  add(first, "astral", {}, {}, true, true);
  for (const style of styles.slice(1)) {
    if (msg) add("message", style, style === "ascii" ? short : {}, {}, false, style === "separators");
    for (const s of schedules) if (style === "separators" || style === "astral") add(s.name, style);
  }
  // The paths a sender takes: a stranger, an automated message, a bounce (lean messages).
  if (msg) {
    add("message", "quot", { members: 0 }, { sender: "stranger", headers: 1 });
    add("message", "astral", {}, { automated: "auto-submitted", envelope: "bounce" });
  }
  // From full state (every collection and string at its max), then carried: nothing may wedge.
  add(first, "separators", { state: "full" }, {}, true, true);
  for (const s of schedules) add(s.name, "astral");
  if (msg) add("message", "astral");
  for (const p of random) steps.push({ trigger: p.message ? "message" : (schedules[0]?.name ?? "message"), plan: fits(p) });
  if (msg) add("message", "separators", { state: "full", stateStyle: "astral" });
  return steps;
}

export interface StepFailure {
  step: number;
  trigger: string;
  plan: Plan;
  stateBefore: unknown;
  problems: Problem[];
}

export interface SequenceResult {
  runs: number;
  failures: StepFailure[];
  maxRatio: number;
  /** Runs that reached the bounds exactly or stopped early with an allowed rule error. */
  outcomes: Map<string, number>;
}

/**
 * Runs the steps in order, the state of one run the input of the next (a
 * failed run commits nothing, so the state goes on unchanged), and checks
 * every run; `again` of them (spread out) are run twice for determinism.
 */
export async function runSequence(ex: Example, steps: Step[], again = 2): Promise<SequenceResult> {
  let state: Record<string, unknown> | null = null;
  const failures: StepFailure[] = [];
  const outcomes = new Map<string, number>();
  let maxRatio = 0;
  const rerun = new Set<number>();
  for (let i = 0; i < again && steps.length; i++) rerun.add(Math.floor(((i + 0.5) * steps.length) / again));
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    const input = buildInput(ex, s.plan);
    if (!s.fresh && i > 0) input["state"] = state;
    const over = inputProblems(ex, input);
    if (over.length) throw new Error(`step ${i}: the generated input is over the rule's limits (a bug in the harness): ${over[0]}`);
    const stateBefore = input["state"];
    const result = await runRule(ex, s.trigger, input);
    const problems = runProblems(ex, s.trigger, result);
    if (rerun.has(i)) {
      const b = await runRule(ex, s.trigger, input);
      // A stop for memory or time depends on the machine (issue 11), and so does a run cut short by one.
      const machine = (x: RunResult): boolean => x.error !== null && (RESOURCE_STOPS.has(x.error.code) || x.error.code === "NO-RESULT");
      if (!(machine(result) && machine(b)) && JSON.stringify(observable(b)) !== JSON.stringify(observable(result))) {
        problems.push({ property: "determinism", what: `ran twice: gas ${result.gas.used} then ${b.gas.used}, ${result.actions.length} then ${b.actions.length} actions, error ${result.error?.code ?? "none"} then ${b.error?.code ?? "none"}` });
      }
    }
    const what = result.error ? result.error.code : "ok";
    outcomes.set(what, (outcomes.get(what) ?? 0) + 1);
    if (!result.error) maxRatio = Math.max(maxRatio, result.gas.used / Math.max(1, result.gas.bound));
    if (problems.length) failures.push({ step: i, trigger: s.trigger, plan: s.plan, stateBefore, problems });
    if (!result.error) state = result.state;
    else if (i === 0 || s.fresh) state = (stateBefore as Record<string, unknown> | null) ?? null;
  }
  return { runs: steps.length, failures, maxRatio, outcomes };
}

/** A failure as a reader needs it: the rule, the run, the input's plan and the state it started from. */
export function describeFailure(source: string | undefined, f: StepFailure, prop?: Property): string {
  const problems = f.problems.filter((p) => !prop || p.property === prop);
  const state = JSON.stringify(f.stateBefore);
  return [
    ...problems.map((p) => `${p.property}: ${p.what}`),
    `at run ${f.step} (${f.trigger}) of the sequence, state carried from the runs before`,
    `plan: ${JSON.stringify(f.plan)}`,
    `state before: ${state.length > 1500 ? `${state.slice(0, 1500)}… (${state.length} characters)` : state}`,
    ...(source === undefined ? [] : ["rule:", source]),
  ].join("\n");
}
