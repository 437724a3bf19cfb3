// `node bench/delivery/compose.js` (after `npm run build`): the main-thread cost of composing one
// outgoing copy, the old way (nodemailer's MailComposer, compile(), its tree written by
// runtime/mail/serialize.ts) against the direct writer (runtime/mail/write-message.ts), in one run.
//
// The copy is the one bench/daemon/run.js measures: the message Postfix's smtp-source sends, parsed
// as thwonkd parses it, run through the bench's one-member forwarding rule (bench/daemon/seed.js:
// `send(to: members, subject: m.subject.truncate(100), text: m.text, from: "sender", replyTo: "list")`)
// in the real sandbox, and its action composed BENCH_COMPOSE times (default 20000) by composeRun
// each way, interleaved in rounds so both see the same machine. Both ways give the same bytes
// (checked here first). Prints µs of CPU and of wall time a message, each way, and the ratio.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { forwardSource } from "../daemon/seed.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { compileSource } = await dist("compiler/index.js");
const { parseEml } = await dist("runtime/input/index.js");
const { bundleInput } = await dist("runtime/run/input.js");
const { runBundle } = await dist("runtime/run/run-rule.js");
const { NodeHost } = await dist("runtime/host/node-host.js");
const { composeRun } = await dist("runtime/mail/compose.js");

const N = Number(process.env.BENCH_COMPOSE ?? 20000);
const ROUNDS = 5;
const LIST = "list@lists.localhost";

// What `smtp-source -f from@example.org -t list@lists.localhost` sends (captured from it).
const raw = Buffer.from(
  "From: <from@example.org>\r\nTo: <list@lists.localhost>\r\nDate: Sun,  6 Dec 2026 09:50:47 +0000 (UTC)\r\nMessage-Id: <5aca.0003.0000@vm>\r\n\r\n" +
    "La de da de da 1.\r\nLa de da de da 2.\r\nLa de da de da 3.\r\nLa de da de da 4.\r\n",
);
const compiled = compileSource("forward.thwonk", forwardSource());
if (!compiled.bundle) throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));
const now = Date.now();
const message = (await parseEml(raw, { listAddress: LIST })).message;
const input = bundleInput(compiled.bundle, { now, address: LIST, listName: "list", members: [{ address: "member0@example.org", name: "Member 0", role: "member", joined: now }], state: null, message, messageSize: raw.length });
const result = await runBundle(compiled.bundle, { trigger: "message", input }, new NodeHost({ cwd: root, listAddress: LIST }));
if (result.error || result.actions.length !== 1) throw new Error(`the rule did not send one message: ${JSON.stringify(result.error ?? result.actions)}`);
const actions = result.actions;
const ctx = (old) => ({ list: LIST, incoming: { from: message.from, headers: message.headers, raw }, now, runKey: "bench", ...(old ? { viaNodemailer: true } : {}) });

const [a] = await composeRun(actions, ctx(true));
const [b] = await composeRun(actions, ctx(false));
if (!a.raw.equals(b.raw)) throw new Error("the two ways gave different bytes");

/** µs of CPU (this process) and of wall time per message for `n` composes. */
async function measure(old, n) {
  const c = ctx(old);
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < n; i++) await composeRun(actions, c);
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / n, wall: ((performance.now() - t) * 1000) / n };
}

await measure(true, 2000);
await measure(false, 2000);
const old = { cpu: 0, wall: 0 };
const now2 = { cpu: 0, wall: 0 };
for (let r = 0; r < ROUNDS; r++) {
  for (const [acc, isOld] of [
    [old, true],
    [now2, false],
  ]) {
    const m = await measure(isOld, N / ROUNDS);
    acc.cpu += m.cpu / ROUNDS;
    acc.wall += m.wall / ROUNDS;
  }
}
const f = (x) => x.toFixed(1);
console.log(`composing the bench rule's copy (${b.raw.length} bytes), ${N} times each way, ${ROUNDS} interleaved rounds:`);
console.log(`| path | CPU µs/msg | wall µs/msg |\n| --- | ---: | ---: |`);
console.log(`| old: MailComposer + compile() + serialize.ts | ${f(old.cpu)} | ${f(old.wall)} |`);
console.log(`| new: write-message.ts | ${f(now2.cpu)} | ${f(now2.wall)} |`);
console.log(`old / new: **${(old.cpu / now2.cpu).toFixed(1)}× (CPU)**, ${(old.wall / now2.wall).toFixed(1)}× (wall)`);
