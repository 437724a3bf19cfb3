/**
 * The emitted code charges exactly what the verifier counted, construct by
 * construct (issue 8, hole 3). Each row of the table is a small rule that
 * uses one construct (an operator on one pair of operand types, a stdlib
 * method or function, a statement, a literal, an interpolated type, ...),
 * compiled to its bundle and run on real QuickJS:
 *  - on the worst-case input at the declared limits (every string at its
 *    limit in astral characters, two UTF-16 units each; every list, map and
 *    roster full) the gas used must equal the verifier's bound: the bound is
 *    sound and tight for the construct;
 *  - on random inputs within the limits (fast-check) the gas used must stay
 *    within the bound, and no run may stop on anything but a rule error.
 * The table must cover every operator, construct cost, method, function and
 * costed field of the stdlib, every statement and expression kind of the
 * AST and every `==` and interpolation type: adding one without a row fails.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { stdlib } from "../../stdlib/index.js";
import { LOCAL_MAX } from "../../contract/values.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { TEST_TOKEN_KEY } from "../../runtime/sandbox/tokens.js";
import { resolveLimits as sandboxLimits } from "../../runtime/sandbox/types.js";
import { assembleInput, encodeInput } from "../../runtime/input/build.js";
import type { RuleLimits } from "../../runtime/input/limits.js";
import type { MemberJson, MessageJson } from "../../runtime/input/types.js";
import { repoRoot } from "../helpers/repo.js";
import { compileRule, message, NOW, runOn, type Compiled } from "./charge-harness.js";

// ------------------------------------------------------------------ the rule around each row

const LIMITS = { subject: 6, text: 12, html: 4, header: 330, headers: 3, recipients: 4, attachments: 2, members: 3, logs: 1000 };

const STATE_DECL = `state {
  s: string max 5
  n: int = 0
  xs: List<string max 3> max 3
  mp: Map<string max 3, string max 4> max 3
  when: Time? 
}`;

function source(row: Row): string {
  const limits = Object.entries(LIMITS).map(([k, v]) => `${k}: ${v}`).join(", ");
  return `rule charges\nlimits { ${limits} }\n${STATE_DECL}\n${row.decls ?? ""}\non message(m: Message) {\n${indent(row.body)}\n}\n`;
}

/** The body indented: a line starting with `state` at column 1 is read as a new declaration (the parser's recovery). */
function indent(body: string): string {
  return body.split("\n").map((l) => "  " + l).join("\n");
}

// ------------------------------------------------------------------ worst-case input

const ASTRAL = "😀";
const astral = (n: number): string => ASTRAL.repeat(n);
/**
 * An address of 320 characters, the most an Address may have: a 64-character local part and a 255-character domain.
 * (The local part alone may be longer, up to LOCAL_MAX; the envelope's +tag below is at its longest, LOCAL_MAX - 1.)
 */
function addressOf(seed: string): string {
  const local = (seed + "x".repeat(64)).slice(0, 64);
  return `${local}@${["a".repeat(63), "b".repeat(63), "c".repeat(63), "e".repeat(59)].join(".")}.org`;
}

const LONG_FROM = addressOf("ann");
const LONG = [addressOf("bob"), addressOf("cat"), addressOf("dan"), addressOf("eve")];

interface Input {
  message: MessageJson;
  members: MemberJson[];
  state: Record<string, unknown> | null;
}

function worstInput(): Input {
  const sub = astral(LIMITS.subject);
  return {
    message: message({
      from: LONG_FROM,
      subject: sub,
      text: astral(LIMITS.text),
      html: astral(LIMITS.html),
      // To and Cc are each bounded by the recipients limit (and together too): the worst case of `m.to` has no Cc.
      to: LONG.slice(0, LIMITS.recipients),
      cc: [],
      headers: [
        ["X-A", astral(LIMITS.header)],
        ["x-a", astral(LIMITS.header)],
        ["X-B", astral(LIMITS.header)],
      ],
      attachments: [
        { filename: astral(LIMITS.header), contentType: astral(LIMITS.header), size: 9_007_199_254_740_991 },
        { filename: astral(LIMITS.header), contentType: astral(LIMITS.header), size: 9_007_199_254_740_991 },
      ],
      date: NOW - 9_000 * 86_400_000 - 1,
      messageId: "id@example.org",
      envelope: { sender: LONG_FROM, recipient: "list@example.org", isRequest: false, tag: "x".repeat(LOCAL_MAX - 1) },
    }),
    members: [LONG_FROM, LONG[0]!, LONG[1]!].map((a, i) => ({ address: a, name: astral(128), role: "owner", joined: NOW - i })),
    state: {
      s: astral(5),
      n: -9_007_199_254_740_991,
      xs: [astral(3), astral(3), astral(3)],
      mp: { [astral(3)]: astral(4), [ASTRAL + ASTRAL + "a"]: astral(4), ["a" + astral(2)]: astral(4) },
      when: new Date(NOW).toISOString(),
    },
  };
}

// ------------------------------------------------------------------ random input

const styles = ["", "a", ASTRAL, "é", "ß", "İ", ",", "\n", "<", "\"", "&"] as const;
const textArb = (max: number) => fc.tuple(fc.integer({ min: 0, max }), fc.array(fc.constantFrom(...styles.slice(1)), { minLength: 1, maxLength: 3 })).map(([n, alphabet]) => Array.from({ length: n }, (_, i) => alphabet[i % alphabet.length]).join(""));

const inputArb: fc.Arbitrary<Input> = fc
  .record({
    subject: textArb(LIMITS.subject),
    text: textArb(LIMITS.text),
    html: fc.option(textArb(LIMITS.html), { nil: null }),
    to: fc.integer({ min: 0, max: 2 }),
    cc: fc.integer({ min: 0, max: 2 }),
    headers: fc.integer({ min: 0, max: LIMITS.headers }),
    header: textArb(LIMITS.header),
    attachments: fc.integer({ min: 0, max: LIMITS.attachments }),
    filename: fc.option(textArb(20), { nil: null }),
    members: fc.integer({ min: 0, max: LIMITS.members }),
    fromMember: fc.boolean(),
    date: fc.option(fc.integer({ min: NOW - 40 * 365 * 86_400_000, max: NOW }), { nil: null }),
    tag: fc.option(textArb(10).map((s) => s.replace(/[^a-z]/g, "t")), { nil: null }),
    state: fc.option(
      fc.record({ s: textArb(5), n: fc.integer({ min: -1e6, max: 1e6 }), xs: fc.array(textArb(3), { maxLength: 3 }), mp: fc.integer({ min: 0, max: 3 }), v: textArb(4) }),
      { nil: null },
    ),
  })
  .map((p) => {
    const members: MemberJson[] = ["m1@example.org", LONG[0]!, "m3@example.net"].slice(0, p.members).map((a, i) => ({ address: a, name: p.subject, role: i === 1 ? "owner" : "member", joined: NOW - i }));
    const from = p.fromMember && members.length ? members[0]!.address : "stranger@example.com";
    const headerNames = ["X-A", "x-a", "X-B"];
    const mp: Record<string, string> = {};
    for (let i = 0; i < (p.state?.mp ?? 0); i++) mp[["k", "a" + ASTRAL, ASTRAL][i]!] = p.state!.v;
    return {
      message: message({
        from,
        subject: p.subject,
        text: p.text,
        html: p.html,
        to: LONG.slice(0, p.to),
        cc: ["c1@example.org", "c2@example.org"].slice(0, p.cc),
        headers: headerNames.slice(0, p.headers).map((n) => [n, p.header.replace(/[\r\n]/g, " ")] as [string, string]),
        attachments: Array.from({ length: p.attachments }, () => ({ filename: p.filename, contentType: "text/plain", size: p.text.length })),
        date: p.date,
        envelope: { sender: from, recipient: "list@example.org", isRequest: false, tag: p.tag },
      }),
      members,
      state: p.state ? { s: p.state.s, n: p.state.n, xs: p.state.xs, mp, when: null } : null,
    };
  });

/** One engine for the random runs (the daemon's `reuse` strategy: the bundle stays loaded, each run starts from its input). */
let engine: Engine | undefined;
async function runFast(c: Compiled, inp: Input): Promise<{ used: number; error: string | null }> {
  engine ??= new Engine({ limits: sandboxLimits({ timeLimitMs: 30_000 }), strategy: "reuse" });
  const limits = c.bundle.manifest.limits as unknown as RuleLimits;
  const input = assembleInput({ now: NOW, limits, message: inp.message, members: inp.members, state: inp.state, gas: c.bound });
  const { inputJson, members } = encodeInput(input);
  const r = await engine.run(c.bundle.code.text, c.bundle.sha256, "message", inputJson, members, { tokenKey: TEST_TOKEN_KEY });
  if (!r.result.ok) return { used: c.bound + 1, error: r.result.error.code };
  const out = JSON.parse(r.result.output) as { gas: { used: number }; error: { code: string } | null };
  return { used: out.gas.used, error: out.error?.code ?? null };
}

/** Errors a rule may stop with on some inputs (division by zero, int overflow, state max, member limit, ...): not gas problems. */
const RULE_ERRORS = new Set(["TW5010", "TW5011", "TW5012", "TW5013", "TW5014", "TW5015", "TW5016"]);

// ------------------------------------------------------------------ the table

interface Row {
  /** What the row covers (see `required` below). */
  covers: string[];
  body: string;
  /** Declarations before the trigger (fns). */
  decls?: string;
  /** Changes to the worst-case input (a `??` is worst when its left side is none). */
  worst?: (w: Input) => void;
  /** Why gas used on the worst case is below the bound, when it cannot be equal (the test then asserts ≤). */
  notExact?: string;
}

/**
 * `if c { break }`: the bound is the larger branch of the `if` (the `break`
 * statement) plus the rest of the body, every iteration; a run either skips
 * the `break` or skips the rest. Used ≤ bound, and the bound is over by at
 * most one statement per iteration.
 */
const GROWS = "loading and saving state is charged at its maxima both ways (docs/cost-model.md, \"State\"): a run that adds to state loaded less than its max";
const BREAK = "an early exit is charged as the full loop plus the exit's own statement (the verifier takes both paths of the `if`)";

const rows: Row[] = [
  // The case of issue 8: `none == m.subject` was charged at run time and not in the bound.
  { covers: ["eq string? string", "construct stringEquality", "stmt LetStmt", "expr NoneLit"], body: `let x: string? = none\nlet same = x == m.subject\nlog("{same}")` },
  { covers: ["eq string string", "binary =="], body: `let b = m.subject == m.text` },
  { covers: ["binary !="], body: `let b = m.text != m.subject` },
  { covers: ["eq string? none"], body: `let b = m.html == none\nlet c = none != m.html` },
  { covers: ["eq string? string?"], body: `let b = m.html == m.envelope.tag` },
  { covers: ["eq string? string?"], body: `let b = m.html == m.html` },
  { covers: ["eq string literal"], body: `let b = m.subject == "${astral(7)}"` },
  { covers: ["eq int int", "expr IntLit"], body: `let b = m.subject.length == 3` },
  { covers: ["eq bool bool", "expr BoolLit"], body: `let b = m.subject.isEmpty() == false` },
  { covers: ["eq Address Address"], body: `let b = m.from == list.address` },
  { covers: ["eq int? int"], body: `let b = m.text.indexOf(m.subject) == 3` },
  { covers: ["eq Address? Address"], body: `let b = m.envelope.sender == m.from` },
  { covers: ["eq Time Time", "expr TimeLit"], body: `let b = now == 2026-01-01T00:00:00Z` },
  { covers: ["eq Time? none"], body: `let b = m.date == none` },
  { covers: ["eq Duration Duration", "expr DurationLit"], body: `let b = now - now == 1h` },
  { covers: ["eq Role Role"], body: `for mb in members {\n  let b = mb.role == "owner"\n}` },
  { covers: ["eq SendFrom SendFrom"], body: `let f: SendFrom = "list"\nlet b = f == "sender"` },
  { covers: ["eq TimeZone TimeZone"], body: `let z: TimeZone = "Europe/Paris"\nlet b = z == "UTC"` },

  // Declared operators, each operand type pair.
  { covers: ["op + int int", "op - int int", "op * int int"], body: `let a = m.subject.length + m.text.length - 2 * m.subject.length` },
  { covers: ["op / int int", "op % int int"], body: `let a = m.text.length / 3 % 2` },
  { covers: ["op + string string", "construct operation"], body: `let a = m.subject + m.text` },
  { covers: ["op + string string"], body: `let a = "" + ""` },
  { covers: ["op - Time Time", "op + Time Duration", "op - Time Duration"], body: `let d = now - (now + 1h - 2m)` },
  { covers: ["op + Duration Duration", "op - Duration Duration", "op * Duration int", "op * int Duration", "op / Duration int"], body: `let d = (1h + 2m - 3s) * 2 + 3 * 1m / 4` },
  ...["<", "<=", ">", ">="].flatMap((op): Row[] => [
    { covers: [`op ${op} int int`, `binary ${op}`], body: `let b = m.subject.length ${op} m.text.length` },
    { covers: [`op ${op} string string`], body: `let b = m.text ${op} m.subject` },
    { covers: [`op ${op} Time Time`], body: `let b = now ${op} now` },
    { covers: [`op ${op} Duration Duration`], body: `let b = 1h ${op} 2m` },
  ]),
  { covers: ["binary +", "binary -", "binary *", "binary /", "binary %"], body: `let a = 1 + 2 - 3 * 4 / 5 % 6` },
  { covers: ["expr UnaryExpr", "unary -"], body: `let a = -m.subject.length` },
  { covers: ["unary - Duration"], body: `let d = -(now - now)` },
  { covers: ["unary not"], body: `let b = not m.subject.isEmpty()` },

  // Short circuits: the right side runs only sometimes; the worst case runs it.
  { covers: ["binary and"], body: `let b = m.subject != "" and m.text.contains(m.subject)` },
  { covers: ["binary or"], body: `let b = m.subject == "" or m.text.contains(m.subject)` },
  { covers: ["binary ??"], body: `let x = m.html ?? m.subject.trim()`, worst: (w) => void (w.message.html = null) },
  { covers: ["binary ??"], body: `let x = m.html ?? m.subject.trim()`, notExact: "the right side of `??` runs only when the left is none; the bound charges both, and here the HTML is there" },

  // Interpolation: the result's length, each type shown.
  { covers: ["interp string", "construct interpolation", "expr StringLit"], body: `log("<{m.subject}>{m.text}")` },
  { covers: ["interp string"], body: `log("{""}")` },
  { covers: ["interp int"], body: `log("{state.n}")` },
  { covers: ["interp bool"], body: `log("{m.subject.isEmpty()}")` },
  { covers: ["interp Address"], body: `log("{m.from}")` },
  { covers: ["interp Address"], body: `log("{list.address}")`, notExact: "the list's address is shorter than the 320 characters an Address may have" },
  { covers: ["interp Time"], body: `log("{now}")` },
  { covers: ["interp Duration"], body: `log("{now - 2000-01-01T01:02:03Z}")` },
  { covers: ["interp Role"], body: `for mb in members {\n  log("{mb.role}")\n}` },
  { covers: ["interp TimeZone"], body: `let z: TimeZone = "America/Argentina/ComodRivadavia"\nlog("{z}")` },
  { covers: ["interp string narrowed"], body: `if m.html != none {\n  log("{m.html}")\n}` },
  { covers: ["interp nested"], body: `log("a{"b{m.subject}c"}d")` },

  // Literals.
  { covers: ["construct literal", "expr ListLit", "expr BinaryExpr"], body: `let xs = [m.subject, m.text, ""]` },
  { covers: ["expr ListLit empty"], body: `let xs: List<string> = []` },
  { covers: ["expr BraceLit", "expr BraceLit map"], body: `let mp: Map<string, string> = { "a": m.subject, "b": m.text }` },
  { covers: ["expr BraceLit record"], body: `let r = { a: m.subject, b: 1 }\nlet x = r.a` },

  // Member access: costed fields and plain ones.
  { covers: ["field string.length", "expr MemberExpr"], body: `let a = m.text.length` },
  { covers: ["field Time.year", "field Time.month", "field Time.day", "field Time.hour", "field Time.minute"], body: `let a = now.year + now.month + now.day + now.hour + now.minute` },
  { covers: ["field Time.weekday", "field Time.date"], body: `let a = now.weekday + now.date` },
  { covers: ["field List.size"], body: `let a = m.to.size` },
  { covers: ["field Map.size"], body: `let a = state.mp.size` },
  { covers: ["field Members.size", "expr Ident"], body: `let a = members.size` },
  { covers: ["field Duration"], body: `let d = now - now\nlet a = d.days + d.hours + d.minutes + d.seconds + d.ms` },

  // Methods.
  { covers: ["method int.abs"], body: `let a = state.n.abs()` },
  { covers: ["method string.isEmpty"], body: `let b = m.text.isEmpty()` },
  { covers: ["method string.truncate"], body: `let x = m.text.truncate(3)` },
  { covers: ["method string.slice"], body: `let x = m.text.slice(1, 3)` },
  { covers: ["method string.contains", "expr CallExpr"], body: `let b = m.text.contains(m.subject)` },
  { covers: ["method string.startsWith", "method string.endsWith"], body: `let b = m.text.startsWith(m.subject)\nlet c = m.text.endsWith(m.html ?? "")` },
  { covers: ["method string.lower", "method string.upper", "method string.trim"], body: `let a = m.text.lower()\nlet b = m.text.upper()\nlet c = m.subject.trim()` },
  // An address's local part and an envelope's +tag at their longest (contract/values.ts LOCAL_MAX, and one less).
  { covers: ["method string.upper"], body: `let a = m.from.local.upper()`, worst: (w) => void (w.message.from = `${"x".repeat(LOCAL_MAX)}@a.b`) },
  { covers: ["method string.upper"], body: `let t = m.envelope.tag ?? ""\nlet a = t.upper()` },
  { covers: ["method string.split"], body: `let a = m.text.split(m.subject)` },
  { covers: ["method string.lines"], body: `let a = m.text.lines()` },
  { covers: ["method string.replace"], body: `let a = m.text.replace(m.subject, m.html ?? "")` },
  { covers: ["method string.escapeHtml"], body: `let a = m.text.escapeHtml()` },
  { covers: ["method string.indexOf"], body: `let a = m.text.indexOf(m.subject)` },
  { covers: ["method string.matches"], body: `let a = m.text.matches(m.subject)\nlet b = m.text.matches("*{m.subject}?", ignoreCase: true)` },
  { covers: ["method string.toInt"], body: `let a = m.text.toInt()` },
  { covers: ["method Time.sameDay", "method Time.startOfDay"], body: `let b = now.sameDay(now.startOfDay())` },
  { covers: ["method List.isEmpty", "method List.contains"], body: `let b = m.to.isEmpty() or m.to.contains(m.from)` },
  { covers: ["method List.get", "method List.first", "method List.last"], body: `let a = m.to.get(1)\nlet b = m.to.first()\nlet c = m.to.last()` },
  { covers: ["method List.join"], body: `let a = state.xs.join(m.subject)` },
  { covers: ["method List.push"], body: `var xs = ["a"]\nxs.push(m.subject)` },
  { covers: ["method List.push state"], body: `if state.xs.size < 3 {\n  state.xs.push(m.subject.truncate(3))\n}`, worst: (w) => void (w.state!["xs"] = ["a", "b"]), notExact: GROWS },
  { covers: ["method Map.isEmpty", "method Map.get", "method Map.has"], body: `let b = state.mp.isEmpty() or state.mp.has("a")\nlet v = state.mp.get("k")` },
  { covers: ["method Map.set", "method Map.remove"], body: `state.mp.remove("a")\nif state.mp.size < 3 {\n  state.mp.set("k", "v")\n}`, worst: (w) => void (w.state!["mp"] = { a: "b" }), notExact: GROWS },
  { covers: ["method Map.keys", "method Map.values"], body: `let k = state.mp.keys()\nlet v = state.mp.values()` },
  { covers: ["method List.take", "method List.copy", "method Map.copy"], body: `let a = state.xs.take(2)\nlet b = state.xs.copy()\nlet c = state.mp.copy()` },
  { covers: ["method Headers.get", "method Headers.has", "method Headers.all"], body: `let a = m.headers.get(m.subject)\nlet b = m.headers.has(m.text)\nlet c = m.headers.all(m.subject)` },
  { covers: ["method Headers.raw"], body: `let a = m.headers.raw(m.subject)` },
  { covers: ["method Message.isAutomated"], body: `let b = m.isAutomated()` },
  { covers: ["method Members.has", "method Members.get"], body: `let b = members.has(m.from)\nlet c = members.get(m.from)` },
  { covers: ["method Members.owners"], body: `let o = members.owners()` },
  { covers: ["method Members.add", "method Members.remove"], body: `members.remove(m.from)\nmembers.add(m.from, name: m.subject)` },
  { covers: ["method List.sort", "method List.slice"], body: `let a = state.xs.sort()\nlet b = m.to.slice(1, 3)\nlet c = m.to.sort()` },
  { covers: ["method List.sortBy"], body: `let rs = [{ a: m.text, n: 1 }, { a: m.text, n: 2 }, { a: m.text, n: 3 }]\nlet o = rs.sortBy("a")\nlet p = rs.sortBy("n")` },
  { covers: ["method List.remove"], body: `state.xs.remove(m.subject)\nvar ys = [1, 2, 1]\nys.remove(1)` },
  { covers: ["method List.joinValues"], body: `let a = m.to.join(m.subject)` },
  { covers: ["method List.joinValues"], body: `let b = [now, now].join(m.subject)`, notExact: "a Time weighs 1 when the run walks it, and its text's 32 units in the bound" },
  { covers: ["method ListInfo.sign", "method ListInfo.verify"], body: `let t = list.sign(m.text, now + 1d)\nlet b = list.verify(m.subject, m.text)\nlet c = list.verify(t, m.text)` },

  // Indexing.
  { covers: ["expr IndexExpr", "index List"], body: `let a = m.to[1]` },
  { covers: ["index Map"], body: `let a = state.mp["k"]` },

  // Functions.
  { covers: ["function send"], body: `send(to: m.to, subject: m.subject, text: m.text, html: m.html ?? "")` },
  { covers: ["function send"], body: `send(to: members, subject: m.subject, text: m.text)` },
  { covers: ["function send"], body: `send(to: m.from, subject: m.subject, text: m.text)` },
  { covers: ["function reply"], body: `if not m.isAutomated() {\n  reply(m, text: m.text, subject: m.subject)\n}` },
  { covers: ["function forward"], body: `forward(m, to: list.owners)` },
  { covers: ["function reject"], body: `reject(m.text)` },
  { covers: ["function hold"], body: `hold("held: {m.subject}")` },
  { covers: ["function publish"], body: `publish(path: m.subject, html: m.text)`, notExact: "the worst subject is not a path (TW5016): a run stopped by its rule saves no state, whose saving the bound holds" },
  { covers: ["construct stateUnit"], body: `let k = state.mp.size + state.xs.size` },
  { covers: ["function log"], body: `log(m.text)` },
  { covers: ["function address"], body: `let a = address(m.text)` },
  { covers: ["function min", "function max"], body: `let a = min(m.text.length, 3) + max(m.subject.length, 3)` },
  { covers: ["construct fnCall", "stmt ReturnStmt"], decls: `fn twice(s: string): string {\n  return s + s\n}`, body: `let a = twice(m.subject)\nlet b = twice(a)` },

  // Statements.
  { covers: ["construct statement", "stmt ExprStmt"], body: `log("a")\nlog("b")` },
  { covers: ["stmt AssignStmt"], body: `var a = ""\na = m.subject\nstate.s = m.subject.truncate(5)` },
  { covers: ["assign += string"], body: `var a = m.text\na += m.subject\na += a` },
  { covers: ["assign += state string"], body: `state.s += ""` },
  { covers: ["assign += int", "assign -= int"], body: `var a = 1\na += m.text.length\na -= 2\nstate.n += 1`, worst: (w) => void (w.state!["n"] = 0) },
  { covers: ["assign += Duration"], body: `var d = 1h\nd += now - now\nd -= 1m` },
  { covers: ["stmt IfStmt"], body: `if m.subject.isEmpty() {\n  log(m.subject)\n} else if m.text.isEmpty() {\n  log(m.text)\n} else {\n  log("{m.subject}{m.text}")\n}` },
  { covers: ["stmt IfStmt"], body: `if m.subject.isEmpty() {\n  log(m.subject)\n} else {\n  log(m.subject)\n}` },
  { covers: ["stmt ForStmt", "construct iteration"], body: `for a in m.to {\n  log("{a}")\n}` },
  { covers: ["stmt ForStmt where"], body: `for a in m.to where a != m.from {\n  log("{a}")\n}` },
  { covers: ["stmt ForStmt map"], body: `for k, v in state.mp {\n  log(k + v)\n}` },
  { covers: ["stmt ForStmt split"], body: `for w in m.text.split(",") {\n  log(w)\n}`, notExact: "a loop over the parts of a string is bounded by their summed length; the worst case of each part and of their number are different inputs" },
  { covers: ["stmt ForStmt members"], body: `for mb in members {\n  log(mb.name)\n}` },
  { covers: ["stmt BreakStmt"], body: `for a in m.to {\n  if a == m.from {\n    break\n  }\n  log("{a}")\n}`, notExact: BREAK },
  { covers: ["stmt ContinueStmt"], body: `for a in m.to {\n  if a == m.from {\n    continue\n  }\n  log("{a}")\n}`, notExact: BREAK },
  { covers: ["stmt ReturnStmt early"], body: `if m.subject.isEmpty() {\n  return\n}\nlog(m.text)` },
];

// ------------------------------------------------------------------ coverage

/** Every key the table must cover: from the stdlib declaration and the AST. */
function required(): string[] {
  const out: string[] = [];
  for (const o of stdlib.operators) out.push(`op ${o.op} ${o.left} ${o.right}`);
  for (const k of Object.keys(stdlib.constructs)) out.push(`construct ${k}`);
  for (const name of Object.keys(stdlib.functions)) out.push(`function ${name}`);
  for (const [tname, t] of Object.entries(stdlib.types)) {
    for (const name of Object.keys(t.methods ?? {})) out.push(`method ${tname}.${name}`);
    for (const [name, f] of Object.entries(t.fields ?? {})) if (f.cost !== undefined && f.cost !== 0) out.push(`field ${tname}.${name}`);
    if (t.equatable) out.push(`eq ${tname} ${tname}`);
    if (t.interpolates) out.push(`interp ${tname}`);
  }
  const ast = readFileSync(join(repoRoot, "compiler", "syntax", "ast.ts"), "utf8");
  const union = (name: string): string[] => {
    const m = new RegExp(`export type ${name} =([^;]*);`).exec(ast);
    assert.ok(m, `compiler/syntax/ast.ts declares ${name}`);
    return m[1]!.split("|").map((s) => s.trim().replace(/"/g, "")).filter(Boolean);
  };
  for (const k of union("Stmt")) out.push(`stmt ${k}`);
  for (const k of union("Expr")) if (k !== "ErrorExpr") out.push(`expr ${k}`);
  for (const op of union("BinaryOp")) out.push(`binary ${op}`);
  return out;
}

test("the table covers every operator, construct, method, function, costed field, statement and expression", () => {
  const covered = new Set(rows.flatMap((r) => r.covers));
  const missing = required().filter((k) => !covered.has(k));
  assert.deepEqual(missing, [], `rows missing for: ${missing.join(", ")} (add a row to test/verify/charges.test.ts)`);
});

// ------------------------------------------------------------------ the runs

const RANDOM_RUNS = Number(process.env["THWONK_CHARGE_RUNS"] ?? 6);

for (const row of rows) {
  const name = `${row.covers[0]}: ${row.body.split("\n")[0]}${row.body.includes("\n") ? " ..." : ""}`;
  test(name, async () => {
    const c = compileRule(source(row));
    const w = worstInput();
    row.worst?.(w);
    const r = await runOn(c, w.message, { members: w.members, state: w.state });
    assert.ok(r.error === null || RULE_ERRORS.has(r.error.code), `worst case stopped with ${r.error?.code} ${r.error?.message}\n${c.bundle.code.text.split("// rule")[1]?.slice(0, 3000)}`);
    if (row.notExact) {
      assert.ok(r.gas.used <= r.gas.bound, `worst case used ${r.gas.used} > bound ${r.gas.bound}`);
      assert.ok(r.gas.used < r.gas.bound, `the row says the bound cannot be reached (${row.notExact}), but it was: make it exact`);
    } else {
      assert.equal(r.gas.used, r.gas.bound, `worst case: used ${r.gas.used}, bound ${r.gas.bound}`);
    }
    await fc.assert(
      fc.asyncProperty(inputArb, async (inp) => {
        const run = await runFast(c, inp);
        assert.ok(run.error === null || RULE_ERRORS.has(run.error), `stopped with ${run.error} (used ${run.used} of ${c.bound})`);
        assert.ok(run.used <= c.bound, `used ${run.used} > bound ${c.bound}`);
      }),
      { numRuns: RANDOM_RUNS, seed: 8003 },
    );
  });
}

/**
 * A `string?` that starts as none and is assigned in a loop has, after the
 * loop, the shape of what it was assigned (a `none` is shaped as an empty
 * string of its type), so `==` after the loop is counted at its length.
 */
test("a string? assigned in a loop is compared at its length, not as none", async () => {
  const c = compileRule(`rule charges\nlimits { subject: 20 }\nstate { xs: List<string max 20> max 1 }\non message(m: Message) {\n  var x: string? = none\n  for w in state.xs {\n    x = w\n  }\n  let b = x == m.subject\n}\n`);
  const r = await runOn(c, message({ subject: astral(20) }), { state: { xs: [astral(20)] } });
  assert.equal(r.error, null, `stopped with ${r.error?.code}: used ${r.gas.used} of ${r.gas.bound}`);
  assert.equal(r.gas.used, r.gas.bound);
});
