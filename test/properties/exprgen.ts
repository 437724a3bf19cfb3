/**
 * Typed expressions for the size-bound property (expr-bounds.test.ts):
 * strings built from interpolations of every type that shows in a string
 * (bool, int, string, Time, Duration, Address), orderings, `+`, and the
 * string and list methods whose costs and result sizes depend on sizes
 * (length, slice, truncate, indexOf, matches, toInt, split, join of strings
 * and of values, sort). The message's fields are the sized inputs.
 */
import fc from "fast-check";

export type Kind = "S" | "B" | "I" | "T" | "D" | "A" | "LS" | "LI";

const LITS = ['""', '"a"', '"b"', '"😀x"', '"*"', '"a?"', '"-12"', '"9007199254740993"', '","', '"é"', '"👍👍"'];
const paren = (s: string): string => `(${s})`;

/**
 * Made once for each kind and depth: an arbitrary is a description (what it draws depends on the random source
 * alone), and made afresh each one built every arbitrary below it again, thousands for one expression.
 */
const made = new Map<string, fc.Arbitrary<string>>();

/** An expression of kind `k`, at most `depth` levels deep. */
export function exprArb(k: Kind, depth: number): fc.Arbitrary<string> {
  const key = `${k} ${depth}`;
  let arb = made.get(key);
  if (!arb) made.set(key, (arb = makeExprArb(k, depth)));
  return arb;
}

function makeExprArb(k: Kind, depth: number): fc.Arbitrary<string> {
  const sub = (kk: Kind): fc.Arbitrary<string> => exprArb(kk, depth - 1);
  const leaf: Record<Kind, fc.Arbitrary<string>> = {
    S: fc.constantFrom("m.subject", "m.fromName", "m.text", ...LITS),
    B: fc.constantFrom("true", "false", "m.approved"),
    I: fc.constantFrom("0", "-1", "3", "-9007199254740991", "9007199254740991", "m.attachments.size"),
    T: fc.constantFrom("now", "(m.date ?? now)"),
    D: fc.constantFrom("1h", "3d", "90s", "0s", "(now - (m.date ?? now))"),
    A: fc.constantFrom("m.from", "m.envelope.recipient", "(m.replyTo ?? m.from)"),
    LS: fc.constantFrom('["a", "😀"]', "m.subject.split(\" \")", "m.text.lines()"),
    LI: fc.constantFrom("[1, -2, 30]", "[9007199254740991, -9007199254740991]"),
  };
  if (depth <= 0) return leaf[k];
  const any = fc.constantFrom<Kind>("S", "B", "I", "T", "D", "A").chain((kk) => sub(kk));
  const text = fc.constantFrom("", " ", "😀", "x-");
  const smallI = fc.constantFrom("0", "1", "-1", "2", "-3", "1000");
  const more: Record<Kind, fc.Arbitrary<string>[]> = {
    S: [
      fc.array(fc.tuple(text, any), { minLength: 1, maxLength: 4 }).map((ps) => `"${ps.map(([t, e]) => `${t}{${e}}`).join("")}"`),
      fc.tuple(sub("S"), sub("S")).map(([a, b]) => paren(`${a} + ${b}`)),
      fc.tuple(sub("S"), smallI, smallI).map(([s, a, b]) => `${paren(s)}.slice(${a}, ${b})`),
      fc.tuple(sub("S"), sub("I")).map(([s, a]) => `${paren(s)}.slice(${a})`),
      fc.tuple(sub("S"), smallI).map(([s, n]) => `${paren(s)}.truncate(${n})`),
      fc.tuple(sub("S"), fc.constantFrom("upper", "lower", "trim", "escapeHtml")).map(([s, f]) => `${paren(s)}.${f}()`),
      fc.tuple(sub("LS"), sub("S")).map(([l, s]) => `${paren(l)}.join(${s})`),
      fc.tuple(sub("LI"), sub("S")).map(([l, s]) => `${paren(l)}.join(${s})`),
      fc.tuple(sub("LS"), sub("S")).map(([l, s]) => `${paren(l)}.sort().join(${s})`),
      // join of values that are not strings: addresses, times, durations, bools, each shown as in `{x}`.
      fc.tuple(fc.constantFrom("m.to", "m.cc.sort()", "[m.from, m.envelope.recipient]"), sub("S")).map(([l, s]) => `${l}.join(${s})`),
      fc.tuple(sub("T"), sub("T"), sub("S")).map(([a, b, s]) => `[${a}, ${b}].sort().join(${s})`),
      fc.tuple(sub("D"), sub("D"), sub("S")).map(([a, b, s]) => `[${a}, ${b}].join(${s})`),
      fc.tuple(sub("B"), sub("B"), sub("S")).map(([a, b, s]) => `[${a}, ${b}].join(${s})`),
      fc.tuple(sub("S"), sub("S"), sub("S")).map(([s, a, b]) => `${paren(s)}.replace(${a}, ${b})`),
    ],
    B: [
      fc.tuple(sub("S"), fc.constantFrom("<", "<=", ">", ">=", "==", "!="), sub("S")).map(([a, o, b]) => paren(`${a} ${o} ${b}`)),
      fc.tuple(sub("I"), fc.constantFrom("<", ">="), sub("I")).map(([a, o, b]) => paren(`${a} ${o} ${b}`)),
      fc.tuple(sub("T"), sub("T")).map(([a, b]) => paren(`${a} < ${b}`)),
      fc.tuple(sub("S"), sub("S"), fc.boolean()).map(([s, p, i]) => `${paren(s)}.matches(${p}${i ? ", ignoreCase: true" : ""})`),
      fc.tuple(sub("S"), sub("S")).map(([s, p]) => `${paren(s)}.contains(${p})`),
      sub("S").map((s) => `${paren(s)}.isEmpty()`),
    ],
    I: [
      sub("S").map((s) => `${paren(s)}.length`),
      fc.tuple(sub("S"), sub("S")).map(([s, n]) => paren(`${paren(s)}.indexOf(${n}) ?? -1`)),
      fc.tuple(sub("S"), sub("I")).map(([s, d]) => paren(`${paren(s)}.toInt() ?? ${d}`)),
      sub("LS").map((l) => `${paren(l)}.size`),
      fc.tuple(sub("I"), smallI).map(([a, b]) => paren(`${a} - ${b}`)),
    ],
    T: [fc.tuple(sub("T"), sub("D")).map(([t, d]) => paren(`${t} + ${d}`)), fc.tuple(sub("T"), sub("D")).map(([t, d]) => paren(`${t} - ${d}`))],
    D: [fc.tuple(sub("T"), sub("T")).map(([a, b]) => paren(`${a} - ${b}`)), fc.tuple(sub("D"), smallI).map(([d, n]) => paren(`${d} * ${n}`))],
    A: [],
    LS: [
      fc.tuple(sub("S"), sub("S")).map(([s, p]) => `${paren(s)}.split(${p})`),
      sub("S").map((s) => `${paren(s)}.lines()`),
      fc.array(sub("S"), { minLength: 1, maxLength: 3 }).map((xs) => `[${xs.join(", ")}]`),
      sub("LS").map((l) => `${paren(l)}.sort()`),
    ],
    LI: [fc.array(sub("I"), { minLength: 1, maxLength: 3 }).map((xs) => `[${xs.join(", ")}]`), sub("LI").map((l) => `${paren(l)}.sort()`)],
  };
  return fc.oneof({ depthSize: "small" }, leaf[k], ...more[k]);
}

/** Copies of the value in the measured template: any unit the bound misses shows as at least one gas. */
export const COPIES = 16;

/**
 * The rule under test: `v` is shown once (its text read back from the log)
 * and 16 times in one template (interpolation costs ⌈length/16⌉, so a length
 * bound one unit short is one gas short). With `probe`, `v` is written into a
 * `string max 1` state field instead, so that check states its bound of `v`
 * in characters (TW3005).
 */
export function exprRule(e: string, probe: boolean): string {
  const head = `rule exprs\nlimits { subject: 40, text: 90, header: 400, members: 2, recipients: 3 }\n`;
  if (probe) return `${head}state {\n  out: string max 1 = ""\n}\n\non message(m: Message) {\n  let v = ${e}\n  state.out = v\n}\n`;
  return `${head}\non message(m: Message) {\n  let v = ${e}\n  log("{v}")\n  log("${"{v}".repeat(COPIES)}")\n}\n`;
}
