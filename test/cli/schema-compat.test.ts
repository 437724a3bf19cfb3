/**
 * `thwonkc check NEW.thwonk --against OLD.thwb`, in-process (cli/main.ts
 * `main`): every state change the deployed version's stored state can take
 * is allowed (exit 0), every other refused (exit 1) with its reason; with
 * `--state` the stored data decides what only data can; and the stored state,
 * migrated (compiler/compat.ts migrateState), runs on the new version in the
 * real sandbox.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { migrateState, versionSchema, type Bundle } from "../../compiler/index.js";
import { runCli, tempDir, type TempDir } from "../helpers/cli.js";

const OLD = `rule r

limits { members: 500 }

type Note = { from: Address, body: string max 80 }

state {
  count: int = 0
  seen: Map<Address, Time> max 100 = {}
  notes: List<Note> max 10 = []
  tag: string max 20 = ""
}

on message(m: Message) {
  state.count += 1
  if state.notes.size < 10 {
    state.notes.push({ from: m.from, body: m.subject.truncate(80) })
  }
  if state.seen.has(m.from) or state.seen.size < 100 {
    state.seen.set(m.from, now)
  }
  state.tag = m.subject.truncate(20)
}
`;

const MESSAGE = "From: ann@example.org\r\nTo: r@example.org\r\nSubject: hello\r\n\r\nhi\r\n";

/** Stored state after two posts: two notes, two senders seen. */
const STORED = {
  count: 2,
  seen: { "ann@example.org": "2026-11-25T09:00:00.000Z", "bob@example.org": "2026-11-25T10:00:00.000Z" },
  notes: [
    { from: "ann@example.org", body: "first" },
    { from: "bob@example.org", body: "second" },
  ],
  tag: "second",
};

let dir: TempDir;

before(async () => {
  dir = tempDir({ "old.thwonk": OLD, "m.eml": MESSAGE, "stored.json": JSON.stringify(STORED), "empty.json": JSON.stringify({ count: 0, seen: {}, notes: [], tag: "" }) });
  const r = await cli(["compile", "old.thwonk", "-o", "old.thwb"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});
after(() => dir.remove());

function cli(args: string[]) {
  return runCli(args, { cwd: dir.dir });
}

/** `check NEW --against old.thwb --format json`, NEW being OLD with `edit` applied: the exit code and the TW40xx diagnostics. */
async function against(edit: (s: string) => string, ...extra: string[]): Promise<{ code: number; diags: { code: string; severity: string; message: string; line: number }[] }> {
  const text = edit(OLD);
  dir.write("new.thwonk", text);
  const r = await cli(["check", "new.thwonk", "--against", "old.thwb", "--format", "json", ...extra]);
  assert.notEqual(r.code, 2, r.stderr);
  const all = JSON.parse(r.stdout) as { code: string; severity: string; message: string; line: number }[];
  return { code: r.code, diags: all.filter((d) => d.code.startsWith("TW40")).map((d) => ({ code: d.code, severity: d.severity, message: d.message, line: d.line })) };
}

const same = (s: string): string => s;

describe("check --against: allowed", () => {
  test("the same rule", async () => {
    const r = await against(same);
    assert.deepEqual(r, { code: 0, diags: [] });
  });

  test("a new state field (it starts at its initial value)", async () => {
    const r = await against((s) => s.replace('tag: string max 20 = ""', 'tag: string max 20 = ""\n  extra: Map<Address, int> max 50 = { "x@example.org": 1 }'));
    assert.deepEqual(r, { code: 0, diags: [] });
  });

  test("a larger max, at the top and inside (a record's string, a map)", async () => {
    const r = await against((s) => s.replace("body: string max 80", "body: string max 200").replace("max 100 = {}", "max 300 = {}"));
    assert.deepEqual(r, { code: 0, diags: [] });
  });

  test("a new record field whose type has a zero (stored records get it)", async () => {
    const r = await against((s) => s.replace("body: string max 80 }", "body: string max 80, likes: int, tags: List<string max 10> max 3 }").replace("body: m.subject.truncate(80) }", "body: m.subject.truncate(80), likes: 0, tags: [] }"));
    assert.deepEqual(r, { code: 0, diags: [] });
  });

  test("a type made optional", async () => {
    const r = await against((s) => s.replace("{ from: Address,", "{ from: Address?,"));
    assert.deepEqual(r, { code: 0, diags: [] });
  });

  test("a removed field with --allow-data-loss: a warning that says what is dropped", async () => {
    const r = await against((s) => s.replace('  tag: string max 20 = ""\n', "").replace("  state.tag = m.subject.truncate(20)\n", ""), "--allow-data-loss");
    assert.equal(r.code, 0);
    assert.deepEqual(r.diags.map((d) => [d.code, d.severity]), [["TW4026", "warning"]]);
    assert.match(r.diags[0]!.message, /`state\.tag` \(string max 20\) is not in this version/);
  });

  test("a lower max that the stored data fits (--state)", async () => {
    const r = await against((s) => s.replace("notes: List<Note> max 10", "notes: List<Note> max 5").replace("state.notes.size < 10", "state.notes.size < 5"), "--state", "stored.json");
    assert.deepEqual(r, { code: 0, diags: [] });
  });

  test("a new record field without a zero, when no record is stored (--state)", async () => {
    const edit = (s: string): string => s.replace("body: string max 80 }", "body: string max 80, to: Address }").replace("body: m.subject.truncate(80) }", "body: m.subject.truncate(80), to: m.from }");
    assert.deepEqual(await against(edit, "--state", "empty.json"), { code: 0, diags: [] });
  });

  test("a lower limits.members the list fits (--member-count)", async () => {
    const r = await against((s) => s.replace("members: 500", "members: 200"), "--member-count", "150");
    assert.deepEqual(r, { code: 0, diags: [] });
  });
});

describe("check --against: refused, with the reason", () => {
  test("a removed field (TW4020), at the file's start", async () => {
    const r = await against((s) => s.replace('  tag: string max 20 = ""\n', "").replace("  state.tag = m.subject.truncate(20)\n", ""));
    assert.equal(r.code, 1);
    assert.deepEqual(r.diags.map((d) => d.code), ["TW4020"]);
    assert.match(r.diags[0]!.message, /`state\.tag` \(string max 20\) is in the deployed version and not in this one.*--allow-data-loss/);
  });

  test("a removed record field (TW4020)", async () => {
    const r = await against((s) => s.replace("{ from: Address, body: string max 80 }", "{ from: Address }").replace(", body: m.subject.truncate(80) }", " }"));
    assert.equal(r.code, 1);
    assert.deepEqual(r.diags.map((d) => d.code), ["TW4020"]);
    assert.match(r.diags[0]!.message, /`state\.notes\[\]\.body`/);
  });

  test("a changed type (TW4021), at the field", async () => {
    const r = await against((s) => s.replace("count: int = 0", "count: string max 10 = \"\"").replace("state.count += 1", 'state.count = "1"'));
    assert.equal(r.code, 1);
    assert.deepEqual(r.diags.map((d) => [d.code, d.line]), [["TW4021", 8]]);
    assert.match(r.diags[0]!.message, /`state\.count` changes type from `int` to `string max 10`/);
  });

  test("a changed map key type (TW4021)", async () => {
    const r = await against((s) => s.replace("seen: Map<Address, Time> max 100", "seen: Map<string max 50, Time> max 100").replace("state.seen.has(m.from)", "state.seen.has(m.subject.truncate(50))").replace("state.seen.set(m.from, now)", "state.seen.set(m.subject.truncate(50), now)"));
    assert.equal(r.code, 1);
    assert.deepEqual(r.diags.map((d) => d.code), ["TW4021"]);
    assert.match(r.diags[0]!.message, /`state\.seen \(its keys\)` changes type from `Address` to `string max 50`/);
  });

  test("a lower max without the data (TW4022); with data it does not fit (TW4025, the path named)", async () => {
    const edit = (s: string): string => s.replace("body: string max 80", "body: string max 5").replace("truncate(80)", "truncate(5)");
    const r = await against(edit);
    assert.equal(r.code, 1);
    assert.deepEqual(r.diags.map((d) => d.code), ["TW4022"]);
    assert.match(r.diags[0]!.message, /`state\.notes\[\]\.body` changes from `string max 80` to `string max 5`.*--state FILE\.json/);
    const d = await against(edit, "--state", "stored.json");
    assert.equal(d.code, 1);
    assert.deepEqual(d.diags.map((x) => x.code), ["TW4025"]);
    assert.match(d.diags[0]!.message, /state\.notes\[1\]\.body: 6 characters, over its declared max 5/);
  });

  test("an optional made required (TW4022)", async () => {
    const r = await against((s) => s.replace("from: Address,", "from: Address?,").replace("notes: List<Note>", "notes: List<{ from: Address, body: string max 80 }>"));
    assert.equal(r.code, 0, "T → T? is fine; the reverse is checked below");
    dir.write("opt.thwonk", OLD.replace("from: Address,", "from: Address?,"));
    assert.equal((await cli(["compile", "opt.thwonk", "-o", "opt.thwb"])).code, 0);
    dir.write("new.thwonk", OLD);
    const back = await cli(["check", "new.thwonk", "--against", "opt.thwb", "--format", "json"]);
    assert.equal(back.code, 1);
    assert.match(back.stdout, /TW4022[\s\S]*`state\.notes\[\]\.from` changes from `Address\?` to `Address`/);
  });

  test("a new record field without a zero (TW4023); with stored records, the record named (TW4025)", async () => {
    const edit = (s: string): string => s.replace("body: string max 80 }", "body: string max 80, to: Address }").replace("body: m.subject.truncate(80) }", "body: m.subject.truncate(80), to: m.from }");
    const r = await against(edit);
    assert.equal(r.code, 1);
    assert.deepEqual(r.diags.map((d) => d.code), ["TW4023"]);
    assert.match(r.diags[0]!.message, /`state\.notes\[\]\.to` is a new record field of type `Address`/);
    const d = await against(edit, "--state", "stored.json");
    assert.equal(d.code, 1);
    assert.deepEqual(d.diags.map((x) => x.message.match(/state\.notes\[\d\]\.to: expected Address, got null/)?.[0]), ["state.notes[0].to: expected Address, got null", "state.notes[1].to: expected Address, got null"]);
  });

  test("a lower limits.members (TW4024, at the limit); a member count over it (TW4025)", async () => {
    const r = await against((s) => s.replace("members: 500", "members: 200"));
    assert.equal(r.code, 1);
    assert.deepEqual(r.diags.map((d) => [d.code, d.line]), [["TW4024", 3]]);
    const d = await against((s) => s.replace("members: 500", "members: 200"), "--member-count", "300");
    assert.deepEqual(d.diags.map((x) => x.code), ["TW4025"]);
    assert.match(d.diags[0]!.message, /the list has 300 members, over the new `limits\.members` = 200/);
  });

  test("--state takes what `thwonkc state ADDRESS --json` printed: its state decides, as the state alone does", async () => {
    const answer = (state: unknown) => JSON.stringify({ "thwonk-state": 1, address: "r@example.org", state, hash: null, initial: [] });
    dir.write("answer.json", answer(STORED));
    const edit = (s: string): string => s.replace("body: string max 80", "body: string max 5").replace("truncate(80)", "truncate(5)");
    const d = await against(edit, "--state", "answer.json");
    assert.equal(d.code, 1);
    assert.deepEqual(d.diags.map((x) => x.code), ["TW4025"]);
    assert.match(d.diags[0]!.message, /state\.notes\[1\]\.body: 6 characters, over its declared max 5/);
    // A list whose state holds no `tag`, or none at all (null): nothing of it is dropped, so nothing is said to be.
    const untag = (s: string): string => s.replace('  tag: string max 20 = ""\n', "").replace("  state.tag = m.subject.truncate(20)\n", "");
    const { tag: _, ...untagged } = STORED;
    for (const state of [untagged, null]) {
      dir.write("answer.json", answer(state));
      assert.deepEqual(await against(untag, "--state", "answer.json", "--allow-data-loss"), { code: 0, diags: [] }, JSON.stringify(state));
    }
    dir.write("answer.json", JSON.stringify({ "thwonk-state": 2, state: STORED }));
    const other = await cli(["check", "new.thwonk", "--against", "old.thwb", "--state", "answer.json"]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /answer\.json has "thwonk-state": 2 but is not the answer/);
  });

  test("stored state that does not fit even the old types is refused (TW4025)", async () => {
    dir.write("bad.json", JSON.stringify({ ...STORED, count: "lots" }));
    const r = await against(same, "--state", "bad.json");
    assert.equal(r.code, 1);
    assert.match(r.diags[0]!.message, /state\.count: expected int, got "lots"/);
  });

  test("a changed deployed bundle is not compared with (TW4003)", async () => {
    const b = readFileSync(dir.path("old.thwb"), "utf8").replace('"count"', '"COUNT"');
    dir.write("changed.thwb", b);
    dir.write("new.thwonk", OLD);
    const r = await cli(["check", "new.thwonk", "--against", "changed.thwb", "--format", "json"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /TW4003/);
  });

  test("usage: --state without --against, two rules, a missing bundle (exit 2)", async () => {
    dir.write("new.thwonk", OLD);
    assert.equal((await cli(["check", "new.thwonk", "--state", "stored.json"])).code, 2);
    assert.equal((await cli(["check", "new.thwonk", "old.thwonk", "--against", "old.thwb"])).code, 2);
    assert.equal((await cli(["check", "new.thwonk", "--against", "nope.thwb"])).code, 2);
    assert.equal((await cli(["check", "new.thwonk", "--against", "old.thwb", "--member-count", "lots"])).code, 2);
  });
});

describe("migration on load", () => {
  test("the stored state of the old version, migrated, runs on the new one in the sandbox", async () => {
    const NEW = OLD.replace("body: string max 80 }", "body: string max 80, likes: int, to: Address? }")
      .replace("body: m.subject.truncate(80) }", "body: m.subject.truncate(80), likes: 0, to: none }")
      .replace('  tag: string max 20 = ""\n', '  total: int = 7\n')
      .replace("state.tag = m.subject.truncate(20)", "for n in state.notes { state.total += n.likes }");
    dir.write("new.thwonk", NEW);
    const checked = await cli(["check", "new.thwonk", "--against", "old.thwb", "--state", "stored.json", "--allow-data-loss", "--format", "json"]);
    assert.equal(checked.code, 0, checked.stdout);
    assert.equal((await cli(["compile", "new.thwonk", "-o", "new.thwb"])).code, 0);
    const oldB = JSON.parse(readFileSync(dir.path("old.thwb"), "utf8")) as Bundle;
    const newB = JSON.parse(readFileSync(dir.path("new.thwb"), "utf8")) as Bundle;
    const migrated = migrateState(versionSchema(oldB.manifest).state, versionSchema(newB.manifest).state, STORED);
    assert.deepEqual(migrated, {
      count: 2,
      seen: STORED.seen,
      notes: [
        { from: "ann@example.org", body: "first", likes: 0, to: null },
        { from: "bob@example.org", body: "second", likes: 0, to: null },
      ],
    });
    writeFileSync(dir.path("migrated.json"), JSON.stringify(migrated));
    const run = await cli(["run", "new.thwb", "-m", "m.eml", "--state", "migrated.json", "--at", "2026-11-26T09:00:00Z", "--json"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const out = JSON.parse(run.stdout) as { state: Record<string, unknown> };
    assert.equal(out.state["count"], 3);
    assert.equal(out.state["total"], 7, "a new field starts at its initial value, then the run adds every note's likes (0 in the migrated records)");
    // Without the migration the old state is refused before the run, naming the record field.
    const { tag: _, ...stale0 } = STORED;
    writeFileSync(dir.path("stale.json"), JSON.stringify(stale0));
    const stale = await cli(["run", "new.thwb", "-m", "m.eml", "--state", "stale.json"]);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /TW5070[^\n]*state\.notes\[0\]: the record has no field `likes`/);
  });
});
