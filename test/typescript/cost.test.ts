/**
 * `thwonkc check --cost` on a `.ts` rule: the verifier's explanation in the
 * TypeScript the rule is written in (its triggers as it declares them, its
 * loops' `for … of` heads, its calls under the names it calls them by,
 * `sorted` rather than the stdlib's `sort`, its bounds as type arguments),
 * each part at file:line:col in the `.ts` file. The same explanation of a
 * `.thwonk` rule is held by test/golden/cost and test/cli/cost.test.ts.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { runCli, tempDir, type TempDir } from "../helpers/cli.js";

const RULE = `import { every, log, members, send, List, Map, type Address, type int, type Message, type Text } from "thwonk";

export const rule = "costly";
export const limits = { members: 50, text: 20000 };
export const state = {
  seen: new List<Text<80>, 20>(),
  counts: new Map<Address, int, 30>(),
};

export function onMessage(m: Message) {
  const chars = m.text.codePoints();
  const sorted = state.seen.sorted();
  const clean = m.subject.replaceAll("x", "y");
  for (const s of sorted) if (s !== clean) {
    log(\`\${s} \${clean.codePointLength}\`);
  }
  send({ to: members, subject: clean, text: \`\${chars.size} \${sorted.join(",")}\` });
}

every("day at 06:00", () => {
  for (const [who, n] of state.counts.entries()) {
    log(\`\${who} \${n}\`);
  }
});
`;

let dir: TempDir;
before(() => {
  dir = tempDir({ "costly.ts": RULE });
});
after(() => dir.remove());

test("check --cost explains a .ts rule in its TypeScript, at .ts file:line:col", async () => {
  const r = await runCli(["check", "--cost", "costly.ts"], { cwd: dir.dir });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = r.stdout;
  // The triggers as the rule declares them, at their positions in the .ts file.
  assert.match(out, /^ {2}onMessage \(costly\.ts:10:1\)$/m);
  assert.match(out, /^ {2}every\("day at 06:00", …\) \(costly\.ts:20:1\)$/m);
  // Loops by their `for … of` heads; calls by the names the rule calls them (the stdlib's are `sort`, `split`, `replace`, `length`).
  assert.match(out, /dominant: .* at costly\.ts:11:17, codePoints\(\.\.\.\)$/m);
  assert.match(out, /at costly\.ts:21:3, the loop `for \(const \[who, n\] of state\.counts\.entries\(\)\)`/);
  // Bounds as the type arguments that declare them, limits and filters at .ts positions.
  assert.match(out, /state\.seen ≤ 20 entries \(bound 20, costly\.ts:6:9\)/);
  assert.match(out, /members ≤ 50 \(limits\.members, costly\.ts:4:25\)/);
  assert.match(out, /the filter at costly\.ts:14:31 passes every element/);
  assert.match(out, /a value built at costly\.ts:11:17$/m);
  assert.match(out, /`chars` \(costly\.ts:11:9\)$/m);
  // Nothing in .thwonk's words: no `on message`, `every day`, `max N`, or a bare `line N`.
  assert.doesNotMatch(out, /on message|every day|\bmax \d|\bline \d/);

  const json = await runCli(["check", "--cost", "--format", "json", "costly.ts"], { cwd: dir.dir });
  assert.equal(json.code, 0, json.stdout + json.stderr);
  const cost = (JSON.parse(json.stdout) as { cost: { triggers: { gas: { terms: { what: string | null }[] } }[] }[] }).cost;
  const labels = new Set(cost[0]!.triggers.flatMap((t) => t.gas.terms.map((x) => x.what)));
  for (const written of ["the loop `for (const s of sorted)`", "sorted(...)", "codePoints(...)", "replaceAll(...)", ".codePointLength", "join(...)", "send(...)"]) {
    assert.ok(labels.has(written), `no part labelled ${written}: ${[...labels].join(", ")}`);
  }
  for (const stdlib of ["sort(...)", "split(...)", "replace(...)", ".length"]) assert.ok(!labels.has(stdlib), `a part labelled with the stdlib's ${stdlib}`);
});
