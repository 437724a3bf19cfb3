/**
 * A group commit that fails: every message in the group is answered 451,
 * none is recorded, the lists' state is not advanced (not in the store, not
 * in memory), runs already built on the failed runs' state are refused
 * before they reach the store, and the clients' retries then succeed in
 * order. The daemon runs in this process over a real SQLite store wrapped
 * with a failure injection point (failing-store.ts), mail comes over SMTP.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { createIngress, type Ingress } from "../../runtime/daemon/smtp.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import { failingStore, type FailingStore } from "./failing-store.js";
import { COUNTER, listDaemon, outboxMail, until } from "./helpers.js";

const A = "a@example.org";
const B = "b@example.org";

let dir: string;
let store: FailingStore;
let daemon: Daemon;
let close: () => Promise<void>;
let ingress: Ingress;
let port: number;

before(async () => {
  ({ dir, daemon, close } = await listDaemon({ source: COUNTER, fileName: "counter.thwonk", addresses: [A, B], store: (at: string) => (store = failingStore(openSqliteStore(join(at, "thwonkd.sqlite")))) }));
  ingress = createIngress({ daemon, log: createLogger({ level: "silent", pretty: false }) });
  port = await ingress.listen("127.0.0.1", 0);
});

after(async () => {
  await ingress.close();
  await close();
});

/** One message on its own connection: the SMTP code of the answer to DATA. */
async function send(to: string, subject: string): Promise<number> {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
  try {
    const info = await t.sendMail({ from: "ann@example.org", to, subject, text: `body of ${subject}` });
    return Number(info.response.slice(0, 3));
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode;
    if (code === undefined) throw err;
    return code;
  } finally {
    t.close();
  }
}

/** The subjects of the committed runs' outgoing mail, per list, in commit order. */
async function sent(list: string): Promise<string[]> {
  const runs = await daemon.runs({ address: list });
  return runs.filter((r) => r.outcome === "ok").map((r) => String((r.actions[0] as { subject?: string }).subject));
}

const subjectsOf = (group: { commits: { address: string; run: { actions: unknown[] } }[] }): string[] =>
  group.commits.map((c) => `${c.address} ${String((c.run.actions[0] as { subject?: string }).subject)}`).sort();

test("a failed group commit: 451 to every message in it, nothing recorded, state not advanced, the retries succeed", async () => {
  // a1 is held in the store while a2, a3 (built on a1's uncommitted state) and b1, b2 wait for the next group.
  store.hold();
  const a1 = send(A, "a1");
  await store.holding();
  const rest = [send(A, "a2"), send(B, "b1")];
  await until("a2 and b1 waiting for the next group", () => daemon.committer.queued >= 2 || undefined);
  rest.push(send(A, "a3"), send(B, "b2"));
  await until("four runs waiting for the next group", () => daemon.committer.queued >= 4 || undefined);
  store.failNext(); // for the group after the held one, which arrived before
  store.release();
  assert.equal(await a1, 250, "the held group committed");
  const codes = await Promise.all(rest);
  const failed = store.groups.filter((g) => g.failed);
  assert.equal(failed.length, 1, "one group failed");
  assert.deepEqual(subjectsOf(failed[0]!), [`${A} 2 a2`, `${A} 3 a3`, `${B} 1 b1`, `${B} 2 b2`], "the failed group held the four runs");
  assert.deepEqual(codes, [451, 451, 451, 451], "every message in the failed group got 451");
  assert.deepEqual(await sent(A), ["1 a1"], "only a1 is recorded on A");
  assert.deepEqual(await sent(B), [], "nothing is recorded on B");
  assert.deepEqual((await daemon.state(A)).state, { count: 1 }, "A's stored state is a1's");
  assert.equal((await daemon.state(B)).state, null, "B's stored state never advanced");

  // The clients try again: the runs start from the committed state, not from the failed group's.
  for (const [to, s] of [[A, "a2"], [B, "b1"], [A, "a3"], [B, "b2"]] as const) assert.equal(await send(to, s), 250, `${s} again`);
  assert.deepEqual(await sent(A), ["1 a1", "2 a2", "3 a3"]);
  assert.deepEqual(await sent(B), ["1 b1", "2 b2"]);
  assert.deepEqual((await daemon.state(A)).state, { count: 3 });
  const files = await until("the outbox written", async () => {
    const m = await outboxMail(join(dir, "outbox"));
    return m.length === 5 ? m : undefined;
  });
  assert.deepEqual(files.map((f) => f.mail.subject).sort(), ["1 a1", "1 b1", "2 a2", "2 b2", "3 a3"], "one file per committed run, none for the failed ones");
});

test("runs built on a failed run's state are refused before they reach the store, then the list goes on from its committed state", async () => {
  const before = store.groups.length;
  store.failNext();
  store.hold();
  const c1 = send(A, "c1");
  await store.holding();
  const later = [send(A, "c2")];
  await until("c2 waiting for the next group", () => daemon.committer.queued >= 1 || undefined);
  later.push(send(A, "c3"));
  await until("c3 waiting for the next group", () => daemon.committer.queued >= 2 || undefined);
  store.release();
  assert.equal(await c1, 451, "the failed run");
  assert.deepEqual(await Promise.all(later), [451, 451], "the runs built on its state");
  const reached = store.groups.slice(before).flatMap((g) => subjectsOf(g));
  assert.deepEqual(reached, [`${A} 4 c1`], "only the failed run reached the store");
  assert.equal(await send(A, "c4"), 250);
  assert.deepEqual((await sent(A)).slice(-1), ["4 c4"], "the next run starts from the committed count (3)");
});

test("a failed disk sync: its group gets 451, and every commit after it too, until a restart", async () => {
  store.failSync();
  assert.equal(await send(B, "s1"), 451, "the group whose sync failed");
  assert.equal(await send(B, "s2"), 451, "nothing is committed after a failed sync");
  assert.equal(await send(A, "s3"), 451, "on any list");
  assert.equal(daemon.committer.stats.failed >= 3, true);
  // The group was written before its sync failed: a retry after the restart may run s1 twice, never lose it.
  assert.deepEqual((await sent(B)).slice(-1), ["3 s1"]);
});
