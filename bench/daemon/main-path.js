// `node --max-semi-space-size=256 --min-semi-space-size=256 bench/daemon/main-path.js` (after `npm run build`): the
// event loop's own work on one message of the one-list bench (seed.js's forwarding rule, smtp-source's message), in
// process and stage by stage, as runner.ts does it: the Received field, parsing and checking, the run's input, the
// sandbox's output read back (the sandbox itself is not run: its output is taken from one real run), and the
// outgoing mail composed (BENCH_ROOT: measure another build). Prints µs and bytes allocated per message for each stage (bytes: the heap's growth over a
// batch with no GC in it, so give the young generation room). Environment: BENCH_MESSAGES (20000).
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PerformanceObserver } from "node:perf_hooks";
import { forwardSource } from "./seed.js";

// BENCH_ROOT: another build's tree (its dist/) to measure, for a before/after comparison.
const root = process.env.BENCH_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { compileSource } = await dist("compiler/index.js");
const { parseEml, keepJson, checkMessage } = await dist("runtime/input/index.js");
const { bundleInput, bundleLimits } = await dist("runtime/run/input.js");
const { encodeRun, runBundle } = await dist("runtime/run/run-rule.js");
const { receivedBefore } = await dist("runtime/mail/received.js");
const { overHopLimit } = await dist("runtime/mail/compose.js");
const { runCommit } = await dist("runtime/daemon/run-commit.js");

const N = Number(process.env.BENCH_MESSAGES ?? 20000);
const bundle = compileSource("forward.thwonk", forwardSource(0)).bundle;
const address = "list@lists.localhost";
const now = Date.now();
const members = Object.freeze({ version: 1, members: Object.freeze([Object.freeze({ address: "member0@example.org", name: "Member 0", role: "member", joined: now })]) });
const session = { hostNameAppearsAs: "vm", clientHostname: "runsc", remoteAddress: "127.0.0.1", transmissionType: "SMTP", id: "f704h7tssjg4k02c", envelope: { rcptTo: [{ address }] } };
const body = (i) =>
  Buffer.from(
    `From: <from@example.org>\r\nTo: <list@lists.localhost>\r\nDate: Sun,  6 Dec 2026 14:53:38 +0000 (UTC)\r\nMessage-Id: <3b67.${i}.03de@vm>\r\n\r\nLa de da de da 1.\r\nLa de da de da 2.\r\nLa de da de da 3.\r\nLa de da de da 4.\r\n`,
  );
const words = { describeRuleError: (e) => ({ code: e.code ?? "TW5000", message: String(e.message ?? e), line: null, column: null }) };

// One real run for the sandbox's output.
const first = await parseEml(receivedBefore([body(0)], session, "lists.localhost", now), { listAddress: address, envelope: { mailFrom: "from@example.org", rcptTo: address }, limits: bundleLimits(bundle) });
const firstInput = bundleInput(bundle, { now, address, members: members.members, state: null, message: keepJson(first.message), messageSize: first.size });
const real = await runBundle(bundle, { trigger: "message", input: firstInput }, words);
if (real.error) throw new Error(JSON.stringify(real.error));
const output = JSON.stringify({ actions: real.actions.map(({ to: _to, headers: _h, ...a }) => ({ ...a, toMembers: true })), state: null, gas: real.gas, error: null, trace: null });

let gcs = 0;
new PerformanceObserver((l) => (gcs += l.getEntries().length)).observe({ entryTypes: ["gc"] });

const stages = {
  received: (m) => (m.raw = receivedBefore([m.chunk], session, "lists.localhost", m.at)),
  parse: async (m) => {
    m.eml = await parseEml(m.raw, { listAddress: address, envelope: { mailFrom: "from@example.org", rcptTo: address }, limits: bundleLimits(bundle) });
    keepJson(m.eml.message);
  },
  checks: (m) => {
    const msg = m.eml.message;
    // As runner.ts: when parsed (runnable), then in its turn.
    for (let k = 0; k < 2; k++) {
      if (overHopLimit(msg.headers, 10) || checkMessage(msg, bundleLimits(bundle), m.eml.size).length) throw new Error("refused");
    }
  },
  input: (m) => {
    m.input = bundleInput(bundle, { now: m.at, address, members: members.members, state: null, message: m.eml.message, messageSize: m.eml.size });
    m.enc = encodeRun(bundle, "message", m.input);
  },
  output: async (m) => {
    m.result = await runBundle(bundle, { trigger: "message", input: m.input, ran: { ok: true, output } }, words);
  },
  compose: async (m) => {
    const head = { address, message: { raw: m.raw, mailFrom: "from@example.org", rcptTo: address, receivedAt: m.at, status: "accepted", problems: m.eml.problems } };
    m.commit = await runCommit(head, { trigger: "message", now: m.at, bundleHash: bundle.sha256, replayOf: null }, m.result, m.result.actions, "ok", {
      list: address,
      incoming: { from: m.eml.message.from, headers: m.eml.message.headers, raw: m.raw },
      settings: undefined,
    });
    if (m.commit.outbox.length !== 1) throw new Error("no mail");
  },
};

async function round(batch) {
  const msgs = batch.map((chunk, i) => ({ chunk, at: now + i }));
  const out = {};
  for (const [name, stage] of Object.entries(stages)) {
    const g = gcs;
    const h = process.memoryUsage().heapUsed;
    const t = performance.now();
    for (const m of msgs) await stage(m);
    const us = ((performance.now() - t) * 1000) / msgs.length;
    const bytes = (process.memoryUsage().heapUsed - h) / msgs.length;
    out[name] = { us, bytes: gcs === g ? bytes : Number.NaN };
  }
  return out;
}

const batchSize = 500;
const inputs = Array.from({ length: batchSize }, (_, i) => body(i));
for (let w = 0; w < 10; w++) await round(inputs);
// BENCH_HEAP_PROFILE=FILE: a sampling heap profile of the measured rounds, the objects collected since included.
const heapFile = process.env.BENCH_HEAP_PROFILE;
let inspector;
if (heapFile) {
  const { Session } = await import("node:inspector/promises");
  inspector = new Session();
  inspector.connect();
  await inspector.post("HeapProfiler.startSampling", { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}
const sums = {};
const rounds = Math.max(1, Math.floor(N / batchSize));
for (let r = 0; r < rounds; r++) {
  await new Promise((res) => setImmediate(res));
  const o = await round(inputs);
  for (const [k, v] of Object.entries(o)) {
    const s = (sums[k] ??= { us: [], bytes: [] });
    s.us.push(v.us);
    if (!Number.isNaN(v.bytes)) s.bytes.push(v.bytes);
  }
}
if (inspector) {
  const { profile } = await inspector.post("HeapProfiler.stopSampling");
  (await import("node:fs")).writeFileSync(heapFile, JSON.stringify(profile));
  console.log(`heap profile of ${rounds * batchSize} messages: ${heapFile}`);
}
const median = (a) => (a.length ? [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] : Number.NaN);
let tu = 0;
let tb = 0;
for (const [k, s] of Object.entries(sums)) {
  const us = median(s.us);
  const b = median(s.bytes);
  tu += us;
  tb += b;
  console.log(`${k.padEnd(9)} ${us.toFixed(1).padStart(7)} µs ${Number.isNaN(b) ? "      ?" : b.toFixed(0).padStart(7)} B`);
}
console.log(`${"all".padEnd(9)} ${tu.toFixed(1).padStart(7)} µs ${tb.toFixed(0).padStart(7)} B`);
