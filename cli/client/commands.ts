/**
 * thwonkc's client commands for a running thwonkd: deploy, members, state,
 * runs, replay. Each is one or two API requests (http.ts) and prints the
 * answer for people, or as the API's JSON with --json.
 */
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { RUN_OUTPUT_KEY, RUN_OUTPUT_VERSION, STATE_ANSWER_KEY, STATE_ANSWER_VERSION, stateOfFile, type MemberJson, type RunAction, type RunError } from "../../contract/index.js";
import type { RunRecord } from "../../runtime/daemon/store/types.js";
import { client, ClientError, connection, enc, request, type ServerOptions } from "./http.js";
import { json, safe, safeJson, time } from "./print.js";
import * as S from "./shape.js";

/** A run as the API shows it: its actions, or (in a list of runs) only their count. */
type RunSummary = Omit<RunRecord, "actions"> & { actionCount?: number; actions?: RunAction[] };
interface Members {
  version: number;
  members: MemberJson[];
}
interface FailedMessage {
  id: number;
  address: string;
  mailFrom: string | null;
  receivedAt: number;
  runId: number | null;
  error: RunError | null;
  /** A message of a list removed since: no replay runs it (TW6047). */
  listRemoved?: boolean;
  /** Its bytes were removed by retention (a removed list's failures are pruned too): no replay could run it. */
  pruned?: boolean;
}
interface DeployResult {
  ok: boolean;
  hash?: string;
  addresses: { address: string; deployed: boolean; problems: string[]; dropped?: string[] }[];
  problems: string[];
}

async function readFile(io: CliIo, path: string, what: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(io.cwd, path));
  } catch (e) {
    throw new ClientError(`thwonkc: cannot read the ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, ExitCode.Usage);
  }
  return utf8Text(bytes, path);
}

/**
 * The bytes of a file sent to the server as text, refused where they are not UTF-8, at the place `check` names (the
 * core's decodeSource, loaded only then: the client commands do not load the compiler): read through U+FFFD, a
 * Latin-1 `é` in a rule, a state or a member's name was deployed or stored as another text than the one written.
 */
async function utf8Text(bytes: Uint8Array, shown: string): Promise<string> {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const { byteHex, decodeSource } = await import("../../compiler/index.js");
    const r = decodeSource(bytes);
    if (r.ok) return r.text;
    throw new ClientError(`thwonkc: cannot read ${shown}:${r.at.line}:${r.at.col}: it is not UTF-8 text (byte ${byteHex(r.at.byte)}); save it as UTF-8`, ExitCode.Usage);
  }
}

/** How many of the latest runs `thwonkc runs` shows without --limit. */
const DEFAULT_RUNS = 1000;

/** The answers' shapes (shape.ts): what the printing below reads. */
const deployResult = S.fields({
  ok: S.flag,
  hash: S.optional(S.text),
  addresses: S.listOf(S.fields({ address: S.text, deployed: S.flag, problems: S.listOf(S.text), dropped: S.optional(S.listOf(S.text)) })),
  problems: S.listOf(S.text),
});
const membersAnswer = S.fields({ version: S.number, members: S.listOf(S.fields({ address: S.text, name: S.optional(S.text), role: S.text, bounces: S.optional(S.number) })) });
// `initial` and `note`: a server before them did not say which fields the next run starts at their initial values.
const stateAnswer = S.fields({ address: S.text, state: S.present, hash: S.nullable(S.text), initial: S.optional(S.listOf(S.text)), note: S.optional(S.text) });
const runsAnswer = S.fields({ runs: S.listOf(S.run) });
// `more` and `next` are optional: a server before them answered the first 1,000 and said nothing of the rest.
const failedAnswer = S.fields({
  messages: S.listOf(
    S.fields({ id: S.number, address: S.text, mailFrom: S.nullable(S.text), receivedAt: S.epochMs, runId: S.nullable(S.number), error: S.nullable(S.runError), listRemoved: S.optional(S.flag), pruned: S.optional(S.flag) }),
  ),
  more: S.optional(S.flag),
  next: S.optional(S.nullable(S.number)),
  // Failed scheduled runs, which have no message: a server before them did not list them (nor replay them).
  schedules: S.optional(S.fields({ runs: S.listOf((v) => S.run(v) && S.fields({ listRemoved: S.optional(S.flag) })(v)), more: S.flag })),
});
const replayAnswer = S.fields({ replayed: S.number, answer: S.fields({ code: S.number, message: S.text }), run: S.nullable(S.run) });

const errorText = (e: RunError): string => `${safe(e.code, 20)} ${safe(e.message, 2000)}${e.line ? ` (line ${e.line}${e.column ? `:${e.column}` : ""})` : ""}`;

/** `thwonkc deploy FILE --address A...`: a .thwb bundle is sent as it is (the server verifies it again), anything else as a rule's source. */
export function runDeploy(file: string, addresses: string[], o: ServerOptions & { allowDataLoss?: boolean }, io: CliIo): Promise<number> {
  return client(io, async () => {
    const c = connection(o, io);
    const text = await readFile(io, file, "rule or bundle");
    const isBundle = file.endsWith(".thwb") || text.trimStart().startsWith("{");
    const list = addresses.flatMap((a) => a.split(",")).map((a) => a.trim()).filter(Boolean);
    try {
      const body = { [isBundle ? "bundle" : "source"]: text, fileName: basename(file), addresses: list, ...(o.allowDataLoss ? { allowDataLoss: true } : {}) };
      const r = await request<DeployResult>(c, "POST", "deploy", deployResult, body);
      if (o.json) return json(io, r);
      for (const a of r.addresses) {
        io.stdout.write(`deployed ${basename(file)} at ${a.address}  (sha256 ${r.hash?.slice(0, 12)}…)\n`);
        for (const d of a.dropped ?? []) io.stdout.write(`  ${safe(d, 2000)}\n`);
      }
    } catch (e) {
      const given = (e as { body?: { result?: unknown } }).body?.result;
      const result = deployResult(given) ? (given as DeployResult) : undefined;
      if (o.json && e instanceof ClientError && e.exitCode === ExitCode.Findings) json(io, (e as { body?: unknown }).body);
      else if (result)
        for (const a of result.addresses) {
          if (a.deployed) io.stdout.write(`deployed ${basename(file)} at ${a.address}\n`);
          else for (const p of a.problems) io.stderr.write(`not deployed at ${a.address}: ${p}\n`);
        }
      throw e;
    }
  });
}

/** `Name <addr>` or `addr`, as in a members file. */
function memberArg(text: string): { address: string; name?: string } {
  const m = /^(.*?)\s*<([^<>]*)>$/.exec(text.trim());
  if (!m) return { address: text.trim() };
  const name = m[1]!.replace(/^"(.*)"$/, "$1");
  return { address: m[2]!, ...(name ? { name } : {}) };
}

function printMembers(io: CliIo, address: string, m: Members): void {
  for (const x of m.members) {
    const bounces = x.bounces ? `  ${x.bounces} bounce${x.bounces === 1 ? "" : "s"}` : "";
    // A member's name may be a stranger's From header (subscribe by mail): shown without its control characters.
    const who = safe(x.address, 400);
    io.stdout.write(`${x.name ? `${safe(x.name, 400)} <${who}>` : who}${x.role !== "member" ? `  (${safe(x.role, 20)})` : ""}${bounces}\n`);
  }
  io.stdout.write(`${m.members.length} member${m.members.length === 1 ? "" : "s"} on ${address}\n`);
}

export function runMembers(op: string, address: string, args: string[], o: ServerOptions & { role?: string }, io: CliIo): Promise<number> {
  return client(io, async () => {
    const c = connection(o, io);
    const path = `lists/${enc(address)}/members`;
    let r: Members;
    if (op === "list") r = await request<Members>(c, "GET", path, membersAnswer);
    else if (op === "add") {
      if (args.length === 0) throw new ClientError("thwonkc: members add ADDRESS MEMBER...: name at least one member (addr or 'Name <addr>')", ExitCode.Usage);
      r = await request<Members>(c, "POST", path, membersAnswer, { members: args.map((a) => ({ ...memberArg(a), ...(o.role ? { role: o.role } : {}) })) });
    } else if (op === "remove") {
      if (args.length === 0) throw new ClientError("thwonkc: members remove ADDRESS MEMBER...: name at least one member", ExitCode.Usage);
      r = await request<Members>(c, "DELETE", path, membersAnswer, { addresses: args.map((a) => memberArg(a).address) });
    } else if (op === "import") {
      if (args.length !== 1) throw new ClientError("thwonkc: members import ADDRESS FILE: give one members file (one address a line, or a JSON array)", ExitCode.Usage);
      r = await request<Members>(c, "PUT", path, membersAnswer, { text: await readFile(io, args[0]!, "members file") });
    } else throw new ClientError(`thwonkc: members ${op}: the operations are list, add, remove and import`, ExitCode.Usage);
    if (o.json) return json(io, r);
    if (op === "list") printMembers(io, address, r);
    else io.stdout.write(`${r.members.length} member${r.members.length === 1 ? "" : "s"} on ${address} now\n`);
  });
}

/** Where `state set ADDRESS -` reads from: the process's stdin unless a test gives the text. */
export interface StateIo extends CliIo {
  readStdin?: () => string;
}

/** `thwonkc state ADDRESS`: the state; `state set ADDRESS FILE|-`: replace it; `state reset ADDRESS`: back to the rule's initial state. */
export function runState(first: string, args: string[], o: ServerOptions, io: StateIo): Promise<number> {
  return client(io, async () => {
    const op = first === "set" || first === "reset" ? first : "show";
    const [address, file, ...extra] = op === "show" ? [first, ...args] : args;
    const usage = {
      show: "state ADDRESS",
      set: "state set ADDRESS FILE (a JSON object of the rule's state fields, or what `thwonkc state ADDRESS --json` printed; - reads stdin)",
      reset: "state reset ADDRESS",
    }[op];
    if (address === undefined || (op === "set" ? file === undefined || extra.length > 0 : file !== undefined)) throw new ClientError(`thwonkc: ${usage}`, ExitCode.Usage);
    const c = connection(o, io);
    const path = `lists/${enc(address)}/state`;
    let r: StateAnswer;
    // Set from an answer with no state stored: that is a reset, said so.
    let resetBy: string | undefined;
    if (op === "show") r = await request(c, "GET", path, stateAnswer);
    else if (op === "reset") r = await request(c, "DELETE", path, stateAnswer);
    else {
      const name = file === "-" ? "stdin" : file!;
      const state = stateFileState(file === "-" ? (io.readStdin?.() ?? (await utf8Text(readFileSync(0), "stdin"))) : await readFile(io, file!, "state file"), name, address);
      if (state === null) {
        resetBy = name;
        r = await request(c, "DELETE", path, stateAnswer);
      } else {
        try {
          r = await request(c, "PUT", path, stateAnswer, { state });
        } catch (e) {
          // Read as a state, as a file without "thwonk-state" is; refused, it may have been an older thwonkc's answer.
          if (e instanceof ClientError && (e as { status?: number }).status === 422 && olderAnswer(state)) {
            e.message += `\nthwonkc: ${name} has the fields of the answer an older thwonkc's \`state --json\` printed (address, state, hash, without "${STATE_ANSWER_KEY}"), so it was read as the state itself; if it is such an answer, give its "state" alone (jq .state ${name}), or add "${STATE_ANSWER_KEY}": ${STATE_ANSWER_VERSION} to it`;
          }
          throw e;
        }
      }
    }
    if (o.json) return json(io, r);
    const initial = (r.initial ?? []).map((f) => `\`${safe(f, 200)}\``).join(", ");
    if (resetBy !== undefined) io.stdout.write(`the state of ${r.address} is reset (${safe(resetBy, 400)} holds no stored state); its next run starts from the rule's initial state\n`);
    else if (op === "set") io.stdout.write(`the state of ${r.address} is set; its next run starts from it${initial ? `, and from their initial values for the fields it leaves out (${initial})` : ""}\n`);
    else if (op === "reset") io.stdout.write(`the state of ${r.address} is reset (no state is stored); its next run starts from the rule's initial state\n`);
    else if (r.state === null) io.stdout.write(`${r.address} has no state stored (it was reset, or no run has saved state since it was deployed): its next run starts from the rule's initial state\n`);
    else {
      io.stdout.write(`${safeJson(r.state, 2)}\n`);
      // On stderr, so that stdout stays the state alone (`thwonkc state ADDRESS > state.json`).
      if (initial) io.stderr.write(`not stored: ${initial}; the next run starts them at their initial values in the rule\n`);
      // Entries left out of the state shown (at an address no longer taken: TW6048).
      if (r.note !== undefined) io.stderr.write(`${safe(r.note, 4000)}\n`);
    }
  });
}

/** `{ address, state, hash }` and nothing else: the answer of `state --json` before "thwonk-state" marked it. */
function olderAnswer(v: unknown): boolean {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v).sort();
  return keys.length === 3 && keys[0] === "address" && keys[1] === "hash" && keys[2] === "state";
}

interface StateAnswer {
  address: string;
  state: unknown;
  hash: string | null;
  initial?: string[];
  note?: string;
}

/**
 * The state a `state set` file gives: the file is either the state alone, the whole answer `thwonkc state ADDRESS
 * --json` prints or the whole output of `thwonkc run --json`, told apart by their keys (STATE_ANSWER_KEY,
 * "thwonk-state"; RUN_OUTPUT_KEY, "thwonk-run"), which no state can have (a
 * field's name is an identifier): a state whose fields are `address`, `state` and `hash` is still a state. From an
 * answer, its `state` alone is taken (null: none stored, which the caller sets by a reset); its `address`, `hash`,
 * `initial` and `note` are not sent, so a list's state can be set from another's.
 */
function stateFileState(text: string, name: string, address: string): unknown {
  let v: unknown;
  try {
    // A byte order mark, as some editors save UTF-8, is not part of the JSON.
    v = JSON.parse(text.startsWith("\ufeff") ? text.slice(1) : text);
  } catch (e) {
    throw new ClientError(
      `thwonkc: ${name} is not JSON (${e instanceof Error ? e.message : String(e)}); give the state as \`thwonkc state ${address} --json\` prints it, or its "state" alone`,
      ExitCode.Usage,
    );
  }
  const r = stateOfFile(v);
  if (!("unread" in r)) {
    // A failed run left no state: not a reset of the list's.
    if (r.from === "run" && r.state === null) throw new ClientError(`thwonkc: ${name} is the output of a run that failed, so it has no state to set`, ExitCode.Usage);
    return r.state;
  }
  if (r.from === "run") {
    throw new ClientError(
      `thwonkc: ${name} has "${RUN_OUTPUT_KEY}": ${safeJson(r.version).slice(0, 40)} but is not the output of \`thwonkc run --json\` this thwonkc reads (version ${RUN_OUTPUT_VERSION}, with "state"); give its "state" alone`,
      ExitCode.Usage,
    );
  }
  if (r.unread === "version") {
    throw new ClientError(
      `thwonkc: ${name} is a list's state answer of version ${safeJson(r.version).slice(0, 40)} ("${STATE_ANSWER_KEY}"), which this thwonkc does not read (it reads ${STATE_ANSWER_VERSION}); give its "state" alone, or use the thwonkc that wrote it`,
      ExitCode.Usage,
    );
  }
  throw new ClientError(
    `thwonkc: ${name} has "${STATE_ANSWER_KEY}" but no "state": give the whole of what \`thwonkc state ${address} --json\` printed, or the state alone (a JSON object of the rule's state fields)`,
    ExitCode.Usage,
  );
}

function runLine(r: RunSummary): string {
  // A run whose actions retention removed: how many it had, and that they are gone (its actions are then []).
  const count = r.prunedAt !== undefined ? (r.actionCount ?? 0) : (r.actions?.length ?? r.actionCount ?? 0);
  const pruned = r.prunedAt !== undefined ? ` (removed by retention ${time(r.prunedAt)})` : "";
  return `#${r.id}  ${time(r.now)}  ${safe(r.address, 400)}  ${safe(r.trigger, 200)}  ${safe(r.outcome, 20)}  gas ${r.gasUsed}/${r.gasBound}  ${count} action${count === 1 ? "" : "s"}${pruned}${r.replayOf !== null ? `  (replay of #${r.replayOf})` : ""}${typeof r.replayedBy === "number" ? `  (replayed by #${r.replayedBy})` : ""}${r.error ? `  ${errorText(r.error)}` : ""}`;
}

function printRun(io: CliIo, r: RunSummary): void {
  io.stdout.write(`${runLine(r)}\n  bundle ${safe(r.bundleHash, 64)}${r.messageId !== null ? `, message #${r.messageId}` : ""}\n`);
  if (r.prunedAt !== undefined) io.stdout.write(`  its actions were removed by retention at ${time(r.prunedAt)} (thwonkd --keep); its record is kept\n`);
  for (const a of r.actions ?? []) {
    const { kind, to, at, ...rest } = a;
    const detail = Object.entries(rest)
      .filter(([k, v]) => k !== "toMembers" && k !== "headers" && v !== null && v !== undefined)
      .map(([k, v]) => `${safe(k, 40)}: ${typeof v === "string" ? safeJson(v.length > 80 ? `${v.slice(0, 77)}...` : v) : safeJson(v)}`)
      .join(", ");
    const who = to.map((a) => safe(a, 400));
    io.stdout.write(`  ${safe(kind, 40)}${who.length ? ` → ${who.length > 5 ? `${who.slice(0, 5).join(", ")} and ${who.length - 5} more` : who.join(", ")}` : ""}  (line ${at.line})${detail ? `  ${detail}` : ""}\n`);
  }
}

/** `thwonkc runs [ADDRESS] [--failed [--removed]]`, or `thwonkc runs ID`: one run with its actions. */
export function runRuns(target: string | undefined, o: ServerOptions & { failed?: boolean; removed?: boolean; limit?: number }, io: CliIo): Promise<number> {
  return client(io, async () => {
    const c = connection(o, io);
    if (target !== undefined && /^\d+$/.test(target)) {
      const r = await request<RunSummary>(c, "GET", `runs/${target}`, S.run);
      return o.json ? json(io, r) : printRun(io, r);
    }
    if (o.removed && !o.failed) throw new ClientError("thwonkc: --removed goes with --failed (thwonkc runs --failed --removed)", ExitCode.Usage);
    const base = target === undefined ? "" : `lists/${enc(target)}/`;
    if (o.failed) {
      // The oldest first, as they are best replayed; the server says when more wait behind them.
      // Every list's leaves out those of the lists removed since (no replay runs them) unless --removed asks for them.
      const query = [...(o.limit !== undefined ? [`limit=${o.limit}`] : []), ...(o.removed && target === undefined ? ["removed=1"] : [])];
      const r = await request<{ messages: FailedMessage[]; more?: boolean; schedules?: { runs: (RunSummary & { listRemoved?: boolean })[]; more: boolean } }>(
        c,
        "GET",
        `${base}failed${query.length ? `?${query.join("&")}` : ""}`,
        failedAnswer,
      );
      if (o.json) return json(io, r);
      const gone = (x: { listRemoved?: boolean; pruned?: boolean }): string =>
        `${x.listRemoved ? "  (its list was removed: not replayable)" : ""}${x.pruned ? "  (its bytes were removed by retention)" : ""}`;
      for (const m of r.messages)
        io.stdout.write(`run #${m.runId ?? "?"}  message #${m.id}  ${time(m.receivedAt)}  ${safe(m.address, 400)}  from ${safe(m.mailFrom ?? "<>", 400)}${m.error ? `  ${errorText(m.error)}` : ""}${gone(m)}\n`);
      const n = r.messages.length;
      const count = `${n} failed message${n === 1 ? "" : "s"}`;
      if (r.more) io.stdout.write(`${count}, the oldest; more failed messages wait behind them (--limit N for more, or replay these first). After a fix, deploy it and run: thwonkc replay RUN\n`);
      else io.stdout.write(n ? `${count}; after a fix, deploy it and run: thwonkc replay RUN\n` : "no failed messages\n");
      const due = r.schedules?.runs ?? [];
      for (const x of due) io.stdout.write(`run #${x.id}  schedule ${safe(x.trigger, 200)}  due ${time(x.now)}  ${safe(x.address, 400)}${x.error ? `  ${errorText(x.error)}` : ""}${gone(x)}\n`);
      // Said only when some failed: a list without schedules reads as before.
      const d = `${due.length} failed scheduled run${due.length === 1 ? "" : "s"}`;
      if (r.schedules?.more) io.stdout.write(`${d}, the oldest; more wait behind them (--limit N for more, or replay these first). After a fix, deploy it and run: thwonkc replay RUN (it runs at its due time)\n`);
      else if (due.length) io.stdout.write(`${d}; after a fix, deploy it and run: thwonkc replay RUN (it runs at its due time)\n`);
      return;
    }
    // The newest runs (the oldest would be all a busy list ever showed); printed oldest first.
    const last = o.limit ?? DEFAULT_RUNS;
    const r = await request<{ runs: RunSummary[] }>(c, "GET", `${base === "" ? "runs" : `${base}runs`}?last=${last}`, runsAnswer);
    if (o.json) return json(io, r);
    for (const x of r.runs) io.stdout.write(`${runLine(x)}\n`);
    io.stdout.write(`${r.runs.length} run${r.runs.length === 1 ? "" : "s"}${last > 0 && r.runs.length >= last ? ` (the latest ${last}; --limit N for more or fewer)` : ""}\n`);
  });
}

export function runReplay(id: string, o: ServerOptions, io: CliIo): Promise<number> {
  return client(io, async () => {
    if (!/^\d+$/.test(id)) throw new ClientError(`thwonkc: replay takes a run's number (thwonkc runs ADDRESS --failed lists them), got ${JSON.stringify(id)}`, ExitCode.Usage);
    const r = await request<{ replayed: number; answer: { code: number; message: string; runId?: number; outcome?: string }; run: RunSummary | null }>(connection(o, io), "POST", `runs/${id}/replay`, replayAnswer);
    if (o.json) return json(io, r);
    io.stdout.write(`replayed run #${r.replayed}: ${r.answer.code} ${safe(r.answer.message, 2000)}\n`);
    if (r.run) printRun(io, r.run);
    if (r.run?.outcome === "failed") throw new ClientError(`thwonkc: the rule failed again ${r.run.messageId === null ? "at this due time (its replay can be replayed after the next fix)" : "on this message"}`, ExitCode.Findings);
  });
}
