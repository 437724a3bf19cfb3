/**
 * The declaration's actions and functions: what a rule can do (`send`,
 * `reply`, `forward`, `reject`, `hold`, `publish`, `log`, each with the
 * capability it needs and, for mail, its fan-out), the pure helpers, and
 * the types their parameters take (`Recipients`, `SendFrom`).
 * stdlib/index.ts assembles the declaration.
 */
import { linear } from "./costs.js";
import { cost, type FunctionDecl, type TypeDeclSpec } from "./decl.js";

const { size, add, mul, ceilDiv } = cost;

export const actionTypes: Record<string, TypeDeclSpec> = {
  Recipients: {
    doc: "Whom to send to: one address, a list of addresses, a member, a list of members, or `members` (everyone).",
    acceptsFrom: ["Address", "List<Address>", "Member", "List<Member>", "Members"],
    atRun: { size: "__rcount" },
  },
  SendFrom: {
    doc: "On whose behalf a message goes out: `\"list\"` (the list's address) or `\"sender\"` (the author of the message being handled).",
    literals: ["list", "sender"],
    maxLength: 6,
    equatable: true,
  },
};

export const functions: Record<string, FunctionDecl> = {
  send: {
    doc: "Sends a new message. By default it comes from the list's address; `from: \"sender\"` sends it on behalf of the author of the message being handled, and `replyTo` says where answers go.",
    params: [
      { name: "to", type: "Recipients", doc: "Whom to send to: an address, a member, a list of either, or `members`." },
      { name: "subject", type: "string" },
      { name: "text", type: "string", doc: "The plain-text body." },
      { name: "html", type: "string", optional: true, doc: "An HTML body, sent alongside the text." },
      { name: "from", type: "SendFrom", optional: true, doc: "`\"list\"` (the default) or `\"sender\"`." },
      { name: "replyTo", type: "SendFrom", optional: true, doc: "`\"list\"` or `\"sender\"`; no Reply-To when absent." },
      {
        name: "thread",
        type: "Message",
        optional: true,
        records: "messageId",
        doc: "A message this one answers: it goes in that message's thread (In-Reply-To its Message-ID, References its thread and it).",
      },
    ],
    returns: "void",
    walks: ["to", "subject", "text", "html"],
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
    walks: ["text", "subject"],
    cost: add(50, ceilDiv(add(size("text"), size("subject")), 64)),
    fanout: 1,
    capability: "reply",
  },
  forward: {
    doc: "Forwards `m` to `to` as it came (attachments, HTML, signatures and threading kept), on behalf of its author with the list's envelope; with a new `subject` and a `footer` added to its text and HTML when given.",
    params: [
      { name: "m", type: "Message" },
      { name: "to", type: "Recipients" },
      { name: "subject", type: "string", optional: true, doc: "A new subject (m's own when absent), e.g. `\"[{list.name}] {m.subject}\"`." },
      {
        name: "footer",
        type: "string",
        optional: true,
        doc: "Text added after m's body: at the end of its text part and before `</body>` of its HTML part; a signed or encrypted message gets it as a part of its own, so its signature still verifies.",
      },
    ],
    returns: "void",
    walks: ["to", "subject", "footer"],
    cost: add(50, mul(size("to"), 10), ceilDiv(add(size("subject"), size("footer")), 32)),
    fanout: size("to"),
    capability: "forward",
  },
  reject: {
    doc: "Refuses the message with `reason` (sent back to the sender) and ends the trigger.",
    params: [{ name: "reason", type: "string" }],
    returns: "void",
    walks: ["reason"],
    cost: add(10, ceilDiv(size("reason"), 64)),
    capability: "reject",
    terminates: true,
    onlyIn: "message",
  },
  hold: {
    doc: "Holds the message for a moderator, with `reason`, and ends the trigger.",
    params: [{ name: "reason", type: "string" }],
    returns: "void",
    walks: ["reason"],
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
    walks: ["path", "html"],
    cost: add(20, ceilDiv(add(size("path"), size("html")), 64)),
    capability: "publish",
  },
  log: {
    doc: "Writes a line to the rule's log (shown by `thwonkc run` and the admin API).",
    params: [{ name: "text", type: "string" }],
    returns: "void",
    walks: ["text"],
    // Most of a log's cost is its action crossing back to the host as JSON (calibration: about 8 µs a call).
    cost: add(20, ceilDiv(size("text"), 64)),
    capability: "log",
  },
  address: {
    doc: "Reads `s` as an e-mail address; none when it is not one.",
    params: [{ name: "s", type: "string" }],
    returns: "Address?",
    walks: ["s"],
    cost: linear(5, "s"),
  },
  min: {
    doc: "The smaller of two ints.",
    params: [
      { name: "a", type: "int" },
      { name: "b", type: "int" },
    ],
    returns: "int",
    walks: [],
    cost: 1,
  },
  max: {
    doc: "The larger of two ints.",
    params: [
      { name: "a", type: "int" },
      { name: "b", type: "int" },
    ],
    returns: "int",
    walks: [],
    cost: 1,
  },
};
