/**
 * The shape of the one stdlib declaration (stdlib/index.ts). The checker,
 * the TypeScript `.d.ts`, hover docs, the verifier's cost table and the
 * runtime's host functions all read this; nothing about the stdlib is
 * hard-coded anywhere else.
 *
 * Types are written as strings in .thwonk type syntax ("List<Address>",
 * "string?", "Map<K, V>") and parsed by the compiler's own type parser.
 */

// ------------------------------------------------------------------ costs

/**
 * A cost (or result-size) expression: a small monotone expression over the
 * sizes of a call's arguments. Integers only; every operator is monotone in
 * its operands, so evaluating on upper bounds gives an upper bound.
 *  - a number: a constant
 *  - `{ size: "name" }`: the size of the argument `name` (`"self"` is the
 *    receiver of a method): a string's length in UTF-16 code units, a
 *    collection's element count.
 *  - `{ total: "name" }`: the sum of the sizes of the elements of a
 *    collection argument (the characters of all the strings in a list).
 *  - `{ total: "name" }` counts, for each element (each value of a map), a
 *    string's length, a collection's count plus its own total, a record's
 *    fields by the same rule, and 1 for anything else: the work of walking
 *    everything inside the collection (what a deep copy does).
 *  - `{ limit: "name" }`: the value of one of the rule's limits, in the
 *    unit the runtime measures (a `characters` limit counts UTF-16 units).
 *  - `{ log2: [x] }`: `⌈log₂(x + 1)⌉`, the bit length of `x` (0 at 0, 1 at 1,
 *    2 at 2 and 3, ...): the depth of a merge sort of `x` elements. Monotone
 *    and integral, and never more than `x`.
 *  - `{ value: "name" }`: the value of an int argument (a negative one counts
 *    as 0). Only in result sizes (never in a cost): the verifier knows it
 *    when the argument is a literal, and otherwise takes the bound as
 *    unknown, so it may only appear inside a `min` beside a known bound.
 *
 * Sizes follow the parameter's declared type: a `string` parameter's size is
 * its length; a collection's (List, Map, Members, Recipients) its count; any
 * other value's size is 1 (an Address given as Recipients is one recipient).
 */
export type CostExpr =
  | number
  | { size: string }
  | { total: string }
  | { limit: string }
  | { value: string }
  | { add: CostExpr[] }
  | { mul: CostExpr[] }
  | { max: CostExpr[] }
  | { min: CostExpr[] }
  | { ceilDiv: CostExpr; by: number }
  | { log2: [CostExpr] };

export const cost = {
  size: (name: string): CostExpr => ({ size: name }),
  total: (name: string): CostExpr => ({ total: name }),
  limit: (name: string): CostExpr => ({ limit: name }),
  value: (name: string): CostExpr => ({ value: name }),
  add: (...args: CostExpr[]): CostExpr => ({ add: args }),
  mul: (...args: CostExpr[]): CostExpr => ({ mul: args }),
  max: (...args: CostExpr[]): CostExpr => ({ max: args }),
  min: (...args: CostExpr[]): CostExpr => ({ min: args }),
  ceilDiv: (e: CostExpr, by: number): CostExpr => ({ ceilDiv: e, by }),
  log2: (e: CostExpr): CostExpr => ({ log2: [e] }),
};

// ------------------------------------------------------------------ capabilities

/** What a rule may do; each action needs one, and the bundle declares those it uses. */
export type Capability =
  | "send"
  | "reply"
  | "forward"
  | "reject"
  | "hold"
  | "members.add"
  | "members.remove"
  | "state.write"
  | "publish"
  | "log"
  /**
   * Not an action: the trigger reads `m.envelope.isRequest`, so the rule answers its list's `-request` address
   * itself. A list whose `on message` lacks it has thwonkd answer that address (docs/daemon.md, "The -request
   * address"); the rule never sees that mail.
   */
  | "requests";

// ------------------------------------------------------------------ declarations

export interface ParamDecl {
  name: string;
  /** .thwonk type syntax; may use the enclosing type's parameters (T, K, V). */
  type: string;
  optional?: boolean;
  doc?: string;
  /** For an action's record argument of which the action keeps one field only (`send`'s `thread: m` keeps `messageId`): that field, what the verifier counts in the run's memory. */
  records?: string;
}

export interface FunctionDecl {
  doc: string;
  params: ParamDecl[];
  /** Result type; "void" for actions that return nothing. */
  returns: string;
  /** Gas charged before the call runs. */
  cost: CostExpr;
  /**
   * What the implementation (contract/prelude/library.js) walks: the
   * parameters (`"self"` the receiver) whose size its work grows with, and
   * `limit:NAME` for a limit-bounded part of the input it walks (the
   * message's header fields). Every other argument is read in constant time
   * whatever its size. Required on every call that takes a string or a
   * collection; `cost` has a size term for each (test/runtime/gas-walks.test.ts).
   */
  walks?: string[];
  /**
   * Bytes the implementation holds while the call runs, beyond its result
   * (`matches` compiles its pattern into regular expressions): counted in
   * the trigger's memory bound among the values alive (compiler/verify/memory.ts).
   */
  scratch?: CostExpr;
  /**
   * Upper bound of the result's size (string length or element count).
   * Every result that is a string or a collection declares one, unless
   * `carries: "self"` gives the whole receiver's shape (a test guards this).
   */
  resultSize?: CostExpr;
  /**
   * Upper bound of each element's length, for a collection of strings made
   * by the call (the parts of `split`, the values of `headers.all`).
   */
  elementSize?: CostExpr;
  /** Upper bound of a string result's length in characters (code points), when it is tighter than its UTF-16 length says. */
  resultChars?: CostExpr;
  /** Upper bound of the summed lengths of the elements (the parts of a string add up to at most the string). */
  resultTotal?: CostExpr;
  /**
   * The result is made of the receiver's own values, so their shapes carry
   * over: `"self"` the receiver itself (a copy); `"elements"` one of its
   * elements, or a collection of them (`first`, `take`, `owners`); `"keys"`
   * and `"values"` a map's keys or values (`keys()`, `get`).
   */
  carries?: "self" | "elements" | "keys" | "values";
  /** How many messages the call sends (send, reply, forward): the trigger's fan-out. */
  fanout?: CostExpr;
  /** Answers "must not be replied to automatically" (RFC 3834): the verifier's reply check looks for it. */
  autoReplyGuard?: boolean;
  /** The capability the call needs (actions only). */
  capability?: Capability;
  /** `reject` and `hold` end the trigger. */
  terminates?: boolean;
  /** Only meaningful in this trigger (`reject` and `hold` refuse or hold the message: there is none in a schedule). */
  onlyIn?: string;
  /** The method changes its receiver (state writes, members.add). */
  mutates?: boolean;
  /**
   * How a changing method grows its receiver, for the verifier: `"element"`
   * adds one element (its first argument), `"entry"` one entry (its key and
   * value), when the key is new. A changing method without it never grows
   * the receiver (`remove`).
   */
  grows?: "element" | "entry";
  /** The result shares nothing mutable with the receiver, at any depth (`copy()`): the one-name rule takes it as fresh. */
  deepCopy?: boolean;
  /** Only available when the receiver is exactly this type (e.g. `join` on "List<string>"). */
  receiver?: string;
  /**
   * The name rules call the method by, when it is another method's variant
   * for the receivers that one's `receiver` leaves out (`joinValues` is
   * `join` on lists of non-strings). Not callable by its own name.
   */
  alias?: string;
  /**
   * The emitter passes, after the arguments, how the receiver's elements
   * read in a string: "time", "duration" or "plain" (numbers and ints look
   * alike at run time).
   */
  shows?: true;
}

export interface FieldDecl {
  type: string;
  doc: string;
  /**
   * What bounds the field's size (a string's length, a list's count) in
   * incoming data: the name of a limit (`"text"`), or a fixed number of
   * UTF-16 code units or elements.
   */
  bound?: string | number;
  /** Gas to read the field; 0 when absent. */
  cost?: CostExpr;
  /** Reading the field is a capability the bundle declares (`Envelope.isRequest`: "requests"). */
  capability?: Capability;
}

export interface TypeDeclSpec {
  doc: string;
  /** Generic parameters, e.g. ["T"] for List, ["K", "V"] for Map. */
  typeParams?: string[];
  fields?: Record<string, FieldDecl>;
  methods?: Record<string, FunctionDecl>;
  /** `for x in value` walks elements of this type. */
  iterates?: string;
  /** Values of these types are accepted where this type is expected (e.g. Recipients accepts Address). */
  acceptsFrom?: string[];
  /** String literals accepted for this type (an enumeration such as "list" | "sender"). */
  literals?: string[];
  /** `==`/`!=` allowed. */
  equatable?: boolean;
  /** `<`, `<=`, `>`, `>=` allowed. */
  ordered?: boolean;
  /** May appear inside `{...}` in a string. */
  interpolates?: boolean;
  /**
   * The most UTF-16 code units a value of this type takes as text (an
   * Address is at most 320 characters by RFC 5321; an int at most 20): its
   * size in `{...}` interpolation and, for string-like types, its length.
   */
  maxLength?: number;
  /** A string literal of this form converts to the type where it is expected; the checker validates it with this kind. */
  fromStringLiteral?: "address" | "time" | "timezone";
  /**
   * How the sandbox holds the type's values when they are not plain strings,
   * arrays or Maps: the prelude functions (contract/prelude/library.js) that
   * give a value's size and its elements as an array. The emitter calls
   * them; a test checks the prelude defines them.
   */
  atRun?: { size: string; elements?: string };
}

export interface GlobalDecl {
  type: string;
  doc: string;
}

export interface TriggerDecl {
  doc: string;
  /** Type of the trigger's parameter, e.g. `on message(m: Message)`. */
  param?: string;
}

export interface LimitDecl {
  doc: string;
  default: number;
  /** What the number counts. */
  unit: "members" | "characters" | "items" | "gas" | "messages" | "bytes";
  /** The largest value the daemon accepts. */
  ceiling: number;
}

export interface SettingDecl {
  doc: string;
  type: string;
  default: string;
}

/** Binary operators whose operand types are declared, not built into the checker. */
export interface OperatorDecl {
  op: "+" | "-" | "*" | "/" | "%" | "<" | "<=" | ">" | ">=";
  left: string;
  right: string;
  result: string;
  cost: CostExpr;
  /** As FunctionDecl.walks: `"left"`, `"right"`. */
  walks?: string[];
  doc: string;
}

/** The gas of the language's own constructs (not calls), charged by the emitted code. */
export interface ConstructCosts {
  /** Each statement run. */
  statement: number;
  /** Each operation in an expression (member access, operator, call, index); names and literals are free. */
  operation: number;
  /** Each iteration of a `for` loop. */
  iteration: number;
  /** Each call of one of the rule's own `fn`s. */
  fnCall: number;
  /** Building a string from `{...}` parts: over `size(result)`. */
  interpolation: CostExpr;
  /** `==`/`!=` between strings: over `size(left)`, `size(right)`. */
  stringEquality: CostExpr;
  /** A list, record or map literal: over `size(result)`, its element count. */
  literal: CostExpr;
  /**
   * Each unit of state loaded before a trigger runs and saved after it (docs/cost-model.md, "State"): a value
   * walked is one unit, a string also one per 64 UTF-16 units, a map entry its key as well. The verifier
   * counts the units at the state's declared maxima in every trigger's bound.
   */
  stateUnit: number;
}

export interface StdlibDecl {
  version: string;
  costTableVersion: string;
  types: Record<string, TypeDeclSpec>;
  globals: Record<string, GlobalDecl>;
  functions: Record<string, FunctionDecl>;
  operators: OperatorDecl[];
  constructs: ConstructCosts;
  triggers: Record<string, TriggerDecl>;
  limits: Record<string, LimitDecl>;
  settings: Record<string, SettingDecl>;
}

/**
 * How a call's result holds the receiver's own values (`carries`): `"whole"`
 * the receiver itself (a copy), `"part"` one of its values (`first`, `get`),
 * `"parts"` a new list of them (`take`, `keys`, `values`), `"none"` nothing
 * of the receiver's (a value the call builds). The checker's one-name rule
 * and the verifier's shapes both read it.
 */
export function carriedAs(decl: FunctionDecl): "whole" | "part" | "parts" | "none" {
  if (decl.carries === undefined) return "none";
  if (decl.carries === "self") return "whole";
  return decl.returns.startsWith("List<") ? "parts" : "part";
}
