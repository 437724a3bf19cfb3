// `node bench/daemon/outbox.js` (after `npm run build`): the CPU the Maildir outbox costs a message, per thread.
// A real SQLite store, the group commit and the outbox wired as thwonkd wires them (daemon.ts): 10 clients each
// commit one run at a time with one outgoing message (about the size of bench/daemon/seed.js's forward), the
// group commit hands each group's rows to the outbox, whose writer thread (outbox-writer.ts) writes the files.
// Measured once every file is in new/ and every row is marked done: CPU (from /proc/self/task/*/schedstat, in
// ns) of the writer's thread, of the event loop's thread, and of the whole process, per message; the mean batch
// (rows per markOutboxDone). With BENCH_BEFORE (another build's dist/ folder, e.g. one built from the commit
// before) that build is measured in the same run, alternating with this one (BENCH_ROUNDS each).
//
// The machine's file system matters: on ext4 without a journal, creating a file skips the free inodes deleted in
// the last minutes (fs/ext4/ialloc.c, recently_deleted), a cost that grows with the files deleted lately near the
// folder (e.g. other tests' temporary folders in /tmp). BENCH_DIR puts the data folders elsewhere (default tmpdir()).
//
// The clients are paced to BENCH_RATE messages a second in all (thwonkd's own rate on a one-member forwarding
// list is of that order): unpaced, the commits outrun the writer and its batches grow to hundreds of rows, which
// thwonkd never sees. The data folders are removed at the end only, so that no build is measured just after the
// files of another were deleted.
//
// Environment: BENCH_MESSAGES (3000), BENCH_WARM (500), BENCH_ROUNDS (2), BENCH_RATE (600), BENCH_BEFORE, BENCH_DIR.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pino from "pino";

const here = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist");
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3000);
const WARM = Number(process.env.BENCH_WARM ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const RATE = Number(process.env.BENCH_RATE ?? 600);
const SESSIONS = 10;
const DIR = process.env.BENCH_DIR ?? tmpdir();
const LIST = "list@lists.localhost";
const quiet = pino({ level: "silent" });

async function build(dist) {
  const load = (p) => import(pathToFileURL(join(dist, p)).href);
  return {
    ...(await load("runtime/daemon/commit.js")),
    ...(await load("runtime/daemon/outbox.js")),
    ...(await load("runtime/daemon/store/sqlite.js")),
  };
}

const body = "La de da de da.\r\n".repeat(20);
function commit(n) {
  const raw = Buffer.from(
    `Received: from client (localhost [127.0.0.1]) by lists.localhost (thwonkd) with SMTP id b${n};\r\n\tSun, 06 Dec 2026 09:47:49 +0000\r\nFrom: <from@example.org>\r\nTo: <member0@example.org>\r\nSubject: bench ${n}\r\nMessage-Id: <bench.${n}@client>\r\nX-Thwonk-Loop: ${LIST}\r\n\r\n${body}`,
  );
  return {
    address: LIST,
    run: { trigger: "message", now: 1_765_000_000_000 + n, bundleHash: "bench", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 1, actions: [] },
    outbox: [{ file: `1765000000000.Tbench${n}_0.host`, messageId: `bench.${n}@client`, recipients: ["member0@example.org"], action: { kind: "forward", to: ["member0@example.org"], at: { line: 1, column: 1 } }, raw }],
  };
}

/** ns of CPU of each thread of this process. */
function cpu() {
  return new Map(readdirSync("/proc/self/task").map((t) => [t, Number(readFileSync(`/proc/self/task/${t}/schedstat`, "utf8").split(" ")[0])]));
}

const folders = [];
async function measure(mod) {
  const data = mkdtempSync(join(DIR, "thwonkd-outbox-"));
  folders.push(data);
  const store = mod.openSqliteStore(join(data, "thwonkd.sqlite"));
  let marks = 0;
  const counted = Object.create(store);
  counted.markOutboxDone = (ids) => {
    marks++;
    return store.markOutboxDone(ids);
  };
  const before = new Set(cpu().keys());
  const outbox = new mod.MaildirOutbox(data, counted, quiet);
  const committer = new mod.GroupCommitter(counted, (rows) => outbox.committed(rows));
  let n = 0;
  const run = (total) => Promise.all(Array.from({ length: SESSIONS }, async () => {
    const start = performance.now();
    for (let k = 0; k < total / SESSIONS; k++) {
      await committer.commit(commit(n++));
      const due = start + ((k + 1) * SESSIONS * 1000) / RATE - performance.now();
      if (due > 0) await new Promise((r) => setTimeout(r, due));
    }
  }));
  const drained = async (total) => {
    for (;;) {
      await outbox.kick();
      if (readdirSync(join(data, "outbox", "new")).length >= total && (await store.pendingOutbox(1)).length === 0) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  try {
    await run(WARM);
    await drained(WARM);
    const writer = [...cpu().keys()].filter((t) => !before.has(t));
    const t0 = cpu();
    const m0 = marks;
    const w = performance.now();
    await run(MESSAGES);
    await drained(WARM + MESSAGES);
    const ms = performance.now() - w;
    const t1 = cpu();
    const per = (ids) => ids.reduce((s, t) => s + (t1.get(t) ?? 0) - (t0.get(t) ?? 0), 0) / 1e6 / MESSAGES;
    return { writer: per(writer), main: per([String(process.pid)]), total: per([...t1.keys()]), batch: MESSAGES / (marks - m0), rate: (MESSAGES * 1000) / ms };
  } finally {
    await outbox.close();
    await store.close();
  }
}

const builds = [];
if (process.env.BENCH_BEFORE) builds.push(["before", await build(resolve(process.env.BENCH_BEFORE))]);
builds.push(["this build", await build(here)]);
const rows = [];
for (let r = 0; r < ROUNDS; r++)
  for (const [name, mod] of builds) {
    const m = await measure(mod);
    rows.push(`| ${name} | ${m.rate.toFixed(0)} | ${m.batch.toFixed(1)} | ${m.writer.toFixed(3)} | ${m.main.toFixed(3)} | ${m.total.toFixed(3)} |`);
    console.error(rows.at(-1));
  }
for (const f of folders) rmSync(f, { recursive: true, force: true });
console.log(`${availableParallelism()} × ${cpus()[0]?.model ?? "?"}, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}; ${MESSAGES} messages after ${WARM}, ${SESSIONS} clients at ${RATE} messages/s; data in ${DIR}

| build | msg/s | rows per batch | writer thread CPU ms/msg | event loop CPU ms/msg | process CPU ms/msg |
| --- | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}`);
