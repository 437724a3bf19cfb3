/**
 * The adversary of the bounds, on the inputs the host lets through: the
 * verifier reads `m.envelope.tag` as at most 315 UTF-16 units (the stdlib's
 * bound; a canonical local part has at most one more), but the host's input
 * check counted the tag in code points, so a tag of emoji (two units each)
 * passed it and ran a rule past its gas bound (TW5001). The daemon takes the tag from a
 * canonical address, so SMTP cannot send one; a message given as JSON
 * (`thwonkc run`, `test`, buildInput) could. Real compiler, the host's real
 * input check, real QuickJS.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/emit/bundle.js";
import { LOCAL_MAX } from "../../contract/values.js";
import { checkMessage } from "../../runtime/input/limits.js";
import type { MessageJson } from "../../runtime/input/types.js";
import { bundleLimits } from "../../runtime/run/input.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { ruleErrorWords as WORDS } from "../helpers/run-input.js";

const RULE = `rule t
limits { members: 100, logs: 10 }
on message(m: Message) {
  let t = m.envelope.tag ?? ""
  var s = ""
  for _x in members {
    s = "{s}{t}"
  }
  log(s.truncate(1))
}
`;

function message(tag: string): MessageJson {
  return {
    from: "m0@example.org", to: [], cc: [], subject: "h", text: "x", html: null, headers: [["From", "m0@example.org"]], attachments: [], date: null,
    messageId: "m1@example.org", envelope: { sender: "m0@example.org", recipient: "news+x@example.org", isRequest: false, tag },
  } as MessageJson;
}

test("a +tag of emoji past the bound's UTF-16 units is refused before the run; one at the bound runs within it", async () => {
  const r = compileSource("t.thwonk", RULE);
  assert.ok(r.bundle, r.diagnostics.map((d) => d.message).join("\n"));
  const limits = Object.fromEntries(Object.entries(r.bundle.manifest.limits).map(([k, l]) => [k, l.value]));
  // The bound is a local part (LOCAL_MAX) but its first character: 158 emoji are 158 characters, 316 units.
  assert.deepEqual(checkMessage(message("😀".repeat(LOCAL_MAX / 2)), bundleLimits(r.bundle)).map((p) => p.code), ["TW5025"]);
  const fits = message(`x${"😀".repeat(LOCAL_MAX / 2 - 1)}`);
  assert.deepEqual(checkMessage(fits, bundleLimits(r.bundle)), []);
  const members = Array.from({ length: 100 }, (_, i) => ({ address: `m${i}@example.org`, name: "M", role: "member", joined: 0 }));
  const input = { now: Date.UTC(2026, 10, 25, 12), tz: [], list: { address: "news@example.org", name: "News", owners: [] }, members, state: null, limits, message: fits };
  const run = await runBundle(r.bundle, { trigger: "message", input }, WORDS);
  assert.equal(run.error, null, `${run.error?.code} ${run.error?.message}`);
  assert.ok(run.gas.used <= run.gas.bound, `${run.gas.used} > ${run.gas.bound}`);
});

test("a Message-ID over limits.header is refused even beside a short Message-ID field (a message given as JSON)", () => {
  const r = compileSource("t.thwonk", `rule t
limits { header: 100 }
on message(m: Message) {
  log(m.messageId)
}
`);
  assert.ok(r.bundle, r.diagnostics.map((d) => d.message).join("\n"));
  const m = { ...message("x"), headers: [["From", "m0@example.org"], ["Message-ID", "<a@b>"]], messageId: "x".repeat(5000) } as MessageJson;
  assert.deepEqual(checkMessage(m, bundleLimits(r.bundle)).map((p) => p.code), ["TW5020"]);
  assert.deepEqual(checkMessage({ ...m, messageId: "a@b" }, bundleLimits(r.bundle)), []);
});
