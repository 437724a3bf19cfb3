// `node bench/daemon/cpu.js` (after `npm run build`): where thwonkd's CPU goes for a message, without SMTP.
// A Daemon in this process takes messages the way the SMTP ingress hands them over (`runner.deliver`, 10 at
// a time, each waiting for its answer as a client does), for three lists:
//   - "nothing": a rule that does nothing (the floor: parse, run, commit);
//   - "forward": bench/daemon/seed.js's one-member forwarding rule (composing and the Maildir outbox too);
//   - "roster": a rule that does nothing, on a list of 10,000 members (what a big list costs each message);
//   - "state", only when BENCH_LISTS names it: a forward that also keeps each sender's last post in its state (2,000
//     senders: a map of 2,000 entries, ~90 KB of JSON, after the first 2,000 messages), as a list with state (once_a_day).
// Each is measured against the baseline of the same run: mailparser's simpleParser on the same messages,
// which is all the bare server of bench/daemon/run.js does besides SMTP. CPU is read per thread from /proc
// (the event loop's thread apart from the rest: the sandbox workers, the outbox writer, V8's helpers).
//
// Environment: BENCH_MESSAGES (3000), BENCH_WARM (1000; V8 compiles the hot code over the first thousands),
// BENCH_LISTS (which lists, comma-separated: default nothing, forward, roster; e.g. `forward` alone to profile it), BENCH_BASELINE=0 (skip it).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { simpleParser } from "mailparser";
import pino from "pino";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { compileSource, serializeBundle } = await dist("compiler/index.js");
const { openSqliteStore } = await dist("runtime/daemon/store/sqlite.js");
const { Daemon } = await dist("runtime/daemon/daemon.js");
const { forwardSource } = await import("./seed.js");

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3000);
const WARM = Number(process.env.BENCH_WARM ?? 1000);
const SESSIONS = 10;
const LIST = "list@lists.localhost";

/** What smtp-source sends, with the Received field thwonkd adds. */
const message = (i) =>
  Buffer.from(
    `Received: from client (localhost [127.0.0.1]) by lists.localhost (thwonkd) with SMTP id bench${i} for <${LIST}>;\r\n\tSun, 06 Dec 2026 09:47:49 +0000\r\nFrom: <from@example.org>\r\nTo: <${LIST}>\r\nDate: Sun,  6 Dec 2026 09:47:48 +0000 (UTC)\r\nMessage-Id: <bench.${i}@client>\r\n\r\nLa de da de da 1.\r\nLa de da de da 2.\r\nLa de da de da 3.\r\nLa de da de da 4.\r\n`,
  );

/** The "state" list's messages: each from one of 2,000 senders. */
const fromMany = (i) => Buffer.from(message(i).toString("latin1").replace("From: <from@example.org>", `From: <sender${i % 2000}@example.org>`), "latin1");

const rules = {
  nothing: { source: `rule nothing\n\nlimits { members: 10 }\n\non message(_m: Message) {\n}\n`, members: 1 },
  forward: { source: forwardSource(), members: 1 },
  roster: { source: `rule roster\n\nlimits { members: 10000, memory: 128 * 1024 * 1024 }\n\non message(_m: Message) {\n}\n`, members: 10_000 },
  state: {
    source: `rule seen\n\nlimits { members: 10, fanout: 10, memory: 128 * 1024 * 1024 }\n\nstate {\n  last: Map<Address, Time> max 5000 = {}\n}\n\non message(m: Message) {\n  if state.last.has(m.from) or state.last.size < 5000 {\n    state.last.set(m.from, now)\n  }\n  send(to: members, subject: m.subject, text: m.text, from: "sender", replyTo: "list")\n}\n`,
    members: 1,
    message: fromMany,
    // Run only when named (BENCH_LISTS=state): its sandbox takes ~30 ms of CPU a message, so use few (BENCH_MESSAGES=500).
    optIn: true,
  },
};

/** CPU ticks (1/100 s) of each thread of this process. */
function ticks() {
  return Object.fromEntries(
    readdirSync("/proc/self/task").map((t) => {
      const f = readFileSync(`/proc/self/task/${t}/stat`, "utf8").split(") ")[1].split(" ");
      return [t, Number(f[11]) + Number(f[12])];
    }),
  );
}

/** ms of CPU a message: on the event loop's thread, and in the whole process. */
function perMessage(t0, t1, n) {
  let total = 0;
  for (const t of Object.keys(t1)) total += t1[t] - (t0[t] ?? 0);
  const main = t1[String(process.pid)] - t0[String(process.pid)];
  return { main: (main * 10) / n, total: (total * 10) / n };
}

async function baseline() {
  let i = 0;
  const session = async (n) => {
    for (let k = 0; k < n; k++) await simpleParser(message(i++));
  };
  const run = (n) => Promise.all(Array.from({ length: SESSIONS }, () => session(n / SESSIONS)));
  await run(WARM);
  const t0 = ticks();
  const w = performance.now();
  await run(MESSAGES);
  return { ...perMessage(t0, ticks(), MESSAGES), rate: (MESSAGES * 1000) / (performance.now() - w) };
}

async function measure(name) {
  const rule = rules[name];
  const data = mkdtempSync(join(tmpdir(), "thwonkd-cpu-"));
  try {
    const store = openSqliteStore(join(data, "thwonkd.sqlite"));
    const r = compileSource(`${name}.thwonk`, rule.source);
    if (!r.bundle) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
    const b = r.bundle;
    const now = Date.now();
    await store.putBundle({ hash: b.sha256, rule: b.manifest.rule, compiler: b.manifest.compiler, source: b.source.text, json: serializeBundle(b), createdAt: now });
    await store.deploy(LIST, b.sha256, now);
    await store.setMembers(LIST, Array.from({ length: rule.members }, (_, i) => ({ address: `member${i}@example.org`, name: `Member ${i}`, role: "member", joined: now })));
    await store.close();
    const d = await Daemon.open({ dataDir: data, log: pino({ level: "warn" }) });
    d.start();
    let i = 0;
    const session = async (n) => {
      for (let k = 0; k < n; k++) {
        const a = await d.runner.deliver({ address: LIST, rcptTo: LIST, mailFrom: "from@example.org", raw: (rule.message ?? message)(i++), receivedAt: Date.now() });
        if (a.code !== 250) throw new Error(`${name}: ${a.code} ${a.message}`);
      }
    };
    const run = (n) => Promise.all(Array.from({ length: SESSIONS }, () => session(n / SESSIONS)));
    await run(WARM);
    // For a profiler's window (perf record -k CLOCK_MONOTONIC): the measured part's bounds, in that clock's ns.
    if (process.env.BENCH_MARK) console.error(`mark ${name} start ${process.hrtime.bigint()}`);
    const g0 = { ...d.committer.stats };
    const t0 = ticks();
    const w = performance.now();
    await run(MESSAGES);
    const g1 = d.committer.stats;
    if (process.env.BENCH_MARK) console.error(`groups ${g1.groups - g0.groups}, runs ${g1.runs - g0.runs}: ${((g1.runs - g0.runs) / (g1.groups - g0.groups)).toFixed(2)} runs a group`);
    if (process.env.BENCH_MARK) console.error(`mark ${name} end ${process.hrtime.bigint()}`);
    const result = { ...perMessage(t0, ticks(), MESSAGES), rate: (MESSAGES * 1000) / (performance.now() - w) };
    await d.close();
    return result;
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

const only = process.env.BENCH_LISTS?.split(",");
const base = process.env.BENCH_BASELINE === "0" ? { rate: NaN, main: NaN, total: NaN } : await baseline();
const f2 = (x) => x.toFixed(2);
const lines = [`| simpleParser alone (the baseline) | ${base.rate.toFixed(0)} | ${f2(base.main)} | ${f2(base.total)} | 1.0× |`];
for (const name of Object.keys(rules).filter((n) => (only ? only.includes(n) : !rules[n].optIn))) {
  const m = await measure(name);
  lines.push(`| ${name} | ${m.rate.toFixed(0)} | ${f2(m.main)} | ${f2(m.total)} | ${(m.total / base.total).toFixed(1)}× |`);
  console.error(`${name}: ${m.rate.toFixed(0)} msg/s, event loop ${m.main.toFixed(3)} ms/msg, process ${m.total.toFixed(3)} ms/msg`);
}
console.log(`${availableParallelism()} × ${cpus()[0]?.model ?? "?"}, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}; ${MESSAGES} messages after ${WARM}, ${SESSIONS} at a time

| list | msg/s | event loop CPU ms/msg | process CPU ms/msg | process CPU ÷ baseline |
| --- | ---: | ---: | ---: | ---: |
${lines.join("\n")}`);
