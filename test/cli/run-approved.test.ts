/**
 * `thwonkc run --approved`: the dry run of what an owner's approval does
 * (m.approved true), on examples/moderated: held without it, sent to the
 * members with it; refused for a schedule, which has no message.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";

const dir = join(repoRoot, "examples", "moderated");
const args = ["run", join(dir, "moderated.thwonk"), "-m", join(dir, "stranger.eml"), "--members", join(dir, "members.txt"), "--json"];

test("run: the stranger's post is held; with --approved it goes to the members", async () => {
  const held = await runCli(args, { cwd: dir });
  assert.equal(held.code, 0, held.stderr);
  const h = JSON.parse(held.stdout) as { actions: { kind: string; reason?: string }[] };
  assert.deepEqual(h.actions.map((a) => a.kind), ["hold"]);
  assert.equal(h.actions[0]!.reason, "dan@example.net is not a member of moderated@example.org.");

  const approved = await runCli([...args, "--approved"], { cwd: dir });
  assert.equal(approved.code, 0, approved.stderr);
  const a = JSON.parse(approved.stdout) as { actions: { kind: string; to: string[]; subject: string }[] };
  assert.deepEqual(a.actions.map((x) => x.kind), ["send"]);
  assert.deepEqual(a.actions[0]!.to, ["ann@example.org", "bob@example.org", "cy@example.org"]);
  assert.equal(a.actions[0]!.subject, "May I post here?");
});

test("run: --approved with a schedule is a usage error (no message to approve)", async () => {
  const t = tempDir({ "tick.thwonk": 'rule tick\n\nevery day at 00:00 {\n  log("tick")\n}\n' });
  try {
    const r = await runCli(["run", t.path("tick.thwonk"), "--trigger", "every day at 00:00", "--approved"], { cwd: t.dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--approved is about a held message: the scheduled trigger `every day at 00:00` takes none; leave out --approved/);
  } finally {
    t.remove();
  }
});
