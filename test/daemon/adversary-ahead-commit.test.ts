/**
 * Runs given ahead (ahead.ts) when a group commit fails in the middle of a queue of a counting rule: the runs
 * after the failed one were chained from the state it would have left. Whatever the timing, the store must read
 * as one-at-a-time processing of the messages that got a 250: the committed runs count 1, 2, 3, ... with no gap
 * or repeat, the state is their number, and no message answered 451 has a run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import { failingStore, type FailingStore } from "./failing-store.js";
import { COUNTER, listDaemon } from "./helpers.js";

const A = "aheadcommit@example.org";

test("a failed group commit among runs given ahead: committed runs count without gaps, 451s leave nothing", async () => {
  let store!: FailingStore;
  const { daemon, close } = await listDaemon({ source: COUNTER, fileName: "counter.thwonk", addresses: [A], store: (at) => (store = failingStore(openSqliteStore(join(at, "thwonkd.sqlite")))) });
  try {
    const at = Date.UTC(2026, 0, 1);
    let n = 0;
    const send = (): Promise<{ subject: string; code: number; runId?: number | undefined }> => {
      const i = n++;
      const subject = `q${i}`;
      const raw = Buffer.from(`From: <ann@example.org>\r\nTo: <${A}>\r\nSubject: ${subject}\r\nMessage-ID: <ac.${i}@example.org>\r\n\r\nx\r\n`);
      return daemon.runner.deliver({ address: A, rcptTo: A, mailFrom: "ann@example.org", raw, receivedAt: at + i }).then((a) => ({ subject, code: a.code, runId: a.runId }));
    };
    const answers: { subject: string; code: number; runId?: number | undefined }[] = [];
    for (let i = 0; i < 5; i++) answers.push(await send());
    for (let round = 0; round < 4; round++) {
      const batch = Array.from({ length: 25 }, () => send());
      // Fails a group in the middle of the batch, while runs behind it are given ahead.
      setTimeout(() => store.failNext(), 2 + round * 3);
      answers.push(...(await Promise.all(batch)));
    }
    await daemon.runner.drain();
    const failed = answers.filter((a) => a.code === 451);
    const ok = answers.filter((a) => a.code === 250);
    assert.equal(failed.length + ok.length, answers.length, JSON.stringify(answers.filter((a) => a.code !== 250 && a.code !== 451)));
    assert.ok(failed.length > 0, "a commit failed");
    const runs = (await daemon.runs({ address: A })).filter((r) => r.trigger === "message").sort((x, y) => x.id - y.id);
    assert.equal(runs.length, ok.length, "one run for each 250, none for a 451");
    const counts = runs.map((r) => Number(String((r.actions.find((x) => x.kind === "send") as { subject?: string }).subject).split(" ")[0]));
    assert.deepEqual(counts, runs.map((_, i) => i + 1), "committed runs count 1, 2, 3, ...");
    const subjects = runs.map((r) => String((r.actions.find((x) => x.kind === "send") as { subject?: string }).subject).split(" ")[1]);
    assert.deepEqual(subjects, ok.map((a) => a.subject), "the runs are the 250 messages', in order");
    assert.deepEqual((await daemon.state(A)).state, { count: ok.length });
  } finally {
    await close();
  }
});
