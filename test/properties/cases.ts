/**
 * Adversarial inputs, written as plans: every size at its maximum, and the
 * choices that send a rule down each of its paths. They are the worst-case
 * soundness cases and the tightness witnesses (a trigger's worst case is the
 * largest gas among them); see worst-case.test.ts.
 *
 * Runs at the limits are expensive (5,000 members with 320-unit addresses
 * and 256-unit names, 20,000-character text: several MB of input per run),
 * so a case that only varies what the rule never reads is left out (the
 * -request address in a rule without `isRequest`, state in a rule without
 * state, separator-dense text in a rule that never splits, trims, replaces
 * or joins, escape-heavy text in a scheduled trigger of a rule that never
 * escapes HTML), and the cases that pick a path (a stranger, a bounce, a
 * command) keep the message's extras that no example reads — HTML body,
 * filler header fields, attachments, To and Cc — small; in rules with
 * thousands of members or state entries they take short addresses, and in
 * lists of thousands of members 200 members with short names (except "the
 * list full"). The cases named "everything at its max" have
 * every size at its maximum. A trigger whose bound is a constant gets that
 * one case. The random tests (soundness.test.ts) cover every size, read or
 * not, up to its maximum.
 */
import { reads, type Example } from "./examples.js";
import { maxPlan, type MessagePlan, type Plan, type Style } from "./inputs.js";

export interface Case {
  name: string;
  plan: Plan;
}

function hasState(ex: Example): boolean {
  return ex.state.length > 0;
}

function keepsTimes(ex: Example): boolean {
  return ex.bundle.manifest.state.some((f) => JSON.stringify(f.schema).includes('"time"'));
}

/** What the path cases keep small: the message's extras no example reads. */
const LEAN: Partial<MessagePlan> = { html: null, headers: 0, to: 1, cc: 0, attachments: 0 };
/** Lists this long are costly to pass in (up to 4.5 MB of JSON): their path cases take a shorter list of short members. */
const LONG_LIST = 1000;
const SHORT_LIST = 200;
/** Members and state entries beyond this: the path cases take short addresses (a 10,000-entry map of 320-unit addresses is 3.5 MB). */
const MANY_ENTRIES = 2000;

/** The cases for one trigger of an example. */
export function adversarialCases(ex: Example, trigger: string): Case[] {
  const out: Case[] = [];
  const add = (name: string, style: Style, over: Partial<Plan> = {}, message: Partial<MessagePlan> = {}): void => {
    out.push({ name, plan: maxPlan(ex, trigger, style, over, message) });
  };
  const members = ex.limits["members"]!;
  const entries = members + ex.state.reduce((n, f) => n + (f.max ?? 0), 0);
  const shortMembers: Partial<Plan> = {
    ...(entries > MANY_ENTRIES ? { longAddresses: false } : {}),
    ...(members > LONG_LIST ? { members: SHORT_LIST, memberName: { style: "ascii", size: 8 } } : {}),
  };
  const lean = (name: string, style: Style, over: Partial<Plan> = {}, message: Partial<MessagePlan> = {}): void =>
    add(name, style, { ...shortMembers, ...over }, { ...LEAN, ...message });
  const splits = ["split", "lines", "trim", "replace", "join", "contains", "indexOf"].some((w) => reads(ex, `.${w}(`));
  const cases = ["lower", "upper"].some((w) => reads(ex, `.${w}(`));

  // A bound without variables: no size can raise the gas unless the verifier missed one, which any size shows (the random tests).
  const constant = (ex.triggers.find((t) => t.name === trigger)?.cost as { gas?: { terms?: { term: string }[] } } | undefined)?.gas?.terms?.every((x) => x.term === "constant") ?? false;
  if (constant) {
    add(trigger === "message" ? "everything at its max, astral text" : "members and state at their max, astral text", "astral");
    return out;
  }
  if (trigger !== "message") {
    add("members and state at their max, astral text", "astral");
    if (reads(ex, ".escapeHtml(")) add("members and state at their max, escape-heavy text (\")", "quot");
    if (hasState(ex)) {
      // Every `where` filter passes: nobody in state, everyone joined long ago.
      add("members at their max, state empty, astral text", "astral", { state: "empty" });
      add("state at its max, no members", "astral", { members: 0 });
    }
    if (splits) add("members and state at their max, text dense with separators, members joined today", "separators", { joined: "recent" });
    return out;
  }

  add("a member's post, everything at its max, astral text", "astral");
  add("a member's post, everything at its max, escape-heavy text (\")", "quot");
  if (splits) add("a member's post, everything at its max, text dense with separators", "separators");
  if (cases) add("a member's post, everything at its max, text that grows in lower/upper case (İ, ß, ﬃ)", "caseGrow");
  if (hasState(ex)) {
    lean("a member's post, state empty, astral text", "astral", { state: "empty" });
    if (keepsTimes(ex)) lean("a member's post, state full of today's times", "astral", { stateTimes: "today" });
  }
  lean("a stranger's post", "quot", {}, { sender: "stranger" });
  if (reads(ex, "isAutomated") || reads(ex, "envelope.sender")) {
    lean("a member's automated post (Auto-Submitted)", "astral", {}, { automated: "auto-submitted" });
    lean("a stranger's bounce (no envelope sender, Precedence: bulk)", "quot", {}, { sender: "stranger", envelope: "bounce", automated: "precedence" });
    lean("a member's bounce (no envelope sender, Auto-Submitted: no)", "astral", { state: "empty" }, { envelope: "bounce", automated: "auto-submitted-no" });
  }
  if (reads(ex, "isRequest")) {
    const req = (name: string, style: Style, over: Partial<Plan>, message: Partial<MessagePlan>) =>
      lean(`-request: ${name}`, style, over, { recipient: "request", ...message });
    req("subscribe by a stranger, the list full", "quot", { members }, { sender: "stranger", command: "subscribe", fromName: { style: "html", size: 990 } });
    req("subscribe by a stranger, one place left", "quot", { members: members - 1 }, { sender: "stranger", command: "subscribe", fromName: { style: "html", size: 990 } });
    req("subscribe by a member", "astral", {}, { command: "subscribe" });
    req("unsubscribe by a member, with a +tag", "quot", {}, { command: "unsubscribe", recipient: "requestTag" });
    req("unsubscribe by a stranger", "astral", {}, { sender: "stranger", command: "unsubscribe" });
    req("any other subject (help)", "quot", {}, { sender: "stranger" });
    req("any other subject, in characters that grow in lower case (İ → i̇)", "caseGrow", {}, { sender: "stranger" });
    req("subscribe, automated (List-Id)", "astral", {}, { sender: "stranger", command: "subscribe", automated: "list-id" });
  }
  return out;
}
