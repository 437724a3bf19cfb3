/**
 * What a run leaves to commit (runner.ts): its record, and unless it failed
 * its new state, member changes, published pages and outgoing mail, composed
 * here so that the bytes are part of the commit.
 */
import { canonicalAddress, type MemberJson, type RunAction, type RunResult } from "../../contract/index.js";
import type { IncomingMail, ListMailSettings } from "../mail/compose.js";
import { composeAllNow, type ComposeContext } from "./outbox.js";
import type { MemberChange, MembersSnapshot, OutgoingMail, RunCommit, RunOutcome } from "./store/types.js";

/** The parts of a run's record known before it runs. */
export interface RunBase {
  trigger: string;
  now: number;
  bundleHash: string;
  replayOf: number | null;
}

/**
 * `head`: made for this one run (it becomes the commit). Answered at once unless a message went through nodemailer
 * (composeAllNow): a promise for each run costs the event loop more than the run's short messages. Throws when its mail
 * cannot be composed.
 */
export function runCommit(
  head: Omit<RunCommit, "run">,
  runBase: RunBase,
  result: RunResult,
  actions: RunAction[],
  outcome: RunOutcome,
  mail: { list: string; incoming: IncomingMail | null; settings: Partial<ListMailSettings> | undefined },
): RunCommit | Promise<RunCommit> {
  const run = { trigger: runBase.trigger, now: runBase.now, bundleHash: runBase.bundleHash, replayOf: runBase.replayOf, outcome, error: result.error, gasUsed: result.gas.used, gasBound: result.gas.bound, actions };
  // The commit is the head the caller made for this run, filled in: a copy by spread ({ ...head }) takes V8's slow
  // path at each run, as the heads of messages, replays and schedules differ in shape.
  const c = head as RunCommit;
  c.run = run;
  // A failed run commits nothing of its own (docs/language.md): only the record that it failed.
  if (result.error) return c;
  const members: MemberChange[] = [];
  for (const a of actions) {
    if (a.kind === "members.add" && typeof a["address"] === "string") {
      const m: MemberJson = { address: a["address"], name: typeof a["name"] === "string" ? a["name"] : "", role: "member", joined: runBase.now };
      members.push({ op: "add", member: m });
    } else if (a.kind === "members.remove" && typeof a["address"] === "string") members.push({ op: "remove", address: a["address"] });
  }
  const published = actions.filter((a) => a.kind === "publish").map((a) => ({ path: String(a["path"]), html: String(a["html"] ?? "") }));
  const { list, incoming, settings } = mail;
  const ctx: ComposeContext = { list, incoming, now: runBase.now };
  if (settings) ctx.settings = settings;
  const outbox = composeAllNow(actions, ctx);
  const fill = (o: OutgoingMail[]): RunCommit => {
    if (result.state) c.state = result.state;
    c.members = members;
    c.outbox = o;
    c.published = published;
    return c;
  };
  return outbox instanceof Promise ? outbox.then(fill) : fill(outbox);
}

/**
 * A list's members as its runs take them, frozen through: a change loads new ones, so what each run's input
 * makes of them (their checks and columns, runtime/input/build.ts) is made once per version. A member whose stored
 * address the one address rule no longer takes (a row an older thwonkd took before contract/values.ts refused
 * invisible characters: `ann<U+200B>@`) is left out, in `left`: the run's input would refuse it and hold the whole
 * list (451, TW6006) until an owner removed it. The store and the API keep it, for an owner to see and remove.
 */
export function frozen(given: MembersSnapshot): MembersSnapshot & { left?: string[] } {
  const left = given.members.filter((m) => canonicalAddress(m.address) === undefined);
  const s = left.length ? { ...given, members: given.members.filter((m) => canonicalAddress(m.address) !== undefined), left: left.map((m) => m.address) } : given;
  for (const m of s.members) Object.freeze(m);
  Object.freeze(s.members);
  return s;
}
