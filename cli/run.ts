/**
 * `thwonkc run RULE_OR_BUNDLE --message FILE.eml ...`: a dry run, like
 * Sieve's sieve-test. The rule runs exactly as the daemon would run it (its
 * bundle's code in a fresh QuickJS sandbox, the gas limit set to the
 * verifier's bound for the trigger, every input checked against the rule's
 * limits first), but nothing is sent or stored: the actions, the state
 * changes and the gas used are printed instead.
 *
 * Exit codes: 0 when the rule ran, whatever it decided (reject and hold
 * included); 1 when it did not compile, failed (a runtime error, out of
 * gas) or its input was refused; 2 for bad usage or an unreadable file.
 *
 * This module loads the runtime (QuickJS, mailparser): main.ts imports it
 * only when `run` is the command.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join as joinPath, resolve as resolvePath } from "node:path";
import { composeRun, dryRunKey, overHopLimit } from "../runtime/mail/compose.js";
import { createColors } from "picocolors";
import {
  canonicalAddress,
  checkSources,
  describeTrace,
  emitRule,
  initialState,
  ruleAnswersRequests,
  triggerAsDeclared,
  type Bundle,
  type InitialState,
  type TraceValueKind,
} from "../compiler/index.js";
import { jsonDepth, MAX_JSON_DEPTH } from "../contract/values.js";
import { InputRefused, offsetAt, parseEml, readMembers, isKnownTimeZone } from "../runtime/input/index.js";
import type { MemberJson, MessageJson, RunInput } from "../runtime/input/index.js";
import { bundleInput, bundleLimits, bundleTimeZone } from "../runtime/run/input.js";
import { runBundle, type RunAction, type RunResult, type TraceStep } from "../runtime/run/run-rule.js";
import { NodeHost } from "../runtime/host/node-host.js";
import { RUN_OUTPUT_KEY, RUN_OUTPUT_VERSION, STATE_ANSWER_KEY, STATE_ANSWER_VERSION, stateOfFile, stateRefusals } from "../contract/index.js";
import { ExitCode } from "./exit-codes.js";
import { InputError } from "./files.js";
import { wantColor, type CliIo } from "./io.js";
import { renderPretty } from "./render/pretty.js";
import { renderTraceSteps } from "./render/trace.js";
import { loadRuleOrBundle, readUserFile } from "./rule-files.js";
import { normalizeSaved } from "./render/state.js";
import { groupDigits } from "../contract/numbers.js";

export interface RunOptions {
  message?: string | undefined;
  members?: string | undefined;
  state?: string | undefined;
  at?: string | undefined;
  address?: string | undefined;
  trigger?: string | undefined;
  /** MAIL FROM of the envelope (default: the From address; `<>` for a bounce). */
  mailFrom?: string | undefined;
  /** RCPT TO of the envelope (default: the list address), e.g. `list-request@example.org`. */
  rcptTo?: string | undefined;
  /** Write each outgoing message, as it would go on the wire, to this directory (N.eml, N.envelope.json; N the action's number). */
  write?: string | undefined;
  json: boolean;
  trace: boolean;
  color?: boolean | undefined;
  /** Run as the daemon does when a list owner approves a held message: `m.approved` is true. */
  approved?: boolean | undefined;
  /** The key of list.sign and list.verify (default: the public test key). */
  signKey?: string | undefined;
}

/** A usage problem found while preparing the run: exit 2. */
class Usage extends Error {}
/** The input was refused before the run: exit 1. */
class Refused extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
  }
}

export async function runRun(path: string, opts: RunOptions, io: CliIo): Promise<ExitCode> {
  try {
    return await dryRun(path, opts, io);
  } catch (err) {
    if (err instanceof InputError || err instanceof Usage) {
      io.stderr.write(`thwonkc: ${err.message}\n`);
      return ExitCode.Usage;
    }
    if (err instanceof Refused) {
      io.stderr.write(`thwonkc: the input was refused; the rule was not run:\n${err.lines.map((l) => `  ${l}\n`).join("")}`);
      return ExitCode.Findings;
    }
    throw err;
  }
}

async function dryRun(path: string, opts: RunOptions, io: CliIo): Promise<ExitCode> {
  const color = wantColor(io, io.stdout, opts.color);
  const loaded = loadRuleOrBundle(io.cwd, path);
  if (!loaded.bundle) {
    // Diagnostics go to stderr: stdout is the run's output (JSON with --json).
    const errors = loaded.diagnostics.filter((d) => d.severity === "error");
    io.stderr.write(renderPretty(errors, loaded.texts, 1, { color: wantColor(io, io.stderr, opts.color) }));
    io.stderr.write(`thwonkc: ${loaded.file} ${loaded.kind === "bundle" ? "cannot be run" : "has errors"}; nothing was run\n`);
    return ExitCode.Findings;
  }
  const bundle = loaded.bundle;
  const manifest = bundle.manifest;
  const sourceFile = loaded.kind === "source" ? loaded.file : bundle.source.fileName;

  const trigger = pickTrigger(bundle, opts);
  const zone = bundleTimeZone(bundle);
  if (!isKnownTimeZone(zone)) throw new Refused([`the rule's time zone ${JSON.stringify(zone)} is not known to this runtime`]);
  const now = opts.at === undefined ? Date.now() : parseAt(opts.at, zone);
  const address = opts.address ?? `${manifest.rule.replace(/_/g, "-")}@example.org`;
  if (canonicalAddress(address) === undefined) throw new Usage(`--address ${address} is not an e-mail address`);
  const listName = opts.address === undefined ? manifest.rule : address.slice(0, address.lastIndexOf("@"));

  const members = opts.members === undefined ? [] : readMembersFile(io, opts.members);
  const stateFile = opts.state === undefined ? undefined : readStateFile(io, opts.state, bundle);

  const declared = bundleLimits(bundle);
  let message: MessageJson | undefined;
  let messageSize: number | undefined;
  let raw: Buffer | undefined;
  if (trigger === "message") {
    raw = readRaw(io, opts.message!);
    const envelope: { mailFrom?: string | null; rcptTo?: string } = {};
    if (opts.mailFrom !== undefined) envelope.mailFrom = opts.mailFrom;
    if (opts.rcptTo !== undefined) envelope.rcptTo = opts.rcptTo;
    const parsed = await parseEml(raw, { listAddress: address, envelope, limits: declared });
    if (parsed.refused.length) throw new Refused(parsed.refused.map((p) => `${p.code} ${p.message}`));
    const loop = overHopLimit(parsed.message.headers);
    if (loop) throw new Refused([`TW6050 not run: ${loop} (a mail loop)`]);
    for (const p of parsed.problems) io.stderr.write(`thwonkc: warning: ${opts.message}: ${p}\n`);
    // What thwonkd does with it differs: the dry run shows the rule's run, and says so.
    if (parsed.message.envelope.isRequest && !ruleAnswersRequests(manifest))
      io.stderr.write(`thwonkc: warning: the rule never reads m.envelope.isRequest, so thwonkd answers ${parsed.message.envelope.recipient} itself and does not run the rule on this message (docs/daemon.md, "The -request address"); shown is what the rule would do\n`);
    message = parsed.message;
    if (opts.approved) message.approved = true;
    messageSize = parsed.size;
  }

  let input: RunInput;
  try {
    input = bundleInput(bundle, { now, address, listName, members, state: stateFile ?? null, ...(message ? { message, messageSize } : {}), trace: opts.trace });
  } catch (err) {
    if (err instanceof InputRefused) throw new Refused(err.problems.map((p) => `${p.code} ${p.message}`));
    throw err;
  }
  const unit = checkSources([{ fileName: sourceFile, text: bundle.source.text }]).units[0];
  const code = opts.trace && unit ? emitRule(unit.rule, unit.check.model, { trace: true }).code : undefined;
  const host = new NodeHost({ cwd: io.cwd, listAddress: address });
  const result = await runBundle(bundle, { trigger, input, ...(code ? { code } : {}), ...(opts.signKey !== undefined ? { tokenKey: opts.signKey } : {}) }, host);

  if (opts.write !== undefined && !result.error) {
    const dir = resolvePath(io.cwd, opts.write);
    mkdirSync(dir, { recursive: true });
    const incoming = message && raw ? { from: message.from, headers: message.headers, raw } : null;
    const runKey = dryRunKey(bundle.sha256, address, now, trigger, JSON.stringify(message ?? null));
    for (const m of await composeRun(result.actions, { list: address, listName, incoming, now, runKey })) {
      writeFileSync(`${dir}/${m.index}.eml`, m.raw);
      writeFileSync(`${dir}/${m.index}.envelope.json`, JSON.stringify({ messageId: m.messageId, from: m.envelope.from, to: m.envelope.to, refused: m.refused }, null, 2) + "\n");
      io.stderr.write(`thwonkc: wrote ${joinPath(opts.write, `${m.index}.eml`)} (<${m.messageId}>, to ${m.envelope.to.length} recipient${m.envelope.to.length === 1 ? "" : "s"})\n`);
    }
  }
  if (opts.json) {
    // Marked (contract/state.ts RUN_OUTPUT_KEY), so `--state` takes this output whole by the marker, not by its keys.
    io.stdout.write(JSON.stringify({ [RUN_OUTPUT_KEY]: RUN_OUTPUT_VERSION, ...result }, null, 2) + "\n");
  } else {
    const before = stateBefore(bundle, stateFile, unit ? initialState(unit.check.model) : undefined);
    const traceInfo = unit ? { lines: bundle.source.text.split(/\r\n|\r|\n/), letValues: describeTrace(unit).letValues } : undefined;
    io.stdout.write(renderRun({ bundle, sourceFile, trigger, now, zone, address, members: members.length, message, result, before, trace: opts.trace, traceInfo }, color));
  }
  return result.error ? ExitCode.Findings : ExitCode.Success;
}

// ------------------------------------------------------------------ inputs

function pickTrigger(bundle: Bundle, opts: RunOptions): string {
  const names = bundle.manifest.triggers.map((t) => t.name);
  const list = names.map((t) => `\`${t}\``).join(", ") || "none";
  let wanted = opts.trigger?.trim().replace(/\s+/g, " ");
  if (wanted === undefined) {
    if (opts.message !== undefined) wanted = "message";
    else {
      const schedules = names.filter((n) => n !== "message");
      throw new Usage(
        `give --message FILE.eml to run the rule on a message${schedules.length ? `, or --trigger with one of its schedules (${schedules.map((s) => `"${s}"`).join(", ")})` : ""}`,
      );
    }
  }
  // As the manifest names it, or as the rule's source declares it (`inspect` shows a `.ts` rule's `every("day at 00:00", …)`).
  const declared = (n: string): string => triggerAsDeclared(n, bundle.source.fileName);
  const found =
    names.find((n) => n === wanted) ??
    names.find((n) => n === `every ${wanted}`) ??
    names.find((n) => n.toLowerCase() === wanted!.toLowerCase()) ??
    names.find((n) => declared(n) === wanted || declared(n) === wanted!.replace(/\.\.\.\)$/, "…)"));
  if (found === undefined) throw new Usage(`rule ${bundle.manifest.rule} has no trigger \`${wanted}\`; its triggers: ${list}`);
  if (found === "message" && opts.message === undefined) throw new Usage("the message trigger needs a message: give --message FILE.eml");
  if (found !== "message" && opts.message !== undefined) throw new Usage(`the scheduled trigger \`${found}\` takes no message; leave out --message`);
  if (found !== "message" && opts.approved) throw new Usage(`--approved is about a held message: the scheduled trigger \`${found}\` takes none; leave out --approved`);
  return found;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * `--at`: ISO 8601. With `Z` or an offset it is that instant; without one
 * it is a wall-clock time in the rule's time zone (`2026-11-25T00:00` is
 * midnight where the list lives); a date alone is that day's midnight.
 */
export function parseAt(text: string, zone: string): number {
  const m = ISO.exec(text.trim());
  const bad = (): never => {
    throw new Usage(`--at ${text} is not an ISO 8601 time (e.g. 2026-11-25T12:00:00Z, or 2026-11-25T12:00 in the rule's time zone)`);
  };
  if (!m) return bad();
  const [, y, mo, d, h = "0", mi = "0", s = "0", ms = "0", off] = m;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms.padEnd(3, "0"))] as const;
  // Date.UTC reads years 0–99 as 1900–1999: set the year on its own, so `0000-01-01` is year 0.
  const date = new Date(0);
  date.setUTCFullYear(fields[0], fields[1], fields[2]);
  date.setUTCHours(fields[3], fields[4], fields[5], fields[6]);
  const local = date.getTime();
  if (date.getUTCFullYear() !== fields[0] || date.getUTCMonth() !== fields[1] || date.getUTCDate() !== fields[2] || fields[3] > 23 || fields[4] > 59 || fields[5] > 59) return bad();
  if (off !== undefined) {
    if (off.toUpperCase() === "Z") return local;
    const om = /^([+-])(\d{2}):?(\d{2})$/.exec(off)!;
    // Real offsets are within ±18:00 (ISO 8601 profiles, java.time); minutes are minutes.
    if (Number(om[2]) > 18 || Number(om[3]) > 59 || (Number(om[2]) === 18 && Number(om[3]) > 0)) {
      throw new Usage(`--at ${text}: the offset ${off} is not a UTC offset (from -18:00 to +18:00, minutes 00–59)`);
    }
    const minutes = (Number(om[2]) * 60 + Number(om[3])) * (om[1] === "-" ? -1 : 1);
    return local - minutes * 60_000;
  }
  // The instant whose wall-clock time in `zone` is `local` (twice, for a time near an offset change).
  let t = local - offsetAt(zone, local) * 60_000;
  t = local - offsetAt(zone, t) * 60_000;
  return t;
}

function readRaw(io: CliIo, arg: string): Buffer {
  const { abs } = readUserFile(io.cwd, arg, "the message");
  return readFileSync(abs);
}

function readMembersFile(io: CliIo, arg: string): MemberJson[] {
  const f = readUserFile(io.cwd, arg, "the members file");
  const r = readMembers(f.text, { source: f.name });
  if (r.problems.length) throw new Refused(r.problems.map((p) => `${p.code} ${p.message}`));
  return r.members;
}

/**
 * `--state FILE.json`: the state as a run's result gives it (`state` of
 * `run --json`); the whole output of `run --json` (its "thwonk-run" key) and
 * the answer of `thwonkc state ADDRESS --json` are accepted too. Fields
 * the rule does not declare are a mistake (a typo, another rule's state).
 */
function readStateFile(io: CliIo, arg: string, bundle: Bundle): Record<string, unknown> {
  const f = readUserFile(io.cwd, arg, "the state file");
  let data: unknown;
  try {
    data = JSON.parse(f.text);
  } catch (e) {
    throw new Usage(`the state file ${arg} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (jsonDepth(data) > MAX_JSON_DEPTH) {
    throw new Usage(`the state file ${arg} nests deeper than ${MAX_JSON_DEPTH} levels; no rule's state does (a state file is what \`run --json\` printed, or its \`state\`)`);
  }
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
  const fields = bundle.manifest.state.map((s) => s.name);
  // A run's whole output by its marker (or, from before it, by its keys where the rule could not have them all).
  const file = stateOfFile(data, fields);
  if ("unread" in file) {
    const [key, version, what] = file.from === "answer" ? [STATE_ANSWER_KEY, STATE_ANSWER_VERSION, "the answer of `thwonkc state ADDRESS --json`"] : [RUN_OUTPUT_KEY, RUN_OUTPUT_VERSION, "the output of `thwonkc run --json`"];
    throw new Usage(`the state file ${arg} has "${key}": ${JSON.stringify(file.version).slice(0, 40)} but is not ${what} this thwonkc reads (version ${version}, with "state"); give its "state" alone`);
  }
  if (file.from === "run" && file.state === null) throw new Usage(`the run saved in ${arg} failed, so it has no state to start from`);
  data = file.from === "answer" && file.state === null ? {} : file.state;
  if (!isObj(data)) throw new Usage(`the state file ${arg} must hold a JSON object: { "FIELD": value, ... }`);
  const unknown = Object.keys(data).filter((k) => !fields.includes(k));
  if (unknown.length) {
    throw new Usage(
      `the state file ${arg} has ${unknown.map((k) => `\`${k}\``).join(", ")}, which rule ${bundle.manifest.rule} does not declare (its state: ${fields.length ? fields.join(", ") : "none"})`,
    );
  }
  const refused = stateRefusals(bundle.manifest.state, data);
  if (refused.length) throw new Refused(refused);
  return data;
}

// ------------------------------------------------------------------ the state before the run

const UNKNOWN = Symbol("unknown");

/**
 * Each field's value before the run, in the saved form: from the state file,
 * or where the rule starts it (the core evaluates literal initialisers);
 * UNKNOWN for an initialiser that computes.
 */
function stateBefore(bundle: Bundle, given: Record<string, unknown> | undefined, initial: InitialState | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const s of bundle.manifest.state) {
    if (given && Object.hasOwn(given, s.name)) out.set(s.name, given[s.name]);
    else if (initial?.values.has(s.name)) out.set(s.name, initial.values.get(s.name));
    else out.set(s.name, UNKNOWN);
  }
  return out;
}

// ------------------------------------------------------------------ output

interface RunReport {
  bundle: Bundle;
  sourceFile: string;
  trigger: string;
  now: number;
  zone: string;
  address: string;
  members: number;
  message: MessageJson | undefined;
  result: RunResult;
  before: Map<string, unknown>;
  trace: boolean;
  traceInfo: TraceInfo | undefined;
}

interface TraceInfo {
  /** The rule's source lines, to show each statement as written. */
  lines: string[];
  /** The kind of value of each `let` ("line:col" of the statement), to show times and durations as such. */
  letValues: Map<string, TraceValueKind>;
}

/** `2026-11-25T09:00:00+01:00`: an instant as the wall-clock time of `zone`, with its offset. */
export function localTime(ms: number, zone: string): string {
  const off = isKnownTimeZone(zone) ? offsetAt(zone, ms) : 0;
  const local = new Date(ms + off * 60_000).toISOString().replace(/\.\d{3}Z$/, "");
  if (off === 0) return local + "Z";
  const a = Math.abs(off);
  return `${local}${off < 0 ? "-" : "+"}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

function duration(ms: number): string {
  if (ms === 0) return "0s";
  let m = Math.abs(ms);
  const parts: string[] = [];
  for (const [u, k] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000], ["ms", 1]] as const) {
    const q = Math.floor(m / k);
    if (q > 0) {
      parts.push(`${q}${u}`);
      m -= q * k;
    }
  }
  return (ms < 0 ? "-" : "") + parts.join(" ");
}

/** A traced value as the rule's author would write it: the trace shows times and durations as numbers. */
function traceValue(value: string, kind: TraceValueKind | undefined, zone: string): string {
  if (/^-?\d+$/.test(value)) {
    if (kind === "time") return localTime(Number(value), zone);
    if (kind === "duration") return duration(Number(value));
  }
  if (kind === "string" && value !== "none") return JSON.stringify(value);
  return value;
}

const n = (x: number): string => groupDigits(x);
const plural = (k: number, word: string): string => `${n(k)} ${word}${k === 1 ? "" : "s"}`;

/** At most `max` code points, on one line. */
function clip(s: string, max: number): string {
  const one = s.replace(/\r\n|\r|\n/g, "⏎");
  const cps = Array.from(one);
  return cps.length <= max ? one : cps.slice(0, max - 1).join("") + "…";
}

function recipients(to: readonly string[]): string {
  if (to.length === 0) return "nobody";
  if (to.length <= 3) return to.join(", ");
  return `${n(to.length)} addresses: ${to.slice(0, 3).join(", ")} and ${n(to.length - 3)} more`;
}

const TEXT_LINES = 4;

function textBlock(text: string, out: string[], c: ReturnType<typeof createColors>): void {
  const lines = text.replace(/\r\n|\r/g, "\n").replace(/\n+$/, "").split("\n");
  for (const l of lines.slice(0, TEXT_LINES)) out.push(`       ${c.dim("|")} ${clip(l, 160)}`);
  if (lines.length > TEXT_LINES) out.push(`       ${c.dim("|")} ${c.dim(`… ${plural(lines.length - TEXT_LINES, "more line")}`)}`);
  const cps = Array.from(text).length;
  out.push(`       ${c.dim(`(${plural(cps, "character")})`)}`);
}

function renderAction(a: RunAction, i: number, c: ReturnType<typeof createColors>): string[] {
  const out: string[] = [];
  const head = (text: string): void => void out.push(`  ${String(i + 1).padStart(2)}. ${text}  ${c.dim(`(line ${a.at.line})`)}`);
  const str = (k: string): string | undefined => (typeof a[k] === "string" ? (a[k] as string) : undefined);
  switch (a.kind) {
    case "send":
    case "reply":
    case "forward": {
      head(`${c.bold(a.kind)} to ${recipients(a.to)}`);
      out.push(`       subject: ${clip(str("subject") ?? "", 160)}`);
      const extras: string[] = [];
      if (a.kind === "send" && str("from") && str("from") !== "list") extras.push(`from: ${str("from")}`);
      if (a.kind === "send" && str("replyTo")) extras.push(`reply-to: ${str("replyTo")}`);
      if (a.kind === "send" && str("thread")) extras.push(`in the thread of <${clip(str("thread")!, 100)}>`);
      if (a.kind === "forward" && str("footer")) extras.push(`footer: ${clip(str("footer")!.replace(/\s*\n\s*/g, " ⏎ "), 160)}`);
      if (extras.length) out.push(`       ${extras.join(", ")}`);
      if (str("text") !== undefined) textBlock(str("text")!, out, c);
      if (str("html")) out.push(`       ${c.dim(`and an HTML body (${plural(Array.from(str("html")!).length, "character")})`)}`);
      break;
    }
    case "reject":
    case "hold":
      head(`${c.bold(a.kind)}: ${clip(str("reason") ?? "", 200)}`);
      break;
    case "members.add":
      head(`${c.bold("members.add")} ${str("address")}${str("name") ? ` (${str("name")})` : ""}`);
      break;
    case "members.remove":
      head(`${c.bold("members.remove")} ${str("address")}`);
      break;
    case "publish":
      head(`${c.bold("publish")} ${str("path")} (${plural(Array.from(str("html") ?? "").length, "character")})`);
      break;
    case "log":
      head(`${c.bold("log")}: ${clip(str("text") ?? "", 200)}`);
      break;
    default: {
      const { kind, at: _at, ...rest } = a;
      head(`${c.bold(kind)} ${clip(JSON.stringify(rest), 200)}`);
    }
  }
  return out;
}

function show(v: unknown): string {
  return v === UNKNOWN ? "(initial value)" : JSON.stringify(v);
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** One field's change: inline when short, key by key for a long map or record. */
function renderChange(name: string, before: unknown, after: unknown, out: string[]): void {
  const inline = `${show(before)} → ${show(after)}`;
  if (inline.length <= 120 || !isPlain(before) || !isPlain(after)) {
    out.push(`  ${name}: ${clip(inline, 200)}`);
    return;
  }
  const lines: string[] = [];
  for (const k of Object.keys(after)) {
    if (!Object.hasOwn(before, k)) lines.push(`    + ${clip(`${JSON.stringify(k)}: ${JSON.stringify(after[k])}`, 160)}`);
    else if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) lines.push(`    ~ ${clip(`${JSON.stringify(k)}: ${JSON.stringify(before[k])} → ${JSON.stringify(after[k])}`, 160)}`);
  }
  for (const k of Object.keys(before)) if (!Object.hasOwn(after, k)) lines.push(`    - ${clip(JSON.stringify(k), 160)}`);
  const size = (o: object): string => plural(Object.keys(o).length, "entry").replace("entrys", "entries");
  out.push(`  ${name}: ${size(before)} → ${size(after)}`);
  out.push(...lines.slice(0, 10));
  if (lines.length > 10) out.push(`    … ${n(lines.length - 10)} more`);
}

/** Each step: where, what, the gas used so far and since the step before (render/trace.ts). */
function renderTrace(steps: readonly TraceStep[], info: TraceInfo | undefined, zone: string, c: ReturnType<typeof createColors>): string[] {
  return renderTraceSteps(steps, info, (value, kind) => traceValue(value, kind, zone), c);
}

export function renderRun(r: RunReport, color: boolean): string {
  const c = createColors(color);
  const out: string[] = [];
  const { result, bundle } = r;
  const when = localTime(r.now, r.zone);
  out.push(`${c.bold(`rule ${bundle.manifest.rule}`)}, ${triggerAsDeclared(r.trigger === "message" ? "on message" : r.trigger, r.sourceFile)}, at ${when}${r.zone !== "UTC" ? ` (${r.zone})` : ""}`);
  out.push(`list ${r.address}, ${plural(r.members, "member")}`);
  if (r.message) out.push(`message from ${r.message.from ?? "(no From address)"}: ${clip(r.message.subject, 100) || "(no subject)"}`);
  out.push("");
  if (r.trace) {
    if (result.trace) out.push(...renderTrace(result.trace, r.traceInfo, r.zone, c), "");
    else out.push(c.dim("no trace: the sandbox stopped the run before it could report one"), "");
  }
  if (result.error) {
    const e = result.error;
    const at = e.line !== null ? `${r.sourceFile}:${e.line}:${e.column ?? 1}: ` : "";
    out.push(`${at}${c.bold(c.red("error"))} ${c.dim(e.code)}: ${e.message}`);
    out.push("", `${c.bold("gas")}: ${n(result.gas.used)} used of a bound of ${n(result.gas.bound)}`);
    return out.join("\n") + "\n";
  }
  out.push(c.bold(result.actions.length ? `actions (${result.actions.length})` : "actions: none (the rule did nothing with this input)"));
  result.actions.forEach((a, i) => out.push(...renderAction(a, i, c)));
  out.push("");
  const after = result.state ?? {};
  const changed: string[] = [];
  const same: string[] = [];
  for (const s of bundle.manifest.state) {
    const given = r.before.get(s.name);
    const b = given === UNKNOWN ? given : normalizeSaved(s.schema, given);
    const a = normalizeSaved(s.schema, after[s.name]);
    if (b !== UNKNOWN && JSON.stringify(b) === JSON.stringify(a)) same.push(s.name);
    else renderChange(s.name, b, a, changed);
  }
  if (bundle.manifest.state.length === 0) out.push(`${c.bold("state")}: none (the rule keeps no state)`);
  else if (changed.length === 0) out.push(`${c.bold("state")}: unchanged`);
  else {
    out.push(c.bold("state"));
    out.push(...changed);
    if (same.length) out.push(`  ${c.dim(`unchanged: ${same.join(", ")}`)}`);
  }
  const pct = result.gas.bound > 0 ? ` (${Math.round((100 * result.gas.used) / result.gas.bound)}%)` : "";
  out.push("", `${c.bold("gas")}: ${n(result.gas.used)} used of a bound of ${n(result.gas.bound)}${pct}`);
  return out.join("\n") + "\n";
}
