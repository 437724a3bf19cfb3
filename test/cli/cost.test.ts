/**
 * `thwonkc check --cost` and `--ceiling`, end to end (bin/thwonkc.js in a
 * child process): the verifier's explanation per rule and trigger after the
 * diagnostics, the `{ diagnostics, cost }` JSON, and the daemon's ceilings.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { runCli, tempDir, type TempDir } from "../helpers/cli.js";

const TRIM = `rule trim

limits { members: 100, text: 1000, fanout: 100 }

on message(m: Message) {
  if not members.has(m.from) {
    reject("members only")
  }
  send(to: members, subject: m.subject, text: m.text.truncate(140))
}

every day at 00:00 {
  log("midnight")
}
`;

const BROKEN = `rule broken

on message(m: Message) {
  send(to: members, subject: m.subjct, text: m.text)
}
`;

let t: TempDir;
before(async () => {
  t = tempDir({ "trim.thwonk": TRIM, "broken.thwonk": BROKEN });
});
after(() => t.remove());

const check = (args: string[]) => runCli(["check", ...args], { cwd: t.dir });

interface CostJson {
  diagnostics: { code: string; severity: string }[];
  cost: {
    file: string;
    rule: string;
    triggers: { trigger: string; gas: { bound: number; formula: string; limit: number | null }; fanout: { bound: number; limit: number | null }; capabilities: string[] }[];
  }[];
}

describe("check --cost", () => {
  test("explains each trigger after the diagnostics", async () => {
    const r = await check(["--cost", "trim.thwonk"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], "no problems in 1 file");
    assert.equal(lines[1], "");
    assert.equal(lines[2], "trim.thwonk: rule trim");
    assert.match(lines[3]!, /^ {2}on message \(line 5\)$/);
    assert.match(lines[4]!, /^ {4}gas {5}≤ \d+ \+ .*members/);
    assert.match(lines[5]!, /^ {12}= [\d,]+ of a budget of 1,000,000$/);
    assert.match(r.stdout, /\n {4}fan-out ≤ members = 100 messages \(limit 100\)\n/);
    assert.match(r.stdout, /\n {4}dominant: .* at line 9, send\(\.\.\.\), charged for each member it goes to\n/);
    assert.match(r.stdout, /\n {6}members ≤ 100 \(limits\.members, line 3\)\n/);
    assert.match(r.stdout, /\n {4}capabilities: reject, send\n/);
    assert.match(r.stdout, /\n {2}every day at 00:00 \(line 12\)\n/);
    assert.ok(r.stdout.endsWith("\n"));
  });

  test("a rule with errors has no cost, and the exit code stays 1", async () => {
    const r = await check(["--cost", "broken.thwonk", "trim.thwonk"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /broken\.thwonk:4:32: error TW2012/);
    assert.match(r.stdout, /\nbroken\.thwonk: rule broken\n {2}no cost: the rule has errors/);
    assert.match(r.stdout, /\ntrim\.thwonk: rule trim\n {2}on message/);
  });

  test("--format json --cost is { diagnostics, cost }; plain --format json stays an array", async () => {
    const r = await check(["--cost", "--format", "json", "trim.thwonk", "broken.thwonk"]);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout) as CostJson;
    assert.deepEqual(Object.keys(j), ["diagnostics", "cost"]);
    assert.deepEqual(j.diagnostics.map((d) => d.code), ["TW2012"]);
    assert.equal(j.cost.length, 1, "only rules without errors have a cost");
    const c = j.cost[0]!;
    assert.equal(c.file, "trim.thwonk");
    assert.equal(c.rule, "trim");
    assert.deepEqual(c.triggers.map((x) => x.trigger), ["on message", "every day at 00:00"]);
    const msg = c.triggers[0]!;
    assert.ok(msg.gas.bound > 0);
    assert.match(msg.gas.formula, /members/);
    assert.equal(msg.gas.limit, 1_000_000);
    assert.equal(msg.fanout.bound, 100);
    assert.ok(msg.capabilities.includes("send"));

    const plain = await check(["--format", "json", "trim.thwonk"]);
    assert.deepEqual(JSON.parse(plain.stdout), []);
  });

  test("--cost with --format sarif is bad usage", async () => {
    const r = await check(["--cost", "--format", "sarif", "trim.thwonk"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--cost works with --format pretty or json/);
  });
});

describe("check --ceiling", () => {
  test("a budget ceiling below the bound refuses the rule (TW3001) and shows as the limit", async () => {
    const free = JSON.parse((await check(["--cost", "-f", "json", "trim.thwonk"])).stdout) as CostJson;
    const bound = free.cost[0]!.triggers[0]!.gas.bound;
    const r = await check(["--cost", "-f", "json", "--ceiling", `budget=${bound - 1}`, "trim.thwonk"]);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout) as CostJson;
    assert.deepEqual(j.diagnostics.map((d) => d.code), ["TW3001"]);
    assert.equal(j.cost[0]!.triggers[0]!.gas.limit, bound - 1);
    // At the bound it fits.
    assert.equal((await check(["--ceiling", `budget=${bound}`, "trim.thwonk"])).code, 0);
  });

  test("a fan-out ceiling works the same way, and ceilings can be given together or repeated", async () => {
    const r = await check(["--ceiling", "fanout=50", "trim.thwonk"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error TW3002: .*100.*over the daemon's fan-out ceiling of 50/);
    // Raising the rule's own fanout cannot help under a ceiling: the advice is the ceiling, not `limits { fanout }`.
    assert.match(r.stdout, /or ask for a higher ceiling\./);
    assert.doesNotMatch(r.stdout, /raise `limits/);
    const both = await check(["-f", "json", "--cost", "--ceiling", "budget=900000,fanout=100", "trim.thwonk"]);
    assert.equal(both.code, 0);
    const j = JSON.parse(both.stdout) as CostJson;
    assert.equal(j.cost[0]!.triggers[0]!.gas.limit, 900_000);
    assert.equal(j.cost[0]!.triggers[0]!.fanout.limit, 100);
    const repeated = JSON.parse((await check(["-f", "json", "--cost", "--ceiling", "budget=900000", "--ceiling", "fanout=99", "trim.thwonk"])).stdout) as CostJson;
    assert.equal(repeated.cost[0]!.triggers[0]!.gas.limit, 900_000);
    assert.equal(repeated.cost[0]!.triggers[0]!.fanout.limit, 99);
  });

  test("a ceiling above the rule's own budget changes nothing", async () => {
    const j = JSON.parse((await check(["-f", "json", "--cost", "--ceiling", "budget=5000000", "trim.thwonk"])).stdout) as CostJson;
    assert.equal(j.cost[0]!.triggers[0]!.gas.limit, 1_000_000);
  });

  test("bad ceilings are bad usage (exit 2)", async () => {
    for (const bad of ["bugdet=10", "budget", "budget=-1", "budget=0", "budget=ten"]) {
      const r = await check(["--ceiling", bad, "trim.thwonk"]);
      assert.equal(r.code, 2, bad);
      assert.match(r.stderr, /--ceiling/, bad);
    }
    assert.match((await check(["--ceiling", "bugdet=10", "trim.thwonk"])).stderr, /unknown ceiling `bugdet`; the ceilings are budget, fanout and memory/);
  });
});
