// `node bench/daemon/run.js` (after `npm run build`): thwonkd's throughput
// against a bare smtp-server, in one run (the machine is shared: the ratios
// measured in the same run are what count).
//
// 1. Ingest, with Postfix's smtp-source (Debian's postfix package) as the client:
//    `smtp-source -d -s 10 -m 5000 -f from@example.org -t list@lists.localhost 127.0.0.1:PORT`
//    (-d: reused connections), then without -d (a new connection per message), against
//    bench/daemon/bare.js (smtp-server + mailparser, 250 after the parse), against
//    bench/daemon/floor.js (the durable work thwonkd must do, the cheapest way) and against
//    thwonkd with a one-member forwarding rule (seed.js), outbox delivery: a message is
//    counted when its run is committed and answered 250.
// 2. Latency from the end of DATA to the answer (median, p99), and the servers' peak RSS,
//    with load.js (10 sessions, reused connections).
// 3. Many lists, with load.js spreading mail evenly: one bundle deployed at 1,000
//    addresses, and 1,000 distinct bundles, against the one list's rate with the same client.
//    The lists are seeded into the store (seed.js); the start with 1,000 lists is timed. Each is
//    measured twice on one daemon: from its start (each list's first messages load it), then warm
//    (BENCH_MANY_MESSAGES more), as the one list is measured warm.
//
// Every server is warmed first (BENCH_WARM messages with smtp-source -d, not counted): thwonkd is
// a long-running process, and V8 compiles its hot code over the first thousands of messages.
// Each server's CPU time (all its threads, /proc) per message is reported beside the rates:
// on a shared machine it moves less than the rates do.
//
// Environment: BENCH_MESSAGES (5000), BENCH_SESSIONS (10), BENCH_NEWCONN (1000 messages
// with a new connection each), BENCH_LISTS (1000), BENCH_MANY_MESSAGES (3000), BENCH_WARM (3000),
// BENCH_WORKERS (thwonkd's sandbox workers; its default if unset), BENCH_BEFORE (another
// build's bin/thwonkd.js, measured in the same run as "before"), BENCH_DATA (the folder the data directories go
// under; the system's temporary folder if unset). On ext4 without a journal (these machines), creating a file
// scans the inodes deleted lately near it: thwonkd's outbox pays for files other programs deleted in the same
// folder tree minutes before (the bare server writes no files), so point BENCH_DATA at a quiet folder. Appends a section
// "Issue 13: thwonkd throughput (DATE)" to the end of bench/RESULTS.md.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { load, percentile } from "./load.js";
import { smtpSource, startServer } from "./launch.js";
import { seed } from "./seed.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5000);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10);
const NEWCONN = Number(process.env.BENCH_NEWCONN ?? 1000);
const LISTS = Number(process.env.BENCH_LISTS ?? 1000);
const MANY = Number(process.env.BENCH_MANY_MESSAGES ?? 3000);
const WORKERS = process.env.BENCH_WORKERS;
const WARM = Number(process.env.BENCH_WARM ?? 3000);
const BEFORE = process.env.BENCH_BEFORE;

/** Starts a server (launch.js startServer); resolves with it and the ms to its first stdout line. */
async function start(args, env = {}) {
  const t = performance.now();
  const server = await startServer(args, { env });
  return { ...server, startMs: performance.now() - t };
}

async function stop(s) {
  const exited = new Promise((r) => s.proc.on("exit", r));
  s.proc.kill("SIGTERM");
  await exited;
}

/** CPU time of a process and all its threads so far, ms; with `main`, of its main thread only (the event loop). */
function cpuMs(pid, main = false) {
  const f = readFileSync(main ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

/** Peak resident memory of a process, MiB. */
function peakRss(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Not execFileSync: this process must keep reading the servers' pipes meanwhile. */
function thwonkdArgs(data, bin = join(root, "bin", "thwonkd.js")) {
  return [bin, "--data", data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--domain", "lists.localhost", ...(WORKERS ? ["--workers", WORKERS] : [])];
}

function outboxCount(data) {
  const dir = join(data, "outbox", "new");
  return existsSync(dir) ? readdirSync(dir).length : 0;
}

const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);
const pct = (a, b) => `${((100 * a) / b).toFixed(0)}%`;

async function ingest(name, server) {
  if (WARM > 0) await smtpSource(server.port, WARM, { sessions: SESSIONS });
  const c0 = cpuMs(server.proc.pid);
  const m0 = cpuMs(server.proc.pid, true);
  const reused = await smtpSource(server.port, MESSAGES, { sessions: SESSIONS });
  const cpu = (cpuMs(server.proc.pid) - c0) / MESSAGES;
  const mainCpu = (cpuMs(server.proc.pid, true) - m0) / MESSAGES;
  const fresh = await smtpSource(server.port, NEWCONN, { sessions: SESSIONS, reuse: false });
  const lat = await load({ port: server.port, sessions: SESSIONS, messages: MESSAGES, to: "list@lists.localhost" });
  if (lat.failed) throw new Error(`${name}: ${lat.failed} messages not answered 250: ${JSON.stringify(lat.answers)}`);
  const r = { reused, fresh, lat, cpu, mainCpu, rss: peakRss(server.proc.pid) };
  console.log(`${name}: smtp-source reused ${f1(reused.rate)}/s (${f2(cpu)} ms CPU/msg, main thread ${f2(mainCpu)}), new connection ${f1(fresh.rate)}/s; load.js ${f1(lat.rate)}/s, DATA→250 median ${f2(percentile(lat.latencies, 50))} ms, p99 ${f2(percentile(lat.latencies, 99))} ms; peak RSS ${f1(r.rss)} MiB`);
  return r;
}

const work = mkdtempSync(join(process.env.BENCH_DATA ?? tmpdir(), "thwonkd-bench-"));

/** CPU µs to create, write and close one small file in the data folder (a quiet folder: about 20; see BENCH_DATA). */
function fileCost() {
  const dir = join(work, "file-cost");
  mkdirSync(dir);
  const bytes = Buffer.alloc(1500, 0x61);
  const c0 = process.cpuUsage();
  for (let i = 0; i < 500; i++) writeFileSync(join(dir, `f${i}`), bytes, { flag: "wx" });
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 500;
}
const fileUs = fileCost();
const loads = [];
const noteLoad = () => loads.push(loadavg()[0]);
try {
  console.log(`cpus: ${availableParallelism()} × ${cpus()[0]?.model ?? "?"}, load ${loadavg().map((x) => x.toFixed(2)).join(" ")}; a file made in the data folder: ${fileUs.toFixed(0)} µs CPU`);
  noteLoad();
  const bare = await start([join(here, "bare.js")]);
  const b = await ingest("bare smtp-server", bare);
  await stop(bare);
  noteLoad();
  // The floor: the durable work thwonkd must do per message, the cheapest way (floor.js), with its data where thwonkd's goes.
  const floor = await start([join(here, "floor.js"), "sandbox"], { TMPDIR: work });
  const fl = await ingest("floor (floor.js sandbox)", floor);
  await stop(floor);
  noteLoad();

  const runThwonkd = async (name, bin) => {
    const data = join(work, name);
    // Another build seeds with its own store (its schema may be older than this one's).
    const seedWith = bin ? (await import(pathToFileURL(join(dirname(bin), "..", "bench", "daemon", "seed.js")).href)).seed : seed;
    await seedWith(data, { lists: 1 });
    const server = await start(thwonkdArgs(data, bin));
    const r = await ingest(name, server);
    await stop(server);
    const written = outboxCount(data);
    const expected = WARM + 2 * MESSAGES + NEWCONN;
    if (written !== expected) throw new Error(`${name}: the outbox has ${written} messages, not ${expected}`);
    noteLoad();
    return r;
  };
  const before = BEFORE ? await runThwonkd("thwonkd before", BEFORE) : undefined;
  const t = await runThwonkd("thwonkd", undefined);

  const many = {};
  for (const distinct of [false, true]) {
    const data = join(work, distinct ? "distinct" : "shared");
    const seeded = await seed(data, { lists: LISTS, distinct });
    const d = await start(thwonkdArgs(data));
    // Twice: first from the start (each list's first messages load it: a cold daemon), then the same again on the
    // running daemon, warmed as the one list was before its figures (the target compares the warm figures).
    const phase = async (label) => {
      const c0 = cpuMs(d.proc.pid);
      const r = await load({ port: d.port, sessions: SESSIONS, messages: MANY, to: seeded.addresses });
      if (r.failed) throw new Error(`${r.failed} messages not answered 250: ${JSON.stringify(r.answers)}`);
      const cpu = (cpuMs(d.proc.pid) - c0) / MANY;
      console.log(`${LISTS} lists, ${distinct ? "distinct bundles" : "one bundle"}, ${label}: ${f1(r.rate)}/s (${pct(r.rate, t.lat.rate)} of one list), ${f2(cpu)} ms CPU/msg, median ${f2(percentile(r.latencies, 50))} ms, p99 ${f2(percentile(r.latencies, 99))} ms`);
      return { ...r, cpu };
    };
    const cold = await phase("from the start");
    const warm = await phase("warm");
    const rss = peakRss(d.proc.pid);
    many[distinct ? "distinct" : "shared"] = { cold, warm, startMs: d.startMs, rss, compileSeconds: seeded.compileSeconds };
    await stop(d);
    noteLoad();
    console.log(`${LISTS} lists, ${distinct ? "distinct bundles" : "one bundle"}: start ${f1(d.startMs)} ms; peak RSS ${f1(rss)} MiB; seeding compiled for ${f1(seeded.compileSeconds)} s`);
  }

  const row = (name, x) =>
    `| ${name} | ${f1(x.reused.rate)} | ${f2(x.cpu)} | ${f2(x.mainCpu)} | ${f1(x.fresh.rate)} | ${f1(x.lat.rate)} | ${f2(percentile(x.lat.latencies, 50))} | ${f2(percentile(x.lat.latencies, 99))} | ${f1(x.rss)} |`;
  const mrow = (name, m) =>
    [["warm", m.warm], ["from the start", m.cold]]
      .map(([phase, x]) => `| ${name}, ${phase} | ${f1(x.rate)} | ${pct(x.rate, t.lat.rate)} | ${f2(x.cpu)} | ${f2(percentile(x.latencies, 50))} | ${f2(percentile(x.latencies, 99))} | ${f1(m.startMs)} | ${f1(m.rss)} |`)
      .join("\n");
  const vs = (x) => `${pct(x.reused.rate, b.reused.rate)} reused, ${pct(x.fresh.rate, b.fresh.rate)} new connection, ${pct(x.lat.rate, b.lat.rate)} load.js; CPU per message ${(x.cpu / b.cpu).toFixed(1)}× the bare server's`;
  // The command as it was run: the BENCH_ variables set, then the script.
  const command = [...Object.entries(process.env).filter(([k]) => k.startsWith("BENCH_")).map(([k, v]) => `${k}=${v}`), "node bench/daemon/run.js"].join(" ");
  const section = `## Issue 13: thwonkd throughput (${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC)

\`${command}\` (after \`npm run build\`; Postfix's \`smtp-source\` from Debian; env: messages ${MESSAGES},
new connection ${NEWCONN}, warm-up ${WARM}, many ${MANY}, lists ${LISTS}, sessions ${SESSIONS}). ${availableParallelism()} × ${cpus()[0]?.model ?? "?"} (1-minute load
average ${loads.map((x) => x.toFixed(1)).join(" → ")} over the run, the benchmark's own servers and client included; a shared machine whose speed drifts):
the absolute rates are noisy; the ratios measured in the same run, and the CPU time per message, are what count.
thwonkd: a one-member forwarding rule (bench/daemon/seed.js), each message run and committed (SQLite WAL, the log synced before the 250)
before its answer, its outgoing copy written to the Maildir outbox (every file counted; data under ${process.env.BENCH_DATA ?? "the temporary folder"},
where making a small file cost ${fileUs.toFixed(0)} µs of CPU: about 20 in a quiet folder, 10–20× that where many files were deleted lately); sandbox workers: ${WORKERS ?? "thwonkd's default"}.
${BEFORE ? `"before" is ${BEFORE}, measured in the same run. ` : ""}The bare server (bench/daemon/bare.js): smtp-server parsing each message
with mailparser, nothing else. The floor (bench/daemon/floor.js sandbox): smtp-server doing only the durable work issue 13 asks of thwonkd,
the cheapest way, with no rule language around it: each message through one QuickJS function on a worker thread (its JSON in, an action out),
the raw message, a run row and an outbox row committed per group with the WAL synced before the 250s, each outgoing copy a Maildir file
(fdatasync, rename) written by a writer thread. Each server got ${WARM} warm-up messages first (not counted).

Ingest: \`smtp-source -d -s ${SESSIONS} -m ${MESSAGES} -f from@example.org -t list@lists.localhost 127.0.0.1:PORT\` (reused connections; CPU: the
server's, all threads, per message of this phase), the same without \`-d\` and \`-m ${NEWCONN}\` (a new connection per message), then
bench/daemon/load.js (${SESSIONS} sessions, reused connections, ${MESSAGES} messages) for the latency from the end of DATA to the answer.

| server | smtp-source reused msg/s | CPU ms/msg | main thread CPU ms/msg | new connection msg/s | load.js msg/s | DATA→250 median ms | p99 ms | peak RSS MiB |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${row("bare smtp-server + mailparser", b)}
${row("floor: the required work alone (floor.js)", fl)}
${before ? row("thwonkd before", before) + "\n" : ""}${row("thwonkd", t)}

thwonkd / bare: **${vs(t)}** (target ≥ 70% reused).${before ? `\nBefore: ${vs(before)}.` : ""}
Floor / bare: ${vs(fl)}; thwonkd / floor: ${pct(t.reused.rate, fl.reused.rate)} reused, CPU per message ${(t.cpu / fl.cpu).toFixed(1)}× the floor's.

Many lists: load.js, ${SESSIONS} sessions, ${MANY} messages sent to ${LISTS} addresses in turn, against thwonkd's one-list load.js rate above;
twice on one daemon: from its start (each list's first messages load the list), then again warm (the one list's figures are after a warm-up;
the targets compare the warm figures)
(${f1(t.lat.rate)}/s). Lists seeded straight into the store (seed.js compiles each distinct source once, as a deploy does: ${f1(many.distinct.compileSeconds)} s
for ${LISTS}); start: from spawning thwonkd to its first stdout line (ports bound, every list installed; bundles are not recompiled at start).

| lists | msg/s | of one list | CPU ms/msg | DATA→250 median ms | p99 ms | start ms | peak RSS MiB |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${mrow(`${LISTS} addresses, one bundle (target ≥ 50%)`, many.shared)}
${mrow(`${LISTS} distinct bundles (target ≥ 25%)`, many.distinct)}
`;
  const file = join(root, "bench", "RESULTS.md");
  const old = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n";
  writeFileSync(file, old.trimEnd() + "\n\n" + section);
  console.log(`appended to ${file}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
