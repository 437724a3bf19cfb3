/**
 * composeRun as it was (test/mail/compose-before.ts, the oracle, composing
 * through nodemailer and through the direct writer) against what it is now,
 * which keeps what it works out of a list and of a sender between runs: on
 * generated runs, interleaved across lists, list names, From modes and
 * senders (so a kept answer for one is never given to another), the same
 * messages byte for byte, with the same Message-IDs, envelopes and refused
 * recipients. Names with quotes, encoded words, emoji, CR/LF; times in the
 * same second and not, before 1970 too.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { RunAction } from "../../contract/index.js";
import { type ComposeContext, composeRun } from "../../runtime/mail/compose.js";
import { composeRun as composeRunBefore } from "./compose-before.js";

const at = { line: 1, column: 1 };
const text = fc.constantFrom("", "Hello", "Zoë ☕", "😀 party", "a\r\nb", '"quoted", <angle>', "=?utf-8?Q?x?=", "x".repeat(120), "line\nbreak", "tab\there");
const list = fc.constantFrom("list@lists.localhost", "other@lists.localhost", "List@Example.ORG", "a.b-c@x.y");
const fromHeader = fc.constantFrom("<from@example.org>", "Ann Lee <ann@example.org>", '"Lee, Ann" <ann@example.org>', "=?utf-8?Q?Zo=C3=AB?= <zoe@example.org>", "from@example.org", "Bob <bob@example.org>, Ann <ann@example.org>", "😀 <ann@example.org>", "");
const fromAddress = fc.constantFrom("from@example.org", "ann@example.org", "zoe@example.org", "bob@example.org", null);
const settings = fc.constantFrom(undefined, {}, { fromMode: "keep" as const }, { fromMode: "munge" as const }, { fromMode: undefined });
const recipients = fc.array(fc.constantFrom("m0@example.org", "M0@example.org", "m1@example.org", "bad address", "x@y"), { minLength: 0, maxLength: 3 });
const action = fc.record({
  kind: fc.constantFrom("send", "reply", "forward", "members.add"),
  to: recipients,
  subject: text,
  text,
  html: fc.option(text, { nil: null }),
  from: fc.constantFrom("list", "sender", undefined),
  replyTo: fc.constantFrom("list", "sender", null),
  thread: fc.constantFrom(undefined, "a.1@vm", "bad id"),
  footer: fc.constantFrom(undefined, "", "-- \nfooter"),
});
const run = fc.record({
  list,
  listName: fc.option(text, { nil: undefined }),
  settings,
  fromHeader,
  fromAddress,
  hops: fc.constantFrom(undefined, "0", "3", "x"),
  now: fc.oneof(fc.constantFrom(1_796_568_818_242, 1_796_568_818_999, 1_796_568_819_000, -1500, 0), fc.integer({ min: -1e12, max: 4e12 })),
  actions: fc.array(action, { maxLength: 3 }),
  raw: fc.boolean(),
});

type Run = typeof run extends fc.Arbitrary<infer T> ? T : never;

function context(x: Run): ComposeContext {
  const headers: [string, string][] = [["From", x.fromHeader], ["Message-ID", "<a.1@vm>"], ["References", "<r.0@vm>"]];
  if (x.hops !== undefined) headers.push(["X-Thwonk-Hops", x.hops]);
  const raw = Buffer.from(`${headers.map(([n, v]) => `${n}: ${v}`).join("\r\n")}\r\nSubject: s\r\n\r\nbody\r\n`, "utf8");
  return {
    list: x.list,
    ...(x.listName !== undefined ? { listName: x.listName } : {}),
    ...(x.settings !== undefined ? { settings: x.settings } : {}),
    incoming: { from: x.fromAddress, headers, ...(x.raw ? { raw } : {}) },
    now: x.now,
    runKey: "k1",
  };
}

test("composeRun gives the bytes it gave before, across lists, names, From modes and senders in any order", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(run, { minLength: 1, maxLength: 6 }), async (runs) => {
      for (const r of runs) {
        const ctx = context(r);
        const actions = r.actions.map((a) => {
          const out: Record<string, unknown> = { at };
          for (const [k, v] of Object.entries(a)) if (v !== undefined) out[k] = v;
          return out as RunAction;
        });
        const now = await composeRun(actions, ctx);
        const viaNodemailer = await composeRunBefore(actions, { ...ctx, viaNodemailer: true });
        const before = await composeRunBefore(actions, ctx);
        const view = (ms: typeof now) => ms.map((m) => ({ ...m, raw: m.raw.toString("latin1") }));
        assert.deepEqual(view(now), view(before), JSON.stringify({ ctx, actions }));
        assert.deepEqual(view(now), view(viaNodemailer), "the direct writer is nodemailer's");
      }
    }),
    { numRuns: 400 },
  );
});
