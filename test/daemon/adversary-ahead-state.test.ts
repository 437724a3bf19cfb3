/**
 * Runs given ahead (ahead.ts) against one-at-a-time processing, with a rule whose state every message changes and
 * with work interleaved in the list's queue: a members change, a schedule run that changes state, a held message's
 * approval, a run that fails in the middle, a redeploy of the same source. The same sequence is fed twice, once with
 * every message in flight at once and once each awaited before the next: every message's outcome and actions, and the
 * final state, must be the same.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { aheadCounts } from "../../runtime/daemon/ahead.js";
import { listDaemon } from "./helpers.js";

const A = "tally@example.org";
const SOURCE = `rule tally

limits { members: 10, fanout: 10 }

state {
  count: int = 0
  ticks: int = 0
}

on message(m: Message) {
  if m.subject.startsWith("hold") and not m.approved {
    hold("look at {m.subject}")
  }
  if m.subject == "fail" {
    let z = 10 / (m.subject.length - 4)
    state.count = state.count + z
  }
  if state.count < 1000000 {
    state.count = state.count + 1
  }
  send(to: members, subject: "{state.count}/{state.ticks} {m.subject}", text: m.text, from: "sender", replyTo: "list")
}

every day at 00:00 {
  if state.ticks < 1000000 {
    state.ticks = state.ticks + 1
  }
}
`;

/** Recent, one time for both feeds: held messages must not have expired when approved. */
const AT = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

type Step = { msg: string } | { op: "members" | "unmember" | "tick" | "approve" | "redeploy" | "other" };

const STEPS: Step[] = [];
for (let i = 0; i < 60; i++) {
  STEPS.push({ msg: i % 13 === 5 ? "fail" : i % 11 === 7 ? `hold ${i}` : `m${i}` });
  if (i === 9) STEPS.push({ op: "members" });
  if (i === 17 || i === 40) STEPS.push({ op: "tick" });
  if (i === 25 || i === 50) STEPS.push({ op: "approve" });
  if (i === 33) STEPS.push({ op: "redeploy" });
}

async function feed(daemon: Daemon, together: boolean, steps: Step[] = STEPS, sources: { same: string; other?: string } = { same: SOURCE }): Promise<{ outcomes: string[]; state: unknown }> {
  const at = AT;
  const every = await daemon.runner.withList(A, async (b) => b.manifest.triggers.find((t) => t.kind === "every")?.name ?? "");
  const pending: Promise<string>[] = [];
  let k = 0;
  const describe = async (a: { code: number; runId?: number }): Promise<string> => {
    const run = a.runId === undefined ? undefined : await daemon.store.run(a.runId);
    return `${a.code} ${run?.outcome} ${JSON.stringify(run?.actions.map((x) => [x.kind, x["subject"] ?? x["reason"], x["to"]]))}`;
  };
  for (const s of steps) {
    let p: Promise<string>;
    if ("msg" in s) {
      const n = k++;
      const raw = Buffer.from(`From: <s${n % 3}@example.org>\r\nTo: <${A}>\r\nSubject: ${s.msg}\r\nMessage-ID: <t.${n}@example.org>\r\n\r\nbody ${n}\r\n`);
      p = daemon.runner.deliver({ address: A, rcptTo: A, mailFrom: `s${n % 3}@example.org`, raw, receivedAt: at + n * 1000 }).then(describe);
    } else if (s.op === "members") {
      // Queued in the list's order at once (withList), between the messages before and after it.
      p = daemon.addMembers(A, [{ address: "bob@example.org", name: "Bob", joined: at }]).then((m) => `members ${m.members.length}`);
    } else if (s.op === "unmember") {
      p = daemon.removeMembers(A, ["bob@example.org"]).then((m) => `members ${m.members.length}`);
    } else if (s.op === "tick") {
      p = daemon.runner.runSchedule(A, every, at + k * 1000).then(describe);
    } else if (s.op === "approve") {
      // A barrier: the messages before it answered, then the oldest held one approved (its id the same in both feeds).
      await Promise.all(pending);
      const held = (await daemon.store.messages({ address: A, status: "held" })).sort((x, y) => x.id - y.id)[0];
      // Awaited: approve looks the hold up before it takes its place in the list's queue.
      const r = held ? await daemon.holds.approve(held.id) : undefined;
      p = Promise.resolve(r ? `approved ${r.held.status} ${await describe(r.answer)}` : "none held");
    } else if (s.op === "other") {
      // A different version: its deploy awaited so that its place in the queue is the same in both feeds.
      const r = await daemon.deploy({ source: sources.other!, fileName: "tally.thwonk", addresses: [A] });
      p = Promise.resolve(`deployed other ${r.ok} ${JSON.stringify(r.problems ?? r.addresses.map((a) => a.problems))}`);
    } else {
      // The same source again: wherever its turn falls, the runs after it are those of the same code.
      p = daemon.deploy({ source: sources.same, fileName: "tally.thwonk", addresses: [A] }).then((r) => `deployed ${r.ok}`);
    }
    pending.push(together ? p : Promise.resolve(await p));
  }
  const outcomes = await Promise.all(pending);
  await daemon.runner.drain();
  return { outcomes, state: (await daemon.state(A)).state };
}

test("a counting rule with members, schedule, approvals, failures and a redeploy between queued runs: ahead equals one at a time", async () => {
  const one = await listDaemon({ source: SOURCE, fileName: "tally.thwonk", addresses: [A] });
  const all = await listDaemon({ source: SOURCE, fileName: "tally.thwonk", addresses: [A] });
  try {
    const slow = await feed(one.daemon, false);
    const before = { ...aheadCounts };
    const fast = await feed(all.daemon, true);
    // The fast feed did give runs ahead, and took some at their turn (else this test compares the slow path with itself).
    assert.ok(aheadCounts.taken + aheadCounts.again > before.taken + before.again, JSON.stringify({ before, aheadCounts }));
    if (process.env["ADV_DEBUG"]) console.log(slow.outcomes.map((o, i) => `${i} ${o}\n   ${fast.outcomes[i]}`).join("\n"));
    assert.deepEqual(fast.state, slow.state);
    assert.ok(slow.outcomes.some((o) => o.startsWith("approved approved")), slow.outcomes.join("\n"));
    assert.ok(slow.outcomes.some((o) => o.includes(" failed ")), "a run failed");
    for (let i = 0; i < slow.outcomes.length; i++) assert.equal(fast.outcomes[i], slow.outcomes[i], `step ${i} ${JSON.stringify(STEPS[i])}`);
    const slowRuns = (await one.daemon.runs({ address: A })).map((r) => `${r.trigger} ${r.outcome} ${JSON.stringify(r.actions)}`);
    const fastRuns = (await all.daemon.runs({ address: A })).map((r) => `${r.trigger} ${r.outcome} ${JSON.stringify(r.actions)}`);
    assert.deepEqual(fastRuns.sort(), slowRuns.sort());
  } finally {
    await one.close();
    await all.close();
  }
});

/** State changed by few messages ("set"), so most runs given ahead are sent the very input of their turn (sameInput). */
const QUIET = (mark: string) => `rule tally

limits { members: 10, fanout: 10 }

state {
  mark: string max 40 = ""
  ticks: int = 0
}

on message(m: Message) {
  if m.subject.startsWith("hold") and not m.approved {
    hold("look at {m.subject}")
  }
  if m.subject == "fail" {
    let z = 10 / (m.subject.length - 4)
    state.mark = "{z}"
  }
  if m.subject.startsWith("set") {
    state.mark = m.subject.truncate(40)
  }
  send(to: members, subject: "${mark} [{state.mark}] {state.ticks} {m.subject} {now}", text: m.text, from: "sender", replyTo: "list")
}

every day at 00:00 {
  if state.ticks < 1000000 {
    state.ticks = state.ticks + 1
  }
}
`;

test("a rule whose state rarely changes: runs taken as sent ahead see ticks, member changes, approvals and a new version in between", async () => {
  const steps: Step[] = [];
  for (let i = 0; i < 90; i++) {
    steps.push({ msg: i % 17 === 8 ? "fail" : i % 19 === 4 ? `hold ${i}` : i % 23 === 11 ? `set ${i}` : `m${i}` });
    if (i === 6 || i === 44) steps.push({ op: "members" });
    if (i === 20 || i === 70) steps.push({ op: "unmember" });
    if (i === 13 || i === 14 || i === 52) steps.push({ op: "tick" });
    if (i === 30) steps.push({ op: "approve" });
    if (i === 36) steps.push({ op: "redeploy" });
    if (i === 60) steps.push({ op: "other" });
  }
  const sources = { same: QUIET("v1"), other: QUIET("v2") };
  const one = await listDaemon({ source: sources.same, fileName: "tally.thwonk", addresses: [A] });
  const all = await listDaemon({ source: sources.same, fileName: "tally.thwonk", addresses: [A] });
  try {
    const slow = await feed(one.daemon, false, steps, sources);
    const before = { ...aheadCounts };
    const fast = await feed(all.daemon, true, steps, sources);
    assert.ok(aheadCounts.taken > before.taken, JSON.stringify({ before, aheadCounts }));
    assert.ok(slow.outcomes.some((o) => o.startsWith("approved approved")), slow.outcomes.join("\n"));
    assert.ok(slow.outcomes.some((o) => o.includes('"v2 [')), "the new version ran");
    assert.deepEqual(fast.state, slow.state);
    // An approval runs at the clock's time, not the message's.
    const clockless = (o: string | undefined): string | undefined => (o?.startsWith("approved") ? o.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "T") : o);
    for (let i = 0; i < slow.outcomes.length; i++) assert.equal(clockless(fast.outcomes[i]), clockless(slow.outcomes[i]), `step ${i} ${JSON.stringify(steps[i])}`);
  } finally {
    await one.close();
    await all.close();
  }
});

/** The rule changes the members itself ("join", "leave"): a chain given ahead stops there, and later runs see the new roster. */
const ROSTER = `rule roster

limits { members: 10, fanout: 10 }

state {
  mark: string max 40 = ""
}

on message(m: Message) {
  if m.subject == "join" {
    if members.has(m.from) or members.size < 9 {
      members.add(m.from, "New")
    }
    return
  }
  if m.subject == "leave" {
    members.remove(m.from)
    return
  }
  if m.subject.startsWith("set") {
    state.mark = m.subject.truncate(40)
  }
  send(to: members, subject: "[{state.mark}] {members.size} {m.subject}", text: m.text, from: "sender", replyTo: "list")
}
`;

test("a rule that adds and removes members itself between queued runs: ahead equals one at a time", async () => {
  const steps: Step[] = [];
  for (let i = 0; i < 80; i++) {
    steps.push({ msg: i % 9 === 3 ? "join" : i % 13 === 7 ? "leave" : i % 17 === 2 ? `set ${i}` : `m${i}` });
    if (i === 30) steps.push({ op: "members" });
    if (i === 55) steps.push({ op: "unmember" });
  }
  const one = await listDaemon({ source: ROSTER, fileName: "roster.thwonk", addresses: [A] });
  const all = await listDaemon({ source: ROSTER, fileName: "roster.thwonk", addresses: [A] });
  try {
    const slow = await feed(one.daemon, false, steps, { same: ROSTER });
    const fast = await feed(all.daemon, true, steps, { same: ROSTER });
    assert.ok(slow.outcomes.some((o) => o.includes('"members.add"')) && slow.outcomes.some((o) => o.includes('"members.remove"')), slow.outcomes.join("\n"));
    assert.deepEqual(fast.state, slow.state);
    for (let i = 0; i < slow.outcomes.length; i++) assert.equal(fast.outcomes[i], slow.outcomes[i], `step ${i} ${JSON.stringify(steps[i])}`);
    assert.deepEqual((await all.daemon.members(A)).members.map((m) => m.address), (await one.daemon.members(A)).members.map((m) => m.address));
  } finally {
    await one.close();
    await all.close();
  }
});
