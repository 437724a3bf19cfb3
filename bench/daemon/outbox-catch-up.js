// `node bench/daemon/outbox-catch-up.js` (after `npm run build`): a restart's outbox catch-up over a reader's big cur/.
// A store left by a process that died with BENCH_ROWS outbox rows pending (none written), a Maildir outbox whose
// cur/ holds BENCH_CUR files a reader took over the years (NAME:2,S); the outbox (outbox.ts) reads the rows back 200
// at a time and looks for each file in new/ and cur/ before writing it (outbox-writer.ts). Measured: the wall time of
// the catch-up (MaildirOutbox.kick, until every row is marked done), and the listings of new/ and cur/ the writer's
// thread took where the build counts them (`looks`). With BENCH_BEFORE (another build's dist/ folder, or several,
// separated by commas) those builds are measured too, each on a copy of the same store and the same cur/ (moved
// from one data folder to the next, not copied). Medians of BENCH_ROUNDS.
//
// Environment: BENCH_ROWS (20000), BENCH_CUR (200000), BENCH_ROUNDS (3), BENCH_BEFORE, BENCH_DIR (default tmpdir()).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pino from "pino";

const here = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist");
const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const CUR = Number(process.env.BENCH_CUR ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DIR = process.env.BENCH_DIR ?? tmpdir();
const LIST = "list@lists.localhost";
const quiet = pino({ level: "silent" });
const builds = [here, ...(process.env.BENCH_BEFORE ? process.env.BENCH_BEFORE.split(",").map((d) => resolve(d)) : [])];
const load = (dist, p) => import(pathToFileURL(join(dist, p)).href);

function commit(n) {
  const raw = Buffer.from(`From: ${LIST}\r\nTo: m${n}@example.org\r\nSubject: backlog ${n}\r\nMessage-ID: <bl.${n}@lists.localhost>\r\n\r\n${"body ".repeat(200)}\r\n`);
  const outbox = [{ file: `1700000000000.Tbl${n}_0.bench`, messageId: `bl.${n}@lists.localhost`, recipients: [`m${n}@example.org`], action: { kind: "send", to: [`m${n}@example.org`], at: { line: 1, column: 1 } }, raw }];
  return { address: LIST, run: { trigger: "message", now: 1_700_000_000_000 + n, bundleHash: "bench", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 1, actions: [] }, outbox };
}

const root = mkdtempSync(join(DIR, "thwonk-catchup-bench-"));
try {
  // The template: the store with its pending rows, and cur/.
  const { openSqliteStore } = await load(here, "runtime/daemon/store/sqlite.js");
  const template = openSqliteStore(join(root, "template.sqlite"));
  for (let n = 0; n < ROWS; n += 1000) await template.commitRuns(Array.from({ length: Math.min(1000, ROWS - n) }, (_, i) => commit(n + i)));
  await template.sync?.();
  await template.close();
  let cur = join(root, "cur");
  mkdirSync(cur);
  for (let i = 0; i < CUR; i++) writeFileSync(join(cur, `1600000000000.Told${i}_0.bench:2,S`), "");
  console.log(`${ROWS} pending rows, cur/ of ${CUR} files, ${ROUNDS} rounds; node ${process.version}`);
  const results = builds.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [b, dist] of builds.entries()) {
      const data = join(root, `b${b}r${round}`);
      mkdirSync(join(data, "outbox"), { recursive: true });
      copyFileSync(join(root, "template.sqlite"), join(data, "thwonkd.sqlite"));
      renameSync(cur, join(data, "outbox", "cur"));
      cur = join(data, "outbox", "cur");
      const store = (await load(dist, "runtime/daemon/store/sqlite.js")).openSqliteStore(join(data, "thwonkd.sqlite"));
      const { MaildirOutbox } = await load(dist, "runtime/daemon/outbox.js");
      const outbox = new MaildirOutbox(data, store, quiet);
      const start = performance.now();
      await outbox.kick();
      const ms = performance.now() - start;
      const left = (await store.pendingOutbox(1)).length;
      const written = readdirSync(join(data, "outbox", "new")).length;
      results[b].push({ ms, looks: outbox.writer.looks });
      await outbox.close();
      await store.close();
      if (left !== 0 || written !== ROWS) throw new Error(`${dist}: ${left} rows left pending, ${written} files written`);
      rmSync(join(data, "outbox", "new"), { recursive: true, force: true });
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [b, dist] of builds.entries()) {
    const r = results[b];
    console.log(`${dist}: catch-up ${Math.round(median(r.map((x) => x.ms)))} ms (rounds: ${r.map((x) => Math.round(x.ms)).join(", ")}), listings of new/ and cur/: ${r[0].looks ?? "not counted"}`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
