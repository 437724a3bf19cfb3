/**
 * The declaration's message types: `Headers`, `Attachment`, `Envelope` and
 * `Message` (stdlib/index.ts assembles the declaration).
 */
import { cost, type TypeDeclSpec } from "./decl.js";
import { linear } from "./costs.js";

const { add, ceilDiv, mul, limit } = cost;

export const messageTypes: Record<string, TypeDeclSpec> = {
  Headers: {
    doc: "A message's header fields. Names are matched ignoring case. In a test, a map literal such as `{ \"List-Id\": \"<news.example.org>\" }` gives them.",
    acceptsFrom: ["Map<string, string>"],
    methods: {
      get: {
        doc: "The value of the first header field called `name`, decoded (RFC 2047 encoded words such as `=?UTF-8?Q?Zo=C3=AB?=` read as `Zoë`, on one line), or none. `raw(name)` gives it as written.",
        params: [{ name: "name", type: "string" }],
        returns: "string?",
        walks: ["name"],
        cost: linear(3, "name"),
        resultSize: limit("header"),
      },
      has: {
        doc: "`true` when the message has a header field called `name`.",
        params: [{ name: "name", type: "string" }],
        returns: "bool",
        walks: ["name"],
        cost: linear(3, "name"),
      },
      all: {
        doc: "The values of every header field called `name`, in order, decoded as `get` decodes them.",
        params: [{ name: "name", type: "string" }],
        returns: "List<string>",
        walks: ["name", "limit:headers"],
        // The values are copied out: at most one per header field.
        cost: add(linear(5, "name"), ceilDiv(limit("headers"), 16)),
        resultSize: limit("headers"),
        // Each value is one header field's, checked against `limits.header` before the run.
        elementSize: limit("header"),
        resultTotal: mul(limit("headers"), limit("header")),
      },
      raw: {
        doc: "The value of the first header field called `name` as written (unfolded, encoded words left as they are), or none.",
        params: [{ name: "name", type: "string" }],
        returns: "string?",
        walks: ["name"],
        cost: linear(3, "name"),
        resultSize: limit("header"),
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
      isRequest: {
        type: "bool",
        doc: "`true` when the message was sent to the `-request` address. A rule that reads it answers that address itself; a rule that never does has thwonkd answer it (unsubscribe with a confirmation, help) and never sees that mail.",
        capability: "requests",
      },
      // Within the recipient's local part (contract/values.ts LOCAL_MAX), after its `+`.
      tag: { type: "string?", doc: "The `+tag` of the address used, or none.", bound: 315 },
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
      approved: {
        type: "bool",
        doc: "`true` when a list owner approved this message after a `hold`: the daemon runs the rule again on it with `approved` true and `now` the approval time. `false` on arrival.",
      },
      fromName: { type: "string", doc: "The display name of the From header, decoded (`Zoë` for `=?UTF-8?Q?Zo=C3=AB?= <zoe@example.org>`); empty when it has none.", bound: "header" },
      replyTo: { type: "Address?", doc: "The first address of the Reply-To header, or none." },
    },
    methods: {
      isAutomated: {
        doc: "`true` for automatic mail that must not be answered automatically: an `Auto-Submitted` header other than `no` (RFC 3834), `Precedence: bulk`, `list`, `junk` or `auto_reply`, an `X-Autoreply` header other than `no`, an `X-Autorespond` header, an `X-Auto-Response-Suppress` header naming `All`, `OOF` or `AutoReply`, a `List-Id` header, or no envelope sender (a bounce).",
        params: [],
        returns: "bool",
        walks: [],
        cost: 5,
        autoReplyGuard: true,
      },
    },
  },
};
