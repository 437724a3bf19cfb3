/**
 * `thwonk.d.ts`, generated from the one stdlib declaration: what a `.ts`
 * rule imports from "thwonk" and the few global types TypeScript needs
 * under `noLib` (docs/typescript.md). Nothing else exists for such a rule:
 * no DOM, no Node, no `RegExp` value or `Array.prototype.sort`.
 *
 * scripts/thwonk-dts.js writes it to stdlib/thwonk.d.ts (committed, for
 * editors and a user's project); test/typescript/hostile.test.ts fails when that
 * file is out of date. The TypeScript front end type-checks against this text.
 */
import type { FunctionDecl, ParamDecl, StdlibDecl, TypeDeclSpec } from "./decl.js";

/** .thwonk type syntax (`List<string>?`, `Map<K, V>`) as TypeScript. */
export function tsType(t: string, global = false): string {
  const s = t.trim();
  if (s.endsWith("?")) return `${tsType(s.slice(0, -1), global)} | undefined`;
  const lt = s.indexOf("<");
  if (lt < 0) return s === "bool" ? "boolean" : global ? globalName(s) : s;
  const args: string[] = [];
  let depth = 0;
  let from = lt + 1;
  for (let i = from; i < s.length - 1; i++) {
    const c = s[i];
    if (c === "<") depth++;
    else if (c === ">") depth--;
    else if (c === "," && depth === 0) {
      args.push(s.slice(from, i));
      from = i + 1;
    }
  }
  args.push(s.slice(from, s.length - 1));
  return `${global ? globalName(s.slice(0, lt)) : s.slice(0, lt)}<${args.map((a) => tsType(a, global)).join(", ")}>`;
}

/** Outside the module (the global interfaces of string, int and List), the module's names are written in full. */
function globalName(name: string): string {
  if (name === "int") return "number";
  if (name === "string" || name === "void" || name === "T") return name;
  if (name === "List") return "Array";
  return `import("thwonk").${name}`;
}

function jsdoc(doc: string, indent: string, params: readonly ParamDecl[] = []): string {
  const lines = doc.split("\n");
  for (const p of params) if (p.doc) lines.push(`@param ${p.name} ${p.doc}`);
  const body = lines.map((l) => `${indent} * ${l.replace(/\*\//g, "*\\/")}`.trimEnd());
  return `${indent}/**\n${body.join("\n")}\n${indent} */\n`;
}

function param(p: ParamDecl, global = false): string {
  return `${p.name === "new" ? "replacement" : p.name}${p.optional ? "?" : ""}: ${tsType(p.type, global)}`;
}

/**
 * One signature per way the function can be called: the first `k`
 * parameters positional, the rest (when any) as one object of named
 * arguments, `named` (the front end reads it as `name: value` arguments).
 */
function signatures(name: string, f: FunctionDecl, indent: string, prefix: string): string {
  const out: string[] = [];
  const ps = f.params;
  const ret = tsType(f.returns);
  const required = ps.filter((p) => !p.optional).length;
  for (let k = ps.length; k >= 0; k--) {
    // Named arguments start at the first optional parameter or before it; one required parameter is positional.
    if (k < ps.length && (k > required || (ps.length < 2 && required === 1))) continue;
    const head = ps.slice(0, k).map((p) => param(p));
    const rest = ps.slice(k);
    if (rest.length > 0) {
      const optional = rest.every((p) => p.optional);
      head.push(`named${optional ? "?" : ""}: { ${rest.map((p) => param(p)).join("; ")} }`);
    }
    out.push(`${jsdoc(f.doc, indent, ps)}${indent}${prefix}${name}(${head.join(", ")}): ${ret};\n`);
  }
  return out.join("");
}

/**
 * The stdlib's members whose JavaScript namesake means something else on a
 * string or an array, under the TypeScript name that JavaScript does not
 * define (`"😀".length` is 2 in JavaScript, 1 in a rule; `[10, 9].sort()`
 * sorts in place and as strings). The front end lowers each TypeScript name
 * to the stdlib's and refuses the namesake (TW7025): a `.ts` rule never
 * reads as JavaScript while meaning something else.
 */
export const TS_RENAMES: Readonly<Record<"string" | "List", Readonly<Record<string, { stdlib: string; note: string }>>>> = {
  string: {
    codePointLength: { stdlib: "length", note: "Counts code points: JavaScript's `length` counts UTF-16 units (`\"😀\".length` is 2), so a `.ts` rule spells this `codePointLength`." },
    codePointSlice: { stdlib: "slice", note: "Positions in code points: JavaScript's `slice` counts UTF-16 units, so a `.ts` rule spells this `codePointSlice`." },
    codePointIndexOf: { stdlib: "indexOf", note: "A position in code points, and `undefined` when absent: JavaScript's `indexOf` counts UTF-16 units and gives -1, so a `.ts` rule spells this `codePointIndexOf`." },
  },
  List: {
    sorted: { stdlib: "sort", note: "A new list: JavaScript's `sort()` sorts the array in place and compares as strings (`[10, 9]` stays `[10, 9]`), so a `.ts` rule spells this `sorted()`." },
    sortedBy: { stdlib: "sortBy", note: "A new list, as `sorted()`." },
  },
};

/** `s.codePoints()`: the rule's `s.split("")`, which JavaScript reads as UTF-16 units. */
const CODE_POINTS = `  /** The characters (code points) of the string, each a string: \`s.split("")\` in .thwonk (JavaScript's \`split("")\` splits into UTF-16 units, so a \`.ts\` rule spells this \`codePoints()\`). */
  codePoints(): Array<string>;
`;

/** Fields and methods; methods take positional arguments only (named ones are for the functions). */
function members(t: TypeDeclSpec, indent: string, global = false, renames: Readonly<Record<string, { stdlib: string; note: string }>> = {}): string {
  const tsName = (name: string): [string, string] => {
    const hit = Object.entries(renames).find(([, r]) => r.stdlib === name);
    return hit === undefined ? [name, ""] : [hit[0], `\n${hit[1].note}`];
  };
  // The docs speak the rule's names (`"😀a".length` is 2): in hover they read as the TypeScript names.
  const spoken = (doc: string): string =>
    Object.entries(renames).reduce((d, [as, r]) => d.replace(new RegExp(`([.\`])${r.stdlib}\\b`, "g"), `$1${as}`), doc);
  let out = "";
  for (const [name, field] of Object.entries(t.fields ?? {})) {
    const [as, note] = tsName(name);
    out += `${jsdoc(spoken(field.doc) + note, indent)}${indent}readonly ${as}: ${tsType(field.type, global)};\n`;
  }
  for (const [name, m] of Object.entries(t.methods ?? {})) {
    // A method written under another's name (`joinValues` is `join` on lists of ints, times…) is declared under that name.
    const [as, note] = tsName(m.alias ?? name);
    const ps = [...(m.receiver ? [`this: ${tsType(m.receiver, global)}`] : []), ...m.params.map((p) => param(p, global))];
    const params = m.params.map((p) => (p.doc ? { ...p, doc: spoken(p.doc) } : p));
    out += `${jsdoc(spoken(m.doc) + note, indent, params)}${indent}${as}(${ps.join(", ")}): ${tsType(m.returns, global)};\n`;
  }
  return out;
}

/** The operators of Time and Duration as methods: TypeScript has no operator overloading. */
const TIME_OPERATORS = `    /** The time a duration later (\`t + d\` in .thwonk). */
    plus(d: Duration): Time;
    /** The time a duration earlier (\`t - d\` in .thwonk). */
    minus(d: Duration): Time;
    /** The time between this time and an earlier one (\`t - u\` in .thwonk). */
    minus(t: Time): Duration;
`;

const DURATION_OPERATORS = `    /** Adds two durations (\`d + e\` in .thwonk). */
    plus(d: Duration): Duration;
    /** Subtracts a duration (\`d - e\` in .thwonk). */
    minus(d: Duration): Duration;
    /** The duration times a number (\`d * n\` in .thwonk). */
    times(n: int): Duration;
    /** The duration divided by a number, rounding toward zero (\`d / n\` in .thwonk). */
    div(n: int): Duration;
`;

const DURATION_UNITS: [string, string][] = [
  ["weeks", "w"],
  ["days", "d"],
  ["hours", "h"],
  ["minutes", "m"],
  ["seconds", "s"],
  ["milliseconds", "ms"],
];

const GLOBALS = `// The global types TypeScript needs under noLib, and no more: they have no values.
interface Boolean {}
interface Function {}
interface CallableFunction {}
interface NewableFunction {}
interface IArguments {}
interface Object {}
interface RegExp {}
interface SymbolConstructor {
  readonly iterator: unique symbol;
}
declare var Symbol: SymbolConstructor;
interface IteratorYieldResult<T> {
  done?: false;
  value: T;
}
interface IteratorReturnResult<T> {
  done: true;
  value: T;
}
type IteratorResult<T, R = undefined> = IteratorYieldResult<T> | IteratorReturnResult<R>;
interface Iterator<T, R = undefined, N = undefined> {
  next(...args: [] | [N]): IteratorResult<T, R>;
}
interface Iterable<T, R = undefined, N = undefined> {
  [Symbol.iterator](): Iterator<T, R, N>;
}
interface IterableIterator<T, R = undefined, N = undefined> extends Iterator<T, R, N> {
  [Symbol.iterator](): IterableIterator<T, R, N>;
}
interface TemplateStringsArray {}
`;

/** The text of thwonk.d.ts for the declaration `d`. */
export function thwonkDts(d: StdlibDecl): string {
  const t = d.types;
  const type = (name: string): TypeDeclSpec => t[name] ?? { doc: "" };
  let out = `// Generated from the stdlib declaration (stdlib/index.ts, version ${d.version}) by scripts/thwonk-dts.js.
// Do not edit: run \`npm run build && node scripts/thwonk-dts.js\`. See docs/typescript.md.

${GLOBALS}
${jsdoc(type("int").doc, "")}interface Number {
${members(type("int"), "  ", true)}}
${jsdoc(type("string").doc, "")}interface String {
${members(type("string"), "  ", true, TS_RENAMES.string)}${CODE_POINTS}  /** The string with every occurrence of \`old\` replaced (the rule's \`replace\`, spelled as JavaScript spells it: \`s.replace\` is refused in a .ts rule, where JavaScript changes the first occurrence only). */
  replaceAll(old: string, replacement: string): string;
}
${jsdoc(type("List").doc, "")}interface Array<T> {
${members(type("List"), "  ", true, TS_RENAMES.List)}  [Symbol.iterator](): Iterator<T>;
}

declare module "thwonk" {
  /** An integer (a TypeScript \`number\`; division truncates toward zero). */
  export type int = number;
  /** \`true\` or \`false\`. */
  export type bool = boolean;
  /** A string of at most N characters (\`string max N\` in .thwonk). */
  export type Text<N extends number> = string & { readonly __max?: N };
  /** A list of at most N elements when N is given (\`List<T> max N\`). It is a TypeScript array with the stdlib's methods only. */
  export type List<T, N extends number = number> = Array<T> & { readonly __max?: N };
  /** An empty list, \`new List<T, N>()\` (\`[]\` in .thwonk, where the type says the rest). */
  export const List: { new <T, N extends number = number>(): List<T, N> };
  /** An empty map, \`new Map<K, V, N>()\`, or one with entries, \`new Map([[k, v]])\` (\`{}\`, \`{ k: v }\` in .thwonk). */
  export const Map: { new <K, V, N extends number = number>(entries?: [K, V][]): Map<K, V, N> };
  /** A duration literal: \`days(1)\` is \`1d\` in .thwonk. */
${DURATION_UNITS.map(([fn, unit]) => `  export function ${fn}(n: int): Duration; // ${unit}`).join("\n")}
  /** A scheduled trigger: \`every("day at 00:00", () => { ... })\` is \`every day at 00:00 { ... }\` in .thwonk. */
  export function every(schedule: string, body: () => void): void;
  /** A time literal: \`time("2026-11-25T09:00:00Z")\` is \`2026-11-25T09:00:00Z\` in .thwonk. */
  export function time(iso: string): Time;
  /** An address literal, checked at compile time: \`email("ann@example.org")\` is \`"ann@example.org"\` where .thwonk expects an Address. */
  export function email(literal: string): Address;
`;
  for (const [name, spec] of Object.entries(t)) {
    if (["int", "string", "bool", "List", "State"].includes(name)) continue;
    if (spec.literals) {
      out += `${jsdoc(spec.doc, "  ")}  export type ${name} = ${spec.literals.map((l) => JSON.stringify(l)).join(" | ")};\n`;
      continue;
    }
    if (spec.acceptsFrom && !spec.methods && !spec.fields) {
      out += `${jsdoc(spec.doc, "  ")}  export type ${name} = ${spec.acceptsFrom.map((a) => tsType(a)).join(" | ")};\n`;
      continue;
    }
    if (name === "TimeZone") {
      out += `${jsdoc(spec.doc, "  ")}  export type ${name} = string;\n`;
      continue;
    }
    const params = name === "Map" ? "<K, V, N extends number = number>" : spec.typeParams ? `<${spec.typeParams.join(", ")}>` : "";
    out += `${jsdoc(spec.doc, "  ")}  export interface ${name}${params} {\n`;
    out += `    readonly __${name.toLowerCase()}?: ${name === "Map" ? "N" : "never"};\n`;
    out += members(spec, "    ");
    if (name === "Time") out += TIME_OPERATORS;
    if (name === "Duration") out += DURATION_OPERATORS;
    if (name === "Map") out += "    /** Only in `for (const [k, v] of map.entries())`, which is `for k, v in map` in .thwonk. */\n    entries(): Iterable<[K, V]>;\n";
    if (spec.iterates) out += `    [Symbol.iterator](): Iterator<${tsType(spec.iterates)}>;\n`;
    out += "  }\n";
  }
  for (const [name, g] of Object.entries(d.globals)) {
    if (name === "state") continue;
    out += `${jsdoc(g.doc, "  ")}  export const ${name}: ${tsType(g.type)};\n`;
  }
  for (const [name, f] of Object.entries(d.functions)) {
    out += signatures(name, f, "  ", "export function ");
  }
  out += "}\n";
  return out;
}
