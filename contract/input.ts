/**
 * The JSON the compiled code reads as its input (`__thwonk_run` in
 * contract/prelude/driver.js, `__message`/`__members` in
 * contract/prelude/library.js). Addresses are canonical (`local@domain`,
 * domain in lower case), times are epoch milliseconds. runtime/input builds
 * it from real mail; runtime/testing builds it for a test.
 */
import type { SavedState } from "./state.js";

export type Role = "member" | "moderator" | "owner";

export const ROLES: readonly Role[] = ["member", "moderator", "owner"];

export interface MemberJson {
  address: string;
  name: string;
  role: Role;
  joined: number;
  /** Delivery failures reported for the member since they joined (RFC 3464 bounces); absent: 0. */
  bounces?: number;
}

export interface AttachmentJson {
  filename: string | null;
  contentType: string;
  size: number;
}

export interface EnvelopeJson {
  /** MAIL FROM; null for a bounce (`MAIL FROM:<>`). */
  sender: string | null;
  /** RCPT TO: the list address as used. */
  recipient: string;
  isRequest: boolean;
  tag: string | null;
}

export interface MessageJson {
  /** The From address; null when the header has none that can be read (the prelude then uses a placeholder). */
  from: string | null;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
  /** Every header field in order: [name as written, raw value unfolded]. */
  headers: [string, string][];
  attachments: AttachmentJson[];
  date: number | null;
  messageId: string;
  envelope: EnvelopeJson;
  /** A list owner approved the message after the rule held it (the daemon's moderation); absent or false on arrival. */
  approved?: boolean;
  /**
   * `headers[i]`'s value decoded (RFC 2047 encoded words, one line: runtime/input/decode.ts), or null where it is
   * the raw value itself; absent, every value is as written. What `headers.get` and `headers.all` give.
   */
  decoded?: (string | null)[];
  /** The From header's display name, decoded; "" (or absent) when it has none. */
  fromName?: string;
  /** The first readable Reply-To address, canonical; null (or absent) when none. */
  replyTo?: string | null;
}

export interface ListJson {
  address: string;
  name: string;
  owners: string[];
}

/** The members in columns, each column's values joined by newlines (see buildInput's memberColumns). */
export interface MemberColumns {
  address: string;
  name: string;
  role: string;
  joined: string;
  /** Each member's bounce count; absent: every count is 0. */
  bounces?: string;
}

/** Offsets of the rule's time zone: [fromEpochMs, offsetMinutes], sorted by time. */
export type OffsetTable = [number, number][];

export interface RunInput {
  /** Gas for the run: the verifier's bound for the trigger when the bundle runs (runtime/run). */
  gas: number;
  /** The trigger's fan-out bound; without it, the rule's `limits.fanout`. */
  fanout?: number;
  now: number;
  tz: OffsetTable;
  list: ListJson;
  /** Columns (buildInput), or records (a test's members, which the code canonicalises and dedupes). */
  members: MemberColumns | readonly MemberJson[];
  /** The state as the last run saved it; null for a first run. */
  state: SavedState | null;
  /** Every limit in its declared unit (characters are code points; the code scales them for its cost table). */
  limits: Record<string, number>;
  message?: MessageJson;
  /** Messages a test names by file (`message = "post.eml"`), as the host parsed them, without the envelope's recipient. */
  emls?: Record<string, unknown>;
  trace?: boolean;
}

/** The input runtime/input builds: members always in columns. */
export interface BuiltInput extends RunInput {
  members: MemberColumns;
}

/**
 * An input made by hand (tests that give the code what no host builds, to
 * see what it tolerates): the code reads it as it reads a RunInput.
 */
export type HandMadeInput = Readonly<Record<string, unknown>>;

/** Something wrong with an input, phrased from the catalog (TW5020–TW5024). */
export interface InputProblem {
  code: string;
  message: string;
}
