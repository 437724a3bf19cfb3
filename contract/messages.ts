/**
 * TW5xxx: what stops a run, or refuses its input, at run time. They belong to
 * the contract: the compiled code raises some by code, the runtime words them
 * all. The catalog (compiler/diagnostics/catalog/runtime.ts) lists them with
 * the compiler's bands.
 *
 * TW5001–TW5006: the sandbox stops the code (runtime/sandbox).
 * TW5010–TW5018: the compiled code raises them itself (PRELUDE_ERRORS in
 *   contract/prelude.ts); their `args` arrive in the run's JSON output.
 * TW5020–TW5024: the host refuses the input before any run (runtime/input).
 * TW5030: the compiled code stops a run past its fan-out bound (PRELUDE_ERRORS).
 *
 * A failed run takes no effect at all: no action, no state change. Each
 * message says so, and what to do.
 */
import { groupDigits } from "./numbers.js";

/** One runtime message: the catalog's MessageDef, declared here so the runtime needs nothing of the compiler. */
// biome-ignore lint/suspicious/noExplicitAny: as MessageDef's default, so that every message's own argument types fit
export interface RuntimeMessage<A extends unknown[] = any[]> {
  code: string;
  severity: "error" | "warning" | "info";
  title: string;
  format: (...args: A) => string;
}

function def<A extends unknown[]>(code: string, severity: "error", title: string, format: (...args: A) => string): RuntimeMessage<A> {
  return { code, severity, title, format };
}

/** Source text in a message, as every catalog quotes it (compiler/diagnostics/catalog/define.ts q). */
const q = (s: string): string => "`" + s + "`";

const n = (x: number): string => groupDigits(x);
const mib = (bytes: number): string => `${Math.round((bytes / 2 ** 20) * 10) / 10} MiB`;
const NO_EFFECT = "Nothing the rule did in this run takes effect";

/** How to make room for `needed`: raise the limit (up to its ceiling), or say that it cannot be raised that far. */
function raise(limit: string, needed: number, ceiling: number | undefined, otherwise: string): string {
  if (ceiling !== undefined && needed > ceiling) {
    return `${q("limits." + limit)} can be raised to at most ${n(ceiling)}, so ${otherwise}.`;
  }
  return `Raise ${q(`limits { ${limit}: ${needed} }`)} in the rule${ceiling === undefined ? "" : ` (at most ${n(ceiling)})`}, or ${otherwise}.`;
}

export const runtimeMessages = {
  // ---------------------------------------------------------------- the sandbox
  outOfGas: def("TW5001", "error", "Out of gas",
    () => `The rule used all the gas given to this run and was stopped. ${NO_EFFECT}. The verifier's bound should prevent this: check that the input stayed within the rule's declared limits, or raise the gas budget (${q("limits { budget: ... }")}).`),
  outOfMemory: def("TW5002", "error", "Out of memory",
    (limitBytes: number) => `The rule used more than its memory limit (${mib(limitBytes)}) and was stopped. ${NO_EFFECT}. Build smaller strings, lists and maps, or raise the sandbox's memory limit.`),
  stackOverflow: def("TW5003", "error", "Stack overflow",
    (limitBytes: number) => `The rule nested calls (or data it parsed) too deeply for the stack limit (${limitBytes / 1024} KiB) and was stopped. ${NO_EFFECT}. Nest less deeply.`),
  timeLimit: def("TW5004", "error", "Time limit",
    (limitMs: number) => `The rule ran longer than the time limit (${limitMs} ms) and was stopped. ${NO_EFFECT}. Do less work per message, or raise the sandbox's time limit.`),
  runtimeError: def("TW5005", "error", "Runtime error",
    (detail: string) => `The rule threw an error: ${detail}. ${NO_EFFECT}; fix the rule where the error points.`),
  sandboxFailed: def("TW5006", "error", "Sandbox failure",
    (detail: string) => `The sandbox itself failed (${detail}) and the run did not complete. This is not the rule's fault: the run can be retried; report it if it happens again.`),

  // ---------------------------------------------------------------- raised by the compiled code
  divisionByZero: def("TW5010", "error", "Division by zero",
    () => `The rule divided by zero (${q("/")} or ${q("%")} with 0 on the right). ${NO_EFFECT}. Check the divisor first, e.g. ${q("if d != 0 { ... }")}.`),
  intOverflow: def("TW5011", "error", "Integer overflow",
    () => `An integer result went beyond ±9,007,199,254,740,991, the largest integer the runtime holds exactly, or a time (${q("t + d")}, ${q("t - d")}) went outside the years 0000–9999. ${NO_EFFECT}. Keep the numbers smaller: check the operands before multiplying or adding.`),
  stateMax: def("TW5012", "error", "State over its max",
    (field: string, max: number, actual: number) =>
      `${q("state." + field)} would grow to ${n(actual)}, over its declared ${q("max " + max)} (entries for a list or map, characters for a string). ${NO_EFFECT}. Remove old entries before adding new ones, or raise its ${q("max")} in the ${q("state")} block.`),
  listFull: def("TW5013", "error", "List full",
    (address: string, limit: number) =>
      `Cannot add ${q(address)}: the list already has ${n(limit)} members, its ${q("limits.members")}. ${NO_EFFECT}. Check ${q("members.size")} before adding (or remove a member first), or raise ${q("limits { members: ... }")}.`),
  tooManyLogs: def("TW5014", "error", "Too many log lines",
    (limit: number) => `The rule wrote more than ${n(limit)} ${q("log")} lines in one run, its ${q("limits.logs")}. ${NO_EFFECT}. Log less (once per message rather than once per member), or raise ${q("limits { logs: ... }")}.`),
  pageTooLarge: def("TW5015", "error", "Page too large",
    (path: string, limit: number) =>
      `The page ${q(path)} is larger than ${n(limit)} characters, its ${q("limits.page")}. ${NO_EFFECT}. Publish less on one page (split it into several), or raise ${q("limits { page: ... }")}.`),
  badPath: def("TW5016", "error", "Bad publish path",
    (path: string) =>
      `${q(path)} is not a path ${q("publish")} accepts: write ${q("name.ext")} or ${q("folder/name.ext")}, folders and names of letters, digits, ${q("_")} and ${q("-")}, the file name with an extension (so no empty, hidden or ${q("..")} part, no trailing ${q("/")}, and no file that is also a folder), at most 200 characters. ${NO_EFFECT}.`),
  badInput: def("TW5017", "error", "Bad input",
    (detail?: string) =>
      `The run's input could not be read${detail ? ` (${detail})` : ""}. ${NO_EFFECT}. This is a fault of the host that built the input, not of the rule: report it.`),
  unknownTrigger: def("TW5018", "error", "Unknown trigger",
    (name: string) =>
      `The rule has no trigger ${q(name)}. Run one of the triggers its bundle's manifest lists (e.g. ${q("message")} or ${q("every day at 00:00")}), or deploy the version of the rule that has it.`),

  // ---------------------------------------------------------------- input refused by the host, before any run
  inputOverLimit: def("TW5020", "error", "Input over a limit",
    (what: string, limit: string, actual: number, max: number, unit: string, ceiling?: number) =>
      `The message was refused: ${what} is ${n(actual)} ${unit}, over ${q("limits." + limit)} = ${n(max)} ${unit}. ` +
      `Messages are refused whole, never cut. ${raise(limit, actual, ceiling, "the sender must send a smaller one")}`),
  membersOverLimit: def("TW5021", "error", "Too many members",
    (count: number, limit: number, ceiling?: number) =>
      `The list has ${n(count)} members, over ${q("limits.members")} = ${n(limit)}, and the rule was not run. ${raise("members", count, ceiling, "remove members")}`),
  badMember: def("TW5022", "error", "Bad member entry",
    (where: string, reason: string) => `The member at ${where} was not accepted: ${reason}. Fix or remove that entry.`),
  unknownTimeZone: def("TW5023", "error", "Unknown time zone",
    (zone: string) =>
      `The time zone ${q(zone)} is not known to this runtime. Use an IANA name such as ${q("Europe/Paris")} or ${q("UTC")} in ${q("settings { timezone: ... }")}.`),
  fieldTooLong: def("TW5025", "error", "Message field over its fixed size",
    (what: string, actual: number, max: number) =>
      `The message was refused: ${what} is ${n(actual)} characters long, and at most ${n(max)} are allowed (the size every rule's bounds assume). Messages are refused whole, never cut.`),
  badList: def("TW5024", "error", "Bad list settings",
    (reason: string) => `The list's settings cannot be used: ${reason}. Fix them where the list is configured (the deploy's ${q("--address")} and the list's name and owners).`),

  // ---------------------------------------------------------------- raised by the compiled code (continued)
  fanoutExceeded: def("TW5030", "error", "Fan-out over its bound",
    (bound: number, count: number) =>
      `This action would bring the run's messages to ${n(count)}, over the fan-out bound of ${n(bound)} the verifier proved for this trigger, so the run was stopped before sending anything. ${NO_EFFECT}. ` +
      `The bound should prevent this: check that the input (the members, the state) stayed within the rule's declared limits; if it did, report it as a bug in thwonkc's verifier, with the rule.`),

  // ---------------------------------------------------------------- stored state refused by the host, before any run
  badState: def("TW5070", "error", "Stored state refused",
    (problem: string) =>
      `The stored state does not fit the rule's declared state, so the rule was not run: ${problem}. Fix that value where the state is kept (the ${q("--state")} file, the test's ${q("state.FIELD = ...")}; for thwonkd, ${q("thwonkc state ADDRESS --json")} shows it and ${q("thwonkc state set ADDRESS FILE")} puts it back fixed, or ${q("thwonkc state reset ADDRESS")} starts it again, then ${q("thwonkc replay RUN")} for the messages it refused), or deploy a version of the rule whose state types it fits.`),

  // ---------------------------------------------------------------- signed tokens (runtime/sandbox/tokens.ts)
  noTokenKey: def("TW5050", "error", "No signing key for this run",
    () =>
      `The rule called ${q("list.sign")} or ${q("list.verify")}, and the host running it gave no signing key for the list, so no token can be made or checked. ${NO_EFFECT}. ` +
      `${q("thwonkc run")} and ${q("thwonkc test")} use a fixed test key, and thwonkd one per list: a host that runs rules itself must pass the list's key (${q("tokenKey")} of runBundle or the pool's run).`),
};

export type RuntimeMessageKey = keyof typeof runtimeMessages;
