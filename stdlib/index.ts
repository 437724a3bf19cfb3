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
 */
import { constructs } from "./constructs.js";
import { cost, type CostExpr, type OperatorDecl, type StdlibDecl, type TypeDeclSpec } from "./decl.js";

const { size, total, value, add, mul, max, min, ceilDiv, limit } = cost;

/** Linear work over a string: a base plus one unit of gas per 16 code units. */
const linear = (base: number, ...names: string[]): CostExpr =>
  add(base, ceilDiv(names.length === 1 ? size(names[0]!) : add(...names.map(size)), 16));

/** A search of `needle` in `self` (naive, worst case quadratic). */
const search = (needle: string): CostExpr => add(5, ceilDiv(mul(size("self"), add(size(needle), 1)), 32));

// ------------------------------------------------------------------ types

const types: Record<string, TypeDeclSpec> = {
  bool: {
    doc: "`true` or `false`.",
    maxLength: 5,
    equatable: true,
    interpolates: true,
  },
  int: {
    doc: "A whole number (a safe integer: at most 2^53 − 1 in size). `/` divides rounding toward zero; dividing by zero stops the trigger.",
    equatable: true,
    ordered: true,
    interpolates: true,
    maxLength: 20,
    methods: {
      abs: { doc: "The absolute value.", params: [], returns: "int", cost: 1 },
    },
  },
  string: {
    doc: "Unicode text. Lengths count UTF-16 code units; `truncate` and `slice` count code points and never split one.",
    equatable: true,
    ordered: true,
    interpolates: true,
    fields: {
      length: { type: "int", doc: "The length in UTF-16 code units.", cost: 1 },
    },
    methods: {
      isEmpty: { doc: "`true` when the string has no characters.", params: [], returns: "bool", cost: 1 },
      truncate: {
        doc: "The first `n` code points of the string (all of it when it is shorter). Never splits a character.",
        params: [{ name: "n", type: "int", doc: "How many code points to keep." }],
        returns: "string",
        cost: linear(5, "self"),
        // n code points are at most 2n UTF-16 units.
        resultSize: min(size("self"), mul(value("n"), 2)),
      },
      slice: {
        doc: "The code points from `start` up to (not including) `end`; `end` defaults to the end of the string. Negative positions count from the end.",
        params: [
          { name: "start", type: "int" },
          { name: "end", type: "int", optional: true },
        ],
        returns: "string",
        cost: linear(5, "self"),
        resultSize: size("self"),
      },
      contains: {
        doc: "`true` when `s` occurs in the string.",
        params: [{ name: "s", type: "string" }],
        returns: "bool",
        cost: search("s"),
      },
      startsWith: {
        doc: "`true` when the string begins with `prefix`.",
        params: [{ name: "prefix", type: "string" }],
        returns: "bool",
        cost: linear(2, "prefix"),
      },
      endsWith: {
        doc: "`true` when the string ends with `suffix`.",
        params: [{ name: "suffix", type: "string" }],
        returns: "bool",
        cost: linear(2, "suffix"),
      },
      lower: {
        doc: "The string in lower case (Unicode default case mapping; `İ` becomes `i̇`, two characters).",
        params: [],
        returns: "string",
        cost: linear(5, "self"),
        // One UTF-16 unit lowers to at most two (U+0130 İ → i + U+0307); an astral character stays two.
        resultSize: mul(size("self"), 2),
      },
      upper: {
        doc: "The string in upper case (Unicode default case mapping; `ß` becomes `SS`, `ﬃ` becomes `FFI`): up to three times as long.",
        params: [],
        returns: "string",
        cost: linear(5, "self"),
        // One UTF-16 unit uppers to at most three (ﬃ → FFI, ΐ → Ϊ́); an astral character stays two.
        resultSize: mul(size("self"), 3),
      },
      trim: {
        doc: "The string without white space at either end.",
        params: [],
        returns: "string",
        cost: linear(5, "self"),
        resultSize: size("self"),
      },
      split: {
        doc: "The pieces of the string between occurrences of `sep`. An empty `sep` splits into code points.",
        params: [{ name: "sep", type: "string" }],
        returns: "List<string>",
        cost: search("sep"),
        resultSize: add(size("self"), 1),
        // The parts are pieces of the string: each, and all of them together, at most as long as it.
        elementSize: size("self"),
        resultTotal: size("self"),
      },
      lines: {
        doc: "The lines of the string (split at `\\n`, `\\r\\n` or `\\r`).",
        params: [],
        returns: "List<string>",
        cost: linear(5, "self"),
        resultSize: add(size("self"), 1),
        elementSize: size("self"),
        resultTotal: size("self"),
      },
      replace: {
        doc: "The string with every occurrence of `old` replaced by `new`. An empty `old` replaces nothing.",
        params: [
          { name: "old", type: "string" },
          { name: "new", type: "string" },
        ],
        returns: "string",
        cost: add(search("old"), ceilDiv(mul(add(size("self"), 1), size("new")), 16)),
        // Each occurrence of a non-empty `old` (an empty one replaces nothing) becomes `new`.
        resultSize: max(size("self"), mul(size("self"), size("new"))),
      },
      escapeHtml: {
        doc: "The string with `&`, `<`, `>`, `\"` and `'` written as HTML entities, safe to put in a page or an attribute: up to six times as long.",
        params: [],
        returns: "string",
        cost: linear(5, "self"),
        // `"` → `&quot;`, the longest entity.
        resultSize: mul(size("self"), 6),
      },
      indexOf: {
        doc: "The position (in code points) of the first occurrence of `s`, or none.",
        params: [{ name: "s", type: "string" }],
        returns: "int?",
        cost: search("s"),
      },
    },
  },
  Address: {
    doc: "An e-mail address such as `ann+news@example.org`. Two addresses are equal when their local parts are equal and their domains are equal ignoring case. A string literal is accepted where an Address is expected.",
    equatable: true,
    interpolates: true,
    fromStringLiteral: "address",
    maxLength: 320,
    fields: {
      local: { type: "string", doc: "The part before `@` (with its `+tag`).", bound: 64 },
      domain: { type: "string", doc: "The part after `@`, in lower case.", bound: 255 },
      tag: { type: "string?", doc: "The `+tag` of the local part (`news` in `ann+news@example.org`), or none.", bound: 64 },
    },
  },
  Time: {
    doc: "A moment in time. Its calendar fields are read in the rule's time zone (setting `timezone`). `Time - Time` is a Duration; `Time + Duration` and `Time - Duration` are Times. In a string it reads as `2026-11-25T09:00:00+01:00`.",
    maxLength: 32,
    equatable: true,
    ordered: true,
    interpolates: true,
    fields: {
      year: { type: "int", doc: "The year, e.g. 2026.", cost: 2 },
      month: { type: "int", doc: "The month, 1 (January) to 12.", cost: 2 },
      day: { type: "int", doc: "The day of the month, 1 to 31.", cost: 2 },
      hour: { type: "int", doc: "The hour, 0 to 23.", cost: 2 },
      minute: { type: "int", doc: "The minute, 0 to 59.", cost: 2 },
      weekday: { type: "string", doc: "The day of the week in lower case English: `monday` … `sunday`.", cost: 2, bound: 9 },
      date: { type: "string", doc: "The calendar date as `YYYY-MM-DD`.", cost: 2, bound: 10 },
    },
    methods: {
      sameDay: {
        doc: "`true` when both times fall on the same calendar day in the rule's time zone.",
        params: [{ name: "other", type: "Time" }],
        returns: "bool",
        cost: 4,
      },
      startOfDay: {
        doc: "Midnight at the start of this time's day, in the rule's time zone.",
        params: [],
        returns: "Time",
        cost: 3,
      },
    },
  },
  Duration: {
    doc: "A length of time, such as `90m` or `1d`. Durations add and subtract, and multiply or divide by an int.",
    maxLength: 32,
    equatable: true,
    ordered: true,
    interpolates: true,
    fields: {
      days: { type: "int", doc: "Whole days." },
      hours: { type: "int", doc: "Whole hours." },
      minutes: { type: "int", doc: "Whole minutes." },
      seconds: { type: "int", doc: "Whole seconds." },
      ms: { type: "int", doc: "Milliseconds." },
    },
  },
  List: {
    doc: "An ordered list of values. `for x in list` walks its elements.",
    typeParams: ["T"],
    iterates: "T",
    fields: {
      size: { type: "int", doc: "The number of elements.", cost: 1 },
    },
    methods: {
      isEmpty: { doc: "`true` when the list has no elements.", params: [], returns: "bool", cost: 1 },
      contains: {
        doc: "`true` when an element equals `x`.",
        params: [{ name: "x", type: "T" }],
        returns: "bool",
        cost: add(2, mul(size("self"), 2)),
      },
      get: {
        doc: "The element at position `i` (from 0), or none when there is none. `list[i]` is the same.",
        params: [{ name: "i", type: "int" }],
        returns: "T?",
        cost: 1,
        carries: "elements",
      },
      first: { doc: "The first element, or none when the list is empty.", params: [], returns: "T?", cost: 1, carries: "elements" },
      last: { doc: "The last element, or none when the list is empty.", params: [], returns: "T?", cost: 1, carries: "elements" },
      join: {
        doc: "The elements joined into one string with `sep` between them.",
        params: [{ name: "sep", type: "string" }],
        returns: "string",
        receiver: "List<string>",
        cost: add(5, mul(size("self"), 2), ceilDiv(add(total("self"), mul(size("self"), size("sep"))), 16)),
        resultSize: add(total("self"), mul(size("self"), size("sep"))),
      },
      push: {
        doc: "Adds `x` at the end of the list.",
        params: [{ name: "x", type: "T" }],
        returns: "void",
        cost: 2,
        mutates: true,
      },
      take: {
        doc: "A new list of the first `n` elements (all of them when the list is shorter; none when `n` ≤ 0). The elements themselves are not copied: a list or map inside is the same one (use `copy()` for a list that shares nothing).",
        params: [{ name: "n", type: "int", doc: "How many elements to keep." }],
        returns: "List<T>",
        cost: add(2, size("self")),
        resultSize: min(size("self"), value("n")),
        carries: "elements",
      },
      copy: {
        doc: "A deep copy: a new list whose lists, maps and records (at every depth) are new too, so changing one never changes the other.",
        params: [],
        returns: "List<T>",
        // Every element, and everything inside the elements, is visited once.
        cost: add(3, mul(size("self"), 2), ceilDiv(total("self"), 16)),
        carries: "self",
      },
    },
  },
  Map: {
    doc: "A map from keys to values. `for k in map` walks the keys; `for k, v in map` the keys and their values.",
    typeParams: ["K", "V"],
    iterates: "K",
    fields: {
      size: { type: "int", doc: "The number of entries.", cost: 1 },
    },
    methods: {
      isEmpty: { doc: "`true` when the map has no entries.", params: [], returns: "bool", cost: 1 },
      get: {
        doc: "The value for `k`, or none when there is none. `map[k]` is the same.",
        params: [{ name: "k", type: "K" }],
        returns: "V?",
        cost: 3,
        carries: "values",
      },
      has: {
        doc: "`true` when the map has an entry for `k`.",
        params: [{ name: "k", type: "K" }],
        returns: "bool",
        cost: 3,
      },
      set: {
        doc: "Sets the value for `k`.",
        params: [
          { name: "k", type: "K" },
          { name: "v", type: "V" },
        ],
        returns: "void",
        cost: 5,
        mutates: true,
      },
      remove: {
        doc: "Removes the entry for `k`, if any.",
        params: [{ name: "k", type: "K" }],
        returns: "void",
        cost: 5,
        mutates: true,
      },
      keys: {
        doc: "The keys, in insertion order.",
        params: [],
        returns: "List<K>",
        cost: add(2, size("self")),
        resultSize: size("self"),
        carries: "keys",
      },
      values: {
        doc: "The values, in the order of their keys.",
        params: [],
        returns: "List<V>",
        cost: add(2, size("self")),
        resultSize: size("self"),
        carries: "values",
      },
      copy: {
        doc: "A deep copy: a new map whose lists, maps and records (at every depth) are new too, so changing one never changes the other.",
        params: [],
        returns: "Map<K, V>",
        cost: add(3, mul(size("self"), 2), ceilDiv(total("self"), 16)),
        carries: "self",
      },
    },
  },
  Headers: {
    doc: "A message's header fields. Names are matched ignoring case. In a test, a map literal such as `{ \"List-Id\": \"<news.example.org>\" }` gives them.",
    acceptsFrom: ["Map<string, string>"],
    methods: {
      get: {
        doc: "The value of the first header field called `name`, or none.",
        params: [{ name: "name", type: "string" }],
        returns: "string?",
        cost: linear(3, "name"),
        resultSize: limit("header"),
      },
      has: {
        doc: "`true` when the message has a header field called `name`.",
        params: [{ name: "name", type: "string" }],
        returns: "bool",
        cost: linear(3, "name"),
      },
      all: {
        doc: "The values of every header field called `name`, in order.",
        params: [{ name: "name", type: "string" }],
        returns: "List<string>",
        cost: linear(5, "name"),
        resultSize: limit("headers"),
        // Each value is one header field's, checked against `limits.header` before the run.
        elementSize: limit("header"),
        resultTotal: mul(limit("headers"), limit("header")),
      },
    },
  },
  Attachment: {
    doc: "A file attached to a message.",
    fields: {
      filename: { type: "string?", doc: "The file name the sender gave, or none.", bound: "header" },
      contentType: { type: "string", doc: "The MIME type, e.g. `application/pdf`.", bound: "header" },
      size: { type: "int", doc: "The size in bytes." },
    },
  },
  Envelope: {
    doc: "The SMTP envelope: who handed the message to the list, and which address they used.",
    fields: {
      sender: { type: "Address?", doc: "The MAIL FROM address; none for bounces (`MAIL FROM:<>`)." },
      recipient: { type: "Address", doc: "The list address as used (with its `-request` or `+tag` form)." },
      isRequest: { type: "bool", doc: "`true` when the message was sent to the `-request` address." },
      tag: { type: "string?", doc: "The `+tag` of the address used, or none.", bound: 64 },
    },
  },
  Message: {
    doc: "An incoming message. Its header fields are the sender's claims; `now` is when it arrived.",
    fields: {
      from: { type: "Address", doc: "The author (the From header)." },
      to: { type: "List<Address>", doc: "The To addresses.", bound: "recipients" },
      cc: { type: "List<Address>", doc: "The Cc addresses.", bound: "recipients" },
      subject: { type: "string", doc: "The subject (empty when there is none).", bound: "subject" },
      text: { type: "string", doc: "The plain-text body (derived from the HTML part when there is no text part).", bound: "text" },
      html: { type: "string?", doc: "The HTML body, or none.", bound: "html" },
      headers: { type: "Headers", doc: "All header fields." },
      attachments: { type: "List<Attachment>", doc: "The attached files.", bound: "attachments" },
      date: { type: "Time?", doc: "The Date header: the sender's claim, not the clock (use `now` for the arrival time). None when absent or unreadable." },
      messageId: { type: "string", doc: "The Message-ID (without angle brackets).", bound: "header" },
      envelope: { type: "Envelope", doc: "The SMTP envelope." },
    },
    methods: {
      isAutomated: {
        doc: "`true` for automatic mail that must not be answered automatically (RFC 3834): an `Auto-Submitted` header other than `no`, `Precedence: bulk`, `list` or `junk`, or a `List-Id` header.",
        params: [],
        returns: "bool",
        cost: 5,
        autoReplyGuard: true,
      },
    },
  },
  Role: {
    doc: "A member's role: `\"member\"`, `\"moderator\"` or `\"owner\"`.",
    literals: ["member", "moderator", "owner"],
    maxLength: 9,
    equatable: true,
    interpolates: true,
  },
  Member: {
    doc: "A member of the list.",
    fields: {
      address: { type: "Address", doc: "The member's address." },
      name: { type: "string", doc: "The member's name (empty when unknown).", bound: 256 },
      role: { type: "Role", doc: "The member's role." },
      joined: { type: "Time", doc: "When the member joined." },
    },
  },
  Members: {
    doc: "The members of the list (at most `limits.members`). `for m in members` walks them as Member records, in the order they joined.",
    iterates: "Member",
    fields: {
      size: { type: "int", doc: "The number of members.", cost: 1 },
    },
    methods: {
      has: {
        doc: "`true` when `a` is a member.",
        params: [{ name: "a", type: "Address" }],
        returns: "bool",
        cost: 3,
      },
      get: {
        doc: "The member with address `a`, or none.",
        params: [{ name: "a", type: "Address" }],
        returns: "Member?",
        cost: 3,
        carries: "elements",
      },
      owners: {
        doc: "The members whose role is `owner`.",
        params: [],
        returns: "List<Member>",
        cost: add(2, size("self")),
        resultSize: size("self"),
        carries: "elements",
      },
      add: {
        doc: "Subscribes `a` (with an optional display name, kept to its first 256 UTF-16 code units). Does nothing when `a` is already a member; a list already at `limits.members` is an error.",
        params: [
          { name: "a", type: "Address" },
          { name: "name", type: "string", optional: true },
        ],
        returns: "void",
        cost: 20,
        mutates: true,
        capability: "members.add",
      },
      remove: {
        doc: "Unsubscribes `a`. Does nothing when `a` is not a member.",
        params: [{ name: "a", type: "Address" }],
        returns: "void",
        cost: 20,
        mutates: true,
        capability: "members.remove",
      },
    },
  },
  ListInfo: {
    doc: "The list this rule runs for.",
    fields: {
      address: { type: "Address", doc: "The list's address." },
      name: { type: "string", doc: "The list's display name.", bound: 256 },
      owners: { type: "List<Address>", doc: "The addresses of the list's owners.", bound: "members" },
    },
  },
  Recipients: {
    doc: "Whom to send to: one address, a list of addresses, a member, a list of members, or `members` (everyone).",
    acceptsFrom: ["Address", "List<Address>", "Member", "List<Member>", "Members"],
  },
  SendFrom: {
    doc: "On whose behalf a message goes out: `\"list\"` (the list's address) or `\"sender\"` (the author of the message being handled).",
    literals: ["list", "sender"],
    maxLength: 6,
    equatable: true,
  },
  TimeZone: {
    doc: "An IANA time zone name such as `\"Europe/Paris\"` or `\"UTC\"`.",
    fromStringLiteral: "timezone",
    maxLength: 64,
    equatable: true,
    interpolates: true,
  },
  State: {
    doc: "The rule's stored state: the fields declared in its `state { }` block. Changes are saved when the trigger ends, together with the messages it sends.",
  },
};

// ------------------------------------------------------------------ operators

const ORDERINGS = ["<", "<=", ">", ">="] as const;

function arithmetic(op: OperatorDecl["op"], left: string, right: string, result: string, doc: string, c: CostExpr = 1): OperatorDecl {
  return { op, left, right, result, cost: c, doc };
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
  version: "0.2.0",
  costTableVersion: "2",
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
  functions: {
    send: {
      doc: "Sends a new message. By default it comes from the list's address; `from: \"sender\"` sends it on behalf of the author of the message being handled, and `replyTo` says where answers go.",
      params: [
        { name: "to", type: "Recipients", doc: "Whom to send to: an address, a member, a list of either, or `members`." },
        { name: "subject", type: "string" },
        { name: "text", type: "string", doc: "The plain-text body." },
        { name: "html", type: "string", optional: true, doc: "An HTML body, sent alongside the text." },
        { name: "from", type: "SendFrom", optional: true, doc: "`\"list\"` (the default) or `\"sender\"`." },
        { name: "replyTo", type: "SendFrom", optional: true, doc: "`\"list\"` or `\"sender\"`; no Reply-To when absent." },
      ],
      returns: "void",
      cost: add(50, mul(size("to"), 10), ceilDiv(add(size("subject"), size("text"), size("html")), 64)),
      fanout: size("to"),
      capability: "send",
    },
    reply: {
      doc: "Replies to the author of `m`, from the list's address, with the subject `Re: …` unless one is given.",
      params: [
        { name: "m", type: "Message", doc: "The message to answer." },
        { name: "text", type: "string" },
        { name: "subject", type: "string", optional: true },
      ],
      returns: "void",
      cost: add(50, ceilDiv(add(size("text"), size("subject")), 64)),
      fanout: 1,
      capability: "reply",
    },
    forward: {
      doc: "Forwards `m` unchanged (as an attachment-free resend with the list's envelope) to `to`.",
      params: [
        { name: "m", type: "Message" },
        { name: "to", type: "Recipients" },
      ],
      returns: "void",
      cost: add(50, mul(size("to"), 10)),
      fanout: size("to"),
      capability: "forward",
    },
    reject: {
      doc: "Refuses the message with `reason` (sent back to the sender) and ends the trigger.",
      params: [{ name: "reason", type: "string" }],
      returns: "void",
      cost: add(10, ceilDiv(size("reason"), 64)),
      capability: "reject",
      terminates: true,
      onlyIn: "message",
    },
    hold: {
      doc: "Holds the message for a moderator, with `reason`, and ends the trigger.",
      params: [{ name: "reason", type: "string" }],
      returns: "void",
      cost: add(10, ceilDiv(size("reason"), 64)),
      capability: "hold",
      terminates: true,
      onlyIn: "message",
    },
    publish: {
      doc: "Writes `html` to `path` in the list's public archive (served over HTTP). Writing a path again replaces it.",
      params: [
        { name: "path", type: "string", doc: "A relative path such as `2026/11/25.html`." },
        { name: "html", type: "string" },
      ],
      returns: "void",
      cost: add(20, ceilDiv(add(size("path"), size("html")), 64)),
      capability: "publish",
    },
    log: {
      doc: "Writes a line to the rule's log (shown by `thwonkc run` and the admin API).",
      params: [{ name: "text", type: "string" }],
      returns: "void",
      cost: add(5, ceilDiv(size("text"), 64)),
      capability: "log",
    },
    address: {
      doc: "Reads `s` as an e-mail address; none when it is not one.",
      params: [{ name: "s", type: "string" }],
      returns: "Address?",
      cost: linear(5, "s"),
    },
    min: {
      doc: "The smaller of two ints.",
      params: [
        { name: "a", type: "int" },
        { name: "b", type: "int" },
      ],
      returns: "int",
      cost: 1,
    },
    max: {
      doc: "The larger of two ints.",
      params: [
        { name: "a", type: "int" },
        { name: "b", type: "int" },
      ],
      returns: "int",
      cost: 1,
    },
  },
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
  },
  settings: {
    timezone: {
      doc: "The IANA time zone in which `now`, the calendar fields of times and `every day at …` schedules are read.",
      type: "TimeZone",
      default: "UTC",
    },
  },
};
