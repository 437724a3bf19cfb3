import type { Diagnostic, Fix, RelatedInfo, Severity, Span } from "../diagnostic.js";

/**
 * One message of the catalog: its code, default severity, a one-line title
 * (for docs, SARIF rules and hover) and a formatter that turns the material
 * a phase collected into words. Messages say what is wrong and how to fix it.
 */
// biome-ignore lint/suspicious/noExplicitAny: the default must take every message's own argument types (unknown[] would not: parameters are contravariant)
export interface MessageDef<A extends unknown[] = any[]> {
  code: string;
  severity: Severity;
  title: string;
  format: (...args: A) => string;
}

export function def<A extends unknown[]>(
  code: string,
  severity: Severity,
  title: string,
  format: (...args: A) => string,
): MessageDef<A> {
  return { code, severity, title, format };
}

export interface DiagnosticExtras {
  related?: RelatedInfo[];
  fix?: Fix;
}

export function makeDiagnostic<A extends unknown[]>(
  m: MessageDef<A>,
  span: Span,
  args: A,
  extras: DiagnosticExtras = {},
): Diagnostic {
  const d: Diagnostic = {
    code: m.code,
    severity: m.severity,
    span,
    message: m.format(...args),
    related: extras.related ?? [],
  };
  if (extras.fix) d.fix = extras.fix;
  return d;
}

/** `code` formatting used by all messages: backticks around source text. */
export function q(s: string): string {
  return "`" + s + "`";
}

/** `a`, `a and b`, `a, b and c`, with each item in backticks. */
export function listWords(items: readonly string[], conj = "and"): string {
  const qs = items.map((i) => "`" + i + "`");
  if (qs.length <= 1) return qs.join("");
  return `${qs.slice(0, -1).join(", ")} ${conj} ${qs[qs.length - 1]}`;
}
