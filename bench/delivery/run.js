// `node bench/delivery/run.js` (after `npm run build`): issue 14's speed figures, in one run.
//
// 1. Fan-out: one post to a list of BENCH_MEMBERS (10,000) members, delivered by thwonkd's relay
//    delivery (--relay, batches of --relay-batch recipients per transaction) to a local sink
//    (sink.js, smtp-server counting recipients), from the post's SMTP submission to the sink's
//    last recipient; against a naive send of one message per member through nodemailer (a pooled
//    transport, 5 connections) to the same sink. Also thwonkd's peak RSS.
// 2. End to end: smtp-source (-d -s 10 -m BENCH_MESSAGES) into thwonkd with a one-member
//    forwarding rule and relay delivery to the sink, until the sink has every copy; against
//    smtp-source into the bare smtp-server (bench/daemon/bare.js). Both warmed first.
// Appends a section "Issue 14: delivery speed (DATE)" to the end of bench/RESULTS.md.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import nodemailer from "nodemailer";
import { seed } from "../daemon/seed.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const dist = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { compileSource, serializeBundle } = await dist("compiler/index.js");
const { openSqliteStore } = await dist("runtime/daemon/store/sqlite.js");
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const WARM = Number(process.env.BENCH_WARM ?? 1000);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);

/** A child server whose first stdout line is {"smtp":PORT}. */
function start(args, env = {}) {
  const proc = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, THWONKD_LOG_LEVEL: "warn", ...env } });
  children.push({ proc });
  let err = "";
  proc.stderr.on("data", (c) => (err += c));
  const lines = createInterface({ input: proc.stdout });
  return new Promise((resolve, reject) => {
    lines.once("line", (line) => resolve({ proc, port: JSON.parse(line).smtp, lines }));
    proc.on("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}: ${err}`)));
  });
}

async function stop(s) {
  const exited = new Promise((r) => s.proc.on("exit", r));
  s.proc.kill("SIGTERM");
  await exited;
}

/** Resolves when the sink has accepted `n` recipients since this call. */
function expect(sink, n) {
  const reached = new Promise((r) => sink.lines.once("line", r));
  sink.proc.stdin.write(`expect ${n}\n`);
  return reached;
}

function peakRss(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

const sourceFor = (members) =>
  `rule forward\n\nlimits { members: ${members}, fanout: ${members}, memory: 256 * 1024 * 1024 }\n\non message(m: Message) {\n  send(to: members, subject: m.subject.truncate(100), text: m.text, from: "sender", replyTo: "list")\n}\n`;

/** One list `big@lists.localhost` with `n` members. */
async function seedBig(dataDir, n) {
  mkdirSync(dataDir, { recursive: true });
  const store = openSqliteStore(join(dataDir, "thwonkd.sqlite"));
  const r = compileSource("forward.thwonk", sourceFor(n));
  if (!r.bundle) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  const b = r.bundle;
  const now = Date.now();
  await store.putBundle({ hash: b.sha256, rule: b.manifest.rule, compiler: b.manifest.compiler, source: b.source.text, json: serializeBundle(b), createdAt: now });
  await store.deploy("big@lists.localhost", b.sha256, now);
  await store.setMembers("big@lists.localhost", Array.from({ length: n }, (_, i) => ({ address: `member${i}@example.org`, name: `Member ${i}`, role: "member", joined: now })));
  await store.close();
}

const thwonkd = (data, sinkPort) => [
  join(root, "bin", "thwonkd.js"), "--data", data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--domain", "lists.localhost",
  "--relay", `smtp://127.0.0.1:${sinkPort}`, "--relay-batch", String(BATCH),
];

function smtpSource(port, messages, to) {
  execFileSync("smtp-source", ["-d", "-s", "10", "-m", String(messages), "-f", "from@example.org", "-t", to, `127.0.0.1:${port}`]);
}

const f1 = (x) => x.toFixed(1);
const work = mkdtempSync(join(tmpdir(), "thwonk-delivery-"));
const loads = [loadavg()[0]];
// Every child is stopped whatever happens, so a failed run leaves no sink or daemon behind.
const children = [];
try {
  const sink = await start([join(here, "sink.js")]);

  // 1. Fan-out of one post.
  const bigData = join(work, "big");
  await seedBig(bigData, MEMBERS);
  const d = await start(thwonkd(bigData, sink.port));
  const post = { from: "sender@example.org", to: "big@lists.localhost", subject: "one post to everyone", text: "A post of a few lines.\n".repeat(5) };
  // A first post warms the daemon (the bundle loaded, the members shipped to a worker); the second is measured.
  const warm = expect(sink, MEMBERS);
  const w = nodemailer.createTransport({ host: "127.0.0.1", port: d.port, secure: false, ignoreTLS: true });
  await w.sendMail(post);
  w.close();
  await warm;
  const t0 = performance.now();
  const all = expect(sink, MEMBERS);
  const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.port, secure: false, ignoreTLS: true });
  await t.sendMail(post);
  t.close();
  const accepted = performance.now() - t0;
  await all;
  const fanoutMs = performance.now() - t0;
  const fanoutRss = peakRss(d.proc.pid);
  await stop(d);
  loads.push(loadavg()[0]);
  console.log(`thwonkd: one post to ${MEMBERS} members delivered in ${f1(fanoutMs)} ms (250 after ${f1(accepted)} ms); peak RSS ${f1(fanoutRss)} MiB`);

  const naiveAll = expect(sink, MEMBERS);
  const n0 = performance.now();
  const naive = nodemailer.createTransport({ host: "127.0.0.1", port: sink.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 5, maxMessages: Number.POSITIVE_INFINITY });
  await Promise.all(Array.from({ length: MEMBERS }, (_, i) => naive.sendMail({ ...post, from: "big@lists.localhost", to: `member${i}@example.org` })));
  naive.close();
  await naiveAll;
  const naiveMs = performance.now() - n0;
  loads.push(loadavg()[0]);
  console.log(`nodemailer, one message per member: ${f1(naiveMs)} ms (${f1(naiveMs / fanoutMs)}× thwonkd's time)`);

  // 2. End to end: SMTP in, the rule, relay out.
  const bare = await start([join(root, "bench", "daemon", "bare.js")]);
  smtpSource(bare.port, WARM, "list@lists.localhost");
  const b0 = performance.now();
  smtpSource(bare.port, MESSAGES, "list@lists.localhost");
  const bareRate = MESSAGES / ((performance.now() - b0) / 1000);
  await stop(bare);
  const oneData = join(work, "one");
  await seed(oneData, { lists: 1 });
  const one = await start(thwonkd(oneData, sink.port));
  const warmed = expect(sink, WARM);
  smtpSource(one.port, WARM, "list@lists.localhost");
  await warmed;
  const e0 = performance.now();
  const copies = expect(sink, MESSAGES);
  smtpSource(one.port, MESSAGES, "list@lists.localhost");
  const acceptedRate = MESSAGES / ((performance.now() - e0) / 1000);
  await copies;
  const e2eRate = MESSAGES / ((performance.now() - e0) / 1000);
  const e2eRss = peakRss(one.proc.pid);
  await stop(one);
  await stop(sink);
  loads.push(loadavg()[0]);
  console.log(`end to end: bare ${f1(bareRate)}/s; thwonkd accepted ${f1(acceptedRate)}/s, delivered ${f1(e2eRate)}/s (${((100 * e2eRate) / bareRate).toFixed(0)}% of bare); peak RSS ${f1(e2eRss)} MiB`);

  const section = `## Issue 14: delivery speed (${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC)

\`node bench/delivery/run.js\` (after \`npm run build\`). ${availableParallelism()} × ${cpus()[0]?.model ?? "?"}, **loaded by other engineers' work
throughout** (1-minute load average ${loads.map((x) => x.toFixed(1)).join(" → ")} over the run on 2 cores): ratios measured in the same run are what count.
The sink (bench/delivery/sink.js) is smtp-server reading and dropping each message, counting accepted recipients.

| measure | figure |
| --- | ---: |
| one post to ${MEMBERS} members through thwonkd (relay batches of ${BATCH}), submission to the sink's last recipient | ${f1(fanoutMs)} ms |
| of which until thwonkd's 250 (run and commit) | ${f1(accepted)} ms |
| naive: one message per member through nodemailer (pooled, 5 connections) | ${f1(naiveMs)} ms |
| **thwonkd is faster by** (target ≥ 5×) | **${f1(naiveMs / fanoutMs)}×** |
| thwonkd's peak RSS for the ${MEMBERS}-member post | ${f1(fanoutRss)} MiB |
| end to end, \`smtp-source -d -s 10 -m ${MESSAGES}\` → one-member forwarding rule → relay → sink, until the sink has every copy | ${f1(e2eRate)} msg/s |
| the same into the bare smtp-server (bench/daemon/bare.js), both warmed with ${WARM} | ${f1(bareRate)} msg/s |
| thwonkd end to end / bare | ${((100 * e2eRate) / bareRate).toFixed(0)}% |
| thwonkd's peak RSS, end to end | ${f1(e2eRss)} MiB |
`;
  const file = join(root, "bench", "RESULTS.md");
  const old = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n";
  writeFileSync(file, old.trimEnd() + "\n\n" + section);
  console.log(`appended to ${file}`);
} finally {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
}
