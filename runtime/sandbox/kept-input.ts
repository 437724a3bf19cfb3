/**
 * The parts of a run's input that stay the same from run to run of a list: the time zone's offsets (`tz`), the
 * list's address, name and owners (`list`) and the rule's limits (`limits`); runtime/input/json-parts.ts keeps
 * their JSON on the host's side. A reused context (engine.ts) keeps them parsed and frozen per list, as it keeps
 * the members (kept-members.ts), so that a run parses only what changes: its time, state and message. A kept part
 * is used only while its text is the very text of the run's input; the driver (contract/prelude/driver.js) puts
 * the parts back into the parsed input, which is then what parsing the whole of it gave, frozen where kept.
 */
import { type Kept, KeptHandles, type Made } from "./kept-handles.js";
import { OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, QUOTE, BACKSLASH, COMMA, COLON, looseValueEnd } from "./splice.js";

/** The top-level keys kept. */
export const KEPT_KEYS: ReadonlySet<string> = new Set(["tz", "list", "limits"]);

/** Lists kept per context (least recently used first out), and their characters (a share of the memory limit). */
const MAX_KEPT_LISTS = 1024;
export const KEPT_INPUT_SHARE = 1 / 64;

/**
 * The input cut in two: `keptJson` the object of its kept keys, `restJson` of all others, each member as the input
 * wrote it and in its order (the message without the members that read as their absence: `compactObject`), so that
 * parsing the two gives the members parsing the whole gives, as the driver reads them. Undefined for an
 * input this cannot cut so (not an object written without spaces between its members, a key with an escape in it,
 * text that ends too soon) or without a kept key: such an input is parsed whole. Only the top level is read: a
 * string is skipped to its closing quote, anything nested to its closing bracket (JSON.parse then reads each part).
 * One pass over the text, the message's members read in it, with no object made per member: a run pays for this
 * on the worker's thread. With `pack`, a message's run as the daemon gives it comes back packed (PACKED): `restJson`
 * is then an array, which the driver reads only where the context keeps parts (the engine asks for it for code with
 * the prelude).
 */
export function splitInput(json: string, pack = false): { keptJson: string; restJson: string } | undefined {
  const n = json.length;
  if (n <= 2 || json.charCodeAt(0) !== OPEN_BRACE || json.charCodeAt(n - 1) !== CLOSE_BRACE) return undefined;
  let kept = "";
  let rest = "";
  let i = 1;
  // Packing (see PACKED): the top level's members by their place in PACKED (the message's own packed by
  // packMessage), until a member the packed form cannot hold is seen. The packed message's place in `rest`
  // (`messageAt` its text in `json`, `restAt` where it goes in `rest`), should the input keep its form after all.
  let packing = pack;
  if (packing) packed.fill(undefined);
  let messageAt = -1;
  let messageEnd = -1;
  let restAt = -1;
  const unpack = (): void => {
    packing = false;
    if (messageAt < 0) return;
    // packMessage read this message whole: compactObject reads it too.
    const message = compactObject(json, messageAt, MESSAGE_DEFAULTS) ?? json.slice(messageAt, messageEnd);
    rest = rest.slice(0, restAt) + '"message":' + message + rest.slice(restAt);
    messageAt = -1;
  };
  for (;;) {
    const colon = keyAt(json, i);
    if (colon < 0) return undefined;
    const start = colon + 1;
    let end = -1;
    let text: string | undefined;
    let packedHere = false;
    if (colon - i === 9 && json.startsWith('"message"', i) && json.charCodeAt(start) === OPEN_BRACE) {
      if (packing && messageAt < 0 && packMessage(json, start) && isEnd(json.charCodeAt(compactEnd))) {
        end = compactEnd;
        packedHere = true;
      } else {
        unpack();
        const message = compactObject(json, start, MESSAGE_DEFAULTS);
        if (message !== undefined && isEnd(json.charCodeAt(compactEnd))) {
          end = compactEnd;
          text = '"message":' + message;
        }
      }
    }
    if (end < 0) {
      end = looseValueEnd(json, start);
      if (end < 0) return undefined;
    }
    if (isKept(json, i, colon)) kept += (kept === "" ? "{" : ",") + json.slice(i, end);
    else {
      rest += rest === "" ? "{" : ",";
      if (packedHere) {
        messageAt = start;
        messageEnd = end;
        restAt = rest.length;
      } else {
        if (packing) {
          const at = text === undefined ? packedTop(json, i, colon) : -1;
          if (at < 0 || packed[at] !== undefined) unpack();
          else packed[at] = json.slice(start, end);
        }
        rest += text ?? json.slice(i, end);
      }
    }
    if (end === n - 1) break;
    if (json.charCodeAt(end) !== COMMA) return undefined;
    i = end + 1;
  }
  if (kept === "") return undefined;
  if (packing && messageAt >= 0 && packed[P_GAS] !== undefined && packed[P_NOW] !== undefined && packed[P_STATE] !== undefined && packed[P_FANOUT] !== undefined) {
    let out = "[";
    for (let k = 0; k < PACKED.length; k++) out += (k === 0 ? "" : ",") + (packed[k] ?? "null");
    return { keptJson: kept + "}", restJson: out + "]" };
  }
  unpack();
  return { keptJson: kept + "}", restJson: rest === "" ? "{}" : rest + "}" };
}

/**
 * The packed form of a run's input (splitInput with `pack`, which the engine asks for code with the prelude): the
 * input's members one after another in an array, by their place here, for the input the daemon gives a message's
 * run: the top level's gas, now, state and fanout (and the parts kept), its message's from, to, subject, text,
 * headers, date (or none: null), messageId and its envelope's sender and recipient, all other members of the
 * message and envelope reading as their absence. QuickJS's JSON.parse makes an atom and a property of each key:
 * an array of the same values parses in about two thirds of the time. The driver (contract/prelude/driver.js
 * `__drive`, library.js `__packedMessage`) reads it as the object it stands for. Any other input keeps its form.
 */
const PACKED = ["gas", "now", "state", "fanout", "from", "to", "subject", "text", "headers", "date", "messageId", "sender", "recipient"] as const;
const [P_GAS, P_NOW, P_STATE, P_FANOUT, P_FROM] = [0, 1, 2, 3, 4];
const P_DATE = 9;
const P_SENDER = 11;
const packed: (string | undefined)[] = new Array(PACKED.length).fill(undefined);

/** The place in PACKED of the top-level key at `i` (its colon at `colon`): gas, now, state or fanout; else -1. */
function packedTop(json: string, i: number, colon: number): number {
  for (let k = P_GAS; k < P_FROM; k++) {
    const key = PACKED[k]!;
    if (colon - i === key.length + 2 && json.startsWith(key, i + 1)) return k;
  }
  return -1;
}

/** The place in PACKED of the key at `i` (its colon at `colon`) among `from` to `to` (exclusive), or -1. */
function packedKey(json: string, i: number, colon: number, from: number, to: number): number {
  for (let k = from; k < to; k++) {
    const key = PACKED[k]!;
    if (colon - i === key.length + 2 && json.startsWith(key, i + 1)) return k;
  }
  return -1;
}

/**
 * Reads the message object at `s` into `packed` (from its place P_FROM on): true when each of its members is one
 * packed (each once, all but `date` there) or one that reads as its absence (MESSAGE_DEFAULTS' texts), and its
 * envelope likewise has a sender and a recipient and nothing else that reads otherwise. `compactEnd` is then the
 * index after its closing brace.
 */
function packMessage(json: string, s: number): boolean {
  if (json.charCodeAt(s + 1) === CLOSE_BRACE) return false;
  let i = s + 1;
  let seen = 0;
  for (;;) {
    const colon = keyAt(json, i);
    if (colon < 0) return false;
    const vs = colon + 1;
    let ve: number;
    const at = packedKey(json, i, colon, P_FROM, P_SENDER);
    if (at >= 0) {
      if (packed[at] !== undefined) return false;
      ve = looseValueEnd(json, vs);
      if (ve < 0) return false;
      packed[at] = json.slice(vs, ve);
    } else if (colon - i === 10 && json.startsWith('"envelope"', i)) {
      if (seen & 1 || json.charCodeAt(vs) !== OPEN_BRACE) return false;
      seen |= 1;
      ve = packEnvelope(json, vs);
      if (ve < 0) return false;
    } else {
      const k = defaultAt(MESSAGE_DEFAULTS, json, i, colon);
      const def = k < 0 ? undefined : MESSAGE_DEFAULTS[k]!;
      if (def === undefined || def.nested || seen & (2 << k)) return false;
      seen |= 2 << k;
      ve = looseValueEnd(json, vs);
      if (ve < 0) return false;
      if (def.value !== undefined ? !(ve - vs === def.value.length && json.startsWith(def.value, vs)) : !allNull(json, vs, ve)) return false;
    }
    if (json.charCodeAt(ve) === CLOSE_BRACE) {
      compactEnd = ve + 1;
      if (!(seen & 1)) return false;
      for (let k = P_FROM; k < PACKED.length; k++) if (packed[k] === undefined && k !== P_DATE) return false;
      return true;
    }
    if (json.charCodeAt(ve) !== COMMA) return false;
    i = ve + 1;
  }
}

/** The envelope at `s` into `packed`: its sender and recipient, each once, and no other member but those that read as their absence. The index of what ends it, or -1. */
function packEnvelope(json: string, s: number): number {
  if (json.charCodeAt(s + 1) === CLOSE_BRACE) return -1;
  let i = s + 1;
  let seen = 0;
  for (;;) {
    const colon = keyAt(json, i);
    if (colon < 0) return -1;
    const vs = colon + 1;
    const ve = looseValueEnd(json, vs);
    if (ve < 0) return -1;
    const at = packedKey(json, i, colon, P_SENDER, PACKED.length);
    if (at >= 0) {
      if (packed[at] !== undefined) return -1;
      packed[at] = json.slice(vs, ve);
    } else {
      const k = defaultAt(ENVELOPE_DEFAULTS, json, i, colon);
      if (k < 0 || seen & (1 << k)) return -1;
      seen |= 1 << k;
      const value = ENVELOPE_DEFAULTS[k]!.value!;
      if (!(ve - vs === value.length && json.startsWith(value, vs))) return -1;
    }
    if (json.charCodeAt(ve) === CLOSE_BRACE) {
      // What ends the envelope's value in the message: the character after its closing brace.
      return ve + 1;
    }
    if (json.charCodeAt(ve) !== COMMA) return -1;
    i = ve + 1;
  }
}

/** A member whose value's text reads as its absence (`value`), or is all nulls (`allNull`), or an object read so in turn (`nested`). */
interface Default {
  key: string;
  value?: string;
  allNull?: boolean;
  nested?: readonly Default[];
}

/**
 * A message's members that read as their absence does (contract/prelude/library.js `__message`: a missing `cc` is
 * no addresses, a missing `html` none, and so on; `decoded` all nulls is no field decoded), by their text as the
 * host writes them. Left out of the JSON a run parses: QuickJS's JSON.parse costs about half a microsecond per
 * member. The envelope's likewise. Keys with their quotes.
 */
const ENVELOPE_DEFAULTS: readonly Default[] = [
  { key: '"isRequest"', value: "false" },
  { key: '"tag"', value: "null" },
];
const MESSAGE_DEFAULTS: readonly Default[] = [
  { key: '"cc"', value: "[]" },
  { key: '"html"', value: "null" },
  { key: '"attachments"', value: "[]" },
  { key: '"fromName"', value: '""' },
  { key: '"replyTo"', value: "null" },
  { key: '"date"', value: "null" },
  { key: '"approved"', value: "false" },
  { key: '"decoded"', allNull: true },
  { key: '"envelope"', nested: ENVELOPE_DEFAULTS },
];

/** The index in `defaults` of the key written at json[i, colon), or -1. */
function defaultAt(defaults: readonly Default[], json: string, i: number, colon: number): number {
  for (let d = 0; d < defaults.length; d++) {
    const key = defaults[d]!.key;
    if (key.length === colon - i && json.startsWith(key, i)) return d;
  }
  return -1;
}

/** Where the object compactObject last read ends (the index after its closing brace). */
let compactEnd = 0;

/**
 * The object at `s` without its members that read as their absence; undefined when it is not one this reads so
 * (an escaped key, a key of `defaults` twice, not written without spaces): the caller then keeps its text as it is.
 * Members kept side by side are copied as one slice.
 */
function compactObject(json: string, s: number, defaults: readonly Default[]): string | undefined {
  if (json.charCodeAt(s + 1) === CLOSE_BRACE) {
    compactEnd = s + 2;
    return "{}";
  }
  let out = "";
  // Members kept and not yet copied: json.slice(runStart, runEnd).
  let runStart = -1;
  let runEnd = -1;
  let seen = 0;
  let i = s + 1;
  for (;;) {
    const colon = keyAt(json, i);
    if (colon < 0) return undefined;
    const vs = colon + 1;
    const k = defaultAt(defaults, json, i, colon);
    const def = k < 0 ? undefined : defaults[k]!;
    if (k >= 0) {
      if (seen & (1 << k)) return undefined;
      seen |= 1 << k;
    }
    let ve = -1;
    let drop = false;
    let replaced: string | undefined;
    if (def?.nested && json.charCodeAt(vs) === OPEN_BRACE) {
      const inner = compactObject(json, vs, def.nested);
      if (inner !== undefined) {
        ve = compactEnd;
        if (!isEnd(json.charCodeAt(ve))) return undefined;
        if (inner.length !== ve - vs) replaced = inner;
      }
    }
    if (ve < 0) {
      ve = looseValueEnd(json, vs);
      if (ve < 0) return undefined;
      if (def?.value !== undefined) drop = ve - vs === def.value.length && json.startsWith(def.value, vs);
      else if (def?.allNull) drop = allNull(json, vs, ve);
    }
    if (drop || replaced !== undefined) {
      if (runStart >= 0) out += (out === "" ? "{" : ",") + json.slice(runStart, runEnd);
      runStart = -1;
      if (replaced !== undefined) out += (out === "" ? "{" : ",") + json.slice(i, vs) + replaced;
    } else if (runStart >= 0 && runEnd === i - 1) {
      runEnd = ve;
    } else {
      if (runStart >= 0) out += (out === "" ? "{" : ",") + json.slice(runStart, runEnd);
      runStart = i;
      runEnd = ve;
    }
    if (json.charCodeAt(ve) === CLOSE_BRACE) {
      compactEnd = ve + 1;
      // Nothing left out: the object's own text.
      if (out === "" && runStart === s + 1) return json.slice(s, ve + 1);
      if (runStart >= 0) out += (out === "" ? "{" : ",") + json.slice(runStart, runEnd);
      return out === "" ? "{}" : out + "}";
    }
    i = ve + 1;
  }
}

/** The index of the colon after the key whose opening quote is at `i`; -1 when there is none there, or the key has an escape (it could spell a key read here). */
function keyAt(json: string, i: number): number {
  if (json.charCodeAt(i) !== QUOTE) return -1;
  const q = json.indexOf('"', i + 1);
  if (q < 0 || json.charCodeAt(q + 1) !== COLON) return -1;
  for (let k = i + 1; k < q; k++) if (json.charCodeAt(k) === BACKSLASH) return -1;
  return q + 1;
}

/** Whether the key at `i` (its colon at `colon`) is one of KEPT_KEYS. */
function isKept(json: string, i: number, colon: number): boolean {
  const len = colon - i;
  return (len === 4 && json.startsWith('"tz"', i)) || (len === 6 && json.startsWith('"list"', i)) || (len === 8 && json.startsWith('"limits"', i));
}

const isEnd = (c: number): boolean => c === COMMA || c === CLOSE_BRACE;

/** Whether json[a, b) is `[]` or `[null,...,null]`. */
function allNull(json: string, a: number, b: number): boolean {
  if (json.charCodeAt(a) !== OPEN_BRACKET || json.charCodeAt(b - 1) !== CLOSE_BRACKET) return false;
  if (b - a === 2) return true;
  for (let k = a + 1; ; k += 5) {
    if (!json.startsWith("null", k)) return false;
    if (k + 4 === b - 1) return true;
    if (json.charCodeAt(k + 4) !== COMMA) return false;
  }
}

/** The parts kept for each list (KeptHandles: least recently used first, within a count and characters). */
export class KeptInputs extends KeptHandles<Kept & { json: string }> {
  constructor() {
    super(MAX_KEPT_LISTS);
  }

  /** The list's kept parts for a run whose parts are `json`: the kept ones when their text is the same, else made by `make` and kept. */
  keep(listKey: string, json: string, make: (json: string) => Made): Made {
    const kept = this.take(listKey);
    if (kept && kept.json === json) {
      this.put(listKey, kept);
      return { ok: true, handle: kept.handle };
    }
    kept?.handle.dispose();
    const made = make(json);
    if (!made.ok) return made;
    this.put(listKey, { json, chars: json.length, handle: made.handle });
    return made;
  }
}
