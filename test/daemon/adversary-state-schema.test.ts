/**
 * The adversary of state schema changes across deploys (daemon.ts swapProblems, compat.ts, runner.ts load): which
 * deploys are refused and why, what a deploy that fits does to the stored state, and state held at its bounds.
 * A daemon in this process on a real SQLite file; messages handed to the runner as the SMTP ingress hands them.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { listDaemon, postTo } from "./helpers.js";

const rule = (fields: string, body: string) => `rule schema

state {
${fields}
}

on message(m: Message) {
${body}
}
`;
const REC1 = rule("  r: { a: int } = { a: 0 }", "  state.r.a += 1");
const REC2 = rule("  r: { a: int, b: string max 5 } = { a: 0, b: \"\" }", "  state.r.a += 1");
const REC3 = rule("  r: { a: int, b: string max 5, c: List<int> max 3 } = { a: 0, b: \"\", c: [] }", "  state.r.a += 1\n  if state.r.c.size < 3 { state.r.c.push(state.r.a) }");
const LIST5 = rule("  xs: List<int> max 5 = []", "  if state.xs.size < 5 { state.xs.push(state.xs.size) }");
const LIST3 = LIST5.replaceAll("5", "3");
const TYPED = rule("  x: int = 0", "  state.x += 1");
const RETYPED = rule('  x: string max 10 = ""', '  state.x = "s"');

let daemon: Daemon;
let close: () => Promise<void>;
let n = 0;

before(async () => {
  const d = await listDaemon({ source: TYPED, fileName: "schema.thwonk", addresses: ["warm@example.org"] });
  daemon = d.daemon;
  close = d.close;
});
after(() => close());

async function freshList(source: string): Promise<string> {
  const list = `list${n++}@example.org`;
  const r = await daemon.deploy({ source, fileName: "schema.thwonk", addresses: [list] });
  assert.ok(r.ok, JSON.stringify(r));
  await daemon.addMembers(list, [{ address: "ann@example.org", name: "Ann" }]);
  return list;
}
const post = async (list: string) => assert.equal((await postTo(daemon, list, "ann@example.org", "x")).code, 250);
const deploy = (list: string, source: string) => daemon.deploy({ source, fileName: "schema.thwonk", addresses: [list] });
const lastRun = async (list: string) => (await daemon.runs({ address: list })).at(-1);

test("record fields added over two deploys with no run between: the stored record gains both, later runs succeed", async () => {
  const list = await freshList(REC1);
  await post(list);
  assert.ok((await deploy(list, REC2)).ok);
  const r = await deploy(list, REC3);
  assert.ok(r.ok, JSON.stringify(r));
  for (let i = 0; i < 5; i++) await post(list);
  assert.equal((await lastRun(list))?.error, null);
  assert.deepEqual((await daemon.state(list)).state, { r: { a: 6, b: "", c: [2, 3, 4] } });
});

test("a type change and a lower max are refused with the field and why; the running version keeps running", async () => {
  const list = await freshList(TYPED);
  await post(list);
  const hash = (await daemon.state(list)).hash;
  const r = await deploy(list, RETYPED);
  assert.equal(r.ok, false);
  const problems = r.addresses[0]!.problems.join(" ");
  assert.match(problems, /state\.x/);
  assert.match(problems, /int/);
  assert.match(problems, /string/);
  await post(list);
  assert.deepEqual((await daemon.state(list)).state, { x: 2 });
  assert.equal((await daemon.state(list)).hash, hash);

  const full = await freshList(LIST5);
  for (let i = 0; i < 6; i++) await post(full);
  const narrowed = await deploy(full, LIST3);
  assert.equal(narrowed.ok, false);
  assert.match(narrowed.addresses[0]!.problems.join(" "), /state\.xs/);
  await post(full);
  assert.equal((await lastRun(full))?.error, null);
});

test("the same version deployed again, and a wider max: the state is kept and runs go on at the bound", async () => {
  const list = await freshList(LIST3);
  for (let i = 0; i < 4; i++) await post(list);
  assert.ok((await deploy(list, LIST3)).ok, "the same version again");
  await post(list);
  assert.deepEqual((await daemon.state(list)).state, { xs: [0, 1, 2] });
  assert.ok((await deploy(list, LIST5)).ok);
  for (let i = 0; i < 4; i++) await post(list);
  assert.deepEqual((await daemon.state(list)).state, { xs: [0, 1, 2, 3, 4] });
  assert.equal((await lastRun(list))?.error, null);
});

test("a map at exactly its bound, with hostile keys, over 500 runs: every run succeeds and the map never grows past it", async () => {
  const MAP = rule(
    "  seen: Map<string max 40, int> max 4 = {}\n  runs: int = 0",
    "  state.runs += 1\n  let k = m.subject.truncate(40)\n  if state.seen.has(k) or state.seen.size < 4 {\n    state.seen.set(k, state.runs)\n  }",
  );
  const list = await freshList(MAP);
  const keys = ["__proto__", "constructor", "toString", "hasOwnProperty", "Ab", "ab", "\u00e9", "e\u0301"];
  for (let i = 0; i < 500; i++) {
    const a = await postTo(daemon, list, "ann@example.org", keys[i % keys.length]!);
    assert.equal(a.code, 250);
  }
  const failed = (await daemon.runs({ address: list })).filter((r) => r.error !== null);
  assert.deepEqual(failed, []);
  const s = (await daemon.state(list)).state as { seen: Record<string, number>; runs: number };
  assert.equal(s.runs, 500);
  assert.deepEqual(Object.keys(s.seen), ["__proto__", "constructor", "toString", "hasOwnProperty"]);
});

test("a run that fails in the middle of a burst leaves nothing: the runs after it see the state the one before committed", async () => {
  const BOOM = rule(
    "  count: int = 0\n  log: List<string max 10> max 50 = []",
    '  state.count += 1\n  if state.log.size < 50 { state.log.push(m.subject.truncate(10)) }\n  if m.subject == "boom" {\n    state.count += 1000\n    let zero = state.count - state.count\n    state.count = 1 / zero\n  }',
  );
  const list = await freshList(BOOM);
  const subjects = Array.from({ length: 30 }, (_, i) => (i % 7 === 3 ? "boom" : `s${i}`));
  const answers = await Promise.all(subjects.map((s) => postTo(daemon, list, "ann@example.org", s)));
  assert.deepEqual(answers.map((a) => a.code), subjects.map(() => 250));
  const kept = subjects.filter((s) => s !== "boom");
  const runs = await daemon.runs({ address: list });
  assert.equal(runs.filter((r) => r.error !== null).length, subjects.length - kept.length, JSON.stringify(runs.map((r) => r.error)));
  assert.deepEqual((await daemon.state(list)).state, { count: kept.length, log: kept });
});

test("a lower members limit the list's members fit is deployed whether or not the list has state", async () => {
  const TEN = TYPED.replace("rule schema", "rule schema\n\nlimits { members: 10 }");
  const FIVE = TEN.replace("members: 10", "members: 5");
  const fresh = await freshList(TEN);
  const ran = await freshList(TEN);
  await post(ran);
  assert.notEqual((await daemon.state(ran)).state, null);
  for (const list of [fresh, ran]) {
    const r = await deploy(list, FIVE);
    assert.ok(r.ok, `${list}: ${JSON.stringify(r.addresses[0]?.problems)}`);
  }
  await post(ran);
  assert.deepEqual((await daemon.state(ran)).state, { x: 2 });
  // Over the lower limit, it is still refused, by the count.
  await daemon.addMembers(ran, [{ address: "bob@example.org" }, { address: "cy@example.org" }]);
  const over = await deploy(ran, FIVE.replace("members: 5", "members: 2"));
  assert.equal(over.ok, false);
  assert.match(over.addresses[0]!.problems.join(" "), /TW6014 .*3 members, over its rule's limit of 2/);
});
