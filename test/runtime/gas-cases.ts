/**
 * The calibration's cases (issue 11): each operation and built-in of the
 * stdlib at its largest allowed input, as a small rule compiled by the real
 * compiler and run on real QuickJS through the real sandbox. One list, read
 * by the benchmark (bench/gas/calibrate.js: time per unit of gas) and by the
 * tests (test/runtime/gas-calibration.test.ts: each case runs within its
 * gas bound, or `check` refuses it).
 *
 * A case's rule repeats `body` once for each address of the message's To
 * (`reps` of them), after `pre`; its input is the worst one for the
 * operation (text of the characters the implementation works hardest on,
 * the most header fields, the most members).
 */
import { compileSource, type Bundle } from "../../compiler/emit/bundle.js";
import { assembleInput, encodeInput } from "../../runtime/input/build.js";
import type { RuleLimits } from "../../runtime/input/limits.js";
import type { MemberJson, MessageJson } from "../../runtime/input/types.js";
import type { Engine } from "../../runtime/sandbox/engine.js";
import { inputChars, timeLimitFor } from "../../runtime/sandbox/time-limit.js";
import { stdlib } from "../../stdlib/index.js";

export interface GasCase {
  name: string;
  /** The `limits { }` block's entries (budget defaults to its ceiling). */
  limits?: string;
  /** Declarations between the limits and the trigger (state, settings). */
  decls?: string;
  /** Statements before the loop. */
  pre?: string;
  /** The loop's body, run `reps` times. */
  body: string;
  /** Statements after the loop. */
  post?: string;
  reps: number;
  /** The body runs again for each Cc address (default 1: the loop over the Cc is left out). */
  inner?: number;
  text?: string;
  subject?: string;
  html?: string | null;
  headers?: [string, string][];
  members?: number;
  /** Owners among the members (the first ones). */
  owners?: number;
  trigger?: string;
  /** A whole rule instead of the template (daily_or_out's nightly trigger). */
  source?: string;
}

export const NOW = Date.UTC(2026, 5, 17, 12, 0, 0);
const DAY = 86_400_000;

const ceiling = (name: string): number => stdlib.limits[name]!.ceiling;
export const TEXT_MAX = ceiling("text");
export const HEADERS_MAX = ceiling("headers");
export const MEMBERS_MAX = ceiling("members");
export const HEADER_MAX = ceiling("header");

/** A text of `n` UTF-16 units from `unit` repeated. */
const fill = (unit: string, n: number): string => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
const manyHeaders = (n: number, len: number): [string, string][] =>
  Array.from({ length: n }, (_, i) => [i === 0 ? "Message-ID" : `X-Filler-${i}`, i === 0 ? "<id@example.org>" : fill("v", len)]);

/** Texts at the ceiling of `limits.text`, each the worst for some operations. */
const T = TEXT_MAX;
const plain = fill("a", T);
const special = fill("\"", T);
const astral = fill("\u{1F600}", T);
const nearMiss = fill("a", T);
const lines = fill("a\n", T);
const commas = fill("a,", T);
const spaces = fill(" ", T);
const upperable = fill("\uFB03", T);
/** Text of characters past U+00FF and no surrogate: the engine holds it wide, and finds no pair in it only at the end. */
const wide = fill("\u20AC", T);

const L = `text: ${T}, budget: ${ceiling("budget")}`;

export const GAS_CASES: GasCase[] = [
  // The reference: int arithmetic in a loop (statement, operation, iteration).
  { name: "reference: int +", body: "n = n + 1\nn = n - 1", reps: 900, inner: 100, pre: "var n = 0" },
  { name: "for over a list", pre: "var n = 0\nlet xs = m.to.copy()", body: "for x in xs { n = n + 1 }", reps: 1000 },
  { name: "int / % abs min max", pre: "var n = 7", body: "n = max(min(n / 3 + n % 5, 100), 1).abs()", reps: 900, inner: 100 },
  // Strings at the text ceiling.
  { name: "string.length", limits: L, pre: "var n = 0", body: "n = n + m.text.length", text: plain, reps: 100 },
  { name: "string.isEmpty", limits: L, pre: "var n = 0", body: "if m.text.isEmpty() { n = n + 1 }", text: plain, reps: 900, inner: 100 },
  { name: "string.truncate (astral)", limits: L, pre: "var n = 0", body: "n = n + m.text.truncate(2000000).length", text: astral, reps: 20 },
  { name: "string.slice (astral)", limits: L, pre: "var n = 0", body: "n = n + m.text.slice(1).length", text: astral, reps: 20 },
  { name: "string.contains (near miss)", limits: `${L}, recipients: 20`, pre: "var n = 0", body: 'if m.text.contains("aaaaaaaaaaaaaaab") { n = n + 1 }', text: nearMiss, reps: 20 },
  { name: "string.contains (1-char)", limits: L, pre: "var n = 0", body: 'if m.text.contains("b") { n = n + 1 }', text: plain, reps: 100 },
  { name: "string.contains (long needle)", limits: `${L}, subject: 700, recipients: 1`, pre: "var n = 0", body: "if m.text.contains(m.subject) { n = n + 1 }", text: nearMiss, subject: fill("a", 699) + "b", reps: 1 },
  { name: "string.indexOf (astral)", limits: L, pre: "var n = 0", body: 'let i = m.text.indexOf("x")\nif i != none { n = n + i }', text: astral.slice(0, -1) + "x", reps: 20 },
  { name: "string.startsWith", limits: `${L}, subject: 2000`, pre: "var n = 0", body: "if m.text.startsWith(m.subject) { n = n + 1 }", text: plain, subject: fill("a", 2000), reps: 1000 },
  { name: "string.endsWith", limits: `${L}, subject: 2000`, pre: "var n = 0", body: "if m.text.endsWith(m.subject) { n = n + 1 }", text: plain, subject: fill("a", 2000), reps: 1000 },
  { name: "string.lower", limits: L, pre: "var n = 0", body: "n = n + m.text.lower().length", text: fill("\u0130", T), reps: 20 },
  { name: "string.upper", limits: L, pre: "var n = 0", body: "n = n + m.text.upper().length", text: upperable, reps: 10 },
  { name: "string.trim", limits: L, pre: "var n = 0", body: "n = n + m.text.trim().length", text: spaces, reps: 20 },
  { name: "string.split (sep)", limits: L, pre: "var n = 0", body: 'n = n + m.text.split(",").size', text: commas, reps: 5 },
  { name: "string.split (\"\")", limits: L, pre: "var n = 0", body: 'n = n + m.text.split("").size', text: astral, reps: 3 },
  { name: "string.lines", limits: L, pre: "var n = 0", body: "n = n + m.text.lines().size", text: lines, reps: 5 },
  { name: "string.replace", limits: L, pre: "var n = 0", body: 'n = n + m.text.replace("a", "bb").length', text: plain, reps: 5 },
  { name: "string.escapeHtml", limits: L, pre: "var n = 0", body: "n = n + m.text.escapeHtml().length", text: special, reps: 5 },
  { name: "string +", limits: L, pre: "var n = 0", body: 'n = n + (m.text + "x").length', text: plain, reps: 100 },
  { name: "string <", limits: L, pre: "var n = 0", body: 'if m.text < m.text { n = n + 1 }', text: plain, reps: 200 },
  { name: "string ==", limits: L, pre: "var n = 0", body: 'if m.text == m.text { n = n + 1 }', text: plain, reps: 200 },
  { name: "interpolation", limits: L, pre: "var n = 0", body: 'n = n + "{m.text}!".length', text: plain, reps: 200 },
  { name: "address()", limits: `${L}, subject: 2000, recipients: 400`, pre: "var n = 0", body: "if address(m.subject) != none { n = n + 1 }", subject: fill(" ", 1990) + "a@b.org", reps: 300, inner: 100 },
  { name: "Address fields", pre: "var n = 0", body: "n = n + m.from.local.length + m.from.domain.length\nif m.from.tag != none { n = n + 1 }", reps: 900, inner: 100 },
  // Time.
  { name: "Time fields", decls: 'settings { timezone: "Europe/Paris" }', pre: "var n = 0", body: "n = n + now.year + now.month + now.day + now.hour + now.minute + now.weekday.length + now.date.length", reps: 900, inner: 100 },
  { name: "Time.sameDay startOfDay", decls: 'settings { timezone: "Europe/Paris" }', pre: "var n = 0", body: "if now.sameDay(now.startOfDay()) { n = n + 1 }", reps: 900, inner: 100 },
  { name: "Time/Duration arithmetic", pre: "var n = 0", body: "let d = (now + 1d) - now\nn = n + d.days + d.hours + d.minutes + d.seconds + d.ms", reps: 900, inner: 100 },
  { name: "Time in a string", decls: 'settings { timezone: "Europe/Paris" }', pre: "var n = 0", body: 'n = n + "{now} {now - (now - 90m)}".length', reps: 900, inner: 100 },
  // Lists (m.to: up to limits.recipients addresses).
  { name: "List.contains", limits: "recipients: 1000", pre: "var n = 0", body: 'if m.to.contains("nobody@example.org") { n = n + 1 }', reps: 1000 },
  { name: "List.get first last size", limits: "recipients: 1000", pre: "var n = 0", body: "if m.to.get(5) != none and m.to.first() != none and m.to.last() != none { n = n + m.to.size }", reps: 900, inner: 100 },
  { name: "List.take copy", limits: "recipients: 1000", pre: "var n = 0", body: 'n = n + m.to.take(1000).copy().size', reps: 1000 },
  { name: "List.push take", limits: "recipients: 1000", pre: "var xs: List<Address> = []", body: "xs.push(m.from)", post: "let ys = xs.take(1000)", reps: 1000 },
  { name: "List<string>.join", limits: `${L}, recipients: 5`, pre: 'var n = 0\nlet parts = m.text.split(",")', body: 'n = n + parts.join(", ").length', text: commas, reps: 5 },
  { name: "List.copy (strings)", limits: `${L}, recipients: 5`, pre: 'var n = 0\nlet parts = m.text.split(",")', body: "n = n + parts.copy().size", text: commas, reps: 5 },
  // Maps.
  { name: "Map set get has remove", pre: "var n = 0\nvar mp: Map<Address, int> = {}", body: "mp.set(r, 1)\nif mp.has(r) { n = n + (mp.get(r) ?? 0) }\nmp.remove(m.from)", reps: 900, inner: 100 },
  { name: "Map keys values copy", pre: "var n = 0\nvar mp: Map<Address, int> = {}\nfor a in m.to { mp.set(a, 1) }", body: "n = n + mp.keys().size + mp.values().size + mp.copy().size", reps: 300 },
  // Headers (the most fields, the longest values).
  { name: "Headers.get (miss)", limits: "headers: 1000", pre: "var n = 0", body: 'if m.headers.get("X-Absent") != none { n = n + 1 }', headers: manyHeaders(HEADERS_MAX, 20), reps: 900, inner: 100 },
  { name: "Headers.has", limits: "headers: 1000", pre: "var n = 0", body: 'if m.headers.has("X-Absent") { n = n + 1 }', headers: manyHeaders(HEADERS_MAX, 20), reps: 900, inner: 100 },
  { name: "Headers.all", limits: "headers: 1000", pre: "var n = 0", body: 'n = n + m.headers.all("X-Absent").size', headers: manyHeaders(HEADERS_MAX, 20), reps: 900, inner: 100 },
  { name: "Message.isAutomated", limits: "headers: 1000", pre: "var n = 0", body: "if m.isAutomated() { n = n + 1 }", headers: manyHeaders(HEADERS_MAX, 20), reps: 900, inner: 100 },
  // Members at the ceiling of limits.members.
  { name: "Members.has get", limits: `members: ${MEMBERS_MAX}`, pre: "var n = 0", body: "if members.has(r) { n = n + 1 }\nif members.get(r) != none { n = n + 1 }", members: MEMBERS_MAX, reps: 900, inner: 100 },
  { name: "for over members", limits: `members: ${MEMBERS_MAX}`, pre: "var n = 0", body: "", post: "for x in members { n = n + 1 }", members: MEMBERS_MAX, reps: 1 },
  { name: "Members.owners", limits: `members: ${MEMBERS_MAX}`, pre: "var n = 0", body: "n = n + members.owners().size", members: MEMBERS_MAX, owners: MEMBERS_MAX, reps: 10 },
  { name: "Members.add", limits: `members: ${MEMBERS_MAX}, recipients: 1000`, pre: "", body: "members.add(r)", members: MEMBERS_MAX - 1000, reps: 1000 },
  { name: "Members.remove", limits: `members: ${MEMBERS_MAX}, recipients: 1000`, pre: "", body: "members.remove(r)", members: MEMBERS_MAX, reps: 1000 },
  { name: "Members.remove then has", limits: `members: ${MEMBERS_MAX}, recipients: 1000`, pre: "var n = 0", body: "members.remove(r)\nif members.has(m.from) { n = n + 1 }", members: MEMBERS_MAX, reps: 1000 },
  // Actions.
  { name: "send to members", limits: `members: ${MEMBERS_MAX}, fanout: 100000, recipients: 1`, pre: "", body: 'send(to: members, subject: "s", text: "t")', members: MEMBERS_MAX, reps: 1 },
  { name: "send to a list", limits: "recipients: 300, fanout: 100000", pre: "", body: 'send(to: m.to, subject: "s", text: "t")', reps: 300 },
  { name: "reply forward", limits: "recipients: 200, fanout: 100000", pre: "", body: "reply(m, \"thanks\")\nforward(m, r)", reps: 100, inner: 100 },
  { name: "log", limits: "logs: 10000", pre: "", body: 'log("a line")', reps: 100, inner: 100 },
  { name: "publish", limits: `${L}, page: 10000000`, pre: "", body: 'publish("a.html", m.text)', text: astral, reps: 20 },
  { name: "publish escaped", limits: `${L}, page: 10000000`, pre: "", body: 'publish("a.html", m.text.escapeHtml())', text: special, reps: 5 },
  // Issue 15: characters counted as code points, patterns, numbers.
  { name: "string.length (astral)", limits: L, pre: "var n = 0", body: "n = n + m.text.length", text: astral, reps: 100 },
  { name: "string.length (lone halves)", limits: L, pre: "var n = 0", body: "n = n + m.text.length", text: fill("\ud83d", T), reps: 100 },
  // A lone low surrogate in the rule's source itself (no escape writes one): searched as whole code points. In
  // well-formed text (all the host reads) it is never found, told by one scan; in text with a lone half, by an expression.
  { name: "string.indexOf (lone half)", limits: L, pre: "var n = 0", body: 'let i = m.text.indexOf("\u{DE00}")\nif i != none { n = n + i }', text: astral, reps: 20 },
  { name: "string.indexOf (lone half, ill-formed)", limits: L, pre: "var n = 0", body: 'let i = m.text.indexOf("\u{DE00}")\nif i != none { n = n + i }', text: astral.slice(0, -2) + "\ud83d", reps: 20 },
  { name: "string.matches (near miss)", limits: `${L}, recipients: 8`, pre: "var n = 0", body: 'if m.text.matches("*aaaaaaaaaaaaaaab*") { n = n + 1 }', text: nearMiss, reps: 8 },
  { name: "string.matches (ignoreCase near miss)", limits: `${L}, recipients: 8`, pre: "var n = 0", body: 'if m.text.matches("*AAAAAAAAAAAAAAAB*", ignoreCase: true) { n = n + 1 }', text: nearMiss, reps: 8 },
  { name: "string.matches (many stars)", limits: `${L}, recipients: 10`, pre: "var n = 0", body: 'if m.text.matches("*a*a*a*a*b") { n = n + 1 }', text: nearMiss, reps: 10 },
  { name: "string.matches (astral ?)", limits: `${L}, recipients: 8`, pre: "var n = 0", body: 'if m.text.matches("*??????????????x*") { n = n + 1 }', text: astral, reps: 8 },
  { name: "string.matches (long pattern)", limits: `${L}, subject: 2000, recipients: 1`, pre: "var n = 0", body: 'if m.subject.matches(m.subject) { n = n + 1 }', subject: fill("*?", 2000), reps: 1 },
  { name: "string.length (wide)", limits: L, pre: "var n = 0", body: "n = n + m.text.length", text: wide, reps: 100 },
  { name: "string.slice (wide)", limits: L, pre: "var n = 0", body: "if m.text.slice(1, -1).isEmpty() { n = n + 1 }", text: wide, reps: 100 },
  { name: "string.truncate (wide)", limits: L, pre: "var n = 0", body: "if m.text.truncate(999999).isEmpty() { n = n + 1 }", text: wide, reps: 100 },
  { name: "string.indexOf (wide)", limits: L, pre: "var n = 0", body: 'let i = m.text.indexOf("x")\nif i != none { n = n + i }', text: wide.slice(0, -1) + "x", reps: 20 },
  { name: "string.toInt", limits: L, pre: "var n = 0", body: "n = n + (m.text.toInt() ?? 0)", text: fill("0", T), reps: 40 },
  // daily_or_out's nightly trigger with every member silent (its limits raised to 10,000 members).
  {
    name: "daily_or_out nightly (10k members)",
    reps: 0,
    body: "",
    members: 10_000,
    trigger: "every day at 00:00",
    source: `rule daily_or_out
limits { members: 10000, text: 20000, fanout: 30000, budget: 10000000, memory: 512 * 1024 * 1024 }
settings { timezone: "Europe/Paris" }
state { postedToday: Map<Address, bool> max 10000 = {} }
on message(m: Message) { send(to: members, subject: m.subject, text: m.text) }
every day at 00:00 {
  var silent: List<Member> = []
  var names: List<string> = []
  for member in members where not state.postedToday.has(member.address) and now - member.joined >= 1d {
    silent.push(member)
    names.push(member.name)
  }
  if silent.size > 0 {
    send(to: silent, subject: "You have left {list.name}", text: "You did not post.")
    for member in silent {
      members.remove(member.address)
    }
    send(to: members, subject: "Left today: {names.join(", ")}", text: "Unsubscribed: {names.join(", ")}.")
  }
  state.postedToday = {}
}
`,
  },
  // forward with a new subject and a footer at the longest text: both are walked (one line made of the subject).
  { name: "forward with subject and footer", limits: `${L}, fanout: 100000`, pre: "", body: "forward(m, r, subject: m.text, footer: m.text)", text: astral, reps: 1 },
];

export function sourceOf(c: GasCase): string {
  if (c.source) return c.source;
  const indent = (s: string, by: string): string => s.split("\n").filter((l) => l !== "").map((l) => by + l).join("\n");
  // Memory at its ceiling too: each case is as large as the rule's limits allow, which is what is timed here.
  const limits = [c.limits, c.limits?.includes("budget") ? "" : `budget: ${ceiling("budget")}`, c.limits?.includes("recipients") ? "" : `recipients: ${Math.max(1, c.reps + (c.inner ?? 0))}`, c.limits?.includes("memory") ? "" : `memory: ${ceiling("memory")}`];
  return `rule calibrate
limits { ${limits.filter(Boolean).join(", ")} }
${c.decls ?? ""}
on message(m: Message) {
${indent(c.pre ?? "", "  ")}
  for r in m.to {
${c.inner ? `    for q in m.cc {\n${indent(c.body, "      ")}\n    }` : indent(c.body, "    ")}
  }
${indent(c.post ?? "", "  ")}
}
`;
}

export interface CompiledCase {
  case: GasCase;
  bundle?: Bundle;
  /** The verifier's errors when it refuses the rule. */
  refused?: string[];
  bound: number;
  trigger: string;
}

export function compileCase(c: GasCase): CompiledCase {
  const { bundle, diagnostics } = compileSource("calibrate.thwonk", sourceOf(c));
  const trigger = c.trigger ?? "message";
  if (!bundle) {
    return { case: c, refused: diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`), bound: 0, trigger };
  }
  const t = bundle.manifest.triggers.find((x) => x.name === trigger);
  return { case: c, bundle, bound: t?.gasBound ?? 0, trigger };
}

function messageOf(c: GasCase): MessageJson {
  const from = "ann@example.org";
  return {
    from,
    to: Array.from({ length: c.reps }, (_, i) => `to${i}@example.org`),
    cc: Array.from({ length: c.inner ?? 0 }, (_, i) => `cc${i}@example.org`),
    subject: c.subject ?? "",
    text: c.text ?? "",
    html: c.html ?? null,
    headers: c.headers ?? [["Message-ID", "<id@example.org>"], ["From", from]],
    attachments: [],
    date: null,
    messageId: "id@example.org",
    envelope: { sender: from, recipient: "list@example.org", isRequest: false, tag: null },
  };
}

function membersOf(c: GasCase): MemberJson[] {
  return Array.from({ length: c.members ?? 1 }, (_, i) => ({
    address: i === 0 ? "ann@example.org" : `member${i}@example.org`,
    name: `Member Number ${i}`,
    role: i < (c.owners ?? 1) ? "owner" : "member",
    joined: NOW - (i + 2) * DAY,
  }));
}

/** The case's input, checked against the rule's limits as the host does (throws InputRefused over them). */
export function inputOf(cc: CompiledCase): ReturnType<typeof encodeInput> {
  const limits = cc.bundle!.manifest.limits as unknown as RuleLimits;
  const members = membersOf(cc.case);
  const input = assembleInput({
    now: NOW,
    limits,
    ...(cc.trigger === "message" ? { message: messageOf(cc.case) } : {}),
    members,
    list: { owners: members.filter((m) => m.role === "owner").slice(0, 10).map((m) => m.address) },
    state: null,
    gas: cc.bound,
  });
  return encodeInput({ ...input, fanout: cc.bundle!.manifest.triggers.find((t) => t.name === cc.trigger)?.fanoutBound ?? 0 } as never);
}

export interface CaseRun {
  ok: boolean;
  /** The sandbox's or the rule's error code, if any. */
  error: string | null;
  gasUsed: number;
  wallMs: number;
}

/** One run of the case on an engine (its memory and context strategy), with the time limit its gas bound gives unless `timeLimitMs`. */
export async function runCase(engine: Engine, cc: CompiledCase, input = inputOf(cc), codeId = cc.case.name, timeLimitMs = timeLimitFor(cc.bound, inputChars(input.inputJson, input.members))): Promise<CaseRun> {
  const r = await engine.run(cc.bundle!.code.text, codeId, cc.trigger, input.inputJson, input.members, timeLimitMs);
  if (!r.result.ok) return { ok: false, error: r.result.error.code, gasUsed: 0, wallMs: r.result.wallMs };
  const out = JSON.parse(r.result.output) as { gas: { used: number }; error: { code: string } | null };
  return { ok: out.error === null, error: out.error?.code ?? null, gasUsed: out.gas.used, wallMs: r.result.wallMs };
}

// Issue 15's list methods, each at a size the budget's ceiling allows for its bound: a sort's n·log₂ n
// (interleaved ints, the most comparisons a merge makes), strings sharing a long prefix (each comparison walks
// it), records by a string field, and the walks of slice, remove and join over non-strings.
const SORT_T = 200_000;
const sortText = fill("a,", SORT_T);
const prefixed = Array.from({ length: SORT_T / 1000 }, (_, i) => fill("a", 998) + String.fromCharCode(97 + ((i * 7) % 26)) + ",").join("");
const ints = 'var n = 0\nvar xs: List<int> = []\nvar i = 0\nfor p in m.text.split(",") {\n  xs.push((i * 7919) % 100003)\n  i = i + 1\n}';
GAS_CASES.push(
  { name: "List.sort (ints)", limits: `text: ${SORT_T}, recipients: 2`, pre: ints, body: "n = n + xs.sort().size", text: sortText, reps: 2 },
  { name: "List.sort (strings, shared prefix)", limits: `text: ${SORT_T}, recipients: 20`, pre: 'var n = 0\nlet xs = m.text.split(",").take(200)', body: "n = n + xs.sort().size", text: prefixed, reps: 20 },
  { name: "List.sortBy (members by name)", limits: "members: 20000, recipients: 2", pre: "var n = 0\nlet os = members.owners()", body: 'n = n + os.sortBy("name").size', members: 20_000, owners: 20_000, reps: 2 },
  { name: "List.slice remove", limits: `text: ${SORT_T}, recipients: 20`, pre: ints, body: "n = n + xs.slice(1).size\nxs.remove(7919)", text: sortText, reps: 20 },
  { name: "List<int>.join", limits: `text: ${SORT_T}, recipients: 5`, pre: ints, body: 'n = n + xs.join(", ").length', text: sortText, reps: 5 },
  { name: "List<Time>.join", limits: `text: ${SORT_T}, recipients: 2`, pre: 'var n = 0\nvar ts: List<Time> = []\nvar i = 0\nfor p in m.text.split(",") {\n  ts.push(now + 1d * i)\n  i = i + 1\n}', body: 'n = n + ts.join(", ").length', text: sortText, reps: 2 },
);

// Issue 15's adversary: patterns longer than the string, of many short runs (each run between stars is a regular
// expression compiled for the call), of escapes, and of one long literal run; the pattern is the text, the string
// the (empty) subject, so only the pattern's own term is charged.
const longPattern = (name: string, pattern: string, ic = false): GasCase => ({
  name,
  limits: `${L}, subject: 1, recipients: 2`,
  pre: "var n = 0",
  body: `if m.subject.matches(m.text${ic ? ", ignoreCase: true" : ""}) { n = n + 1 }`,
  text: pattern,
  subject: "",
  reps: 2,
});
GAS_CASES.push(
  longPattern("string.matches (pattern *?*?…)", fill("*?", T)),
  longPattern("string.matches (pattern of stars)", fill("*", T)),
  longPattern("string.matches (pattern *!*!…, ignoreCase)", fill("*!", T), true),
  longPattern("string.matches (pattern of escapes)", fill("\\*", T)),
  longPattern("string.matches (pattern ???…, ignoreCase)", fill("?", T), true),
);
