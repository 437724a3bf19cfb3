/**
 * composeRun on a recorded corpus (test/golden/corpus/compose.json,
 * `THWONK_BLESS=1` records it again): fixed runs, interleaved across lists,
 * list names, From modes and senders (so what composeRun keeps from a list
 * or a sender for one is never given to another), give the recorded
 * messages byte for byte, with their Message-IDs, envelopes and refused
 * recipients. And on generated runs, the direct writer gives nodemailer's
 * bytes. Names with quotes, encoded words, emoji, CR/LF; times in the same
 * second and not, before 1970 too.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { RunAction } from "../../contract/index.js";
import { type ComposeContext, composeRun } from "../../runtime/mail/compose.js";
import { checkCorpus, draw } from "../helpers/corpus.js";

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

const runs = fc.array(run, { minLength: 1, maxLength: 6 });

function actionsOf(r: Run): RunAction[] {
  return r.actions.map((a) => {
    const out: Record<string, unknown> = { at };
    for (const [k, v] of Object.entries(a)) if (v !== undefined) out[k] = v;
    return out as RunAction;
  });
}

/** What a message records: its facts (the action is the input), then its bytes. */
const outputs = (ms: Awaited<ReturnType<typeof composeRun>>) =>
  ms.flatMap((m) => [JSON.stringify({ index: m.index, messageId: m.messageId, envelope: m.envelope, refused: m.refused }), m.raw.toString("latin1")]);

test("composeRun gives the recorded bytes, across lists, names, From modes and senders in any order", async () => {
  const cases = [];
  for (const sequence of draw(runs, 150, 7301)) {
    for (const r of sequence) {
      const ctx = context(r);
      const actions = actionsOf(r);
      const now = await composeRun(actions, ctx);
      cases.push({ input: r, outputs: [`${now.length} messages`, ...outputs(now)] });
    }
  }
  checkCorpus("compose", cases);
});

test("the direct writer gives nodemailer's bytes for any run", async () => {
  await fc.assert(
    fc.asyncProperty(runs, async (sequence) => {
      for (const r of sequence) {
        const ctx = context(r);
        const actions = actionsOf(r);
        const view = (ms: Awaited<ReturnType<typeof composeRun>>) => ms.map((m) => ({ ...m, raw: m.raw.toString("latin1") }));
        assert.deepEqual(view(await composeRun(actions, ctx)), view(await composeRun(actions, { ...ctx, viaNodemailer: true })), JSON.stringify({ ctx, actions }));
      }
    }),
    { numRuns: 200 },
  );
});
