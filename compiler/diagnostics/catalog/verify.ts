/** TW3xxx: the verifier — worst-case gas and fan-out, bounds, capabilities. */
import { def, q } from "./define.js";
import { groupDigits } from "../../../contract/numbers.js";

const n = (x: number): string => groupDigits(x);

export const verifyMessages = {
  overBudget: def(
    "TW3001",
    "error",
    "worst-case gas over budget",
    (trigger: string, bound: number, budget: number, dominant: string, advice: string, capped: boolean) => (s) =>
      `The worst-case gas of ${q(s.trigger(trigger))} is ${n(bound)}, over the ${capped ? "daemon's ceiling" : "budget"} of ${n(budget)} (${(bound / budget).toFixed(2)}×). ` +
      `Most of it is ${dominant}. ${advice}; or ${capped ? "ask for a higher ceiling" : `raise ${q(s.block("limits", "budget: ..."))}`}.`,
  ),
  overFanout: def(
    "TW3002",
    "error",
    "worst-case fan-out over limit",
    // Under a daemon's ceiling, raising the rule's own fanout changes nothing: the ceiling lowers it again.
    (trigger: string, bound: number, limit: number, dominant: string, capped: boolean) => (s) =>
      `${q(s.trigger(trigger))} can send up to ${n(bound)} messages, over the ${capped ? "daemon's fan-out ceiling" : "fan-out limit"} of ${n(limit)}. Most of them come from ${dominant}. ` +
      `Send to a list of recipients in one call, lower the limits that multiply it, or ${capped ? "ask for a higher ceiling" : `raise ${q(s.block("limits", "fanout: ..."))}`}.`,
  ),
  unboundedState: def("TW3003", "error", "state without a bound", (field: string, type: string, suggestion: string) => (s) =>
    `${q("state." + field)} has no bound on its size (${q(s.type(type))}): every collection and string kept in state needs one, so the cost of reading it is known. Write ${q(s.type(suggestion))}.`,
  ),
  unboundedGrowth: def("TW3004", "error", "growth the verifier cannot bound", (name: string) =>
    `${q(name)} grows in this loop in a way whose size cannot be bounded (it is combined with itself). Build it from the loop's elements only, e.g. ${q(name + " = " + name + " + x")}.`,
  ),
  overBound: def("TW3005", "error", "value may not fit the state field's bound",
    (value: string, where: string, bound: number, unit: string, field: string, max: number, fixed: string | undefined) => (s) =>
      `${where ? where.charAt(0).toUpperCase() + where.slice(1) : ""}${q(value)} may have up to ${groupDigits(bound)} ${unit}, but ${where ? "that part of " : ""}${q(field)} holds at most ${groupDigits(max)}: the write would fail at run time. ${fixed ? `Write ${q(fixed)}.` : `Make it smaller first (\`truncate\`, \`take\`), or raise the ${s.boundWord} of ${q(field)}.`}`,
  ),
  mayFillUp: def("TW3006", "error", "state collection may fill up",
    (call: string, field: string, max: number, key: string | undefined) => (s) =>
      `${q(call)} adds to ${q(field)}, which holds at most ${groupDigits(max)}: once it is full, every run that gets here would fail, and nothing could empty it. Check for room first: ${q(s.ifBlock(`${field}.size < ${max}`))}${key ? ` (or ${q(s.or(`${field}.has(${key})`, `${field}.size < ${max}`))}, since setting a key already there adds nothing)` : ""}, or make room with a reset elsewhere.`,
  ),
  /** A bug in the verifier or the emitter, caught by program.ts: never a crash of the host. */
  internalError: def("TW3999", "error", "internal error in the verifier", (phase: string, detail: string) =>
    `Internal error in ${phase}: ${detail}. This is a bug in thwonkc; please report it with this file.`,
  ),
  mailLoop: def("TW3101", "warning", "possible mail loop", (action: string) =>
    `This ${q(action)} can reach the list's own address, so the list would receive its own message and may loop. Send to the members or the sender instead, or filter out ${q("list.address")}.`,
  ),
  unguardedReply: def("TW3102", "warning", "reply without an auto-reply guard", () => (s) =>
    `This reply can answer automatic mail (auto-replies, bounces, other lists), and two such rules can answer each other forever (RFC 3834). Guard it: ${q(s.ifBlock("m.isAutomated()", s.surface === "ts" ? "return;" : "return"))} before replying.`,
  ),
  unusedState: def("TW3103", "warning", "unused state field", (field: string) =>
    `${q("state." + field)} is never read or written. Remove it, or use it.`,
  ),
  unneededLimit: def("TW3104", "warning", "limit declared but never needed", (name: string) =>
    `${q("limits." + name)} is declared but no trigger's cost depends on it. Remove it, or keep it to refuse larger input (the runtime still enforces it).`,
  ),
  unboundedSize: def("TW3020", "error", "size the verifier cannot bound", (what: string) =>
    `The verifier cannot bound the size of ${what}, so it cannot bound the cost of what uses it. ` +
    "Use the value where it is made (a value stored by `set` into a map, or pushed into a list through another name, is not followed), " +
    "or keep it in `state` with a declared `max`.",
  ),
  overMemory: def(
    "TW3030",
    "error",
    "worst-case memory over limit",
    (trigger: string, bound: number, limit: number, dominant: string, fix: string, capped: boolean) => (s) =>
      `The worst-case memory of ${q(s.trigger(trigger))} is ${mib(bound)}, over the ${capped ? "daemon's ceiling" : "memory limit"} of ${mib(limit)} (${(bound / limit).toFixed(2)}×). ` +
      `The largest part is ${dominant}. To fit: ${fix}; or ${capped ? "ask for a higher ceiling" : `raise ${q(s.block("limits", "memory: ..."))} (in bytes, e.g. \`128 * 1024 * 1024\`, up to the ceiling of 512 MiB)`}.`,
  ),
};

/** Bytes in MiB, with the exact count: "70.3 MiB (73,728,000 bytes)". */
function mib(b: number): string {
  return `${(b / 2 ** 20).toFixed(1)} MiB (${n(b)} bytes)`;
}
