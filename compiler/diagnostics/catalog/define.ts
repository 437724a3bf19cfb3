import type { Diagnostic, Fix, RelatedInfo, Severity, Span } from "../diagnostic.js";
import { say, spellingOf, surfaceOf, type Spelling, type Words } from "./spelling.js";

/**
 * One message of the catalog: its code, default severity, a one-line title
 * (for docs, SARIF rules and hover) and a formatter that turns the material
 * a phase collected into words. Messages say what is wrong and how to fix it;
 * advice that shows code is written for the file's surface (spelling.ts).
 */
// biome-ignore lint/suspicious/noExplicitAny: the default must take every message's own argument types (unknown[] would not: parameters are contravariant)
export interface MessageDef<A extends unknown[] = any[]> {
  code: string;
  severity: Severity;
  title: string;
  format: (...args: A) => Words;
}

export function def<A extends unknown[]>(
  code: string,
  severity: Severity,
  title: string,
  format: (...args: A) => Words,
): MessageDef<A> {
  return { code, severity, title, format };
}

/**
 * A message's material, where a phase may give any part as words for the
 * surface (a hint, an advice sentence): `(s) => ...`, resolved before the
 * message is formatted.
 */
export type SpelledArgs<A extends unknown[]> = { [K in keyof A]: A[K] | ((s: Spelling) => A[K]) };

export interface DiagnosticExtras {
  related?: RelatedInfo[];
  fix?: Fix;
}

export function makeDiagnostic<A extends unknown[]>(
  m: MessageDef<A>,
  span: Span,
  args: SpelledArgs<A>,
  extras: DiagnosticExtras = {},
): Diagnostic {
  const d: Diagnostic = {
    code: m.code,
    severity: m.severity,
    span,
    // The span's file says how the rule is written, so every host (CLI, language server, daemon) gets the same words.
    message: messageText(m, span.file, args),
    related: extras.related ?? [],
  };
  if (extras.fix) d.fix = extras.fix;
  return d;
}

/** A message's text as a rule in `file` reads it. */
export function messageText<A extends unknown[]>(m: MessageDef<A>, file: string, args: SpelledArgs<A>): string {
  const s = spellingOf(surfaceOf(file));
  const material = args.map((a) => (typeof a === "function" ? (a as (s: Spelling) => unknown)(s) : a)) as A;
  return say(m.format(...material), s);
}

/** `code` formatting used by all messages: backticks around source text (two, as Markdown has it, around text that holds one: a TypeScript template). */
export function q(s: string): string {
  return s.includes("`") ? "`` " + s + " ``" : "`" + s + "`";
}

/** `a`, `a and b`, `a, b and c`, with each item in backticks. */
export function listWords(items: readonly string[], conj = "and"): string {
  const qs = items.map((i) => "`" + i + "`");
  if (qs.length <= 1) return qs.join("");
  return `${qs.slice(0, -1).join(", ")} ${conj} ${qs[qs.length - 1]}`;
}
