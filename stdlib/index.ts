/**
 * The one declaration of everything a rule may use: types, their fields and
 * methods, global values, functions (actions and pure helpers), operators,
 * triggers, limits and settings — each with its signature, its docs, its gas
 * cost and, for actions, the capability it needs.
 *
 * The checker, the TypeScript `.d.ts`, hover docs, the verifier's cost table
 * and the runtime's host functions all read this. Types are written in
 * .thwonk type syntax and parsed by the compiler's own type parser.
 *
 * Sizes in cost expressions: a string's length in UTF-16 code units, a
 * collection's element count. Receivers are named "self", operator operands
 * "left" and "right". Every cost is an integer and monotone in the sizes.
 *
 * This file assembles the declaration; its parts are beside it, by group:
 * types-strings.ts, types-time.ts, types-collections.ts, types-message.ts,
 * types-members.ts, and actions.ts (functions and the types they take).
 * Shared cost shapes are in costs.ts.
 */
import { actionTypes, functions } from "./actions.js";
import { constructs } from "./constructs.js";
import { linear } from "./costs.js";
import { cost, type CostExpr, type OperatorDecl, type StdlibDecl, type TypeDeclSpec } from "./decl.js";
import { collectionTypes } from "./types-collections.js";
import { memberTypes } from "./types-members.js";
import { messageTypes } from "./types-message.js";
import { stringTypes } from "./types-strings.js";
import { timeTypes, timeZoneType } from "./types-time.js";

const { size, add, ceilDiv } = cost;

// ------------------------------------------------------------------ types

// In the declaration's order (its JSON, the generated docs and the .d.ts follow it).
const types: Record<string, TypeDeclSpec> = {
  ...stringTypes,
  ...timeTypes,
  ...collectionTypes,
  ...messageTypes,
  ...memberTypes,
  ...actionTypes,
  TimeZone: timeZoneType,
  State: {
    doc: "The rule's stored state: the fields declared in its `state { }` block. Changes are saved when the trigger ends, together with the messages it sends.",
  },
};

// ------------------------------------------------------------------ operators

const ORDERINGS = ["<", "<=", ">", ">="] as const;

function arithmetic(op: OperatorDecl["op"], left: string, right: string, result: string, doc: string, c: CostExpr = 1): OperatorDecl {
  // Joining walks both strings; comparing walks at most the left one's length (it stops at the shorter).
  const walks = left !== "string" ? [] : op === "+" ? ["left", "right"] : ["left"];
  return { op, left, right, result, cost: c, walks, doc };
}

const operators: OperatorDecl[] = [
  arithmetic("+", "int", "int", "int", "Adds two ints."),
  arithmetic("-", "int", "int", "int", "Subtracts two ints."),
  arithmetic("*", "int", "int", "int", "Multiplies two ints."),
  arithmetic("/", "int", "int", "int", "Divides two ints, rounding toward zero. Dividing by zero stops the trigger."),
  arithmetic("%", "int", "int", "int", "The remainder of an int division (with the sign of the left side)."),
  arithmetic("+", "string", "string", "string", "Joins two strings.", add(1, ceilDiv(add(size("left"), size("right")), 16))),
  arithmetic("-", "Time", "Time", "Duration", "The time between two times."),
  arithmetic("+", "Time", "Duration", "Time", "The time a duration later."),
  arithmetic("-", "Time", "Duration", "Time", "The time a duration earlier."),
  arithmetic("+", "Duration", "Duration", "Duration", "Adds two durations."),
  arithmetic("-", "Duration", "Duration", "Duration", "Subtracts two durations."),
  arithmetic("*", "Duration", "int", "Duration", "A duration times a number."),
  arithmetic("*", "int", "Duration", "Duration", "A number times a duration."),
  arithmetic("/", "Duration", "int", "Duration", "A duration divided by a number, rounding toward zero."),
  ...Object.entries(types)
    .filter(([, t]) => t.ordered)
    .flatMap(([name]) =>
      ORDERINGS.map((op) =>
        arithmetic(op, name, name, "bool", `Compares two values of type ${name}.`, name === "string" ? linear(1, "left") : 1),
      ),
    ),
];

// ------------------------------------------------------------------ the declaration

export const stdlib: StdlibDecl = {
  // 0.3.0: reading `Envelope.isRequest` is the capability "requests" (a bundle of 0.2.0 does not say whether its rule
  // answers its -request address: compiler/emit/bundle.ts ruleAnswersRequests).
  // 0.4.0: `Message.isAutomated()` also reads the de facto markers of auto-responders (X-Autoreply, X-Autorespond,
  // X-Auto-Response-Suppress, Precedence: auto_reply: contract/automatic.ts), as thwonkd's -request address does; a
  // stored bundle of an older stdlib is compiled again at start (runtime/daemon/daemon.ts).
  version: "0.4.0",
  // 3: Headers.all over the header count. 4: string walks charged by size, Map keys over their length.
  // 5: loading and saving state charged per unit (constructs.stateUnit). 6: a log charged for its action's way out, members.add for its checks.
  // 7: forward's subject and footer, send's thread. 8: List sort, sortBy (n·log₂ n: `log2` in cost expressions), slice, remove,
  // join on non-strings; ListInfo sign and verify.
  // 9: characters are code points: length, slice, truncate and indexOf charged for the scan; matches, toInt.
  // 10: matches charged 3 per unit of its pattern (each run between stars is a regular expression compiled: a pattern
  // of many short runs made a unit of gas cost ~25 reference operations at ⌈pattern/2⌉).
  // 11: forward's subject and footer charged per 32 code points (the calibration measured ~3,000 ns a unit at 64).
  // 12: a call's working memory (`scratch`: matches, sign, verify) in the memory bound; List.contains charged for
  // comparing strings (over the shorter length, as `==`).
  costTableVersion: "12",
  types,
  globals: {
    members: { type: "Members", doc: "The members of the list." },
    list: { type: "ListInfo", doc: "The list this rule runs for: its address, name and owners." },
    state: { type: "State", doc: "The rule's stored state, as declared in its `state { }` block." },
    now: {
      type: "Time",
      doc: "The time the message arrived, or the time a scheduled trigger was due. Not the Date header (that is `m.date`, the sender's claim).",
    },
  },
  functions,
  operators,
  constructs,
  triggers: {
    message: {
      doc: "Runs for every message that arrives at the list's address: `on message(m: Message) { ... }`.",
      param: "Message",
    },
  },
  limits: {
    members: { doc: "The largest number of members the list may have.", default: 1000, unit: "members", ceiling: 100_000 },
    text: { doc: "The longest plain-text body accepted; longer messages are refused at SMTP time.", default: 100_000, unit: "characters", ceiling: 1_000_000 },
    html: { doc: "The longest HTML body accepted.", default: 200_000, unit: "characters", ceiling: 2_000_000 },
    subject: { doc: "The longest subject accepted.", default: 500, unit: "characters", ceiling: 2_000 },
    header: { doc: "The longest header field value accepted.", default: 998, unit: "characters", ceiling: 8_192 },
    headers: { doc: "The most header fields a message may have.", default: 100, unit: "items", ceiling: 1_000 },
    recipients: { doc: "The most To and Cc addresses a message may have.", default: 100, unit: "items", ceiling: 1_000 },
    attachments: { doc: "The most attachments a message may have.", default: 20, unit: "items", ceiling: 200 },
    size: { doc: "The largest message accepted, attachments included.", default: 10_000_000, unit: "bytes", ceiling: 50_000_000 },
    budget: { doc: "The gas one trigger run may use; the verifier refuses a rule whose worst case is higher.", default: 1_000_000, unit: "gas", ceiling: 100_000_000 },
    fanout: { doc: "The most messages one trigger run may send (each recipient of `send` counts).", default: 10_000, unit: "messages", ceiling: 100_000 },
    logs: { doc: "The most `log` lines one trigger run may write.", default: 100, unit: "items", ceiling: 10_000 },
    page: { doc: "The largest page `publish` may write.", default: 1_000_000, unit: "characters", ceiling: 10_000_000 },
    memory: {
      doc: "The memory one trigger run may use, in bytes (`32 * 1024 * 1024` is 32 MiB); the verifier refuses a rule whose worst case is higher.",
      default: 64 * 1024 * 1024,
      unit: "bytes",
      ceiling: 512 * 1024 * 1024,
    },
  },
  settings: {
    timezone: {
      doc: "The IANA time zone in which `now`, the calendar fields of times and `every day at …` schedules are read.",
      type: "TimeZone",
      default: "UTC",
    },
  },
};
