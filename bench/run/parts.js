// `node bench/run/parts.js` (after `npm run build`): where one run's time goes inside QuickJS, for the seed.js
// forwarding rule (issue 13's one-list bench) and an empty `on message`. The bundle's whole code (prelude and rule,
// as `thwonkc run` loads it) in a plain QuickJS context; `__thwonk_run` called 2,000 times in a loop inside the
// engine, so no host call is counted; the driver (contract/prelude/driver.js `__drive`) patched to stop after each
// step in turn. Prints CPU µs a run for the whole and for each stopping point, and each as a share of the whole
// measured in the same run. The input is the one the runner builds (bundleInput), with the members in its JSON and
// none of its parts kept (a worker parses the list's settings and members once, runtime/sandbox/kept-input.ts, so
// the daemon's JSON.parse step is shorter than this one). BENCH_ROUNDS (7; the median is kept).
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { newQuickJSWASMModuleFromVariant } from "quickjs-emscripten-core";
import variant from "@jitl/quickjs-wasmfile-release-sync";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { compileSource } = await dist("compiler/index.js");
const { parseEml } = await dist("runtime/input/index.js");
const { bundleInput } = await dist("runtime/run/input.js");
const { encodeRun } = await dist("runtime/run/run-rule.js");
const { forwardSource } = await import(pathToFileURL(join(root, "bench/daemon/seed.js")).href);

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const RUNS = 2000;
const address = "list@lists.localhost";
const raw = `From: <from@example.org>\r\nTo: <${address}>\r\nDate: Sun, 6 Dec 2026 10:00:00 +0000\r\nMessage-Id: <1.abc@example.org>\r\nSubject: smtp-source 1\r\n\r\n${"La de da de da 1.\r\n".repeat(5)}`;
const parsed = await parseEml(raw, { listAddress: address, envelope: { mailFrom: "from@example.org", rcptTo: address } });
const members = [{ address: "member0@example.org", name: "Member 0", role: "member", joined: 1765000000000 }];

// Each stop is a text the driver has, and what it becomes; a patch that finds no text is an error, not a quiet "whole".
const STOPS = [
  ["JSON.parse of the input", "var input = JSON.parse(inputJson);", "var input = JSON.parse(inputJson); if (__stopAt === 1) return '';"],
  ["__begin (members, list, state)", "var refused = __begin(input);", "var refused = __begin(input); if (__stopAt === 2) return '';"],
  ["__message", "return __result(__runTrigger(name, __message(input.message)));", "var __m = __message(input.message); if (__stopAt === 3) return ''; var __e = __runTrigger(name, __m); if (__stopAt === 4) return ''; return __result(__e);"],
  ["the trigger", null, null],
];

const qjs = await newQuickJSWASMModuleFromVariant(variant);
function perRun(code) {
  const vm = qjs.newContext();
  try {
    vm.runtime.setMemoryLimit(256 * 2 ** 20);
    vm.unwrapResult(vm.evalCode(code)).dispose();
    const loop = vm.unwrapResult(vm.evalCode(`(function (n, s) { var r; for (var i = 0; i < n; i++) r = __thwonk_run("message", s); return r; })`));
    const s = vm.newString(input);
    vm.unwrapResult(vm.callFunction(loop, vm.undefined, vm.newNumber(200), s)).dispose();
    const out = [];
    for (let k = 0; k < ROUNDS; k++) {
      const c = process.cpuUsage();
      vm.unwrapResult(vm.callFunction(loop, vm.undefined, vm.newNumber(RUNS), s)).dispose();
      const d = process.cpuUsage(c);
      out.push((d.user + d.system) / RUNS);
    }
    s.dispose();
    loop.dispose();
    return out.sort((a, b) => a - b)[out.length >> 1];
  } finally {
    vm.dispose();
  }
}

let input;
for (const [name, source] of [
  ["forward (seed.js)", forwardSource(0)],
  ["empty `on message`", "rule forward\n\nlimits { members: 10, fanout: 10 }\n\non message(m: Message) {\n}\n"],
]) {
  const bundle = compileSource("forward.thwonk", source).bundle;
  const e = encodeRun(bundle, "message", bundleInput(bundle, { now: 1765000000000, address, members, state: null, message: parsed.message, messageSize: raw.length }));
  const j = JSON.parse(e.inputJson);
  input = JSON.stringify({ ...j, members: j.members ?? members });
  let patched = bundle.code.text;
  for (const [, from, to] of STOPS) {
    if (from === null) continue;
    if (!patched.includes(from)) throw new Error(`the driver no longer has ${JSON.stringify(from)}: update bench/run/parts.js`);
    patched = patched.replace(from, to);
  }
  const whole = perRun(`var __stopAt = 0;\n${bundle.code.text}`);
  console.log(`\n${name}: input ${input.length} characters; whole run ${whole.toFixed(1)} µs`);
  console.log("| stopped after | µs a run | share of the whole |\n| --- | ---: | ---: |");
  let before = 0;
  STOPS.forEach(([step], i) => {
    const t = perRun(`var __stopAt = ${i + 1};\n${patched}`);
    console.log(`| ${step} | ${t.toFixed(1)} (+${(t - before).toFixed(1)}) | ${((100 * t) / whole).toFixed(0)}% |`);
    before = t;
  });
  console.log(`| __result (the rest) | ${whole.toFixed(1)} (+${(whole - before).toFixed(1)}) | 100% |`);
}
