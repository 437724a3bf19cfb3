/**
 * TW2xxx: names and types. Produced by the binder and the type checker
 * (compiler/semantic/). Each message says what is wrong and how to fix it;
 * `hint` is an optional sentence (usually "Did you mean `x`?") added at the end.
 */
import { def, q } from "./define.js";
import type { Spelling } from "./spelling.js";
import { groupDigits } from "../../../contract/numbers.js";

/** A name for the value of a call: `state.lastPost.get(...)` → `lastPost`, `m.headers.get(...)` → `headers`, `oldest()` → `oldest`. */
function nameFor(call: string, s: Spelling): string {
  const parts = call.replace(/\([^()]*\)/g, "").split(".");
  const last = parts[parts.length - 1] ?? "";
  const name = ["get", "first", "last", "find", "take", "copy"].includes(last) && parts.length > 1 ? parts[parts.length - 2]! : last;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name !== "state" && name !== "m" && !s.reserved.has(name) ? name : "value";
}

/** " Did you mean `x`?" or "". */
export function didYouMean(s: string | undefined): string {
  return s === undefined ? "" : ` Did you mean ${q(s)}?`;
}

const tail = (hint: string | undefined): string => (hint ? " " + hint.trim() : "");

/** A type in backticks, as the rule's surface writes it. */
const qt = (s: Spelling, type: string): string => q(s.type(type));

export const typeMessages = {
  // ---------------------------------------------------------------- files and declarations
  testWithoutRule: def("TW2001", "error", "Test file without a rule file",
    (testFile: string, ruleFile: string) =>
      `The test file ${q(testFile)} has no rule file: its tests run against ${q(ruleFile)}, which was not given. Add that file, or rename the test file after its rule.`),
  missingRule: def("TW2002", "error", "Missing rule declaration",
    () => (s) =>
      s.surface === "ts"
        ? "This file has no `rule` declaration. Start it with `export const rule = \"NAME\";`, e.g. `export const rule = \"announcements\";`."
        : "This file has no `rule` declaration. Start it with `rule NAME`, e.g. `rule announcements`."),
  duplicateRule: def("TW2003", "error", "Second rule declaration",
    (name: string) => `A file holds one rule, and it is already named ${q(name)}. Remove this \`rule\` line, or move the rest to a file of its own.`),
  duplicateDeclaration: def("TW2004", "error", "Duplicate declaration",
    (what: string, name: string) => `${what} ${q(name)} is already declared. Rename one of them.`),
  declarationInTestFile: def("TW2005", "error", "Declaration in a test file",
    (what: string) => `A test file holds only \`test\` blocks and \`fn\` helpers for them; ${what} belongs in the rule file.`),

  // ---------------------------------------------------------------- names
  unknownName: def("TW2010", "error", "Unknown name",
    (name: string, hint?: string) => `${q(name)} is not defined.${tail(hint)}`),
  unknownType: def("TW2011", "error", "Unknown type",
    (name: string, hint?: string) => `There is no type called ${q(name)}.${tail(hint)}`),
  unknownMember: def("TW2012", "error", "Unknown field or method",
    (type: string, name: string, hint?: string) => (s) => `${qt(s, type)} has no field or method ${q(name)}.${tail(hint)}`),
  typeArgumentCount: def("TW2013", "error", "Wrong number of type arguments",
    (name: string, expected: number, found: number) =>
      expected === 0
        ? `${q(name)} takes no type arguments; write just ${q(name)}.`
        : `${q(name)} takes ${expected} type argument${expected === 1 ? "" : "s"}, e.g. ${q(name + "<" + ["T", "K, V", "A, B, C"][Math.min(expected, 3) - 1] + ">")}, but ${found} ${found === 1 ? "was" : "were"} given.`),
  recursiveType: def("TW2014", "error", "Recursive type",
    (name: string) => `The type ${q(name)} refers to itself. Types cannot be recursive: every value must have a bounded size.`),
  functionAsValue: def("TW2015", "error", "Function used as a value",
    (name: string) => `${q(name)} is a function; call it, as in ${q(name + "(...)")}. Functions are not values.`),
  methodNotCalled: def("TW2016", "error", "Method used without a call",
    (name: string, type: string, example: string) => (s) => `${q(name)} is a method of ${qt(s, type)}, not a field: call it, as in ${q(example)}.`),
  notCallable: def("TW2017", "error", "Not a function",
    (what: string, hint?: string) => `${what} is not a function and cannot be called.${tail(hint)}`),
  invalidMapKey: def("TW2018", "error", "Map key that cannot be compared",
    (type: string) => (s) => `A map's keys are compared with ${q(s.eq)}, which ${qt(s, type)} does not have. Use a key such as an \`Address\`, a \`string\` or an \`int\`.`),

  // ---------------------------------------------------------------- types of values
  typeMismatch: def("TW2020", "error", "Type mismatch",
    (expected: string, found: string, hint?: string) => (s) => `Expected ${qt(s, expected)} here, but this is ${qt(s, found)}.${tail(hint)}`),
  argumentType: def("TW2021", "error", "Wrong argument type",
    (param: string, fn: string, expected: string, found: string, hint?: string) =>
      (s) => `The argument ${q(param)} of ${q(fn)} must be ${qt(s, expected)}, but this is ${qt(s, found)}.${tail(hint)}`),
  conditionNotBool: def("TW2022", "error", "Condition is not a bool",
    (found: string, hint?: string) => (s) => `A condition must be a ${q(s.surface === "ts" ? "boolean" : "bool")}, but this is ${qt(s, found)}.${tail(hint)}`),
  maybeNone: def("TW2023", "error", "Value may be none",
    (expr: string, type: string, use: string) => (s) =>
      `${q(expr)} is ${qt(s, type)} and may be ${s.none}, so it cannot be used ${use}. ${
        /\)$/.test(expr)
          ? `A check does not carry over from one call to the next, so bind it with ${q(s.constWord)} first and check the name: ${q(s.decl("let", nameFor(expr, s), expr))}, then ${q(s.ifBlock(`${nameFor(expr, s)} ${s.ne} ${s.none}`))}; or give a default with \`??\`.`
          : `Check it first (${q(s.ifBlock(`${expr} ${s.ne} ${s.none}`))}) or give a default with \`??\`.`
      }`),
  noValue: def("TW2024", "error", "Call returns nothing",
    (name: string) => `${q(name)} returns nothing, so its result cannot be used as a value. Call it on a line of its own.`),
  operatorTypes: def("TW2025", "error", "Operator not defined for these types",
    (op: string, left: string, right: string, hint?: string) =>
      (s) => `${q(s.op(op))} cannot be applied to ${qt(s, left)} and ${qt(s, right)}.${tail(hint)}`),
  unaryOperatorType: def("TW2026", "error", "Operator not defined for this type",
    (op: string, operand: string) => (s) => `${q(op)} cannot be applied to ${qt(s, operand)}.`),
  notComparable: def("TW2027", "error", "Values cannot be compared",
    (left: string, right: string, hint?: string) => (s) => `${qt(s, left)} and ${qt(s, right)} cannot be compared with ${q(s.eq)} or ${q(s.ne)}.${tail(hint)}`),
  noneNeverEqual: def("TW2028", "warning", "Comparison with none is always the same",
    (expr: string, type: string, result: string) => (s) =>
      `${q(expr)} is ${qt(s, type)}, which is never ${s.none}, so this comparison is always ${result}. Remove it, or declare the value with ${s.surface === "ts" ? "`| undefined` in its type" : "a `?` type"}.`),
  defaultNeverUsed: def("TW2029", "warning", "`??` default is never used",
    (type: string) => (s) => `The left side of \`??\` is ${qt(s, type)}, which is never ${s.none}, so the default is never used. Remove \`?? ...\`.`),
  notInterpolable: def("TW2030", "error", "Value cannot be put in a string",
    (type: string, hint?: string) => (s) => `A value of type ${qt(s, type)} cannot be put inside a string with ${q(s.hole("..."))}.${tail(hint)}`),
  emptyNeedsType: def("TW2031", "error", "Type of an empty literal is unknown",
    (lit: string) => (s) =>
      `The type of ${q(lit)} cannot be worked out here. Declare it, as in ${q(s.decl("let", "x", "[]", "List<string>"))} or ${q(s.decl("let", "m", s.surface === "ts" ? "new Map()" : "{}", "Map<Address, int>"))}.`),
  mixedBrace: def("TW2032", "error", "Record keys and map keys mixed",
    () => "In `{ ... }`, the keys are either all names (a record, `{ name: \"Ann\" }`) or all values (a map, `{ \"ann@example.org\": 1 }`), not both."),
  missingField: def("TW2033", "error", "Missing record field",
    (type: string, names: string) => (s) => `This ${qt(s, type)} needs ${names}. Add ${names.includes(",") ? "them" : "it"}.`),
  duplicateKey: def("TW2034", "error", "Duplicate key",
    (key: string) => `The key ${q(key)} appears twice. Remove one.`),
  invalidAddress: def("TW2035", "error", "Invalid address literal",
    (text: string) => (s) => `${q(JSON.stringify(text))} is not an e-mail address. Write one as ${q(s.address("name@example.org"))}.`),
  invalidLiteral: def("TW2036", "error", "Value not among the allowed ones",
    (text: string, type: string, allowed: string, hint?: string) => (s) =>
      `${q(JSON.stringify(text))} is not a ${qt(s, type)}: it must be one of ${allowed}.${tail(hint)}`),
  invalidTimeZone: def("TW2037", "error", "Unknown time zone",
    (text: string, hint?: string) =>
      `${q(JSON.stringify(text))} is not an IANA time zone name. Write one such as \`"Europe/Paris"\`, \`"America/New_York"\` or \`"UTC"\`.${tail(hint)}`),
  receiverMismatch: def("TW2038", "error", "Method not available on this type",
    (name: string, required: string, found: string) => (s) =>
      `${q(name)} is only available on ${qt(s, required)}, and this is ${qt(s, found)}.`),
  notIndexable: def("TW2039", "error", "Value cannot be indexed",
    (type: string) => (s) => `A value of type ${qt(s, type)} cannot be indexed with \`[...]\`: it has no \`get\` method.`),
  notAType: def("TW2040", "error", "Type where a value was expected", (name: string) => `${q(name)} is a type, not a value. Use a value of that type here (such as a trigger's parameter).`),

  // ---------------------------------------------------------------- calls
  unknownArgument: def("TW2041", "error", "Unknown named argument",
    (fn: string, name: string, params: string, hint?: string) =>
      `${q(fn)} has no parameter ${q(name)}.${tail(hint)} Its parameters are ${params}.`),
  missingArgument: def("TW2042", "error", "Missing argument",
    (fn: string, names: string) => `${q(fn)} needs ${names}. Add ${names.includes(",") || names.includes(" and ") ? "them" : "it"} to the call.`),
  duplicateArgument: def("TW2043", "error", "Argument given twice",
    (name: string) => `The argument ${q(name)} is given twice. Remove one.`),
  positionalAfterNamed: def("TW2044", "error", "Positional argument after a named one",
    () => "An argument without a name cannot follow a named one. Name it, or move it before the named arguments."),
  tooManyArguments: def("TW2045", "error", "Too many arguments",
    (fn: string, max: number) => `${q(fn)} takes ${max === 0 ? "no arguments" : max === 1 ? "one argument" : `at most ${max} arguments`}. Remove this one.`),
  recursion: def("TW2046", "error", "Recursive function",
    (name: string, path: string) =>
      `${q(name)} calls itself${path ? ` (through ${path})` : ""}. Functions cannot be recursive, so that every run ends; use a \`for\` loop over a collection instead.`),
  paramNeedsType: def("TW2047", "error", "Parameter without a type",
    (name: string) => `The parameter ${q(name)} needs a type, as in ${q(name + ": string")}.`),

  // ---------------------------------------------------------------- statements
  assignToLet: def("TW2050", "error", "Assignment to a `let`",
    (name: string) => (s) => `${q(name)} is declared with ${q(s.constWord)} and cannot change. Declare it with ${q(s.varWord)} to change it.`),
  assignToReadonly: def("TW2051", "error", "Assignment to something that cannot change",
    (what: string) => `${what} cannot be changed.`),
  invalidAssignTarget: def("TW2052", "error", "Not something that can be assigned",
    (hint?: string) => (s) => `Only a ${q(s.varWord)}, a field of \`state\` or a field of a record in one of them can be assigned.${tail(hint)}`),
  mutateImmutable: def("TW2053", "error", "Change to a value that cannot change",
    (method: string, what: string, hint?: string) => `${q(method)} would change ${what}, which cannot change.${tail(hint)}`),
  mutateWhileIterating: def("TW2054", "error", "Collection changed while it is walked",
    (name: string) => (s) => `${q(name)} cannot be changed inside a \`for\` loop over it: the loop must end. Collect the changes in a ${q(s.varWord)} and apply them after the loop.`),
  notIterable: def("TW2055", "error", "Value cannot be walked with `for`",
    (type: string, hint?: string) => (s) => `A value of type ${qt(s, type)} cannot be walked with \`for\`.${tail(hint)}`),
  noKeyValue: def("TW2056", "error", "Two loop variables on a collection without keys",
    (type: string) => (s) => `${q(s.surface === "ts" ? "for (const [k, v] of ...)" : "for k, v in ...")} needs a map; ${qt(s, type)} gives one value per step. Use one loop variable.`),
  outsideLoop: def("TW2057", "error", "`break` or `continue` outside a loop",
    (kw: string) => `\`${kw}\` can only be used inside a \`for\` loop.`),
  returnValueNotExpected: def("TW2058", "error", "Return with a value where none is expected",
    (where: string) => (s) => `${where} does not return a value. Write just ${q(s.surface === "ts" ? "return;" : "return")}.`),
  returnValueMissing: def("TW2059", "error", "Return without a value",
    (name: string, type: string) => (s) => `${q(name)} returns ${qt(s, type)}: write \`return\` followed by a value.`),
  missingReturn: def("TW2060", "error", "Function may end without returning",
    (name: string, type: string) => (s) => `${q(name)} returns ${qt(s, type)}, but it can reach its end without a \`return\`. Add a \`return\` at the end.`),
  noEffect: def("TW2062", "warning", "Expression has no effect",
    () => (s) => `This expression computes a value and drops it, so it does nothing. Assign it with ${q(s.constWord)}, or remove it.`),
  unusedResult: def("TW2063", "warning", "Result of a call is not used",
    (name: string) => `${q(name)} changes nothing; its result is dropped here, so the call does nothing. Use the result, or remove the call.`),

  // ---------------------------------------------------------------- warnings on code
  unusedVariable: def("TW2070", "warning", "Unused variable",
    (what: string, name: string) => `The ${what} ${q(name)} is never used. Remove it, or name it ${q("_" + name)} to say that is intended.`),
  unreachable: def("TW2071", "warning", "Unreachable code",
    (after: string) => `This code never runs: it comes after ${after}. Remove it, or move it before.`),
  unusedFunction: def("TW2072", "warning", "Unused function",
    (name: string) => `The function ${q(name)} is never called. Remove it, or call it.`),

  // ---------------------------------------------------------------- state, limits, settings
  stateNotStorable: def("TW2079", "error", "Type cannot be stored in state",
    (type: string) => (s) => `A ${qt(s, type)} cannot be stored in state: state holds plain values (bool, int, string, Address, Time, Duration, lists, maps and records of them). Store the parts you need, such as an address or a subject.`),
  invalidMax: def("TW2080", "error", "Invalid `max` bound",
    () => (s) =>
      s.surface === "ts"
        ? "The bound of a `List`, `Map` or `Text` (its last type argument) must be a positive whole number, as in `List<Address, 500>`."
        : "`max` must be followed by a positive whole number, as in `List<Address> max 500`."),
  maxNotAllowed: def("TW2081", "error", "`max` on a type without a size",
    (type: string, sized: string) => (s) => `${qt(s, type)} has no size, so it takes no ${s.surface === "ts" ? "bound" : "`max`"}. Only ${sized} do.`),
  stateNeedsInit: def("TW2082", "error", "State field without an initial value",
    (name: string, type: string) => (s) =>
      `The state field ${q(name)} of type ${qt(s, type)} has no natural empty value. Give it one (${q(s.surface === "ts" ? `${name}: ... as ${s.type(type)}` : `${name}: ${type} = ...`)}), or make it optional (${q(s.optional(s.type(type)))}).`),
  stateInitNotConstant: def("TW2083", "error", "State initial value is not a constant",
    () => (s) =>
      `A state field's initial value is stored when the rule is first deployed, so it must be a literal (a number, string, time, ${s.surface === "ts" ? "`[...]`, `new List()` or `new Map([...])`" : "`[...]` or `{...}`"} of literals).`),
  unknownLimit: def("TW2084", "error", "Unknown limit",
    (name: string, known: string, hint?: string) => `There is no limit called ${q(name)}.${tail(hint)} The limits are ${known}.`),
  invalidLimit: def("TW2085", "error", "Invalid limit value",
    (name: string) => `The limit ${q(name)} must be a positive whole number, written as digits or as a product of them, as in ${q(`${name}: 500`)} or \`memory: 128 * 1024 * 1024\`.`),
  limitTooHigh: def("TW2086", "error", "Limit above its ceiling",
    (name: string, value: number, ceiling: number, unit: string) =>
      `The limit ${q(name)} is ${value}, but at most ${ceiling} ${unit} is accepted. Lower it.`),
  unknownSetting: def("TW2087", "error", "Unknown setting",
    (name: string, known: string, hint?: string) => `There is no setting called ${q(name)}.${tail(hint)} The settings are ${known}.`),
  settingNotLiteral: def("TW2088", "error", "Setting value is not a literal",
    (name: string) => `The setting ${q(name)} must be a literal value, as in \`${name}: "..."\`.`),

  // ---------------------------------------------------------------- triggers
  unknownTrigger: def("TW2090", "error", "Unknown trigger",
    (name: string, known: string, hint?: string) => (s) =>
      `There is no trigger ${q(s.trigger("on " + name))}.${tail(hint)} The triggers are ${known}; for schedules write ${q(s.schedule("day at 00:00"))}.`),
  triggerParam: def("TW2091", "error", "Wrong trigger parameter",
    (event: string, expected: string | undefined) => (s) =>
      expected === undefined
        ? `${q(s.trigger("on " + event))} takes no parameter. Remove it.`
        : s.surface === "ts"
          ? `The parameter of ${q(s.trigger("on " + event))} is a ${qt(s, expected)}: write ${q(`export function ${s.trigger("on " + event)}(m: ${s.type(expected)})`)}.`
          : `The parameter of ${q("on " + event)} is a ${q(expected)}: write ${q(`on ${event}(m: ${expected})`)} or leave the type out.`),
  duplicateTrigger: def("TW2092", "error", "Trigger declared twice",
    (what: string) => (s) => `${q(s.trigger(what))} is already declared. Put both bodies into one.`),
  invalidScheduleUnit: def("TW2093", "error", "Unknown schedule",
    (unit: string, hint?: string) =>
      (s) =>
        `${q(s.trigger("every " + unit))} is not a schedule.${tail(hint)} Write ${q(s.schedule("day"))}, ${q(s.schedule("week"))}, ${q(s.schedule("hour"))}, ${q(s.schedule("monday"))} (or another weekday) or an interval such as ${q(s.schedule("2h"))}.`),
  atNotAllowed: def("TW2094", "error", "`at` with a schedule that has no time of day",
    (what: string) => (s) => `${q(s.trigger("every " + what))} runs at fixed intervals, so it takes no \`at\`. \`at\` goes with \`day\`, \`week\` and weekdays.`),
  invalidInterval: def("TW2096", "error", "Invalid schedule interval",
    (text: string, overADay?: boolean) => (s) =>
      overADay
        ? `${q(s.trigger("every " + text))} is not a usable interval: an interval counts from each midnight, so one longer than a day would run once a day, at 00:00. Write ${q(s.schedule("day at 06:00"))}, or ${q(s.schedule("monday"))} (or another weekday) for once a week.`
        : `${q(s.trigger("every " + text))} is not a usable interval: schedules run at most once a minute, on whole minutes. Write e.g. ${q(s.schedule("15m"))} or ${q(s.schedule("2h"))}.`),

  // ---------------------------------------------------------------- tests
  duplicateTest: def("TW2100", "error", "Two tests with the same name",
    (name: string) => `There is already a test called ${q(JSON.stringify(name))}. Rename one of them.`),
  unknownGiven: def("TW2101", "error", "Unknown test input",
    (what: string) => `A test cannot set ${q(what)}. It can set \`members\`, \`now\`, \`state.NAME\` and a trigger's input such as \`message\`.`),
  duplicateGiven: def("TW2102", "error", "Test input set twice",
    (what: string) => `${q(what)} is already set in this test. Remove one.`),
  emlFileName: def("TW2103", "error", "Message file is not an .eml file",
    (text: string) => `${q(JSON.stringify(text))} should name an \`.eml\` file (a message saved from a mail program), or write the message as a record: \`message = { from: "ann@example.org", text: "..." }\`.`),
  unknownSchedule: def("TW2104", "error", "Test runs a schedule the rule does not have",
    (what: string, declared: string) => `The rule has no trigger ${q("every " + what)}.${declared ? ` Its schedules are ${declared}.` : " Declare one, or remove this `run`."}`),
  runAndMessage: def("TW2105", "error", "Test both runs a schedule and gives a message",
    () => "A test either handles a message or runs a schedule. Remove the `message = ...` or the `run every ...`."),
  noTriggerToRun: def("TW2106", "error", "Nothing for the test to run",
    (event: string) => `This test gives no \`run every ...\`, so it runs ${q("on " + event)}, which the rule does not declare.`),
  expectNotBool: def("TW2107", "error", "Expectation is neither an action nor a condition",
    (found: string) => `\`expect\` takes an action (\`expect send(to: "a@example.org")\`) or a \`bool\` condition, but this is ${q(found)}.`),
  expectNoWithCondition: def("TW2108", "error", "`expect no` with a condition",
    () => "`expect no` takes an action, as in `expect no reply`. For a condition, write `expect not ...`."),
  onlyInTrigger: def("TW2109", "error", "Action outside the trigger it belongs to",
    (name: string, trigger: string, here: string) => (s) =>
      `${q(name)} only makes sense in ${q(s.trigger(trigger))}: ${q(s.trigger(here))} has no message to ${name === "hold" ? "hold" : "refuse"}. Remove it, or move it into ${q(s.trigger(trigger))}.`),

  // ---------------------------------------------------------------- one name per collection
  secondName: def("TW2110", "error", "A collection would get a second name",
    (what: string, kind: string, into: string, copy: string | undefined, hint: string | undefined) =>
      `${q(what)} is a ${kind} that already has a name; storing it in ${into} would give it a second one, and a change made through either name would go unseen through the other.${tail(hint)} ${copy ? `Store a copy: ${q(copy)}.` : "Build a new value from its parts."}`),
  usedAfterMove: def("TW2111", "error", "A collection used after it was stored elsewhere",
    (name: string, into: string, line: number) =>
      `${q(name)} was stored in ${into} on line ${line}, which moved it there: it cannot be used after that, or both would name the same collection. Store ${q(name + ".copy()")} there to keep using ${q(name)}.`),
  mutateTemporary: def("TW2112", "error", "A change to a value that is neither a variable nor a state field",
    (method: string, what: string) =>
      (s) =>
        `${q(method)} changes the value it is called on, but ${q(what)} is not a ${q(s.varWord)} or a state field: the change would be lost, or would change a collection held elsewhere without the verifier seeing it. Put the value in a ${q(s.varWord)} (a copy, \`.copy()\`) and change that, or change the state field itself.`),

  // ---------------------------------------------------------------- state initial values
  initOverMax: def("TW2120", "error", "Initial value over its `max`",
    (count: number, unit: string, type: string, max: number) => (s) => {
      const of = (k: number): string => `${groupDigits(k)} ${k === 1 ? unit : unit === "entry" ? "entries" : unit + "s"}`;
      return `This initial value has ${of(count)}, but ${qt(s, type)} holds at most ${groupDigits(max)}. ` +
        `Start with at most ${of(max)} (${unit === "character" ? "shorten the text" : "remove some"}), or raise the ${s.boundWord} in the type.`;
    }),
  // ---------------------------------------------------------------- the size of the program
  callChainTooDeep: def("TW2130", "error", "Function calls nested too deeply",
    (chain: string, depth: number, max: number) =>
      `${chain} is a chain of ${depth} functions, each calling the next; at most ${max} are allowed, so that a run stays within the sandbox's stack. Flatten it: let one function call the others in turn and pass the results along, or merge the small ones into their callers.`),

  // ---------------------------------------------------------------- literal arguments of actions (action-literals.ts)
  senderInSchedule: def("TW2150", "error", "`from: \"sender\"` in a scheduled trigger",
    (trigger: string) => (s) =>
      `${q(s.trigger(trigger))} handles no message, so there is no sender to send on behalf of. Send from the list: leave out \`from:\` (or write \`from: "list"\`).`),
  invalidPublishPath: def("TW2151", "error", "Invalid publish path",
    (path: string) =>
      `${q(path)} is not a path \`publish\` accepts: write \`name.ext\` or \`folder/name.ext\`, folders and names of letters, digits, \`_\` and \`-\`, the file name with an extension (no empty, hidden or \`..\` part, no trailing \`/\`), at most 200 characters.`),

  // ---------------------------------------------------------------- constants and limits in code (constants.ts)
  constNotLiteral: def("TW2160", "error", "A constant that is not a literal",
    (name: string) => (s) =>
      `The constant ${q(name)} must be a literal value: a number (\`10\`, \`-1\`, \`32 * 1024\`), a string without ${q(s.hole("..."))}, \`true\` or \`false\`, a duration (${q(s.duration(7, "d"))}) or a time (${q(s.time("2026-01-01T00:00:00Z"))}), so that its value is known when the rule is checked. For a value computed at run time, use a ${q(s.fnWord)} or ${s.surface === "ts" ? "a `const` inside one" : "a `let`"}.`),
  limitsNotValue: def("TW2161", "error", "`limits` read as a whole",
    (example: string) => `\`limits\` is read one limit at a time, as in ${q(example)}; it is not a value of its own.`),
  maxNotConstant: def("TW2162", "error", "`max` names no int constant",
    (name: string, why: string) => (s) =>
      `${s.surface === "ts" ? "A bound takes a whole number or `typeof` an int constant" : "`max` takes a whole number or the name of an int constant"}, and ${q(name)} ${why}. Declare it at the top level, as in ${q(`const ${name} = 10${s.surface === "ts" ? ";" : ""}`)}, or write the number.`),
  unusedConst: def("TW2163", "warning", "Unused constant",
    (name: string) => `The constant ${q(name)} is never used. Remove it, or use it where its value is written out.`),
  noneNeedsType: def("TW2165", "error", "A variable that starts as `none` without a type",
    (kw: string, name: string, later?: { type: string; line: number }) => (s) => {
      const or = s.surface === "ts" ? "`| undefined`" : "`?`";
      const withOr = s.surface === "ts" ? "`| undefined`" : "a `?`";
      const typed = (type: string): string => q(s.decl(kw, name, s.none, s.optional(s.type(type))));
      return `${q(s.decl(kw, name, s.none))} does not say what ${q(name)} will hold once it is set, and ${q(s.none)} alone has no type. ${
        later
          ? `It is set to ${/^[AEIOU]/.test(later.type) ? "an" : "a"} ${qt(s, later.type)} at line ${later.line}: write ${typed(later.type)} (${or} means "or ${s.none}").`
          : `Write the type with ${withOr} ("or ${s.none}"): ${typed("Member")}, ${typed("string")}.`
      }`;
    }),
  constType: def("TW2164", "error", "A constant of a type that has no literal",
    (type: string) => (s) =>
      `A constant holds an \`int\`, \`string\`, \`Address\`, \`bool\`, \`Duration\` or \`Time\`, not ${qt(s, type)}. Keep a collection or a record in \`state\`, or build it in a ${q(s.fnWord)}.`),

  // ---------------------------------------------------------------- moderation (approval.ts)
  holdIgnoresApproval: def("TW2260", "warning", "A `hold` that an approval cannot pass",
    () => (s) =>
      `When a list owner approves a held message, the rule runs again on it with \`m.approved\` true; this rule never reads \`m.approved\`, so the approval takes the same path and holds the message again (unless the list changed meanwhile, e.g. the sender became a member). Let approved messages through where the rule holds: ${q(s.ifBlock(s.and(s.not("members.has(m.from)"), s.not("m.approved")), s.surface === "ts" ? "hold(...);" : "hold(...)"))}.`),
  // ---------------------------------------------------------------- tests and newcomers' mistakes (issue 15)
  containsOutsidePattern: def("TW2210", "error", "`contains(...)` outside an expected action",
    () =>
      "`contains(part)` matches any text that contains `part`, so it only stands for a value in an expected action: `expect send(text: contains(\"Welcome\"))`. To test a string, call its method: `expect state.note.contains(\"Welcome\")`."),

  noneWrittenOtherwise: def("TW2211", "error", "`null` from another language",
    (written: string) =>
      `Thwonk writes ${q(written)} as \`none\`: a value that may be absent has a \`?\` type (\`Time?\`), and \`x == none\` or \`x ?? fallback\` deal with it.`),
  // ---------------------------------------------------------------- sorting and joining lists (list-methods.ts)
  // `sort` and `sortBy` as the rule's file spells them (a `.ts` rule writes `sorted` and `sortedBy`).
  notSortable: def("TW2190", "error", "A list whose elements cannot be sorted",
    (type: string, hint: string, sort = "sort") => (s) =>
      `\`${sort}()\` orders lists of \`int\`, \`string\`, \`Address\`, \`Time\` or \`Duration\`, and this is a list of ${qt(s, type)}. ${hint}`),
  sortByNotRecords: def("TW2191", "error", "`sortBy` on a list that holds no records",
    (type: string, sortBy = "sortBy", sort = "sort") => (s) =>
      `\`${sortBy}(field)\` orders a list of records by one of their fields, and this is a list of ${qt(s, type)}. For a list of \`int\`, \`string\`, \`Address\`, \`Time\` or \`Duration\`, write \`${sort}()\`.`),
  sortByFieldNotLiteral: def("TW2192", "error", "`sortBy` needs the field's name as a literal",
    (fields: string) =>
      `\`sortBy\` takes the name of the field to sort by as a plain string literal, so that it is checked when the rule is: write one of ${fields} in quotes, as in \`sortBy("joined")\`.`),
  sortByUnknownField: def("TW2193", "error", "`sortBy` names no field of the records",
    (field: string, type: string, fields: string, hint?: string) => (s) =>
      `The records of this list (${qt(s, type)}) have no field ${q(field)}.${tail(hint)} Their fields are ${fields}.`),
  sortByFieldNotOrdered: def("TW2194", "error", "`sortBy` names a field that cannot be sorted by",
    (field: string, type: string, usable: string) => (s) =>
      `The field ${q(field)} is of type ${qt(s, type)}, and \`sortBy\` orders by a field of type \`int\`, \`string\`, \`Address\`, \`Time\` or \`Duration\` (not optional). ${usable}`),
  notJoinable: def("TW2195", "error", "A list whose elements do not read as text",
    (type: string) => (s) =>
      `\`join(sep)\` joins lists of \`string\`, \`int\`, \`bool\`, \`Address\`, \`Time\` or \`Duration\` (each as ${q(s.hole("x"))} shows it), and this is a list of ${qt(s, type)}. Build a list of strings first (in a \`for\` loop, ${q(`parts.push(${s.interpolate("", "x.name", " <", "x.address", ">")})${s.surface === "ts" ? ";" : ""}`)}), then join that.`),

  notFindable: def("TW2270", "error", "A list whose elements cannot be compared",
    (method: string, type: string) => (s) =>
      `\`${method}(x)\` compares elements with ${q(s.eq)}, and this is a list of ${qt(s, type)}, which ${q(s.eq)} cannot compare: it would find only the very same value, never an equal one. Keep a list of one of their fields that compares (an \`Address\`, a \`string\`, an \`int\`), or test a field in a loop: ${q(s.forEach("y", "xs", `y.FIELD ${s.eq} x.FIELD`))}.`),

  // ---------------------------------------------------------------- the compiler itself
  internalError: def("TW2999", "error", "Internal error in the checker",
    (detail: string) => `Internal error in the checker: ${detail}. This is a bug in thwonkc; please report it with this file.`),
};
