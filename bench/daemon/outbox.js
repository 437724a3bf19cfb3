// `node bench/daemon/outbox.js` (after `npm run build`): the CPU the Maildir outbox costs a message, per thread.
// A real SQLite store, the group commit and the outbox wired as thwonkd wires them (daemon.ts): 10 clients each
// commit one run at a time with one outgoing message (about the size of bench/daemon/seed.js's forward), the
// group commit hands each group's rows to the outbox, whose writer thread (outbox-writer.ts) writes the files.
// Measured once every file is in new/ and every row is marked done: CPU (from /proc/self/task/*/schedstat, in
// ns) of the writer's thread, of the event loop's thread, and of the whole process, per message; the mean batch
// (rows per markOutboxDone) and the event loop's CPU in markOutboxDone. With BENCH_BEFORE (another build's dist/ folder, e.g. one built from the commit
// before; or several, separated by commas) those builds are measured in the same run as this one, each round
// twice: side by side (every build's outbox given each message at the same time, so each writer thread works
// under the same load of the machine: the fair comparison of the writers on a shared machine), and one build after
// the other (for the event loop's and the process's CPU, which side by side are shared). Medians of BENCH_ROUNDS.
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
// Environment: BENCH_MESSAGES (1500), BENCH_WARM (500), BENCH_ROUNDS (5), BENCH_RATE (600), BENCH_BEFORE, BENCH_DIR.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pino from "pino";

const here = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist");
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1500);
const WARM = Number(process.env.BENCH_WARM ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
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

const threadNs = () => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]);

/** ns of CPU of each thread of this process. */
function cpu() {
  return new Map(readdirSync("/proc/self/task").map((t) => [t, Number(readFileSync(`/proc/self/task/${t}/schedstat`, "utf8").split(" ")[0])]));
}

const folders = [];

/** A build's store, group commit and outbox in a new data folder, warmed; its writer's thread found. */
async function setUp(mod) {
  const data = mkdtempSync(join(DIR, "thwonkd-outbox-"));
  folders.push(data);
  const store = mod.openSqliteStore(join(data, "thwonkd.sqlite"));
  const s = { data, store, marks: 0, markNs: 0, written: 0, writer: [] };
  const counted = Object.create(store);
  counted.markOutboxDone = (ids) => {
    s.marks++;
    // The store's work is synchronous (better-sqlite3): done when the call returns.
    const t = threadNs();
    const done = store.markOutboxDone(ids);
    s.markNs += threadNs() - t;
    return done;
  };
  const before = new Set(cpu().keys());
  s.outbox = new mod.MaildirOutbox(data, counted, quiet);
  s.committer = new mod.GroupCommitter(counted, (rows) => s.outbox.committed(rows));
  await load([s], WARM);
  s.writer = [...cpu().keys()].filter((t) => !before.has(t));
  return s;
}

let n = 0;
/** `total` messages from SESSIONS clients at RATE a second, each committed to every set-up; then all written. */
async function load(setups, total) {
  await Promise.all(Array.from({ length: SESSIONS }, async () => {
    const start = performance.now();
    for (let k = 0; k < total / SESSIONS; k++) {
      const c = commit(n++);
      await Promise.all(setups.map((s) => s.committer.commit(c)));
      const due = start + ((k + 1) * SESSIONS * 1000) / RATE - performance.now();
      if (due > 0) await new Promise((r) => setTimeout(r, due));
    }
  }));
  for (const s of setups) {
    s.written += total;
    for (;;) {
      await s.outbox.kick();
      if (readdirSync(join(s.data, "outbox", "new")).length >= s.written && (await s.store.pendingOutbox(1)).length === 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** Each build's CPU a message, the builds fed the same messages side by side (together: true) or one after another. */
async function measure(mods, together) {
  const setups = [];
  try {
    for (const mod of mods) setups.push(await setUp(mod));
    const out = [];
    for (const group of together ? [setups] : setups.map((s) => [s])) {
      const t0 = cpu();
      const m0 = group.map((s) => s.marks);
      const k0 = group.map((s) => s.markNs);
      const w = performance.now();
      await load(group, MESSAGES);
      const ms = performance.now() - w;
      const t1 = cpu();
      const per = (ids) => ids.reduce((sum, t) => sum + (t1.get(t) ?? 0) - (t0.get(t) ?? 0), 0) / 1e6 / MESSAGES;
      for (const [i, s] of group.entries())
        out.push({ writer: per(s.writer), main: per([String(process.pid)]), mark: (s.markNs - k0[i]) / 1e6 / MESSAGES, total: per([...t1.keys()]), batch: MESSAGES / (s.marks - m0[i]), rate: (MESSAGES * 1000) / ms });
    }
    return out;
  } finally {
    for (const s of setups) {
      await s.outbox.close();
      await s.store.close();
    }
  }
}

const builds = [];
// BENCH_BEFORE may name several builds, separated by commas: the first is "before", the others by their folder.
for (const [i, dist] of (process.env.BENCH_BEFORE ?? "").split(",").filter(Boolean).entries()) builds.push([i === 0 ? "before" : dist, await build(resolve(dist))]);
builds.push(["this build", await build(here)]);
const f3 = (x) => x.toFixed(3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const side = builds.map(() => []);
const alone = builds.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  // Side by side: every build's writer under the same load of the machine at the same time (its thread's CPU only).
  (await measure(builds.map(([, mod]) => mod), true)).forEach((m, i) => side[i].push(m));
  // One after another: the event loop's and the process's CPU, which are shared when side by side.
  (await measure(builds.map(([, mod]) => mod), false)).forEach((m, i) => alone[i].push(m));
  console.error(`round ${r + 1}: ${builds.map(([name], i) => `${name} writer ${f3(side[i].at(-1).writer)} (batch ${side[i].at(-1).batch.toFixed(1)}), alone ${f3(alone[i].at(-1).writer)}/${f3(alone[i].at(-1).main)}/${f3(alone[i].at(-1).total)}`).join("; ")}`);
}
// Medians over the rounds.
const rows = builds.map(([name], i) => {
  const m = (xs, k) => median(xs.map((x) => x[k]));
  return `| ${name} | ${f3(m(side[i], "writer"))} | ${m(side[i], "batch").toFixed(1)} | ${f3(m(alone[i], "writer"))} | ${f3(m(alone[i], "main"))} | ${f3(m(alone[i], "mark"))} | ${f3(m(alone[i], "total"))} | ${m(alone[i], "batch").toFixed(1)} | ${m(alone[i], "rate").toFixed(0)} |`;
});
for (const f of folders) rmSync(f, { recursive: true, force: true });
console.log(`${availableParallelism()} × ${cpus()[0]?.model ?? "?"}, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}; ${MESSAGES} messages after ${WARM}, ${SESSIONS} clients at ${RATE} messages/s; data in ${DIR}

CPU in ms a message, medians of ${ROUNDS} rounds. Side by side: the builds' outboxes fed the same messages at the same time.
Alone: one build after the other (the event loop and the process are shared when side by side).

| build | writer thread, side by side | rows per batch | writer thread, alone | event loop, alone | of which marking rows done | process, alone | rows per batch | msg/s |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}`);
