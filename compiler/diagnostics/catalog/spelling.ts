/**
 * How each surface writes what a message's advice shows. A rule is a
 * `.thwonk` file or a `.ts` module (docs/typescript.md), and both go through
 * the one checker and this one catalog; a message whose advice shows code
 * asks the spelling of the file it is reported in, so a `.ts` rule is told
 * `const x = e;` where a `.thwonk` rule is told `let x = e`. The phases pass
 * the same material for both (names, types as `typeToString` writes them,
 * triggers as `on message` or `every day`); only the words differ.
 */

import { RESERVED_WORDS } from "../../syntax/tokens.js";

/** The language a source file is written in. */
export type Surface = "thwonk" | "ts";

/** A rule's `.ts` module (the front end is chosen by extension, compiler/program.ts). */
export function surfaceOf(file: string): Surface {
  return file.endsWith(".ts") ? "ts" : "thwonk";
}

export interface Spelling {
  readonly surface: Surface;
  /** The word that declares a name that never changes (`let`, `const`) and one that may (`var`, `let`). */
  readonly constWord: string;
  readonly varWord: string;
  /** The word a helper function is declared with (`fn`, `function`). */
  readonly fnWord: string;
  /** The missing value (`none`, `undefined`). */
  readonly none: string;
  /** A binary operator as the core writes it (`and`, `==`), in this surface's spelling (`&&`, `===`). */
  op(op: string): string;
  /** Equality and inequality (`==`, `===`). */
  readonly eq: string;
  readonly ne: string;
  /** A declaration statement: `decl("let", "x", "e")`, with `kw` as the `.thwonk` rule writes it (`let` or `var`). */
  decl(kw: string, name: string, value: string, type?: string): string;
  /** A statement block under a condition: `if c { ... }`, `if (c) { ... }`. */
  ifBlock(cond: string, body?: string): string;
  and(a: string, b: string): string;
  or(a: string, b: string): string;
  not(a: string): string;
  /** A loop over a collection, with an optional filter. */
  forEach(x: string, xs: string, where?: string): string;
  /** An expression's place inside a string: `{x}`, `${x}`. */
  hole(expr: string): string;
  /** A string with `expr` put inside it: `"a {x}"`, `` `a ${x}` ``; `parts` alternate text and expressions. */
  interpolate(...parts: string[]): string;
  /** A type as `typeToString` writes it (`Time?`, `string max 80`), in this surface's spelling. */
  type(text: string): string;
  /** An optional type: `T?`, `T | undefined`. */
  optional(type: string): string;
  /** A sized type, as in `List<Address> max 500` or `List<Address, 500>`. */
  sized(type: string, max: string): string;
  /** Where a size bound is written, for "raise the `max`": `max` or the last type argument. */
  readonly boundWord: string;
  /** A trigger as the checker (`on message`) or a bundle's manifest (`message`) names it, as the rule writes it (`triggerAsDeclared`). */
  trigger(name: string): string;
  /** A schedule (`day at 06:00`, `15m`), as a trigger of it is written. */
  schedule(text: string): string;
  /** A limits, settings or state declaration: `limits { budget: ... }`, `export const limits = { budget: ... }`. */
  block(kind: "limits" | "settings" | "state", entry: string): string;
  /** A duration literal (`7d`, `days(7)`) and a time literal. */
  duration(amount: number, unit: DurationUnit): string;
  time(iso: string): string;
  /** An address literal where an Address is expected. */
  address(text: string): string;
  /** The trigger that handles a message, with its parameter. */
  readonly onMessage: string;
  /** Words a declared name cannot be here (a `.ts` rule's field may be one: `state.default`, which is no `const default`). */
  readonly reserved: ReadonlySet<string>;
}

/** JavaScript's reserved words in a module (strict mode), and the names a module's declaration cannot take or the lowering reads otherwise. */
const TS_RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function if import in " +
    "instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package " +
    "private protected public await undefined arguments eval").split(" "),
);

const THWONK: Spelling = {
  surface: "thwonk",
  constWord: "let",
  varWord: "var",
  fnWord: "fn",
  none: "none",
  eq: "==",
  ne: "!=",
  op: (op) => op,
  decl: (kw, name, value, type) => `${kw} ${name}${type ? `: ${type}` : ""} = ${value}`,
  ifBlock: (cond, body = "...") => `if ${cond} { ${body} }`,
  and: (a, b) => `${a} and ${b}`,
  or: (a, b) => `${a} or ${b}`,
  not: (a) => `not ${a}`,
  forEach: (x, xs, where) => `for ${x} in ${xs}${where ? ` where ${where}` : ""} { ... }`,
  hole: (expr) => `{${expr}}`,
  interpolate: (...parts) => `"${parts.map((p, i) => (i % 2 ? `{${p}}` : p)).join("")}"`,
  type: (text) => text,
  optional: (type) => `${type}?`,
  sized: (type, max) => `${type} max ${max}`,
  boundWord: "`max`",
  trigger: (name) => name,
  schedule: (text) => `every ${text}`,
  block: (kind, entry) => `${kind} { ${entry} }`,
  duration: (amount, unit) => `${amount}${unit}`,
  time: (iso) => iso,
  address: (text) => JSON.stringify(text),
  onMessage: "on message(m: Message)",
  reserved: new Set(RESERVED_WORDS),
};

/** The units of a duration literal, and the function a `.ts` rule writes each with (compiler/typescript/calls.ts). */
const TS_UNITS = { w: "weeks", d: "days", h: "hours", m: "minutes", s: "seconds", ms: "milliseconds" } as const;
export type DurationUnit = keyof typeof TS_UNITS;
const TS_OPERATORS: Readonly<Record<string, string>> = { and: "&&", or: "||", "==": "===", "!=": "!==" };

const TS: Spelling = {
  surface: "ts",
  constWord: "const",
  varWord: "let",
  fnWord: "function",
  none: "undefined",
  eq: "===",
  ne: "!==",
  op: (op) => TS_OPERATORS[op] ?? op,
  // A `.thwonk` `let` is a TypeScript `const`, its `var` a `let` (docs/typescript.md).
  decl: (kw, name, value, type) => `${kw === "var" ? "let" : "const"} ${name}${type ? `: ${type}` : ""} = ${value};`,
  ifBlock: (cond, body = "...") => `if (${cond}) { ${body} }`,
  and: (a, b) => `${a} && ${b}`,
  or: (a, b) => `${a} || ${b}`,
  not: (a) => `!${/^(?:[\w.]+(?:\(.*\))?|\(.*\))$/.test(a) ? a : `(${a})`}`,
  forEach: (x, xs, where) => `for (const ${x} of ${xs})${where ? ` if (${where})` : ""} { ... }`,
  hole: (expr) => `\${${expr}}`,
  interpolate: (...parts) => `\`${parts.map((p, i) => (i % 2 ? `\${${p}}` : p)).join("")}\``,
  type: (text) => tsType(text),
  optional: (type) => `${type} | undefined`,
  sized: (type, max) => tsType(`${type} max ${max}`),
  boundWord: "bound (the last type argument: `Text<N>`, `List<T, N>`, `Map<K, V, N>`)",
  trigger: (name) => {
    const on = /^(?:on )?(\w+)$/.exec(name);
    if (on) return `on${on[1]!.charAt(0).toUpperCase()}${on[1]!.slice(1)}`;
    const every = /^every (.+)$/.exec(name);
    return every ? `every(${JSON.stringify(every[1])}, …)` : name;
  },
  schedule: (text) => `every(${JSON.stringify(text)}, () => { ... })`,
  block: (kind, entry) => `export const ${kind} = { ${entry} }`,
  duration: (amount, unit) => `${TS_UNITS[unit]}(${amount})`,
  time: (iso) => `time(${JSON.stringify(iso)})`,
  address: (text) => `email(${JSON.stringify(text)})`,
  onMessage: "export function onMessage(m: Message)",
  reserved: TS_RESERVED,
};

export function spellingOf(surface: Surface): Spelling {
  return surface === "ts" ? TS : THWONK;
}

/**
 * A trigger named as the file it is declared in declares it, for what a
 * person reads (`check --cost`, `inspect`, `compile`): in a `.ts` rule
 * `onMessage` and `every("day at 00:00", …)`; in a `.thwonk` rule the name
 * given, as the checker (`on message`) or the manifest (`message`) has it.
 * The manifest's names stay what JSON output and `run --trigger` use.
 */
export function triggerAsDeclared(name: string, file: string): string {
  return spellingOf(surfaceOf(file)).trigger(name);
}

/** A type as `typeToString` (and a manifest's state) writes it, as the file it is declared in writes it (`Map<Address, Time, 5000>` in a `.ts` rule). */
export function typeAsDeclared(text: string, file: string): string {
  return spellingOf(surfaceOf(file)).type(text);
}

/**
 * A message's words: a string, or words that depend on the spelling of the
 * file the message is reported in (its span's file).
 */
export type Words = string | ((s: Spelling) => string);

export function say(words: Words, s: Spelling): string {
  return typeof words === "string" ? words : words(s);
}

/**
 * A type written by `typeToString` (`List<Time?> max 5`, `{ a: int, b: string max 80 }`)
 * in TypeScript's spelling (`List<Time | undefined, 5>`, `{ a: int; b: Text<80> }`),
 * as stdlib/thwonk.d.ts declares them. Text it does not read is given back as it is.
 */
export function tsType(text: string): string {
  let i = 0;
  const ws = (): void => {
    while (text[i] === " ") i++;
  };
  const name = (): string => {
    const m = /^[A-Za-z_][A-Za-z0-9_]*|^\?/.exec(text.slice(i));
    if (!m) throw new Error("no name");
    i += m[0].length;
    return m[0];
  };
  // One type, with the `?` and `| undefined` that bind loosest: `int?` in `List<int?>` is `List<int | undefined>`.
  const type = (): { text: string; optional: boolean } => {
    ws();
    let base: string;
    if (text[i] === "{") {
      i++;
      const fields: string[] = [];
      ws();
      while (text[i] !== "}") {
        const field = name();
        ws();
        if (text[i++] !== ":") throw new Error("no colon");
        fields.push(`${field}: ${full(type())}`);
        ws();
        if (text[i] === ",") i++;
        ws();
        if (i >= text.length) throw new Error("open record");
      }
      i++;
      base = fields.length ? `{ ${fields.join("; ")} }` : "{}";
    } else {
      const n = name();
      const args: string[] = [];
      if (text[i] === "<") {
        i++;
        for (;;) {
          args.push(full(type()));
          ws();
          if (text[i] === ",") i++;
          else if (text[i] === ">") break;
          else throw new Error("open arguments");
        }
        i++;
      }
      const max = /^ max (\d[\d,_]*)/.exec(text.slice(i));
      if (max) i += max[0].length;
      const bound = max?.[1]?.replace(/[,_]/g, "");
      if (n === "string" && bound) base = `Text<${bound}>`;
      else if (n === "none") base = "undefined";
      else if (n === "nothing") base = "void";
      else {
        const all = bound ? [...args, bound] : args;
        base = all.length ? `${n}<${all.join(", ")}>` : n;
      }
    }
    let optional = false;
    while (text[i] === "?") {
      optional = true;
      i++;
    }
    return { text: base, optional };
  };
  const full = (t: { text: string; optional: boolean }): string => (t.optional ? `${t.text} | undefined` : t.text);
  try {
    const t = full(type());
    ws();
    return i === text.length ? t : text;
  } catch {
    return text;
  }
}
