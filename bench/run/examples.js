// `node bench/run/examples.js` (after `npm run build`): what one message costs
// for each example, run the way the daemon runs it — a warm worker of the
// sandbox pool with a reused context — with 1,000 members; and what the gas
// accounting costs, as the ratio to the same rule compiled without it
// (`meter: false`), measured in the same run on the same inputs. Also what
// members cost when they change with every message, and when they ride in the
// input JSON (the way before they went apart), as baselines.
//
// Prints a table and writes the "Examples" section of bench/RESULTS.md
// (replacing an earlier one, keeping the others). BENCH_RUNS (default 200)
// runs per example and variant, alternating in blocks of 20; the median is reported.
import { readFileSync, readdirSync, existsSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const load = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { compileSource } = await load("compiler/emit/bundle.js");
const { emitRule } = await load("compiler/emit/emitter.js");
const { checkSources } = await load("compiler/program.js");
const { createSandboxPool } = await load("runtime/sandbox/index.js");
const { encodeInput, memberColumns } = await load("runtime/input/build.js");

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const BLOCK = 20;
const MEMBERS = 1000;
const DAY = 86_400_000;
const now = Date.UTC(2026, 10, 25, 12);

const members = Array.from({ length: MEMBERS }, (_, i) => ({
  address: `member${i}@example.org`,
  name: `Member Number ${i}`,
  role: i === 0 ? "owner" : "member",
  joined: now - (i + 1) * DAY,
}));
const text = "A post to the list, long enough to need trimming. ".repeat(40);

// Each rule gets as many members as it allows, up to 1,000: the verifier's bound holds only within the limits.
function inputFor(bundle) {
  const limits = {};
  for (const [name, l] of Object.entries(bundle.manifest.limits)) limits[name] = l.value;
  return {
    now,
    tz: [],
    list: { address: "list@example.org", name: "Bench", owners: ["member0@example.org"] },
    members: memberColumns(members.slice(0, Math.min(MEMBERS, limits.members))),
    state: null,
    limits,
    message: {
      from: "member1@example.org", to: ["list@example.org"], cc: [], subject: "Hello everyone", text, html: null,
      headers: [["From", "member1@example.org"], ["Subject", "Hello everyone"]], attachments: [], date: now, messageId: "bench@example.org",
      envelope: { sender: "member1@example.org", recipient: "list@example.org", isRequest: false, tag: null },
    },
  };
}


const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const pool = createSandboxPool({ workers: 1, contextStrategy: "reuse", timeLimitMs: 10_000 });
const rows = [];
for (const name of readdirSync(join(root, "examples")).sort()) {
  const file = join(root, "examples", name, `${name}.thwonk`);
  if (!existsSync(file)) continue;
  const src = readFileSync(file, "utf8");
  const { bundle } = compileSource(`${name}.thwonk`, src);
  if (!bundle?.manifest.triggers.some((t) => t.name === "message")) continue;
  const unit = checkSources([{ fileName: `${name}.thwonk`, text: src }]).units[0];
  const unmetered = emitRule(unit.rule, unit.check.model, { meter: false }).code;
  const input = inputFor(bundle);
  const bound = bundle.manifest.triggers.find((t) => t.name === "message").gasBound;
  // The daemon's way: members apart from the JSON, kept by the context while they stay the same.
  const metered = encodeInput({ ...input, gas: bound });
  const plain = encodeInput({ ...input, gas: 1e15 });
  // The same members with one name changed: every run passes its members in again.
  const changed = [metered.members, { ...metered.members, name: metered.members.name.replace("Member Number 1\n", "Member Number One\n") }];
  // Members inside the input JSON, as before they went apart.
  const inJson = JSON.stringify({ ...input, gas: bound });
  const variants = {
    metered: (_i) => pool.run(bundle.code.text, bundle.sha256, "message", metered.inputJson, metered.members),
    changed: (i) => pool.run(bundle.code.text, bundle.sha256 + ":changed", "message", metered.inputJson, changed[i % 2]),
    json: (_i) => pool.run(bundle.code.text, bundle.sha256 + ":json", "message", inJson),
    plain: (_i) => pool.run(unmetered, bundle.sha256 + ":plain", "message", plain.inputJson, plain.members),
  };
  const times = { metered: [], trip: [], changed: [], json: [], plain: [] };
  let gas = 0;
  for (let i = 0; i < 20; i++) for (const f of Object.values(variants)) await f(i);
  // Variants alternate in blocks of BLOCK runs: each context is one engine instance with its own
  // memory, and switching on every run would measure the CPU caches more than the rule.
  for (let done = 0; done < RUNS; done += BLOCK) {
    for (const [k, f] of Object.entries(variants)) {
      for (let i = done; i < Math.min(RUNS, done + BLOCK); i++) {
        const t0 = performance.now();
        const r = await f(i);
        const trip = performance.now() - t0;
        if (!r.ok) throw new Error(`${name} (${k}): ${JSON.stringify(r)}`);
        times[k].push(r.wallMs);
        if (k === "metered") {
          times.trip.push(trip);
          gas = JSON.parse(r.output).gas.used;
        }
      }
    }
  }
  const row = { name, members: Math.min(MEMBERS, bundle.manifest.limits.members.value), gas, bound };
  for (const k of Object.keys(times)) row[k] = median(times[k]);
  row.ratio = row.metered / row.plain;
  rows.push(row);
  console.log(`${name.padEnd(14)} ${String(row.members).padStart(5)} members  round trip ${row.trip.toFixed(3)} ms  in worker ${row.metered.toFixed(3)} ms  members changed ${row.changed.toFixed(3)} ms  members in JSON ${row.json.toFixed(3)} ms  unmetered ${row.plain.toFixed(3)} ms  overhead ${row.ratio.toFixed(2)}x  gas ${gas} / ${bound}`);
}
await pool.close();

const load1 = loadavg().map((x) => x.toFixed(2)).join(" ");
const ms = (x) => `${x.toFixed(3)} ms`;
const table = rows
  .map((r) => `| ${r.name} | ${r.members} | ${ms(r.trip)} | ${ms(r.metered)} | ${ms(r.changed)} | ${ms(r.json)} | ${ms(r.plain)} | ${r.ratio.toFixed(2)}× | ${r.gas.toLocaleString("en-US")} / ${r.bound.toLocaleString("en-US")} |`)
  .join("\n");
const section = `<!-- examples:begin (written by bench/run/examples.js) -->
## Examples: one message in a warm worker, up to 1,000 members

Measured ${new Date().toISOString().slice(0, 10)} with \`npm run build && node bench/run/examples.js\`; node ${process.version}, ${cpus().length} CPUs, load average ${load1}. A one-worker pool with a reused context (the daemon's strategy, chosen from the Sandbox figures), ${RUNS} runs of each variant, alternating in blocks of ${BLOCK}, medians. Members go apart from the input JSON and the context keeps them while they stay the same (the daemon's way).

- **round trip**: \`pool.run\` in the main thread until its result is back, thread hop included.
- **in the worker**: the same runs, timed inside the worker (input in, result out).
- **members changed**: every message comes with members that differ from the last (one name), so they are passed in again.
- **members in JSON**: the members inside the input JSON instead (the baseline before they went apart).
- **unmetered**: the same rule compiled without gas accounting, same input; **gas overhead** = in the worker / unmetered.

Targets: overhead at most 1.2×; trim140 under 1 ms per message.

| example | members | round trip | in the worker | members changed | members in JSON | unmetered | gas overhead | gas used / bound |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${table}
<!-- examples:end -->`;
const resultsPath = join(root, "bench", "RESULTS.md");
let results = existsSync(resultsPath) ? readFileSync(resultsPath, "utf8") : "# Benchmark results\n";
const re = /<!-- examples:begin[\s\S]*?<!-- examples:end -->/;
results = re.test(results) ? results.replace(re, section) : results.trimEnd() + "\n\n" + section + "\n";
writeFileSync(resultsPath, results);
