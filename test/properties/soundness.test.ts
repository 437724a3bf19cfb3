/**
 * Soundness of the verifier's gas bounds on random inputs: for every
 * example and every trigger, fast-check (fixed seed, bounded runs) draws
 * plans (inputs.ts) — members up to limits.members with random names,
 * roles and join times; messages with random subject, text, HTML, header
 * fields, recipients and attachments within the limits, counted in code
 * points and drawn from ASCII, separators, HTML specials, multi-byte,
 * astral and case-growing characters; state with every collection up to
 * its `max` and every string up to its max; a random `now` — and each run
 * must stay within the trigger's bound (runBundle sets the gas limit to the
 * bound: a bound too low is TW5001), stop with no internal error, and give
 * the same gas, actions and state when run again.
 *
 * Every generated input must also pass the host's own input checks
 * (runtime/input/limits.ts): "within the limits" is what the host accepts.
 * The adversarial inputs (every size at its maximum, every path) and the
 * tightness of the bounds are in worst-case.test.ts. At the end, the sizes
 * the verifier assumes of names and dates, checked against what the host
 * accepts and what a rule can store: the gaps found are `todo` tests with
 * the reason, so CI stays green and the bugs show.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { RunResult } from "../../runtime/run/run-rule.js";
import { examples, inputProblems, observable, runTrigger, soundnessProblem, type Example } from "./examples.js";
import { compileSource } from "../../compiler/emit/bundle.js";
import { parseMailDate } from "../../runtime/input/maildate.js";
import { buildInput, maxPlan, planArb, tzTable, type Plan } from "./inputs.js";

const SEED = 20260301;

/**
 * Random runs per trigger, each run twice. A run is a fresh QuickJS context
 * and takes from 20 ms to a second or two when thousands of members or
 * state entries are passed in, so rules that keep that many get fewer.
 */
function runsFor(ex: Example, trigger: string): number {
  const entries = ex.limits["members"]! + ex.state.reduce((n, f) => n + (f.max ?? 0), 0);
  const heavy = entries > 2000;
  if (trigger !== "message") return heavy ? 5 : 8;
  return heavy ? 12 : 14;
}

/**
 * Inputs this large (every size near its maximum at once) can exhaust the
 * sandbox's 32 MiB heap: a known gap (see worst-case.test.ts), so an
 * out-of-memory stop on them is counted and printed, not failed.
 */
const HUGE_INPUT = 4_000_000;

const outOfMemory: string[] = [];

/** What the random runs of one trigger did: printed with its test, to show what they covered. */
class Coverage {
  runs = 0;
  maxUsed = 0;
  bound = 0;
  readonly outcomes = new Map<string, number>();
  add(r: RunResult, stateBefore: unknown): void {
    this.runs++;
    this.bound = r.gas.bound;
    this.maxUsed = Math.max(this.maxUsed, r.gas.used);
    const kinds = r.error ? [r.error.code] : [...new Set(r.actions.map((a) => a.kind))];
    if (!r.error && stateBefore !== null && JSON.stringify(r.state) !== JSON.stringify(stateBefore)) kinds.push("state");
    const what = kinds.length ? kinds.join("+") : "nothing";
    this.outcomes.set(what, (this.outcomes.get(what) ?? 0) + 1);
  }
  toString(): string {
    const outcomes = [...this.outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(", ");
    return `${this.runs} runs, at most ${this.maxUsed.toLocaleString("en-US")} gas of ${this.bound.toLocaleString("en-US")}; outcomes: ${outcomes}`;
  }
}

async function check(ex: Example, trigger: string, plan: Plan, coverage: Coverage): Promise<string | undefined> {
  const input = buildInput(ex, plan);
  const over = inputProblems(ex, input);
  if (over.length) return `the generated input is over the rule's limits, as the host checks them (a bug in inputs.ts): ${over[0]}`;
  const a = await runTrigger(ex, trigger, input);
  coverage.add(a.result, input["state"]);
  if (a.result.error?.code === "TW5002") {
    const size = JSON.stringify(input).length;
    if (size >= HUGE_INPUT) {
      outOfMemory.push(`${ex.name} ${trigger}: ${(size / 1e6).toFixed(1)} MB of input`);
      return undefined;
    }
  }
  const problem = soundnessProblem(a.result);
  if (problem) return problem;
  const b = await runTrigger(ex, trigger, input);
  try {
    assert.deepEqual(observable(b.result), observable(a.result));
  } catch {
    return `not deterministic: gas ${a.result.gas.used} then ${b.result.gas.used}; ${a.result.actions.length} then ${b.result.actions.length} actions`;
  }
  return undefined;
}

for (const ex of examples()) {
  describe(`soundness of ${ex.name} on random inputs`, () => {
    for (const t of ex.triggers) {
      test(`${t.name}: gas within the bound ${t.gasBound.toLocaleString("en-US")}, no internal error, deterministic`, async (ctx) => {
        const coverage = new Coverage();
        await fc.assert(
          fc.asyncProperty(planArb(ex, t.name), async (plan) => {
            const problem = await check(ex, t.name, plan, coverage);
            if (problem) throw new Error(`${ex.name} ${t.name}: ${problem}`);
          }),
          { seed: SEED, numRuns: runsFor(ex, t.name), endOnFailure: true },
        );
        ctx.diagnostic(coverage.toString());
      });
    }
  });
}

test("no random input within the limits runs out of memory (the sandbox's 64 MiB)", () => {
  assert.deepEqual(outOfMemory, []);
});

// ------------------------------------------------------------------ names: the bound the verifier assumes, and who keeps to it

/**
 * The stdlib bounds a member's name and the list's name by 256 (Member.name,
 * ListInfo.name), which the verifier reads as 256 UTF-16 units; the prelude
 * takes the names the host passes as they are, so it is the host's input
 * checks that must refuse longer ones. They matter: 500 silent members of
 * daily_or_out named with 256 😀 each (512 units) run its midnight trigger
 * out of gas (TW5001 at 73,014), and auto_reply's first-post reply runs out
 * (TW5001 at 760) when the list's name is 256 😀.
 */
describe("names: the verifier's bound of 256 UTF-16 units", () => {
  const byName = (name: string): Example => {
    const ex = examples().find((e) => e.name === name);
    if (!ex) throw new Error(`no example ${name}`);
    return ex;
  };
  const ASTRAL_256 = "😀".repeat(256);

  test("the host refuses a member or a list named with 256 astral characters (512 units), which the bound does not cover", () => {
    const ex = byName("daily_or_out");
    const input = buildInput(ex, maxPlan(ex, "every day at 00:00", "astral", { members: 3, state: "empty" }));
    assert.deepEqual(inputProblems(ex, input), []);
    (input["members"] as { name: string }[])[1]!.name = ASTRAL_256;
    (input["list"] as { name: string }).name = ASTRAL_256;
    const problems = inputProblems(ex, input);
    assert.equal(problems.length, 2, problems.join("\n"));
  });

  for (const name of ["subscribe", "bumplist"]) {
    test(
      `${name}: members.add keeps a new member's name within the bound (256 units)`,
      async () => {
        const ex = byName(name);
        const plan = maxPlan(ex, "message", "ascii", { members: 0, state: "empty", longAddresses: false }, {
          sender: "stranger", recipient: "request", command: "subscribe", html: null, headers: 0, fromName: { style: "ascii", size: 998 },
        });
        const { result } = await runTrigger(ex, "message", buildInput(ex, plan));
        assert.equal(soundnessProblem(result), undefined);
        const added = result.actions.find((a) => a.kind === "members.add");
        assert.ok(added, `${name}: no members.add for a subscribe`);
        const member = { address: String(added["address"]), name: String(added["name"]), role: "member" as const, joined: plan.now };
        assert.ok(member.name.length <= 256, `${name}: members.add stored a name of ${member.name.length} UTF-16 units`);
        assert.deepEqual(inputProblems(ex, { ...buildInput(ex, { ...plan, message: null }), members: [member] }), []);
      },
    );
  }
});

// ------------------------------------------------------------------ times: the bound the verifier assumes of a date

/**
 * The stdlib bounds `Time.date` (YYYY-MM-DD) by 10 characters, which holds
 * for years 0 to 9999 only. The host accepts a member's join time as any
 * safe integer of epoch ms (memberFieldProblem), years beyond 9999 and
 * beyond JavaScript's dates included (`date` is then "NaN-NaN-NaN" and
 * `weekday` is not a string at all), and a Date header of 31 Dec 9999 late
 * in the day is year 10000 in a zone east of it. No example interpolates
 * such a date where its bound is tight, so this probe rule does, with a
 * bound the gas reaches exactly.
 */
describe("times: Time.date's bound of 10 characters", () => {
  const PROBE = [
    "rule probe",
    "limits { members: 10 }",
    "settings { timezone: \"Europe/Paris\" }",
    "on message(m: Message) {",
    "  if m.date != none {",
    "    let when = \"{m.date.date}, days\"",
    "    log(when.upper())",
    "  }",
    "}",
    "every day at 00:00 {",
    "  for member in members {",
    "    let when = \"{member.joined.date}, days\"",
    "    log(when.upper())",
    "  }",
    "}",
    "",
  ].join("\n");
  const probe = (): Example => {
    const { bundle, diagnostics } = compileSource("probe.thwonk", PROBE);
    assert.ok(bundle, diagnostics.map((d) => d.message).join("; "));
    const limits: Record<string, number> = {};
    for (const [k, l] of Object.entries(bundle.manifest.limits)) limits[k] = l.value;
    return { name: "probe", source: PROBE, bundle, limits, state: [], timezone: "Europe/Paris", triggers: bundle.manifest.triggers };
  };
  const NOW = Date.UTC(2026, 2, 4, 11, 30);
  const base = (ex: Example, members: { address: string; name: string; role: "member"; joined: number }[]) => ({
    now: NOW, tz: tzTable("Europe/Paris", NOW - 4 * 365 * 86_400_000, NOW + 2 * 86_400_000), list: { address: "probe@example.org", name: "probe", owners: [] }, members, state: null, limits: ex.limits,
  });

  test("the probe's bounds are reached exactly by ordinary times (so one character more runs out of gas)", async () => {
    const ex = probe();
    const members = Array.from({ length: 10 }, (_, i) => ({ address: `m${i}@example.org`, name: "", role: "member" as const, joined: NOW - 86_400_000 * (i + 1) }));
    const { result } = await runTrigger(ex, "every day at 00:00", base(ex, members));
    assert.equal(soundnessProblem(result), undefined);
    assert.equal(result.gas.used, result.gas.bound);
  });

  test(
    "members who joined in the year 10000 (epoch ms 253,402,300,800,000, which the host accepts)",
    async () => {
      const ex = probe();
      const members = Array.from({ length: 10 }, (_, i) => ({ address: `m${i}@example.org`, name: "", role: "member" as const, joined: Date.UTC(10000, 0, 1) + i }));
      const input = base(ex, members);
      assert.deepEqual(inputProblems(ex, input), [], "the host accepts these members");
      const { result } = await runTrigger(ex, "every day at 00:00", input);
      assert.equal(soundnessProblem(result), undefined);
    },
  );

  test(
    "a message dated \"Fri, 31 Dec 9999 23:30:00 +0000\" (which the host's Date parser accepts) in a rule on Paris time",
    async () => {
      const ex = probe();
      const header = "Fri, 31 Dec 9999 23:30:00 +0000";
      const date = parseMailDate(header);
      assert.ok(date !== undefined, "the host reads the Date header");
      const message = {
        from: "ann@example.org", to: ["probe@example.org"], cc: [], subject: "", text: "", html: null, headers: [["Date", header]], attachments: [], date,
        messageId: "1@example.org", envelope: { sender: "ann@example.org", recipient: "probe@example.org", isRequest: false, tag: null },
      };
      const input = { ...base(ex, []), message };
      assert.deepEqual(inputProblems(ex, input), [], "the host accepts this message");
      const { result } = await runTrigger(ex, "message", input);
      assert.equal(soundnessProblem(result), undefined);
    },
  );
});
