/**
 * `thwonkc run --rcpt-to LIST-request@`: the dry run of a rule that never reads m.envelope.isRequest shows the
 * rule's run and warns that thwonkd answers that address itself (runtime/daemon/requests.ts); a rule that reads it
 * gets no warning.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";

const WARNING = /warning: the rule never reads m\.envelope\.isRequest, so thwonkd answers trim140-request@example\.org itself/;

test("run: trim140 on its -request address warns that thwonkd answers it; subscribe does not", async () => {
  const trim = join(repoRoot, "examples", "trim140");
  const r = await runCli(["run", join(trim, "trim140.thwonk"), "-m", join(trim, "weather.eml"), "--members", join(trim, "members.txt"), "--rcpt-to", "trim140-request@example.org", "--json"], { cwd: trim });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, WARNING);
  const plain = await runCli(["run", join(trim, "trim140.thwonk"), "-m", join(trim, "weather.eml"), "--members", join(trim, "members.txt"), "--json"], { cwd: trim });
  assert.doesNotMatch(plain.stderr, /isRequest/);

  const sub = join(repoRoot, "examples", "subscribe");
  const s = await runCli(["run", join(sub, "subscribe.thwonk"), "-m", join(sub, "subscribe.eml"), "--rcpt-to", "subscribe-request@example.org", "--json"], { cwd: sub });
  assert.equal(s.code, 0, s.stderr);
  assert.doesNotMatch(s.stderr, /isRequest/);
});
