// `node bench/run/miss.js` (after `npm run build`): what loading a bundle into a sandbox context costs (a miss),
// against running it again once loaded (a hit), for N distinct bundles, as a worker meets them when one
// process serves many lists each with a rule of its own (issue 13's "1,000 distinct bundles" target).
//
// N distinct forwarding bundles (bench/daemon/seed.js forwardSource(i), compiled by the build measured),
// each run once (the miss: the context it loads into, its code, the run) and then once more (the hit),
// through the real Engine (runtime/sandbox/engine.ts) with the reuse strategy and a cache large enough to
// keep them all, the input as the runner builds it (bundleInput; the members apart, kept by version).
// Per run: the process's CPU (process.cpuUsage: every thread, GC helpers included) and wall time; misses
// are also split into those that ran the prelude (a new context: the instance, the lockdown, the prelude;
// one in SHARED_BUNDLES) and those that loaded into a context whose prelude had run.
//
// Each build runs in a child process of its own, alternating for BENCH_ROUNDS rounds (default 3); the
// lowest figure of each is kept. BENCH_BEFORE: another checkout's root (built), measured as "before" in
// the same run. BENCH_N (default 320 bundles). Prints a Markdown table.
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const N = Number(process.env.BENCH_N ?? 320);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function child(buildRoot) {
  const dist = (p) => import(pathToFileURL(join(buildRoot, "dist", p)).href);
  const { compileSource } = await dist("compiler/index.js");
  const { Engine } = await dist("runtime/sandbox/engine.js");
  const { resolveLimits } = await dist("runtime/sandbox/types.js");
  const { encodeInput } = await dist("runtime/input/build.js");
  const { parseEml } = await dist("runtime/input/index.js");
  const { bundleInput } = await dist("runtime/run/input.js");
  const { forwardSource } = await import(pathToFileURL(join(root, "bench", "daemon", "seed.js")).href);

  const address = "list@lists.localhost";
  const raw = "From: <from@example.org>\r\nTo: <list@lists.localhost>\r\nDate: Sun, 6 Dec 2026 10:00:00 +0000\r\nMessage-Id: <1.abc@example.org>\r\nSubject: smtp-source 1\r\n\r\n" + "La de da de da 1.\r\n".repeat(5);
  const parsed = await parseEml(raw, { listAddress: address, envelope: { mailFrom: "from@example.org", rcptTo: address } });
  const members = [{ address: "member0@example.org", name: "Member 0", role: "member", joined: Date.parse("2026-01-01T00:00:00Z") }];
  const bundles = [];
  for (let i = 0; i < N; i++) {
    const r = compileSource("forward.thwonk", forwardSource(i));
    if (!r.bundle) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
    const input = encodeInput(bundleInput(r.bundle, { now: Date.parse("2026-12-06T10:00:00Z"), address, members, state: null, message: parsed.message, messageSize: raw.length }));
    bundles.push({ code: r.bundle.code.text, id: r.bundle.sha256, input, memory: r.bundle.manifest.limits["memory"]?.value ?? 64 * 2 ** 20 });
  }
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse", cacheSize: N + 16, cacheBytes: Number.MAX_SAFE_INTEGER });
  await engine.warmUp();
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const run = async (b) => {
    const r = await engine.run(b.code, b.id, "message", b.input.inputJson, b.input.members, { list: address, membersVersion: "1", memoryLimitBytes: b.memory });
    if (!r.result.ok) throw new Error(`run failed: ${JSON.stringify(r.result.error)}`);
    const out = JSON.parse(r.result.output);
    if (out.error || out.actions.length !== 1) throw new Error(`unexpected result ${r.result.output.slice(0, 300)}`);
  };
  const sum = { miss: 0, missWall: 0, opened: 0, openedN: 0, into: 0, intoN: 0, hit: 0, hitWall: 0 };
  const loads = engine.stats.loads;
  for (const b of bundles) {
    const shared = engine.reuse.sharedPreludes;
    const c = cpuNow();
    const w = performance.now();
    await run(b);
    const ms = cpuNow() - c;
    sum.missWall += performance.now() - w;
    sum.miss += ms;
    if (engine.reuse.sharedPreludes === shared) {
      sum.opened += ms;
      sum.openedN++;
    } else {
      sum.into += ms;
      sum.intoN++;
    }
  }
  if (engine.stats.loads - loads !== N) throw new Error(`expected ${N} loads, saw ${engine.stats.loads - loads}`);
  for (const b of bundles) {
    const c = cpuNow();
    const w = performance.now();
    await run(b);
    sum.hit += cpuNow() - c;
    sum.hitWall += performance.now() - w;
  }
  if (engine.stats.loads - loads !== N) throw new Error(`the second runs loaded again: ${engine.stats.loads - loads} loads`);
  const codeKb = bundles.reduce((s, b) => s + b.code.length, 0) / N / 1024;
  return {
    miss: sum.miss / N,
    missWall: sum.missWall / N,
    opened: sum.opened / Math.max(1, sum.openedN),
    openedN: sum.openedN,
    into: sum.into / Math.max(1, sum.intoN),
    intoN: sum.intoN,
    hit: sum.hit / N,
    hitWall: sum.hitWall / N,
    codeKb,
  };
}

if (process.env.BENCH_CHILD) {
  process.stdout.write(JSON.stringify(await child(process.env.BENCH_CHILD)));
} else {
  const builds = [...(process.env.BENCH_BEFORE ? [["before", process.env.BENCH_BEFORE]] : []), ["after", root]];
  const best = new Map();
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, buildRoot] of builds) {
      const out = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_CHILD: buildRoot }, encoding: "utf8", maxBuffer: 1 << 20 }));
      rounds.push({ round, name, ...out });
      const b = best.get(name);
      best.set(name, b ? Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.min(v, b[k])])) : out);
    }
  }
  const f = (x) => x.toFixed(2);
  const lines = [
    `\`${process.env.BENCH_BEFORE ? `BENCH_BEFORE=${process.env.BENCH_BEFORE} ` : ""}node bench/run/miss.js\`: ${N} distinct bundles, each run once (miss) then again (hit), the lowest of ${ROUNDS} rounds, each build in its own process. ${cpus().length} × ${cpus()[0]?.model ?? "?"}, 1-minute load average ${loadavg()[0].toFixed(1)} at the end.`,
    "",
    "| build | code KB a bundle | miss CPU ms | miss wall ms | miss that ran the prelude (n) | miss into a context with it (n) | hit CPU ms | hit wall ms |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...[...best].map(([name, b]) => `| ${name} | ${b.codeKb.toFixed(1)} | ${f(b.miss)} | ${f(b.missWall)} | ${f(b.opened)} (${b.openedN}) | ${f(b.into)} (${b.intoN}) | ${f(b.hit)} | ${f(b.hitWall)} |`),
    "",
    "Rounds (CPU ms a run: miss / opened / into / hit):",
    "",
    ...rounds.map((r) => `- round ${r.round}, ${r.name}: ${f(r.miss)} / ${f(r.opened)} / ${f(r.into)} / ${f(r.hit)}`),
  ];
  console.log(lines.join("\n"));
}
