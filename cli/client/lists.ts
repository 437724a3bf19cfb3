/**
 * thwonkc's list commands for a running thwonkd (runtime/daemon/api.ts):
 * `lists` shows the deployed lists as a table (address, rule, version,
 * members, held messages, flags), `lists ADDRESS` one list with its
 * deployment history, and `lists remove ADDRESS --yes` removes a list
 * (DELETE /v1/lists/ADDRESS: mail to it is refused from then on, its members
 * and state are dropped, its history is kept). Exit codes as the other
 * client commands: 1 when the server refuses (no such list), 2 for bad usage
 * (remove without --yes), 3 when it cannot be reached.
 */
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { client, ClientError, connection, enc, request, type ServerOptions } from "./http.js";
import { displayWidth, json, pad, safe, time } from "./print.js";
import * as S from "./shape.js";

interface ListView {
  address: string;
  rule: string;
  hash: string;
  deployedAt?: number | null;
  members?: number;
  held?: number;
  addressRefused?: string;
  schedulesHeld?: boolean;
}
interface ListDetail extends ListView {
  deployments: { hash: string; deployedAt: number }[];
  removals?: { hash: string; rule: string; removedAt: number; members: number }[];
}
interface Removed {
  removed: true;
  address: string;
  rule: string;
  hash: string;
  removedAt: number;
  members: number;
  held: number;
  message: string;
}

/** The answers' shapes (shape.ts). `deployedAt`, `members` and `held`: a server before them did not give them. */
const listView = {
  address: S.text,
  rule: S.text,
  hash: S.text,
  deployedAt: S.optional(S.nullable(S.epochMs)),
  members: S.optional(S.number),
  held: S.optional(S.number),
  addressRefused: S.optional(S.text),
  schedulesHeld: S.optional(S.flag),
};
const listsAnswer = S.fields({ lists: S.listOf(S.fields(listView)) });
const listAnswer = S.fields({
  ...listView,
  deployments: S.listOf(S.fields({ hash: S.text, deployedAt: S.epochMs })),
  removals: S.optional(S.listOf(S.fields({ hash: S.text, rule: S.text, removedAt: S.epochMs, members: S.number }))),
});
const removedAnswer = S.fields({ removed: S.flag, address: S.text, rule: S.text, hash: S.text, removedAt: S.epochMs, members: S.number, held: S.number, message: S.text });
const membersAnswer = S.fields({ members: S.listOf(S.present) });

/** A list's flags, in words: what is wrong with it or waits on its owners. */
function flags(l: ListView): string[] {
  const out: string[] = [];
  if (l.addressRefused !== undefined) out.push("address-refused (TW6044)");
  if (l.schedulesHeld) out.push("schedules-held");
  if (l.held) out.push(`${l.held} held`);
  return out;
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? "" : "s"}`;

function table(io: CliIo, lists: ListView[]): void {
  if (lists.length === 0) {
    io.stdout.write("no lists are deployed (thwonkc deploy RULE --address ADDRESS deploys one)\n");
    return;
  }
  const rows = lists.map((l) => [safe(l.address, 400), safe(l.rule, 100), safe(l.hash, 64).slice(0, 12), l.members === undefined ? "?" : String(l.members), flags(l).join(", ")]);
  const head = ["ADDRESS", "RULE", "BUNDLE", "MEMBERS", "FLAGS"];
  // In terminal columns, not UTF-16 units: an address in CJK or with combining marks keeps the table's columns.
  const width = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]!))));
  const line = (cells: string[]): string =>
    `${cells
      .map((c, i) => pad(c, width[i]!, i === 3))
      .join("  ")
      .trimEnd()}\n`;
  io.stdout.write(line(head));
  for (const r of rows) io.stdout.write(line(r));
  io.stdout.write(`${plural(lists.length, "list")}\n`);
  for (const l of lists) if (l.addressRefused !== undefined) io.stderr.write(`${safe(l.address, 400)}: ${safe(l.addressRefused, 4000)}\n`);
}

/** `thwonkc lists`, `thwonkc lists ADDRESS`, `thwonkc lists remove ADDRESS --yes`. */
export function runLists(args: string[], o: ServerOptions & { yes?: boolean }, io: CliIo): Promise<number> {
  return client(io, async () => {
    const [first, ...rest] = args;
    if (first === "remove") {
      if (rest.length !== 1) throw new ClientError("thwonkc: lists remove ADDRESS --yes: name the one list to remove", ExitCode.Usage);
      return remove(rest[0]!, o, io);
    }
    if (rest.length > 0) throw new ClientError("thwonkc: lists [ADDRESS] or lists remove ADDRESS --yes", ExitCode.Usage);
    if (o.yes) throw new ClientError("thwonkc: --yes goes with lists remove ADDRESS", ExitCode.Usage);
    const c = connection(o, io);
    if (first === undefined) {
      const r = await request<{ lists: ListView[] }>(c, "GET", "lists", listsAnswer);
      return o.json ? json(io, r) : table(io, r.lists);
    }
    const l = await request<ListDetail>(c, "GET", `lists/${enc(first)}`, listAnswer);
    if (o.json) return json(io, l);
    io.stdout.write(`${safe(l.address, 400)}  rule ${safe(l.rule, 100)}  sha256 ${safe(l.hash, 64)}\n`);
    if (l.members !== undefined) io.stdout.write(`  ${plural(l.members, "member")}${l.held ? `, ${l.held} held message${l.held === 1 ? "" : "s"} waiting (thwonkc held ${safe(l.address, 400)})` : ""}\n`);
    for (const f of flags(l).filter((x) => !x.endsWith(" held"))) io.stdout.write(`  ${f}\n`);
    if (l.addressRefused !== undefined) io.stdout.write(`  ${safe(l.addressRefused, 4000)}\n`);
    io.stdout.write(`  deployments (oldest first):\n`);
    // The removals of earlier lists at the address, in their place among the deployments.
    const events = [
      ...l.deployments.map((d) => ({ at: d.deployedAt, line: `${time(d.deployedAt)}  ${safe(d.hash, 64)}` })),
      ...(l.removals ?? []).map((r) => ({ at: r.removedAt, line: `${time(r.removedAt)}  removed (rule ${safe(r.rule, 100)}, ${plural(r.members, "member")} dropped)` })),
    ].sort((a, b) => a.at - b.at);
    for (const e of events) io.stdout.write(`    ${e.line}\n`);
  });
}

async function remove(address: string, o: ServerOptions & { yes?: boolean }, io: CliIo): Promise<void> {
  const c = connection(o, io);
  if (!o.yes) {
    // Asked first, so that a mistyped address is told as one (exit 1), and what --yes would drop is said.
    const m = await request<{ members: unknown[] }>(c, "GET", `lists/${enc(address)}/members`, membersAnswer);
    throw new ClientError(
      `thwonkc: not removed: removing ${safe(address, 400)} refuses its mail from then on and drops its ${plural(m.members.length, "member")} and its state (its runs and messages are kept). Run it again with --yes to remove it.`,
      ExitCode.Usage,
    );
  }
  const r = await request<Removed>(c, "DELETE", `lists/${enc(address)}`, removedAnswer);
  if (o.json) return json(io, r);
  io.stdout.write(`removed ${safe(r.address, 400)} (rule ${safe(r.rule, 100)}, sha256 ${safe(r.hash, 64).slice(0, 12)}…) at ${time(r.removedAt)}\n  ${safe(r.message, 4000)}\n`);
}
