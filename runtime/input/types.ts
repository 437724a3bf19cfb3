/**
 * The JSON the compiled code reads as its input (see `__thwonk_run` in
 * compiler/emit/emitter.ts and `__message`/`__members` in the prelude).
 * Addresses are canonical (`local@domain`, domain in lower case), times are
 * epoch milliseconds.
 */

export type Role = "member" | "moderator" | "owner";

export const ROLES: readonly Role[] = ["member", "moderator", "owner"];

export interface MemberJson {
  address: string;
  name: string;
  role: Role;
  joined: number;
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
}

/** Offsets of the rule's time zone: [fromEpochMs, offsetMinutes], sorted by time. */
export type OffsetTable = [number, number][];

export interface RunInput {
  gas: number;
  now: number;
  tz: OffsetTable;
  list: ListJson;
  members: MemberColumns;
  state: Record<string, unknown> | null;
  /** Every limit in its declared unit (characters are code points; the code scales them for its cost table). */
  limits: Record<string, number>;
  message?: MessageJson;
  trace?: boolean;
}

/** Something wrong with an input, phrased from the catalog (TW5020–TW5024). */
export interface InputProblem {
  code: string;
  message: string;
}
