/**
 * A name bound once to a string literal, where one of the stdlib's
 * enumerations (`SendFrom`) is expected: TypeScript gives a `const` of a
 * string literal the literal's type (`"sender"`), which fits the union, and
 * widens a `let` to `string`, which does not. The core decides the same for
 * both front ends (compiler/semantic/assign.ts, boundLiteral): a `.ts` rule's
 * `const` and its `.thwonk` twin's `let` are taken, and run, and send as the
 * literal says; a `.ts` rule's `let` (TypeScript's TS2322) and a `.thwonk`
 * `var` (TW2021) are refused; in a schedule, the name stands for its
 * literal (`from: "sender"`, TW2150).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { runCli, tempDir, type TempDir } from "../helpers/cli.js";

const TS = `import { every, members, send, type Message } from "thwonk";

export const rule = "names";
const REPLY = "list";

export function onMessage(m: Message) {
  const f = "sender";
  const g = f;
  send({ to: members, subject: m.subject, text: m.text, from: g, replyTo: REPLY });
}
`;

const THWONK = `rule names
const REPLY = "list"

on message(m: Message) {
  let f = "sender"
  let g = f
  send(to: members, subject: m.subject, text: m.text, from: g, replyTo: REPLY)
}
`;

const MESSAGE = "From: Ann <ann@example.org>\r\nTo: names@example.org\r\nSubject: hi\r\nMessage-ID: <1@example.org>\r\n\r\nhello\r\n";

interface JsonDiagnostic {
  code: string;
  severity: string;
  line: number;
  column: number;
  message: string;
}

let dir: TempDir;
before(() => {
  dir = tempDir({
    "names.ts": TS,
    "names.thwonk": THWONK,
    "post.eml": MESSAGE,
    "members.txt": "bob@example.org\n",
    // TypeScript widens a `let` of a literal to `string`: refused by TypeScript, as the .thwonk `var` is by the checker.
    "widened.ts": TS.replace('const f = "sender";', 'let f = "sender";').replace("  const g = f;\n", "").replace("from: g", "from: f"),
    "widened.thwonk": THWONK.replace('let f = "sender"', 'var f = "sender"').replace("  let g = f\n", "").replace("from: g", "from: f"),
    "daily.ts": `import { every, members, send } from "thwonk";

export const rule = "daily";

every("day", () => {
  const f = "sender";
  send({ to: members, subject: "s", text: "t", from: f });
});
`,
    "daily.thwonk": `rule daily

every day {
  let f = "sender"
  send(to: members, subject: "s", text: "t", from: f)
}
`,
  });
});
after(() => dir.remove());

async function check(file: string): Promise<JsonDiagnostic[]> {
  const r = await runCli(["check", file, "--format", "json"], { cwd: dir.dir });
  return JSON.parse(r.stdout) as JsonDiagnostic[];
}

test("a `.ts` rule's `const` of a string literal is a `SendFrom` where one is wanted, as its `.thwonk` twin's `let` is: both check clean", async () => {
  for (const file of ["names.ts", "names.thwonk"]) assert.deepEqual(await check(file), [], file);
});

test("the `.ts` rule runs, sending from the sender as its `const` says, and so does its twin", async () => {
  const sent: unknown[] = [];
  for (const file of ["names.ts", "names.thwonk"]) {
    const r = await runCli(["run", file, "--message", "post.eml", "--members", "members.txt", "--json"], { cwd: dir.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as { actions: { kind: string; to: string[]; from: string | null; replyTo: string | null; at: unknown }[]; error: unknown };
    assert.equal(out.error, null);
    assert.equal(out.actions.length, 1);
    const a = out.actions[0]!;
    assert.deepEqual([a.kind, a.to, a.from, a.replyTo], ["send", ["bob@example.org"], "sender", "list"], file);
    sent.push({ ...a, at: undefined });
  }
  assert.deepEqual(sent[0], sent[1], "the rule and its twin send the same");
});

test("a `.ts` rule's `let` of a literal is refused as TypeScript refuses it (TS2322: a `string`), and a `.thwonk` `var` by the checker (TW2021)", async () => {
  const ts = await check("widened.ts");
  assert.deepEqual(ts.map((d) => [d.code, d.line]), [["TS2322", 8]], JSON.stringify(ts));
  assert.match(ts[0]!.message, /Type 'string' is not assignable to type 'SendFrom \| undefined'/);
  const thwonk = await check("widened.thwonk");
  assert.deepEqual(thwonk.map((d) => [d.code, d.line]), [["TW2021", 6]], JSON.stringify(thwonk));
  assert.match(thwonk[0]!.message, /Declare `f` as one: `var f: SendFrom = "sender"`/);
});

test("in a schedule, a name bound to \"sender\" is refused as the literal is (TW2150), in both front ends", async () => {
  for (const file of ["daily.ts", "daily.thwonk"]) {
    const found = await check(file);
    assert.deepEqual(found.map((d) => d.code), ["TW2150"], `${file}: ${JSON.stringify(found)}`);
  }
});
