/**
 * Worst inputs for the memory bound (compiler/verify/memory.ts), shared by
 * test/verify/memory-peaks.test.ts and bench/memory/peaks.js: every example
 * trigger and adversarial rules, each at its limits (the largest message,
 * members at limits.members with the longest addresses, state full), in two
 * text styles: `mixed` (wide strings) and `control` (every character a
 * control character, which JSON escapes as six: the largest JSON text).
 *
 * What "memory used" means here is what the runtime enforces: a run is given
 * `memoryLimitBytes` (run-rule.ts passes the rule's limits.memory), the
 * engine's WebAssembly memory is capped at its base plus that (engine.ts,
 * instance.ts), and a run that reaches the cap fails. The peak of a run is
 * the smallest memoryLimitBytes under which it completes (found by
 * bisection): the engine's own accounting cannot be used, since this build
 * has no malloc_usable_size (`dumpMemoryUsage` says so; its sizes are
 * estimates).
 */
import { compileSource, type Bundle } from "../../compiler/emit/bundle.js";
import { checkSources } from "../../compiler/program.js";
import { runBundle, type RunResult } from "../../runtime/run/run-rule.js";
import { examples, RULE_ERRORS, type Example } from "../properties/examples.js";
import { buildInput, maxPlan } from "../properties/inputs.js";

const WORDS = {
  describeRuleError: (e: { code: string; args: unknown[]; line: number; column: number }) => ({ code: e.code, message: JSON.stringify(e.args), line: e.line, column: e.column }),
};

export interface PeakCase {
  /** `auto_reply: message`, `split kept: message`. */
  name: string;
  ex: Example;
  trigger: string;
  bound: number;
  /** Built when read (megabytes each): a test builds its own case's, not every case's at once. */
  readonly inputs: { style: string; input: Record<string, unknown> }[];
}

/** Adversarial rules: each keeps as much as its limits allow in one way. */
export const ADVERSARIAL: { name: string; source: string }[] = [
  {
    name: "split(\"\") kept",
    source: `rule split_kept
limits { text: 100000, memory: 512 * 1024 * 1024 }
on message(m: Message) {
  var kept: List<List<string>> = []
  for _i in [1, 2, 3, 4] {
    kept.push(m.text.split(""))
  }
  log("kept {kept.size}")
}`,
  },
  {
    name: "state map at its max",
    source: `rule full_map
limits { memory: 512 * 1024 * 1024 }
state {
  seen: Map<string max 1000, string max 1000> max 2000 = {}
}
on message(m: Message) {
  if state.seen.size < 2000 {
    state.seen.set(m.subject.truncate(1000), m.text.truncate(1000))
  }
  log("{state.seen.size}")
}`,
  },
  {
    name: "address-keyed state",
    source: `rule address_map
limits { members: 100, memory: 512 * 1024 * 1024 }
state {
  last: Map<Address, Time> max 10000 = {}
}
on message(m: Message) {
  if state.last.size < 10000 {
    state.last.set(m.from, now)
  }
}`,
  },
  {
    name: "10,000 members, each sent to",
    source: `rule roster
limits { members: 10000, text: 1000, budget: 5000000, memory: 512 * 1024 * 1024 }
on message(m: Message) {
  for x in members {
    send(to: x.address, subject: "hello", text: "{x.name}: {m.subject.truncate(20)}")
  }
}`,
  },
  {
    name: "10,000 members, sent to at once",
    source: `rule roster_all
limits { members: 10000, memory: 512 * 1024 * 1024 }
on message(m: Message) {
  var names: List<string> = []
  for x in members {
    names.push(x.name)
  }
  send(to: members, subject: m.subject, text: names.join(", "))
}`,
  },
  {
    name: "nested lists",
    source: `rule nested
limits { text: 300, memory: 512 * 1024 * 1024 }
on message(m: Message) {
  var rows: List<List<string>> = []
  for line in m.text.split("\\n") {
    rows.push(line.split(","))
  }
  log("{rows.size}")
}`,
  },
  {
    name: "string built in a loop",
    source: `rule builder
limits { text: 1300, memory: 512 * 1024 * 1024 }
on message(m: Message) {
  var s = ""
  for c in m.text.split("") {
    s = "{s}{c}!"
  }
  log("{s.length}")
}`,
  },
];

/** An Example (as test/properties/examples.ts makes them) of a rule's source. */
export function exampleOf(name: string, source: string): Example {
  const fileName = `${name.replace(/\W+/g, "_")}.thwonk`;
  const { bundle, diagnostics } = compileSource(fileName, source);
  if (!bundle) throw new Error(`${name} does not compile: ${diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`).join("; ")}`);
  const unit = checkSources([{ fileName, text: source }], { verify: false }).units[0]!;
  const limits: Record<string, number> = {};
  for (const [k, l] of Object.entries(bundle.manifest.limits)) limits[k] = l.value;
  return { name, source, bundle, limits, state: unit.check.model.state, timezone: bundle.manifest.settings["timezone"] ?? "UTC", triggers: bundle.manifest.triggers };
}

/** A string of `n` units, each a control character JSON escapes as six (`\u0001`…; not \b \t \n \f \r, which take two). */
function control(n: number): string {
  const cs = "\u0001\u0002\u0003\u0004\u0005\u0006\u000e\u000f\u0010\u0011";
  let s = "";
  for (let i = 0; i < n; i++) s += cs[i % cs.length];
  return s;
}

function controlled(x: unknown, key?: string): unknown {
  if (typeof x === "string") {
    // Addresses, times and names the prelude parses stay as they are; free text becomes control characters.
    if (key && ["subject", "text", "html", "name"].includes(key)) return control(x.length);
    return x;
  }
  if (Array.isArray(x)) return x.map((v) => (Array.isArray(v) && v.length === 2 && typeof v[1] === "string" ? [v[0], control(v[1].length)] : controlled(v)));
  if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, controlled(v, k)]));
  return x;
}

/** State values of `string` fields (maps of strings included) made control characters, keys too. */
function controlState(state: unknown): unknown {
  if (typeof state === "string") return /@|^\d{4}-/.test(state) ? state : control(state.length);
  if (Array.isArray(state)) return state.map(controlState);
  if (state && typeof state === "object") {
    return Object.fromEntries(Object.entries(state).map(([k, v]) => [/@|^\d{4}-|^-?\d+$/.test(k) ? k : control(k.length), controlState(v)]));
  }
  return state;
}

export function worstInputs(ex: Example, trigger: string): { style: string; input: Record<string, unknown> }[] {
  const mixed = buildInput(ex, maxPlan(ex, trigger, "mixed"));
  const base = buildInput(ex, maxPlan(ex, trigger, "ascii"));
  const ctl: Record<string, unknown> = { ...base, state: controlState(base["state"]) };
  if (base["message"]) ctl["message"] = controlled(base["message"]);
  return [
    { style: "mixed", input: mixed },
    { style: "control", input: ctl },
  ];
}

export function peakCases(): PeakCase[] {
  const out: PeakCase[] = [];
  const all = [...examples(), ...ADVERSARIAL.map((a) => exampleOf(a.name, a.source))];
  for (const ex of all) {
    for (const t of ex.triggers) {
      out.push({
        name: `${ex.name}: ${t.name}`,
        ex,
        trigger: t.name,
        bound: t.memoryBound,
        get inputs() {
          return worstInputs(ex, t.name);
        },
      });
    }
  }
  return out;
}

/** One run of the trigger with the engine's heap limit set to `bytes`, as the daemon runs it. */
export function runWithin(b: Bundle, trigger: string, input: Record<string, unknown>, bytes: number): Promise<RunResult> {
  return runBundle(b, { trigger, input, limits: { memoryLimitBytes: bytes, timeLimitMs: 120_000 } }, WORDS);
}

/** The run did not complete: any stop but a rule's own error (TW501x: a full state map, a division by zero). */
export function failed(r: RunResult): boolean {
  return r.error !== null && !RULE_ERRORS.has(r.error.code);
}

/**
 * The smallest heap limit (to `step` bytes) under which the run completes:
 * what the run needs of the limit the verifier's bound is checked against.
 */
export async function peakOf(b: Bundle, trigger: string, input: Record<string, unknown>, hi: number, step = 256 * 1024): Promise<number> {
  let lo = 0;
  if (failed(await runWithin(b, trigger, input, hi))) return Infinity;
  while (hi - lo > step) {
    const mid = Math.floor((lo + hi) / 2 / 65536) * 65536 || 65536;
    if (mid <= lo) break;
    if (failed(await runWithin(b, trigger, input, mid))) lo = mid;
    else hi = mid;
  }
  return hi;
}
