/**
 * An outbox row names its action by its place in its run's actions (outbox.action_at), and a batch's rows are
 * marked done in one statement (json_each): the adversary's view, on real SQLite files.
 * - Random runs with many actions (sends, replies, rejects, holds, logs, publishes; fields with unicode, lone
 *   surrogates, `__proto__`, quotes, "null"), committed in random groups; each run's outbox rows point at some of
 *   its actions (the very objects, one object twice in its actions, a copy that is none of them, an action of
 *   another run): after a restart with the rows pending, every row reads back its own action, recipients and bytes.
 * - Thousands of ids marked done in one call (with ids that are no row's and ids twice): exactly those rows.
 * - Messages listed by status: every status gives exactly its messages (with and without the list), an unknown
 *   status or one that tries to be SQL is refused, and nothing else is matched.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import type { RunAction } from "../../contract/index.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { MessageStatus, RunCommit } from "../../runtime/daemon/store/types.js";

const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("__proto__", "constructor", "null", '"q" \\', "é😀\u2028\u2029", "\ud800", "\udfff x", "', 'x'); --", ""),
);
const obj = fc.dictionary(fc.oneof(text, fc.constantFrom("__proto__", "toString")), fc.oneof(text, fc.integer(), fc.constant(null)), { maxKeys: 3 });
const action = fc.record({
  kind: fc.constantFrom("send", "reply", "reject", "hold", "log", "publish", "members.add"),
  to: fc.array(text, { maxLength: 3 }),
  subject: text,
  headers: obj,
  at: fc.record({ line: fc.nat(999), column: fc.nat(99) }),
});
/** Where each of a run's rows takes its action: its place in the actions, a copy of one, or another run's. */
const pick = fc.oneof(fc.record({ at: fc.nat(20) }), fc.record({ copy: fc.nat(20) }), fc.record({ other: fc.nat(20) }));
const run = fc.record({ actions: fc.array(action, { minLength: 1, maxLength: 12 }), twice: fc.boolean(), rows: fc.array(pick, { maxLength: 8 }), recipients: fc.array(text, { minLength: 1, maxLength: 3 }) });

let file = 0;

test("every pending outbox row reads back its own action after a restart, however its run's actions look", async () => {
  const dir = mkdtempSync(join(tmpdir(), "adv-actions-"));
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(run, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }), async (groups) => {
        const path = join(dir, `s${file++}.sqlite`);
        let store = openSqliteStore(path);
        const expected: { file: string; action: unknown; recipients: string[]; raw: Buffer }[] = [];
        let previous: RunAction | undefined;
        let n = 0;
        for (const group of groups) {
          const commits: RunCommit[] = group.map((g) => {
            const actions = g.actions.map((a) => ({ ...a }) as unknown as RunAction);
            // The same object at two places: indexOf finds the first, whose JSON is the same.
            if (g.twice) actions.push(actions[0]!);
            const outbox = g.rows.map((p, j) => {
              const a = "at" in p ? actions[p.at % actions.length]! : "copy" in p ? structuredClone(actions[p.copy % actions.length]!) : (previous ?? actions[0]!);
              const raw = Buffer.from(`Subject: ${n} ${j}\r\n\r\n${JSON.stringify(a)}\r\n`);
              const row = { file: `f${file}.${n}.${j}`, messageId: `<${n}.${j}@x>`, recipients: g.recipients, action: a, raw };
              expected.push({ file: row.file, action: JSON.parse(JSON.stringify(a)), recipients: JSON.parse(JSON.stringify(g.recipients)), raw });
              return row;
            });
            previous = actions.at(-1);
            n++;
            return {
              address: "a@example.org",
              message: { raw: Buffer.from("Subject: x\r\n\r\nx\r\n"), mailFrom: "s@example.org", rcptTo: "a@example.org", receivedAt: n, status: "accepted", problems: [] },
              run: { trigger: "message", now: n, bundleHash: "h", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 2, actions },
              state: { n },
              outbox,
            };
          });
          await store.commitRuns(commits);
        }
        // A restart with every row pending.
        await store.close();
        store = openSqliteStore(path);
        try {
          const pending = await store.pendingOutbox(100_000);
          assert.deepEqual(pending.map((r) => r.file), expected.map((e) => e.file));
          pending.forEach((r, k) => {
            const e = expected[k]!;
            assert.deepEqual(r.action, e.action, `row ${r.file}`);
            assert.deepEqual(r.recipients, e.recipients, `row ${r.file}`);
            assert.ok(r.raw.equals(e.raw), `row ${r.file}`);
          });
          // A few at a time, as the outbox reads them: the same.
          const paged = [];
          for (let seen = 0; seen < expected.length; ) {
            const page = await store.pendingOutbox(3);
            paged.push(...page);
            seen += page.length;
            await store.markOutboxDone(page.map((r) => r.id));
          }
          assert.deepEqual(paged.map((r) => [r.file, r.action]), expected.map((e) => [e.file, e.action]));
          assert.deepEqual(await store.pendingOutbox(), []);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 60, seed: 1206 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("thousands of outbox ids marked done in one call: exactly those rows, with ids that are no row's and ids twice", async () => {
  const dir = mkdtempSync(join(tmpdir(), "adv-done-"));
  const store = openSqliteStore(join(dir, "thwonkd.sqlite"));
  try {
    const send = { kind: "send", to: ["m@example.org"], subject: "s", text: "t", at: { line: 1, column: 1 } } as unknown as RunAction;
    const ids: number[] = [];
    for (let g = 0; g < 12; g++) {
      const commits: RunCommit[] = Array.from({ length: 50 }, (_, k) => ({
        address: "a@example.org",
        run: { trigger: "every", now: g * 50 + k, bundleHash: "h", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 2, actions: [send] },
        outbox: Array.from({ length: 10 }, (_, j) => ({ file: `d.${g}.${k}.${j}`, messageId: `<${g}.${k}.${j}@x>`, recipients: ["m@example.org"], action: send, raw: Buffer.from("x") })),
      }));
      for (const c of await store.commitRuns(commits)) ids.push(...c.outboxIds);
    }
    assert.equal(ids.length, 6000);
    // Every other row, with ids past the last and before the first, and some twice: one call.
    const marked = ids.filter((_, k) => k % 2 === 0);
    await store.markOutboxDone([...marked, ...marked.slice(0, 500), 0, -1, ids.at(-1)! + 1, 2 ** 40]);
    const left = await store.pendingOutbox(100_000);
    assert.deepEqual(left.map((r) => r.id), ids.filter((_, k) => k % 2 === 1));
    assert.ok(left.every((r) => r.action !== null && (r.action as { subject?: string }).subject === "s"));
    await store.markOutboxDone(left.map((r) => r.id));
    await store.markOutboxDone([]);
    assert.deepEqual(await store.pendingOutbox(), []);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const STATUSES: MessageStatus[] = ["accepted", "rejected", "held", "failed", "loop", "replayed", "expired"];

test("messages by status: each status exactly its messages, per list and all; an unknown status or SQL refused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "adv-status-"));
  const store = openSqliteStore(join(dir, "thwonkd.sqlite"));
  try {
    const want = new Map<string, number[]>();
    let n = 0;
    for (const list of ["a@example.org", "b@example.org", "ü😀@example.org"]) {
      for (const status of [...STATUSES, ...STATUSES.slice(2, 5)]) {
        const [c] = await store.commitRuns([
          {
            address: list,
            message: { raw: Buffer.from(`Subject: ${n}\r\n\r\n.\r\n`), mailFrom: null, rcptTo: list, receivedAt: n++, status, problems: [] },
            run: { trigger: "message", now: n, bundleHash: "h", replayOf: null, outcome: status === "failed" ? "failed" : "ok", error: null, gasUsed: 1, gasBound: 2, actions: [] },
          },
        ]);
        want.set(`${list} ${status}`, [...(want.get(`${list} ${status}`) ?? []), c!.messageId!]);
        want.set(`* ${status}`, [...(want.get(`* ${status}`) ?? []), c!.messageId!]);
      }
    }
    for (const status of STATUSES) {
      const all = await store.messages({ status });
      assert.deepEqual(all.map((m) => m.id), want.get(`* ${status}`), status);
      assert.ok(all.every((m) => m.status === status));
      for (const list of ["a@example.org", "b@example.org", "ü😀@example.org"]) {
        assert.deepEqual((await store.messages({ address: list, status })).map((m) => m.id), want.get(`${list} ${status}`), `${list} ${status}`);
      }
      assert.deepEqual(await store.messages({ address: "none@example.org", status }), []);
      assert.deepEqual((await store.messages({ status, limit: 2 })).map((m) => m.id), want.get(`* ${status}`)!.slice(0, 2));
    }
    assert.equal((await store.messages({})).length, n);
    for (const bad of ["", "FAILED", "failed ", "__proto__", "constructor", "hasOwnProperty", "failed' OR '1'='1", "failed'; DROP TABLE messages; --", "pending"]) {
      await assert.rejects(store.messages({ status: bad as MessageStatus }), /no message has the status/, JSON.stringify(bad));
    }
    assert.equal((await store.messages({})).length, n, "nothing dropped");
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
