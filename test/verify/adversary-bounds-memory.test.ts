/**
 * The adversary of the bounds, on memory: `matches` works on its pattern in
 * memory the bound did not count. A pattern is compiled into regular
 * expressions, one per run between stars, each character written apart (an
 * escape, a `?` beside it) a group of its own: about 70 bytes per such group
 * (24 a unit of pattern, for an escaped or `?`-separated astral character),
 * held while the call runs, and the call's result is a bool, so nothing of
 * it was in the bound. And the prelude cut the whole pattern into an array of
 * its pieces first (a string per star and per `?`: about 60 bytes a unit for
 * `*?*?…`). Now the runs are matched as they are read, and `matches`
 * declares its working memory (`scratch` in the stdlib), which the bound
 * counts. Real compiler, real QuickJS with its heap limit set from the bound,
 * as the daemon runs a rule whose `limits.memory` is its bound.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Bundle } from "../../compiler/emit/bundle.js";
import { runBundle, type RunResult } from "../../runtime/run/run-rule.js";
import { ruleErrorWords as WORDS } from "../helpers/run-input.js";
import { bundleOf } from "./adversary-bounds-helpers.js";

function runWithin(b: Bundle, text: string, bytes: number, subject = "h"): Promise<RunResult> {
  const input = {
    now: Date.UTC(2026, 10, 25, 12),
    tz: [],
    list: { address: "news@example.org", name: "News", owners: [] },
    members: [{ address: "m0@example.org", name: "M", role: "owner", joined: 0 }],
    state: null,
    limits: Object.fromEntries(Object.entries(b.manifest.limits).map(([k, l]) => [k, l.value])),
    message: {
      from: "m0@example.org", to: [], cc: [], subject, text, html: null, headers: [["From", "m0@example.org"]], attachments: [], date: null,
      messageId: "m1@example.org", envelope: { sender: "m0@example.org", recipient: "news@example.org", isRequest: false, tag: null },
    },
  };
  return runBundle(b, { trigger: "message", input, limits: { memoryLimitBytes: bytes, timeLimitMs: 120_000 } }, WORDS);
}

test("a pattern of 100,000 × ten escaped astral characters runs within the memory bound (it needed 68 MiB of a bound of 47)", async () => {
  // Cheap for the bound (the pattern is a string of 2 bytes a unit), dear to compile: a million groups.
  const b = bundleOf(`rule t
limits { text: 100000, subject: 1, budget: 100000000, memory: 512 * 1024 * 1024 }
on message(m: Message) {
  let p = m.text.replace("x", "\\\\𐐀\\\\𐐀\\\\𐐀\\\\𐐀\\\\𐐀\\\\𐐀\\\\𐐀\\\\𐐀\\\\𐐀\\\\𐐀")
  if m.subject.matches(p, ignoreCase: true) {
    log("matched")
  }
}
`);
  const bound = b.manifest.triggers[0]!.memoryBound;
  const r = await runWithin(b, "x".repeat(100_000), bound);
  assert.equal(r.error, null, `${r.error?.code} ${r.error?.message} with the heap limit at the bound (${bound} bytes)`);
});

test("matches holds one run of its pattern at a time, not its pieces: `*?` × 500,000 in a quarter of the bound", async () => {
  // The declared working memory (48 bytes a unit) is twice what a run's expression needs; an array of the pattern's
  // pieces needed 60 a unit on top, a quarter of this bound and more (61 MiB).
  const b = bundleOf(`rule t
limits { text: 1000000, subject: 1, budget: 20000000, memory: 512 * 1024 * 1024 }
on message(m: Message) {
  if m.subject.matches(m.text) {
    log("matched")
  }
}
`);
  const bound = b.manifest.triggers[0]!.memoryBound;
  const r = await runWithin(b, "*?".repeat(500_000), Math.floor(bound / 4));
  assert.equal(r.error, null, `${r.error?.code} ${r.error?.message} with the heap limit at a quarter of the bound (${Math.floor(bound / 4)} bytes)`);
});

test("list.sign and list.verify of 3,000,000 control characters run within the memory bound (they needed 55 MiB of a bound of 47)", async () => {
  // The text crosses to the host as JSON (\u0001: six characters a unit) and is read from a UTF-8 copy of that:
  // working memory of the call, cheap text for the bound (2 bytes a unit).
  const b = bundleOf(`rule t
limits { text: 100000, subject: 1, budget: 10000000, memory: 512 * 1024 * 1024 }
on message(m: Message) {
  let t = m.text.replace("x", "${"\\u{1}".repeat(30)}")
  let token = list.sign(t, now + 1d)
  if list.verify(token, t) {
    log("signed")
  }
}
`);
  const bound = b.manifest.triggers[0]!.memoryBound;
  const r = await runWithin(b, "x".repeat(100_000), bound);
  assert.equal(r.error, null, `${r.error?.code} ${r.error?.message} with the heap limit at the bound (${bound} bytes)`);
});

test("matches still reads its pattern as before: runs between stars, `?`, escapes, anchored ends", async () => {
  const b = bundleOf(`rule t
limits { text: 1000, subject: 100 }
on message(m: Message) {
  for line in m.text.lines() {
    log("{m.subject.matches(line)} {m.subject.matches(line, ignoreCase: true)}")
  }
}
`);
  const cases: [string, string][] = [
    ["a*c", "true true"], ["A*C", "false true"], ["*b*", "true true"], ["a?c", "true true"], ["a??c", "false false"],
    ["ab?", "true true"], ["*", "true true"], ["", "false false"], ["a\\*c", "false false"], ["*c", "true true"], ["a*", "true true"],
    ["*x*", "false false"], ["a*b*c", "true true"], ["?*?", "true true"], ["??", "false false"],
  ];
  const r = await runWithin(b, cases.map((c) => c[0]).join("\n"), 64 * 1024 * 1024, "abc");
  assert.equal(r.error, null, `${r.error?.code} ${r.error?.message}`);
  const logs = r.actions.filter((a) => a.kind === "log").map((a) => (a as unknown as { text: string }).text);
  assert.deepEqual(logs, cases.map((c) => c[1]));
});
