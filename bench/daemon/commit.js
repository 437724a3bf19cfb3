// `node bench/daemon/commit.js [DIST...]` (after `npm run build`): the main thread's CPU per run of the group commit
// (commitRuns, then the log's sync) and the log's bytes per run, for one-member forwards like bench/daemon/seed.js's
// under smtp-source, in groups of BENCH_GROUP (3) runs, for each build's dist/ given (default: this one's). Interleaved
// rounds (BENCH_ROUNDS, 5) of BENCH_RUNS (3000) runs each, a fresh database per build and round.
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist");
const dists = process.argv.slice(2).length ? process.argv.slice(2) : [here];
const RUNS = Number(process.env.BENCH_RUNS ?? 3000);
const GROUP = Number(process.env.BENCH_GROUP ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const work = process.env.BENCH_DIR ?? join(process.cwd(), `commit-bench-${Date.now()}`);
mkdirSync(work, { recursive: true });

const LIST = "list@lists.localhost";
const text = "La de da de da 1.\nLa de da de da 2.\nLa de da de da 3.\nLa de da de da 4.\n";
let n = 0;
function commit() {
  n++;
  const raw = Buffer.from(`Received: from localhost\r\nFrom: <from@example.org>\r\nTo: <list@lists.localhost>\r\nDate: Sun, 6 Dec 2026 15:00:00 +0000\r\nMessage-Id: <${n}.bench@example.org>\r\nSubject: \r\n\r\n${text.replaceAll("\n", "\r\n")}`.padEnd(370, " "));
  const action = { kind: "send", to: ["member0@example.org"], subject: "", text, html: null, from: "sender", replyTo: "list", thread: null, headers: { "List-Id": "list <list.lists.localhost>", "List-Post": "<mailto:list@lists.localhost>", "List-Unsubscribe": "<mailto:list-request@lists.localhost?subject=unsubscribe>", "X-Thwonk-Loop": LIST }, at: { line: 6, column: 3 } };
  const out = Buffer.from(`From: list@lists.localhost\r\nMessage-ID: <thwonk.${n}@lists.localhost>\r\n`.padEnd(695, "x"));
  return {
    address: LIST,
    message: { raw, mailFrom: "from@example.org", rcptTo: LIST, receivedAt: Date.now(), status: "accepted", problems: [] },
    run: { trigger: "message", now: Date.now(), bundleHash: "b".repeat(64), replayOf: null, outcome: "ok", error: null, gasUsed: 1234, gasBound: 99999, actions: [action] },
    state: { count: 0 },
    members: [],
    published: [],
    outbox: [{ file: `${Date.now()}.Tbench${n}_1.host`, messageId: `thwonk.${n}@lists.localhost`, recipients: ["member0@example.org"], action, raw: out }],
  };
}

const stores = await Promise.all(dists.map((d) => import(pathToFileURL(join(d, "runtime/daemon/store/sqlite.js")).href)));
const results = dists.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < dists.length; i++) {
    const dir = join(work, `${i}-${round}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "thwonkd.sqlite");
    const store = stores[i].openSqliteStore(file);
    const groups = [];
    for (let k = 0; k < RUNS / GROUP; k++) groups.push(Array.from({ length: GROUP }, commit));
    for (const g of groups.slice(0, 50)) (await store.commitRuns(g), await store.sync?.());
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const g of groups.slice(50)) {
      await store.commitRuns(g);
      await store.sync?.();
    }
    const c = process.cpuUsage(c0);
    const ms = performance.now() - t0;
    const runs = (groups.length - 50) * GROUP;
    // Pages written to the log per group: each group's, from a log emptied before it (the next write starts it over).
    const probe = new Database(file);
    let frames = 0;
    for (let k = 0; k < 60; k++) {
      probe.pragma("wal_checkpoint(TRUNCATE)");
      await store.commitRuns(Array.from({ length: GROUP }, commit));
      await store.sync?.();
      frames += probe.pragma("wal_checkpoint(PASSIVE)")[0].log;
    }
    probe.close();
    results[i].push({ cpu: (c.user + c.system) / runs, wall: (ms * 1000) / runs, pages: frames / 60 });
    await store.close();
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
dists.forEach((d, i) => {
  const r = results[i];
  console.log(`${d}: CPU ${med(r.map((x) => x.cpu)).toFixed(1)} µs/run (rounds ${r.map((x) => x.cpu.toFixed(0)).join(" ")}), wall ${med(r.map((x) => x.wall)).toFixed(1)} µs/run, ${med(r.map((x) => x.pages)).toFixed(1)} log pages per group`);
});
