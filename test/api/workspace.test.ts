/**
 * The Workspace, the core's entry for long-lived hosts: a document is
 * parsed again only when its text changed, a rule checked again only when
 * one of its files did, the result equals checkSources on the same texts,
 * and a check can be cancelled (between phases and inside the verifier)
 * without spoiling the next one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CheckCancelled, checkSources, Workspace, type Diagnostic } from "../../compiler/index.js";
import { repoRoot } from "../helpers/repo.js";

const examplesDir = join(repoRoot, "examples");

/** Every example's rule and test file, by name. */
function exampleTexts(): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of readdirSync(examplesDir, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(examplesDir, dir.name))) {
      if (f.endsWith(".thwonk")) out.set(`${dir.name}/${f}`, readFileSync(join(examplesDir, dir.name, f), "utf8"));
    }
  }
  return out;
}

const shown = (ds: readonly Diagnostic[]): string[] => ds.map((d) => `${d.span.file}:${d.span.line}:${d.span.col} ${d.code} ${d.message}`);

test("each example checked in a workspace gives what checkSources gives for the same files", () => {
  const texts = exampleTexts();
  const ws = new Workspace();
  for (const [name, text] of texts) ws.set(name, text);
  let rules = 0;
  for (const name of texts.keys()) {
    if (name.endsWith(".test.thwonk")) continue;
    rules++;
    const files = ws.check(name).files;
    const alone = checkSources(files.map((f) => ({ fileName: f, text: texts.get(f)! })));
    const got = ws.check(name);
    assert.deepEqual(shown(got.diagnostics), shown(alone.diagnostics), name);
    assert.deepEqual(got.unit?.verify?.triggers.map((t) => t.gas.bound), alone.units[0]?.verify?.triggers.map((t) => t.gas.bound), name);
  }
  assert.ok(rules >= 9);
});

test("re-checking is as cheap as the change: only the changed document is parsed, only its rule checked", () => {
  const texts = exampleTexts();
  const ws = new Workspace();
  for (const [name, text] of texts) ws.set(name, text);
  const rules = [...texts.keys()].filter((n) => !n.endsWith(".test.thwonk"));
  for (const r of rules) ws.check(r);
  const after = { ...ws.stats };
  assert.equal(after.parses, texts.size);
  assert.equal(after.checks, rules.length);

  // Nothing changed: no work at all, and the very same result.
  const first = ws.check("trim140/trim140.thwonk");
  for (const r of rules) ws.check(r);
  assert.deepEqual(ws.stats, after);
  assert.equal(ws.check("trim140/trim140.thwonk"), first);

  // Setting the same text again is no change.
  ws.set("trim140/trim140.thwonk", texts.get("trim140/trim140.thwonk")!);
  assert.deepEqual(ws.stats, after);

  // An edit of one rule: one parse, one check; the other rules cost nothing.
  ws.set("trim140/trim140.thwonk", texts.get("trim140/trim140.thwonk")! + "\n// an edit\n");
  for (const r of rules) ws.check(r);
  assert.deepEqual(ws.stats, { parses: after.parses + 1, checks: after.checks + 1 });

  // An edit of a test file re-checks its rule (the test file is checked in the rule's context).
  const testFile = [...texts.keys()].find((n) => n.startsWith("once_a_day/") && n.endsWith(".test.thwonk"))!;
  ws.set(testFile, texts.get(testFile)! + "\n");
  const viaTest = ws.check(testFile);
  assert.deepEqual(ws.stats, { parses: after.parses + 2, checks: after.checks + 2 });
  assert.equal(ws.check("once_a_day/once_a_day.thwonk"), viaTest);
  assert.deepEqual(viaTest.files, ["once_a_day/once_a_day.thwonk", testFile]);
});

test("an error in an edit is reported at once, and fixing it brings the first result back", () => {
  const ws = new Workspace();
  const good = "rule t\non message(m: Message) {\n  log(m.subject)\n}\n";
  ws.set("t.thwonk", good);
  const before = shown(ws.check("t.thwonk").diagnostics);
  ws.set("t.thwonk", good.replace("m.subject", "m.subjcet"));
  const broken = ws.check("t.thwonk");
  assert.ok(broken.diagnostics.some((d) => d.severity === "error" && d.span.line === 3), JSON.stringify(shown(broken.diagnostics)));
  assert.equal(broken.unit?.verify, undefined, "a rule with errors is not verified");
  ws.set("t.thwonk", good);
  assert.deepEqual(shown(ws.check("t.thwonk").diagnostics), before);
});

test("a test file whose rule is not in the workspace says so, and is checked once the rule arrives", () => {
  const ws = new Workspace();
  ws.set("a.test.thwonk", 'test "x" {\n  message = { subject: "hi" }\n  expect no send\n}\n');
  const alone = ws.check("a.test.thwonk");
  assert.equal(alone.unit, undefined);
  assert.deepEqual(alone.diagnostics.map((d) => d.code), ["TW2001"]);
  ws.set("a.thwonk", "rule a\non message(m: Message) {\n  log(m.subject)\n}\n");
  const paired = ws.check("a.test.thwonk");
  assert.ok(paired.unit);
  assert.deepEqual(paired.files, ["a.thwonk", "a.test.thwonk"]);
  ws.delete("a.thwonk");
  assert.equal(ws.check("a.test.thwonk").unit, undefined);
});

test("a cancelled check throws CheckCancelled, is polled inside the verifier, and leaves nothing half-done behind", () => {
  const texts = exampleTexts();
  const name = "daily_or_out/daily_or_out.thwonk";
  const fresh = (): Workspace => {
    const ws = new Workspace();
    ws.set(name, texts.get(name)!);
    return ws;
  };
  // Count the polls of a whole check: the verifier polls as it walks, not only between phases.
  let polls = 0;
  const full = fresh().check(name, { isCancelled: () => (polls++, false) });
  assert.ok(polls > 5, `polled ${polls} times`);
  // Cancel at every poll in turn: each throws, and the same workspace then gives the full result.
  for (let k = 0; k < polls; k++) {
    const ws = fresh();
    let n = 0;
    assert.throws(() => ws.check(name, { isCancelled: () => n++ >= k }), CheckCancelled, `cancelled at poll ${k}`);
    assert.equal(ws.stats.checks, 0);
    assert.deepEqual(shown(ws.check(name).diagnostics), shown(full.diagnostics));
    assert.deepEqual(ws.check(name).unit?.verify?.triggers.map((t) => t.gas.bound), full.unit?.verify?.triggers.map((t) => t.gas.bound));
  }
});
