// `node bench/run/daemon-run.js` (after `npm run build`): the CPU one rule run costs as thwonkd runs it
// for one list, on both sides of the hand-over to the sandbox worker (issue 13).
//
// The seed.js forwarding bundle (one member), a small message as smtp-source sends it parsed by
// parseEml, the input built as the runner builds it (bundleInput), through the real pool the daemon
// makes (createSandboxPool with its options) seen through the runner's listPool (members kept by
// version, the list's token key), with runBundle. Two ways:
// - one at a time: each run waits for the one before (a list with one message in flight);
// - ahead: batches of 1 + BENCH_AHEAD runs, the later ones chained in the worker (runtime/daemon/ahead.ts
//   runsAhead) and taken at their turn when the input matches (takeAhead), as with queued mail.
// Per run: CPU µs of the main thread, of the sandbox worker threads (the threads the pool started), of
// the process's other threads (V8's GC and compiler helpers), and of the whole process
// (process.cpuUsage), from /proc/self/task/*/stat; and the main thread's heap allocated per run.
//
// Each build runs in a child process of its own (same machine, one after the other, alternating for
// BENCH_ROUNDS rounds; the lowest figure of each is kept). BENCH_BEFORE: another checkout's root
// (built), measured as "before" in the same run. BENCH_RUNS (4000 a round), BENCH_WARM (2000),
// BENCH_AHEAD (7), BENCH_WORKERS (the pool's default, as thwonkd's, if unset), BENCH_MODE (one of the two ways
// only), BENCH_TIDS=1 (print each thread's CPU ms, the pool's threads marked w). Prints a Markdown table; BENCH_WRITE=1 appends it to bench/RESULTS.md.
import { execFileSync } from "node:child_process";
import { appendFileSync, readFileSync, readdirSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 4000);
const WARM = Number(process.env.BENCH_WARM ?? 2000);
const AHEAD = Number(process.env.BENCH_AHEAD ?? 7);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const CLK_TCK = 100;

/** CPU ms of each thread of this process so far. */
function threadCpu() {
  const out = new Map();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const f = readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1].split(" ");
      out.set(Number(tid), ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK);
    } catch {
      // the thread ended
    }
  }
  return out;
}

async function child(buildRoot) {
  const dist = (p) => import(pathToFileURL(join(buildRoot, "dist", p)).href);
  const { compileSource } = await dist("compiler/index.js");
  const { createSandboxPool } = await dist("runtime/sandbox/index.js");
  const { parseEml } = await dist("runtime/input/index.js");
  const { bundleInput } = await dist("runtime/run/input.js");
  const { encodeRun, runBundle } = await dist("runtime/run/run-rule.js");
  const { listPool } = await dist("runtime/daemon/runner.js");
  const { runsAhead, takeAhead } = await dist("runtime/daemon/ahead.js");
  const { forwardSource } = await import(pathToFileURL(join(root, "bench", "daemon", "seed.js")).href);
  const words = { describeRuleError: (e) => ({ ...e, message: e.code, line: null, column: null }) };

  const r = compileSource("forward.thwonk", forwardSource(0));
  if (!r.bundle) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  const bundle = r.bundle;
  const address = "list@lists.localhost";
  const raw = "From: <from@example.org>\r\nTo: <list@lists.localhost>\r\nDate: Sun, 6 Dec 2026 10:00:00 +0000\r\nMessage-Id: <1.abc@example.org>\r\nSubject: smtp-source 1\r\n\r\n" + "La de da de da 1.\r\n".repeat(5);
  const parsed = await parseEml(raw, { listAddress: address, envelope: { mailFrom: "from@example.org", rcptTo: address } });
  const members = { version: 1, members: [{ address: "member0@example.org", name: "Member 0", role: "member", joined: Date.now() }] };
  const tokenKey = "k".repeat(43);

  const before = new Set(threadCpu().keys());
  const daemonPool = createSandboxPool({ ...(process.env.BENCH_WORKERS ? { workers: Number(process.env.BENCH_WORKERS) } : {}), memoryLimitBytes: Math.min(bundle.manifest.limits["memory"]?.value ?? 64 * 2 ** 20, 1024 * 2 ** 20) });
  const pool = listPool(daemonPool, address, bundle, members.version, tokenKey);
  let t0 = Date.parse("2026-12-06T10:00:00Z");
  // The list's state as the runner keeps it (runner.ts): the last run's, once it succeeded.
  let state = null;
  const input = (i) => bundleInput(bundle, { now: t0 + i, address, members: members.members, state, message: parsed.message, messageSize: raw.length });

  let ok = 0;
  const check = (res) => {
    if (res.error || res.actions.length !== 1 || res.actions[0].to?.[0] !== "member0@example.org") throw new Error(`unexpected result ${JSON.stringify(res)}`);
    if (res.state) state = res.state;
    ok++;
  };
  async function oneAtATime(n) {
    for (let i = 0; i < n; i++) check(await runBundle(bundle, { trigger: "message", input: input(i), pool }, words));
  }
  async function ahead(n) {
    let i = 0;
    while (i < n) {
      const k = Math.min(AHEAD, n - i - 1);
      const waiting = Array.from({ length: k }, (_, j) => ({ d: { receivedAt: t0 + i + 1 + j }, runnable: { bundle, message: parsed.message, size: raw.length } }));
      const slot = { address, waiting, ahead: new Map() };
      const list = runsAhead(slot, bundle, members, state);
      check(await runBundle(bundle, { trigger: "message", input: input(i), pool, ...(list.length ? { ahead: list } : {}) }, words));
      i++;
      for (const w of waiting) {
        const inp = input(i);
        const ran = takeAhead(await slot.ahead.get(w.d), bundle, members, () => encodeRun(bundle, "message", inp).inputJson);
        if (!ran) throw new Error("a run ahead was not taken");
        check(await runBundle(bundle, { trigger: "message", input: inp, pool, ran }, words));
        i++;
      }
    }
  }

  const result = {};
  const modes = [["one at a time", oneAtATime], ["ahead", ahead]].filter(([n]) => !process.env.BENCH_MODE || n === process.env.BENCH_MODE);
  for (const [name, fn] of modes) {
    await fn(WARM);
    t0 += 1e6;
    global.gc?.();
    const c0 = threadCpu();
    const p0 = process.cpuUsage();
    const h0 = process.memoryUsage().heapUsed;
    let allocated = 0;
    const start = performance.now();
    // Heap allocated on the main thread: heapUsed growth between GCs, summed (a GC lowers it).
    let last = h0;
    const probe = setInterval(() => {
      const h = process.memoryUsage().heapUsed;
      if (h > last) allocated += h - last;
      last = h;
    }, 5);
    await fn(RUNS);
    clearInterval(probe);
    const hEnd = process.memoryUsage().heapUsed;
    if (hEnd > last) allocated += hEnd - last;
    const wall = performance.now() - start;
    const p1 = process.cpuUsage(p0);
    const c1 = threadCpu();
    const per = (ms) => Math.round((ms * 1000) / RUNS);
    let main = 0, workers = 0, other = 0;
    for (const [tid, ms] of c1) {
      const d = ms - (c0.get(tid) ?? 0);
      if (tid === process.pid) main += d;
      else if (!before.has(tid)) workers += d;
      else other += d;
    }
    if (process.env.BENCH_TIDS) console.error(name, [...c1].map(([tid, ms]) => `${tid}:${Math.round(ms - (c0.get(tid) ?? 0))}${before.has(tid) ? "" : "w"}`).join(" "));
    result[name] = { main: per(main), workers: per(workers), other: per(other), process: Math.round((p1.user + p1.system) / RUNS), wallUs: Math.round((wall * 1000) / RUNS), heapKB: Math.round(allocated / RUNS / 102.4) / 10 };
    t0 += 1e6;
  }
  await daemonPool.close();
  if (ok !== modes.length * (WARM + RUNS)) throw new Error(`${ok} runs checked`);
  return result;
}

if (process.env.BENCH_CHILD) {
  process.stdout.write(JSON.stringify(await child(process.env.BENCH_CHILD)) + "\n");
  process.exit(0);
}

const builds = [["after", root]];
if (process.env.BENCH_BEFORE) builds.unshift(["before", process.env.BENCH_BEFORE]);
const best = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [label, dir] of builds) {
    const out = JSON.parse(execFileSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_CHILD: dir }, encoding: "utf8" }));
    for (const [mode, fig] of Object.entries(out)) {
      const b = ((best[label] ??= {})[mode] ??= {});
      for (const [k, v] of Object.entries(fig)) b[k] = b[k] === undefined ? v : Math.min(b[k], v);
    }
    console.error(label, round, JSON.stringify(out));
  }
}

const lines = [
  "| build | runs | main thread µs | sandbox workers µs | other threads (GC, JIT) µs | process µs | wall µs | main heap allocated KB |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
];
for (const [label] of builds) {
  for (const [mode, f] of Object.entries(best[label])) lines.push(`| ${label} | ${mode} | ${f.main} | ${f.workers} | ${f.other} | ${f.process} | ${f.wallUs} | ${f.heapKB} |`);
}
const table = lines.join("\n");
console.log(table);
if (process.env.BENCH_WRITE) {
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  const machine = `${availableParallelism()} × ${cpus()[0]?.model ?? "?"}, 1-minute load average ${loadavg()[0].toFixed(1)} at the end`;
  appendFileSync(
    join(root, "bench", "RESULTS.md"),
    `\n## Issue 13: the CPU of one run, both sides of the hand-over (${when} UTC)\n\n` +
      `\`BENCH_BEFORE=/tmp/old node bench/run/daemon-run.js\` (after \`npm run build\`; BENCH_RUNS=${RUNS}, BENCH_WARM=${WARM}, ` +
      `BENCH_AHEAD=${AHEAD}, the lowest of ${ROUNDS} rounds, each build in its own process). ${machine}.\n` +
      "Per run, from /proc/self/task/*/stat (10 ms ticks, so ±10 µs at these counts).\n\n" +
      table + "\n",
  );
}
