/**
 * Run inputs for the property tests, built from a small `Plan`: the sizes
 * and the choices that steer a rule (sender a member or not, automated or
 * not, the -request address, state empty or full, ...) are in the plan;
 * the characters are drawn from a seeded generator. Plans are what
 * fast-check generates and shrinks (a few numbers instead of megabytes of
 * text), and what the worst-case candidates write by hand.
 *
 * Sizes follow the units the language declares them in: a `characters`
 * limit (text, subject, html, header) and `string max N` in state count
 * code points, so an astral character such as 😀 is one character and two
 * UTF-16 units; the stdlib's own bounds (a member's or the list's name ≤ 256,
 * an address ≤ 320, a +tag ≤ 315) are lengths in UTF-16 units, as the
 * verifier and the host's input checks (runtime/input/limits.ts) read them.
 * Every input built here must pass those checks (the tests assert it).
 */
import fc from "fast-check";
import type { Type } from "../../compiler/semantic/types.js";
import type { Example } from "./examples.js";
import { ADDRESS_MAX, LOCAL_MAX } from "../../contract/values.js";

// ------------------------------------------------------------------ characters

/** A seeded generator (mulberry32): the same plan always gives the same input. */
export type Rand = () => number;

export function rand(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(r: Rand, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

export function int(r: Rand, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/**
 * Character classes. `quot` is the one character escapeHtml grows most
 * (`"` → `&quot;`, 6×); `astral` characters are two UTF-16 units each;
 * `caseGrow` ones get longer in lower or upper case (İ → i̇, ß → SS, ﬃ → FFI);
 * `separators` are the characters rules split, join and trim on.
 */
export const STYLES = ["ascii", "separators", "html", "quot", "bmp", "astral", "caseGrow", "mixed"] as const;
export type Style = (typeof STYLES)[number];

const BASE: Record<Exclude<Style, "mixed">, readonly string[]> = {
  ascii: [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-_"],
  separators: ["\n", "\r", ",", " ", "<", ">", ";", ":", "\t", "\"", "@", "+", "-", ".", "\u2028", "\u00a0"],
  html: ["&", "<", ">", "\"", "'"],
  quot: ["\""],
  bmp: ["é", "ü", "ß", "中", "文", "ж", "€", "ñ", "ا", "\u0301"],
  astral: ["😀", "𝔸", "🎉", "𐍈", "🙂", "👩"],
  caseGrow: ["İ", "ß", "ﬃ", "ΐ", "ŉ", "ǰ"],
};
const ALPHABET: Record<Style, readonly string[]> = { ...BASE, mixed: Object.values(BASE).flat() };

/**
 * Each style's characters as their UTF-16 units. The strings are written into a buffer of units and made in a few
 * pieces: inputs at their limits are megabytes, and a string a character, joined, spent more time making and
 * collecting garbage than the runs they were built for. The same draws of `r` give the same characters as one at a time.
 */
const UNITS = Object.fromEntries(
  Object.entries(ALPHABET).map(([style, a]) => [style, a.map((c) => Array.from({ length: c.length }, (_, i) => c.charCodeAt(i)))]),
) as unknown as Record<Style, readonly (readonly number[])[]>;

/** The first `len` units of `buf` as a string, made in pieces small enough for String.fromCharCode's arguments. */
function fromUnits(buf: Uint16Array, len: number): string {
  const CHUNK = 8192;
  const parts: string[] = [];
  for (let i = 0; i < len; i += CHUNK) parts.push(String.fromCharCode.apply(null, buf.subarray(i, Math.min(len, i + CHUNK)) as unknown as number[]));
  return parts.join("");
}

/** Exactly `n` code points of the style. */
export function chars(r: Rand, style: Style, n: number): string {
  const a = UNITS[style];
  const buf = new Uint16Array(2 * n);
  let len = 0;
  for (let i = 0; i < n; i++) {
    const c = a[Math.floor(r() * a.length)]!;
    buf[len++] = c[0]!;
    if (c.length === 2) buf[len++] = c[1]!;
  }
  return fromUnits(buf, len);
}

/** As many code points of the style as fit in `units` UTF-16 units (a one-unit gap left by an astral style gets an ASCII letter). */
export function charsInUnits(r: Rand, style: Style, units: number): string {
  const a = UNITS[style];
  const buf = new Uint16Array(units);
  let len = 0;
  while (len < units) {
    const c = a[Math.floor(r() * a.length)]!;
    if (len + c.length <= units) {
      buf[len++] = c[0]!;
      if (c.length === 2) buf[len++] = c[1]!;
    } else buf[len++] = 0x78; // "x"
  }
  return fromUnits(buf, len);
}

/** The number of code points (characters, as the language counts them) in a string. */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// ------------------------------------------------------------------ time zones

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at `t`, in minutes. */
export function offsetAt(zone: string, t: number): number {
  if (zone === "UTC") return 0;
  let f = offsetFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
    });
    offsetFormats.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t))) if (part.type !== "literal") p[part.type] = Number(part.value);
  const local = Date.UTC(p["year"]!, p["month"]! - 1, p["day"]!, p["hour"]!, p["minute"]!, p["second"]!);
  return Math.round((local - Math.floor(t / 1000) * 1000) / 60_000);
}

const yearCache = new Map<string, [number, number][]>();

/** The transitions of `zone` in one UTC year, found day by day and narrowed to the minute (cached: years repeat across runs). */
function transitionsIn(zone: string, year: number): [number, number][] {
  const key = `${zone} ${year}`;
  const hit = yearCache.get(key);
  if (hit) return hit;
  const out: [number, number][] = [];
  const DAY_MS = 86_400_000;
  const end = Date.UTC(year + 1, 0, 1);
  for (let t = Date.UTC(year, 0, 1); t < end; t += DAY_MS) {
    const a = offsetAt(zone, t);
    const b = offsetAt(zone, t + DAY_MS);
    if (a === b) continue;
    let lo = t;
    let hi = t + DAY_MS;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetAt(zone, mid) === a) lo = mid;
      else hi = mid;
    }
    out.push([hi, b]);
  }
  yearCache.set(key, out);
  return out;
}

/**
 * The offset table the host passes in `tz` ([fromMs, offsetMinutes], sorted)
 * for times in [from, to]; as the host does, its first offset stands for
 * everything before.
 */
export function tzTable(zone: string, from: number, to: number): [number, number][] {
  if (zone === "UTC") return [];
  const out: [number, number][] = [[-8.64e15, offsetAt(zone, from)]];
  for (let y = new Date(from).getUTCFullYear(); y <= new Date(to).getUTCFullYear(); y++) {
    for (const tr of transitionsIn(zone, y)) if (tr[0] > from && tr[0] <= to) out.push(tr);
  }
  return out;
}

// ------------------------------------------------------------------ plans

/** A string's size and characters; `size` counts code points for `characters` limits and state strings, UTF-16 units for the stdlib's own bounds. */
export interface Sized {
  style: Style;
  size: number;
}

export type Automated = "no" | "auto-submitted" | "auto-submitted-no" | "precedence" | "list-id";

export interface MessagePlan {
  sender: "member" | "stranger";
  /** The SMTP sender: the From address, none (a bounce), or someone else. */
  envelope: "from" | "bounce" | "other";
  recipient: "list" | "request" | "tag" | "requestTag";
  automated: Automated;
  /** A command in the subject (padded with white space up to the subject's size), or none. */
  command: "none" | "subscribe" | "unsubscribe";
  subject: Sized;
  text: Sized;
  html: Sized | null;
  /** The display name in the From header (characters). */
  fromName: Sized;
  /** Header fields besides From and the automated one, and their values. */
  headers: number;
  headerValue: Sized;
  to: number;
  cc: number;
  attachments: number;
  attachment: Sized;
  messageId: Sized;
  tag: Sized;
  date: "none" | "now" | "random";
}

export interface Plan {
  seed: number;
  now: number;
  members: number;
  memberName: Sized;
  /** Addresses at their longest (ADDRESS_MAX units: a local part of 64 to LOCAL_MAX, inputs.ts LONG_SHAPES) or short. */
  longAddresses: boolean;
  /** When members joined: all more than a day before now, all within the last day, or anything in three years. */
  joined: "old" | "recent" | "mixed";
  roles: "member" | "mixed";
  /** Members' bounce counts: none, a few each (0–5), or many for every member (a rule's `bounces >= n` passing). */
  bounces: "none" | "few" | "many";
  owners: number;
  listName: Sized;
  /** null: no saved state (the initial values); empty: every collection empty; full: every collection and string at its max. */
  state: "null" | "empty" | "random" | "full";
  stateStyle: Style;
  /** Times kept in state: the same day as now, older, or either. */
  stateTimes: "today" | "old" | "mixed";
  /** Keys of maps keyed by Address: the members, strangers, or both. */
  stateKeys: "members" | "strangers" | "mixed";
  message: MessagePlan | null;
}

const DAY = 86_400_000;
const YEAR = 365 * DAY;
export const EPOCH_MIN = Date.UTC(2000, 0, 1);
export const EPOCH_MAX = Date.UTC(2099, 11, 31);

// ------------------------------------------------------------------ building an input from a plan

interface Ctx {
  r: Rand;
  plan: Plan;
  ex: Example;
  members: string[];
  serial: number;
}

/** Domains of 255 characters (the most an address may have): labels of 63 characters, then ".org". */
const LONG_DOMAINS: readonly string[] = (() => {
  const r = rand(255);
  const chars = [..."abcdefghijklmnopqrstuvwxyz0123456789-"];
  return Array.from({ length: 8 }, () => {
    const d: string[] = [];
    for (let i = 0; i < 251; i++) d.push(i % 64 === 63 ? "." : i % 64 === 0 || i % 64 === 62 || i === 250 ? "x" : pick(r, chars));
    return d.join("") + ".org";
  });
})();

/** A host name of 127 characters: two labels of 63, the last ending in a letter. */
const MID_DOMAIN = `${"m".repeat(63)}.${"n".repeat(64 - 2)}z`;

/**
 * The shapes of an address at its longest, ADDRESS_MAX units each: the longest domain (255, and RFC 5321's 64 for
 * the local part), one between (127 and 192), and the shortest (`a.b`, and LOCAL_MAX: a local part as long as any
 * address can have). Long addresses take them in turn, so any three of a run's addresses have each.
 */
const LONG_SHAPES: readonly (readonly string[])[] = [LONG_DOMAINS, [MID_DOMAIN], ["a.b"]];

/** A fresh canonical address (`local@domain`, domain in lower case); long ones are exactly ADDRESS_MAX units. */
function address(c: Ctx, kind: string): string {
  const n = c.serial++;
  const tag = `${kind}${n}`;
  if (!c.plan.longAddresses) return `${tag}@example.org`;
  const localStyle: Style = c.r() < 0.3 ? "astral" : "ascii";
  const domain = pick(c.r, LONG_SHAPES[n % LONG_SHAPES.length]!);
  const units = ADDRESS_MAX - 1 - domain.length;
  // The one address rule (contract/values.ts): canonical is lower case, and a dot never follows a dot or ends the local part.
  const local = (tag + "." + charsInUnits(c.r, localStyle, units)).slice(0, units).replace(/[\s<>(),;:"[\]\\]/g, "x").replace(/[\uD800-\uDBFF]$/, "x").toLowerCase().replace(/\.(?=\.|$)/g, "x");
  return `${local}@${domain}`;
}

function sized(c: Ctx, s: Sized): string {
  return chars(c.r, s.style, s.size);
}

function time(c: Ctx, mode: "today" | "old" | "mixed" | "any"): number {
  const now = c.plan.now;
  const startOfDay = Math.floor(now / DAY) * DAY;
  switch (mode) {
    case "today":
      return int(c.r, startOfDay, now);
    case "old":
      return int(c.r, now - 3 * YEAR, now - 2 * DAY);
    case "mixed":
      return c.r() < 0.5 ? int(c.r, startOfDay, now) : int(c.r, now - 3 * DAY, now);
    case "any":
      return int(c.r, now - 3 * YEAR, now);
  }
}

/** A value of state type `t` as the run input serializes it (maps as objects, times ISO 8601, none null). */
function stateValue(c: Ctx, t: Type, full: boolean, key = false): unknown {
  const mode = c.plan.state;
  const count = (max: number): number => (full ? max : mode === "empty" ? 0 : int(c.r, 0, c.r() < 0.25 ? max : Math.min(max, 12)));
  if (t.kind === "optional") return !full && c.r() < 0.3 ? null : stateValue(c, t.inner, full, key);
  if (t.kind === "record") {
    const o: Record<string, unknown> = {};
    for (const [name, f] of t.fields) o[name] = stateValue(c, f.type, full);
    return o;
  }
  if (t.kind !== "named") return null;
  switch (t.name) {
    case "int":
      return full ? 9_007_199_254_740_000 - int(c.r, 0, 1000) : pick(c.r, [0, 1, 7, int(c.r, 0, 1_000_000), -int(c.r, 0, 1000), 9_007_199_254_740_000]);
    case "bool":
      return c.r() < 0.5;
    case "string":
      return chars(c.r, c.plan.stateStyle, full ? (t.max ?? 0) : int(c.r, 0, t.max ?? 0));
    case "Address": {
      const useMember = c.plan.stateKeys === "members" || (c.plan.stateKeys === "mixed" && c.r() < 0.5);
      return useMember && c.members.length ? pick(c.r, c.members) : address(c, "s");
    }
    case "Time":
      return new Date(time(c, c.plan.stateTimes)).toISOString();
    case "Duration":
      return int(c.r, 0, 30 * DAY);
    case "List": {
      const n = count(t.max ?? 0);
      return Array.from({ length: n }, () => stateValue(c, t.args[0]!, full));
    }
    case "Map": {
      const n = count(t.max ?? 0);
      const o: Record<string, unknown> = {};
      const [kt, vt] = [t.args[0]!, t.args[1]!];
      // Address keys: the members (in a random order) as far as the plan says, then strangers.
      const byAddress = kt.kind === "named" && kt.name === "Address";
      const fromMembers = byAddress && c.plan.stateKeys !== "strangers" ? shuffle(c.r, c.members.slice()) : [];
      let size = 0;
      for (let guard = 0; size < n && guard < 10 * n + 10; guard++) {
        let k: unknown;
        if (fromMembers.length && (c.plan.stateKeys === "members" || c.r() < 0.5)) k = fromMembers.pop();
        else k = byAddress ? address(c, "s") : stateValue(c, kt, full, true);
        const ks = typeof k === "string" ? k : String(k);
        if (!Object.hasOwn(o, ks)) {
          o[ks] = stateValue(c, vt, full);
          size++;
        }
      }
      return o;
    }
    default:
      return key ? String(int(c.r, 0, 1e6)) : null;
  }
}

function shuffle<T>(r: Rand, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** Pads a command with white space to `size` code points (so trim() works its hardest), in mixed case. */
function commandSubject(r: Rand, command: string, size: number): string {
  const word = [...command].map((ch) => (r() < 0.5 ? ch.toUpperCase() : ch)).join("");
  const pad = Math.max(0, size - word.length);
  const left = int(r, 0, pad);
  const ws = (n: number) => Array.from({ length: n }, () => pick(r, [" ", "\t", "\u00a0"])).join("");
  return ws(left) + word + ws(pad - left);
}

/** What a recipient adds to the list's local part at most, with the shortest +tag: `-request+x`. */
const REQUEST_TAG = "-request+x".length;

/**
 * The list's address: short, or long, as long as its `-request+x` form leaves an address (ADDRESS_MAX): a 255-character
 * domain and a local part of 54 (`shape` 0), or the shortest domain (`a.b`) and a local part of 306 (`shape` 1).
 */
export function listAddress(ex: Example, long = false, shape = 0): string {
  const local = ex.name.replace(/_/g, "-");
  if (!long) return `${local}@example.org`;
  const domain = shape % 2 === 0 ? LONG_DOMAINS[0]! : "a.b";
  const units = ADDRESS_MAX - 1 - domain.length - REQUEST_TAG;
  return `${(local + "-" + "x".repeat(units)).slice(0, units)}@${domain}`;
}

/** The run input a plan stands for. */
export function buildInput(ex: Example, plan: Plan): Record<string, unknown> {
  const c: Ctx = { r: rand(plan.seed), plan, ex, members: [], serial: 0 };
  const r = c.r;
  const L = ex.limits;
  const now = plan.now;

  const nMembers = Math.min(plan.members, L["members"]!);
  const members = [];
  for (let i = 0; i < nMembers; i++) {
    const a = address(c, "m");
    c.members.push(a);
    const joined = plan.joined === "old" ? int(r, now - 3 * YEAR, now - DAY) : plan.joined === "recent" ? int(r, now - DAY + 1, now) : time(c, "any");
    members.push({
      address: a,
      name: charsInUnits(r, plan.memberName.style, Math.min(256, plan.memberName.size)),
      role: plan.roles === "member" ? "member" : pick(r, ["member", "member", "moderator", "owner"]),
      joined,
      bounces: plan.bounces === "none" ? 0 : plan.bounces === "few" ? int(r, 0, 5) : int(r, 100, 1_000_000),
    });
  }
  const list = {
    address: listAddress(ex, plan.longAddresses, plan.seed),
    name: charsInUnits(r, plan.listName.style, Math.min(256, plan.listName.size)),
    owners: c.members.slice(0, Math.min(plan.owners, nMembers)),
  };

  let state: Record<string, unknown> | null = null;
  if (plan.state !== "null") {
    state = {};
    for (const f of ex.state) state[f.name] = stateValue(c, f.type, plan.state === "full");
  }

  const input: Record<string, unknown> = {
    now,
    tz: tzTable(ex.timezone, Math.floor(now / DAY) * DAY - 4 * YEAR, Math.floor(now / DAY) * DAY + 2 * DAY),
    list,
    members,
    state,
    limits: { ...L },
  };
  if (plan.message) input["message"] = buildMessage(c, plan.message, list.address);
  return input;
}

/** A header field's value is one line once unfolded. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, " ");
}

/** A decoded header value: no control characters (runtime/input/decode.ts makes each a space). */
function textLine(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: what a decoded value never has
  return s.replace(/[\u0000-\u001f\u007f]/g, " ");
}

function buildMessage(c: Ctx, m: MessagePlan, listAddr: string): Record<string, unknown> {
  const r = c.r;
  const L = c.ex.limits;
  const cap = (n: number, limit: string) => Math.min(n, L[limit]!);
  const from = m.sender === "member" && c.members.length ? pick(r, c.members) : address(c, "x");
  const headerMax = L["header"]!;

  // The From header: `"Name" <address>` within the header limit (display names are where rules split on "<").
  const fromRoom = Math.max(0, headerMax - codePoints(from) - 3);
  const fromName = oneLine(chars(r, m.fromName.style, Math.min(m.fromName.size, fromRoom)));
  const fromHeader = `${fromName} <${from}>`;
  const headers: [string, string][] = [["From", fromHeader]];
  const automatedHeader: Record<Automated, [string, string] | null> = {
    "no": null,
    "auto-submitted": ["Auto-Submitted", "auto-replied"],
    "auto-submitted-no": ["Auto-Submitted", "no"],
    "precedence": ["Precedence", "bulk"],
    "list-id": ["List-Id", "<other.example.net>"],
  };
  const auto = automatedHeader[m.automated];
  if (auto) headers.push(auto);
  const FILLER = ["Received", "X-Mailer", "DKIM-Signature", "Comments", "X-Spam-Status", "Keywords", "Thread-Topic"];
  while (headers.length < cap(m.headers, "headers")) {
    headers.push([pick(r, FILLER), oneLine(chars(r, m.headerValue.style, cap(m.headerValue.size, "header")))]);
  }

  const local = listAddr.slice(0, listAddr.lastIndexOf("@"));
  const domain = listAddr.slice(listAddr.lastIndexOf("@") + 1);
  const base = m.recipient === "request" || m.recipient === "requestTag" ? `${local}-request` : local;
  let tag: string | null = null;
  if (m.recipient === "tag" || m.recipient === "requestTag") {
    // The +tag is part of the local part: within LOCAL_MAX, and the whole address within ADDRESS_MAX.
    const room = Math.min(LOCAL_MAX, ADDRESS_MAX - domain.length - 1) - base.length - 1;
    tag = charsInUnits(r, m.tag.style === "astral" ? "astral" : "ascii", Math.max(1, Math.min(m.tag.size, room))).replace(/[\s.]/g, "x");
  }
  const recipient = tag === null ? `${base}@${domain}` : `${base}+${tag}@${domain}`;

  const subjectSize = cap(m.subject.size, "subject");
  const subject = m.command === "none" ? chars(r, m.subject.style, subjectSize) : commandSubject(r, m.command, Math.max(subjectSize, m.command.length));

  const nTo = cap(m.to, "recipients");
  const nAtt = cap(m.attachments, "attachments");
  const attachments = Array.from({ length: nAtt }, () => ({
    filename: r() < 0.2 ? null : oneLine(chars(r, m.attachment.style, cap(m.attachment.size, "header"))),
    contentType: oneLine(chars(r, m.attachment.style, cap(m.attachment.size, "header"))),
    size: int(r, 0, Math.floor(L["size"]! / Math.max(1, nAtt) / 2)),
  }));

  return {
    from,
    // limits.recipients counts the To and Cc addresses together.
    to: Array.from({ length: nTo }, (_, i) => (i === 0 ? listAddr : address(c, "t"))),
    cc: Array.from({ length: Math.min(m.cc, L["recipients"]! - nTo) }, () => (c.members.length && r() < 0.5 ? pick(r, c.members) : address(c, "c"))),
    subject,
    text: sized(c, { style: m.text.style, size: cap(m.text.size, "text") }),
    html: m.html === null ? null : sized(c, { style: m.html.style, size: cap(m.html.size, "html") }),
    headers,
    // What the host decodes from them (runtime/input/decode.ts): one line of text, at most as long as the raw value.
    decoded: headers.map(([, v]) => textLine(v)),
    fromName: textLine(fromName).trim(),
    replyTo: r() < 0.5 ? null : address(c, "r"),
    attachments,
    // The Date header is the sender's claim: any time the host's parser reads (years to 9999; see soundness.test.ts on year 10000).
    date: m.date === "none" ? null : m.date === "now" ? c.plan.now : int(r, Date.UTC(1900, 0, 1), Date.UTC(9999, 11, 30)),
    messageId: oneLine(chars(r, m.messageId.style, cap(m.messageId.size, "header"))),
    envelope: {
      sender: m.envelope === "bounce" ? null : m.envelope === "other" ? address(c, "e") : from,
      recipient,
      isRequest: base !== local,
      tag,
    },
  };
}

// ------------------------------------------------------------------ random plans (fast-check)

/** A choice among values with weights. */
function weighted<T>(...choices: [T, number][]): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([v, weight]) => ({ weight, arbitrary: fc.constant(v) })));
}

/** 0, a small size, anything up to max, or max itself. */
function sizeArb(max: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: Math.max(1, Math.min(max, 24)) }) },
    { weight: 3, arbitrary: fc.nat({ max }) },
    { weight: 2, arbitrary: fc.constant(max) },
  );
}

/**
 * How many members: like any size, but lists of thousands are costly to pass
 * in, so counts in the hundreds are drawn more often than the thousands (the
 * worst-case tests run every list at its full length).
 */
function membersArb(max: number): fc.Arbitrary<number> {
  if (max <= 1000) return sizeArb(max);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 24 }) },
    { weight: 3, arbitrary: fc.nat({ max: 300 }) },
    { weight: 1, arbitrary: fc.nat({ max }) },
    { weight: 1, arbitrary: fc.constant(max) },
  );
}

const styleArb = fc.constantFrom(...STYLES);

function sizedArb(max: number): fc.Arbitrary<Sized> {
  return fc.record({ style: styleArb, size: sizeArb(max) });
}

/** Messages: the choices that steer the examples are drawn often enough for a few dozen runs to take every path. */
function messageArb(ex: Example): fc.Arbitrary<MessagePlan> {
  const L = ex.limits;
  const requests = ex.source.includes("isRequest");
  return fc.record({
    sender: weighted<MessagePlan["sender"]>(["member", 3], ["stranger", 1]),
    envelope: weighted<MessagePlan["envelope"]>(["from", 6], ["bounce", 1], ["other", 1]),
    recipient: requests
      ? weighted<MessagePlan["recipient"]>(["list", 4], ["request", 2], ["requestTag", 1], ["tag", 1])
      : weighted<MessagePlan["recipient"]>(["list", 3], ["tag", 1]),
    automated: weighted<Automated>(["no", 6], ["auto-submitted", 1], ["auto-submitted-no", 1], ["precedence", 1], ["list-id", 1]),
    command: weighted<MessagePlan["command"]>(["none", 1], ["subscribe", 1], ["unsubscribe", 1]),
    subject: sizedArb(L["subject"]!),
    text: sizedArb(L["text"]!),
    html: fc.option(sizedArb(L["html"]!), { nil: null, freq: 2 }),
    fromName: sizedArb(L["header"]!),
    headers: sizeArb(L["headers"]!),
    headerValue: sizedArb(L["header"]!),
    to: sizeArb(L["recipients"]!),
    cc: sizeArb(L["recipients"]!),
    attachments: sizeArb(L["attachments"]!),
    attachment: sizedArb(L["header"]!),
    messageId: sizedArb(L["header"]!),
    tag: sizedArb(LOCAL_MAX - 1),
    date: weighted<MessagePlan["date"]>(["none", 1], ["now", 1], ["random", 1]),
  });
}

/**
 * Random plans for one trigger of an example: every size within the rule's
 * limits, drawn as 0, small, anything or the maximum (without fast-check's
 * bias toward small values, so a few runs reach the limits).
 */
export function planArb(ex: Example, trigger: string): fc.Arbitrary<Plan> {
  const isMessage = trigger === "message";
  return fc.noBias(
    fc.record({
      seed: fc.nat(),
      now: fc.integer({ min: EPOCH_MIN + 4 * YEAR, max: EPOCH_MAX }),
      members: membersArb(ex.limits["members"]!),
      memberName: sizedArb(256),
      longAddresses: weighted<boolean>([false, 2], [true, 1]),
      joined: weighted<Plan["joined"]>(["old", 1], ["recent", 1], ["mixed", 1]),
      roles: weighted<Plan["roles"]>(["member", 1], ["mixed", 1]),
      bounces: weighted<Plan["bounces"]>(["none", 2], ["few", 2], ["many", 1]),
      owners: fc.nat({ max: 3 }),
      listName: sizedArb(256),
      state: weighted<Plan["state"]>(["null", 2], ["empty", 2], ["random", 4], ["full", 1]),
      stateStyle: styleArb,
      stateTimes: weighted<Plan["stateTimes"]>(["today", 1], ["old", 1], ["mixed", 1]),
      stateKeys: weighted<Plan["stateKeys"]>(["members", 2], ["strangers", 1], ["mixed", 1]),
      message: isMessage ? messageArb(ex) : fc.constant(null),
    }),
  );
}

// ------------------------------------------------------------------ plans at the maximum

/** A message plan with every size at the rule's maximum, in one style. */
export function maxMessage(ex: Example, style: Style, over: Partial<MessagePlan> = {}): MessagePlan {
  const L = ex.limits;
  const at = (size: number): Sized => ({ style, size });
  return {
    sender: "member",
    envelope: "from",
    recipient: "list",
    automated: "no",
    command: "none",
    subject: at(L["subject"]!),
    text: at(L["text"]!),
    html: at(L["html"]!),
    fromName: at(L["header"]!),
    headers: L["headers"]!,
    headerValue: at(L["header"]!),
    to: L["recipients"]! - Math.floor(L["recipients"]! / 2),
    cc: Math.floor(L["recipients"]! / 2),
    attachments: L["attachments"]!,
    attachment: at(L["header"]!),
    messageId: at(L["header"]!),
    tag: at(LOCAL_MAX - 1),
    date: "now",
    ...over,
  };
}

/** A plan with every size at its maximum (members, names, addresses, state), in one style. */
export function maxPlan(ex: Example, trigger: string, style: Style, over: Partial<Plan> = {}, message: Partial<MessagePlan> = {}): Plan {
  return {
    seed: 20_260_301,
    // A Wednesday in March, away from day boundaries and daylight-saving changes.
    now: Date.UTC(2026, 2, 4, 11, 30),
    members: ex.limits["members"]!,
    memberName: { style, size: 256 },
    longAddresses: true,
    joined: "old",
    roles: "member",
    bounces: "many",
    owners: 3,
    listName: { style, size: 256 },
    state: "full",
    stateStyle: style,
    stateTimes: "old",
    stateKeys: "members",
    message: trigger === "message" ? maxMessage(ex, style, message) : null,
    ...over,
  };
}
