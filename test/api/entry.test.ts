/**
 * What compiler/index.ts offers hosts besides checking and compiling: the
 * pairing of a rule with its test file, the tests a file declares, the state
 * a rule starts from (checked against what the real runtime saves after a
 * run that leaves the state alone) and the trace description.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkSources, declaredTests, describeTrace, initialState, isTestFile, rulePair } from "../../compiler/index.js";
import { main } from "../../cli/main.js";
import { BufferStream } from "../../cli/io.js";

test("a rule and its test file pair with each other, whichever is given", () => {
  assert.deepEqual(rulePair("dir/once.thwonk"), { rule: "dir/once.thwonk", test: "dir/once.test.thwonk", isTest: false });
  assert.deepEqual(rulePair("dir/once.test.thwonk"), { rule: "dir/once.thwonk", test: "dir/once.test.thwonk", isTest: true });
  assert.deepEqual(rulePair("C:\\r\\a.test.thwonk"), { rule: "C:\\r\\a.thwonk", test: "C:\\r\\a.test.thwonk", isTest: true });
  assert.deepEqual(rulePair("notes.txt"), { rule: "notes.txt", test: undefined, isTest: false });
  assert.equal(isTestFile("x.test.thwonk"), true);
  assert.equal(isTestFile("test.thwonk"), false);
  assert.equal(isTestFile("x.thwonk"), false);
});

test("the tests a file declares, with the message file each reads", () => {
  const text = `test "one" {\n  message = "post.eml"\n  expect no send\n}\n\ntest "two" {\n  message = { from: "a@b.org", subject: "s", text: "t" }\n}\ntest "three" { message = "{x}.eml" }\n`;
  assert.deepEqual(declaredTests([{ fileName: "r.test.thwonk", text }]), [
    { file: "r.test.thwonk", line: 1, eml: "post.eml" },
    { file: "r.test.thwonk", line: 6, eml: undefined },
    { file: "r.test.thwonk", line: 9, eml: undefined },
  ]);
  assert.deepEqual(declaredTests([{ fileName: "r.thwonk", text: "rule r\n" }]), []);
});

const STATEFUL = `rule s
type P = { who: Address, n: int, note: string max 20? }
state {
  a: int = 3
  b: bool
  c: string max 10 = "x"
  d: Duration = 2h
  e: Time = 2026-01-01T00:00:00Z
  f: Address? = "Ann@Example.ORG"
  g: List<Address> max 3 = ["Bob@EXAMPLE.org"]
  h: Map<string max 5, int> max 4 = {"k": 1}
  i: P = { who: "c@d.org", n: 2 }
  k: Time?
  l: Map<Address, Time> max 5 = {}
  s: string max 10
  t: List<int> max 2
}
on message(m: Message) {
  let at = now
  let wait = 2h
  let who = "{m.subject}"
  let k = 1
  log(m.subject)
}
`;

const EML = "From: Ann <ann@example.org>\r\nTo: s@example.org\r\nSubject: hi\r\nDate: Wed, 25 Nov 2026 09:00:00 +0100\r\nMessage-ID: <a@b.org>\r\n\r\nbody\r\n";

test("the initial state is what the runtime saves when a run leaves the state alone", async () => {
  const unit = checkSources([{ fileName: "s.thwonk", text: STATEFUL }]).units[0]!;
  const init = initialState(unit.check.model);
  assert.deepEqual([...init.computed], []);
  assert.deepEqual(Object.fromEntries(init.values), {
    a: 3,
    b: false,
    c: "x",
    d: 7_200_000,
    e: "2026-01-01T00:00:00.000Z",
    f: "ann@example.org",
    g: ["bob@example.org"],
    h: { k: 1 },
    i: { who: "c@d.org", n: 2, note: null },
    k: null,
    l: {},
    s: "",
    t: [],
  });

  const dir = mkdtempSync(join(tmpdir(), "thwonk-entry-"));
  try {
    writeFileSync(join(dir, "s.thwonk"), STATEFUL);
    writeFileSync(join(dir, "m.eml"), EML);
    const out = new BufferStream();
    const err = new BufferStream();
    const code = await main(["run", "s.thwonk", "--message", "m.eml", "--json"], { cwd: dir, env: {}, stdout: out, stderr: err });
    assert.equal(code, 0, err.text());
    const saved = (JSON.parse(out.text()) as { state: Record<string, unknown> }).state;
    assert.deepEqual(saved, Object.fromEntries(init.values));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the trace description: statement lines and how each let's value shows", () => {
  const unit = checkSources([{ fileName: "s.thwonk", text: STATEFUL }]).units[0]!;
  const d = describeTrace(unit);
  assert.deepEqual(d.statementLines, [19, 20, 21, 22, 23]);
  assert.deepEqual([...d.letValues], [
    ["19:3", "time"],
    ["20:3", "duration"],
    ["21:3", "string"],
    ["22:3", "other"],
  ]);
});
