/**
 * The daemon's store: one async interface, so that a PostgreSQL store (for
 * several daemons sharing one database) can follow the SQLite one. Every
 * method may be called concurrently; `commitRuns` is the one write that
 * carries a run's whole outcome, in one transaction.
 */
import type { MemberJson, RunAction, RunError } from "../../../contract/index.js";

export type SavedState = Record<string, unknown>;

export interface StoredBundle {
  /** The bundle's sha256: its key. */
  hash: string;
  rule: string;
  compiler: string;
  /** The .thwonk source it was compiled from. */
  source: string;
  /** The bundle file's text (serializeBundle). */
  json: string;
  createdAt: number;
}

export interface Deployment {
  address: string;
  hash: string;
  deployedAt: number;
}

/**
 * A list removed (Daemon.removeList, DELETE /v1/lists/ADDR): what it was and what went with it. Its history (runs,
 * messages, deployments, bundles, outbox) stays; `lastRun` is its last run's id (0: none), so a run of the address
 * up to it is the removed list's, not a list's deployed there since.
 */
export interface ListRemoval {
  id: number;
  address: string;
  /** The version it ran when removed, and its rule's name. */
  hash: string;
  rule: string;
  removedAt: number;
  /** How many members were dropped with it, and how many held messages it still had (they expired with it). */
  members: number;
  held: number;
  lastRun: number;
}

/** Per list address: its members, and its messages held for moderation and still waiting (the lists view's counts). */
export interface ListCounts {
  members: number;
  held: number;
}

export interface MembersSnapshot {
  /** Bumped on every change: the runner ships members to the sandbox only when it moved. */
  version: number;
  members: MemberJson[];
}

export interface StateSnapshot {
  state: SavedState | null;
  /** The bundle the state was saved by: a state saved by another version is migrated before use. */
  hash: string | null;
}

export type MessageStatus = "accepted" | "rejected" | "held" | "failed" | "loop" | "replayed" | "expired";
/** `expired`: a held message no owner decided on in time (holds.ts); no rule ran. */
export type RunOutcome = "ok" | "rejected" | "held" | "failed" | "loop" | "expired";

export interface MessageRecord {
  id: number;
  address: string;
  mailFrom: string | null;
  rcptTo: string;
  receivedAt: number;
  size: number;
  status: MessageStatus;
  /** What mailparser could not read (malformed MIME), in words. */
  problems: string[];
  /** When retention removed its bytes (thwonkd --keep; docs/daemon.md, "Retention"): its raw is then empty, its metadata kept. */
  prunedAt?: number;
  /**
   * Set (true) on a message of a list removed since (list_removals), which no replay runs (TW6047); absent on any
   * other. Read for messages that have a run (every message a run committed: a failed one among them).
   */
  listRemoved?: true;
}

export interface RunRecord {
  id: number;
  address: string;
  trigger: string;
  messageId: number | null;
  /** The time the run saw as `now` (arrival, or the schedule's due time). */
  now: number;
  bundleHash: string;
  outcome: RunOutcome;
  error: RunError | null;
  gasUsed: number;
  gasBound: number;
  actions: RunAction[];
  /** The run this one replays, if any. */
  replayOf: number | null;
  /** For a failed scheduled run: the run that replayed it (a scheduled run is replayed once), or null. */
  replayedBy: number | null;
  /** Whether replay() takes it now: it failed, and its message is still failed (or, run on a schedule, it was not replayed). */
  replayable: boolean;
  /** When it was committed, by the daemon's clock. */
  createdAt: number;
  /** When retention removed its actions (thwonkd --keep): `actions` is then empty, `actionCount` how many it had. */
  prunedAt?: number;
  actionCount?: number;
}

export type MemberChange = { op: "add"; member: MemberJson } | { op: "remove"; address: string };

export interface OutgoingMail {
  /** The Maildir file name this mail is written to (stable: chosen at commit). */
  file: string;
  /** The Message-ID it carries (stable, without brackets). */
  messageId: string;
  recipients: string[];
  /** The action (send, reply, forward) it comes from. */
  action: RunAction;
  /** The RFC 5322 message, composed before the commit: what is written out, byte for byte. */
  raw: Buffer;
}

/** One SMTP transaction to the relay: an outbox row's batch of recipients. */
export interface DeliveryRow {
  id: number;
  outboxId: number;
  /** The list that sends it (its bounce address is the envelope sender). */
  address: string;
  messageId: string;
  recipients: string[];
  attempts: number;
  /** When the batch was planned: the dead-letter window counts from then. */
  createdAt: number;
  raw: Buffer;
}

export type DeliveryStatus = "pending" | "sent" | "failed" | "dead";

/** What became of some of a batch's recipients after an attempt. */
export interface DeliveryPart {
  recipients: string[];
  status: DeliveryStatus;
  attempts: number;
  /** For `pending`: when to try again. */
  nextAt?: number;
  /** The relay's answer (code and text), or the connection's error. */
  code?: number | null;
  response?: string | null;
}

export interface OutboxRow extends OutgoingMail {
  id: number;
  runId: number;
  address: string;
}

/** What a commit made: the run's id, its message's, and its outbox rows' ids in the order of `RunCommit.outbox`. */
export interface CommittedIds {
  runId: number;
  messageId: number | null;
  outboxIds: number[];
}

/** Everything a run changes, committed in one transaction. */
export interface RunCommit {
  address: string;
  message?: { raw: Buffer; mailFrom: string | null; rcptTo: string; receivedAt: number; status: MessageStatus; problems: string[] };
  /** A replay: the stored message the run is about (its status becomes `replayed`). */
  messageId?: number;
  run: Omit<RunRecord, "id" | "messageId" | "address" | "createdAt" | "replayedBy" | "replayable">;
  /** The state after the run; undefined leaves it as it is (a failed run, a loop). */
  state?: SavedState;
  members?: MemberChange[];
  outbox?: OutgoingMail[];
  published?: { path: string; html: string }[];
  /** Schedule bookkeeping: the due time this run stands for. */
  due?: { trigger: string; at: number };
  /** A replay of a failed scheduled run: that run, which this one marks replayed (`replayedBy`) whatever its outcome. */
  replays?: number;
  /** The message's moderation record after this run (holds.ts): held (again), or decided. */
  held?: HeldChange;
  /** A run on a stored message (`messageId`): its new status; default `replayed`. */
  messageStatus?: MessageStatus;
  /** Delivery failures reported for members (bounces.ts): each counts in the member's `bounces`. */
  bounces?: BounceEntry[];
}

/** One recipient's failure in a delivery status report (RFC 3464). */
export interface BounceEntry {
  /** The member's address as the list has it. */
  member: string;
  /** The report's Status (5.x.x) and Action (failed). */
  status: string;
  action: string;
  /** Diagnostic-Code, or "" when the report gave none. */
  diagnostic: string;
  /** When the report arrived. */
  at: number;
  /** Whether a VERP envelope named the member (else the report's Original- or Final-Recipient did). */
  verp: boolean;
  /** The Message-ID of the list's message the report is about: a member's count is of distinct messages. */
  messageId?: string;
}

export interface BounceRecord extends BounceEntry {
  id: number;
  address: string;
  runId: number;
}

/** Where a retention sweep is (Store.prune): which of its phases, and past which id within a phase that pages in memory. */
export interface PruneCursor {
  phase: number;
  after: number;
}

/** What one step of a sweep did: payloads blanked per table, their bytes, rows passed over as still needed, and whether the sweep is done. */
export interface PruneStep {
  messages: number;
  runs: number;
  outbox: number;
  bytes: number;
  kept: number;
  done: boolean;
  /**
   * The record a walk stopped at when it is stamped more than a day after the sweep's clock (PRUNE_AHEAD_MS): every
   * record that came after it waits for it, so until the clock reaches that time nothing new is pruned (TW6060). Its
   * table, id and the column whose time it is (an outgoing message's is its run's).
   */
  ahead?: StampedAhead;
}

/** A record stamped ahead of a sweep's clock, which the records after it wait for (PruneStep.ahead). */
export interface StampedAhead {
  table: "messages" | "runs";
  id: number;
  column: "received_at" | "created_at";
  at: number;
}

/** How far after a sweep's clock a record's time must be for the sweep to say that it waits behind it (a day). */
export const PRUNE_AHEAD_MS = 86_400_000;

/** The store's file: its page size, pages (those in use and free ones) and free pages. */
export interface StoreSize {
  pageSize: number;
  pages: number;
  free: number;
}

export interface RunFilter {
  address?: string;
  failed?: boolean;
  limit?: number;
  /** Runs with an id above this one (paging). */
  after?: number;
  /** The newest this many, still oldest first (instead of `limit`, which takes the oldest). */
  last?: number;
}

export interface Store {
  readonly kind: string;
  close(): Promise<void>;

  putBundle(b: StoredBundle): Promise<void>;
  bundle(hash: string): Promise<StoredBundle | undefined>;
  bundles(): Promise<StoredBundle[]>;
  /**
   * Points `address` at `hash` (kept in the history); the first deployment of an address starts its schedules at `at`,
   * and so does each deployment for the `every` triggers it brings in (`newTriggers`, by name). `state`: the list's state
   * as this version reads it, written in the same transaction (what allowDataLoss drops at the swap).
   */
  deploy(address: string, hash: string, at: number, newTriggers?: readonly string[], state?: SavedState): Promise<void>;
  deployments(): Promise<Deployment[]>;
  deploymentHistory(address: string): Promise<Deployment[]>;
  /**
   * Removes the list deployed at `address` (exactly as stored), in one transaction: records the removal, drops its
   * members, its state, its schedules' bookkeeping, its signing key and its published pages, and expires its held
   * messages; keeps its deployments, bundles, runs, messages, bounces and outbox. A later deploy at the address starts
   * a new list. Throws when no list is deployed there.
   */
  removeList(address: string, at: number): Promise<ListRemoval>;
  /** The removals, oldest first; of one address (any case) when given. */
  removals(address?: string): Promise<ListRemoval[]>;
  /** Each list's counts (ListCounts), for the lists that have any: one read for the lists view. */
  listCounts(): Promise<Map<string, ListCounts>>;

  members(address: string): Promise<MembersSnapshot>;
  /** Applies adds and removes (an add of a present address updates it); returns the new snapshot. */
  changeMembers(address: string, changes: MemberChange[]): Promise<MembersSnapshot>;
  /** Replaces the members (import). */
  setMembers(address: string, members: MemberJson[]): Promise<MembersSnapshot>;

  state(address: string): Promise<StateSnapshot>;
  /** Sets the state outside a run (a migration at deploy). */
  setState(address: string, state: SavedState | null, hash: string): Promise<void>;

  /**
   * Commits each run's outcome, all in one transaction, and returns the run
   * ids in order. If it throws, nothing of any of them was committed. `at`
   * is when, by the daemon's clock (runs' `createdAt`, published pages'
   * `updatedAt`); the real clock when not given.
   */
  commitRuns(commits: RunCommit[], at?: number): Promise<CommittedIds[]>;

  runs(filter?: RunFilter): Promise<RunRecord[]>;
  run(id: number): Promise<RunRecord | undefined>;
  /** The failed runs of these messages, oldest first: the last of a message's is the one to replay. */
  failedRunsOf(messageIds: readonly number[]): Promise<RunRecord[]>;
  /**
   * Failed scheduled runs not replayed, oldest first: the first `limit` (default 1,000), with an id above `after` when
   * given; with `removedLists: false`, none of a list removed since (their `replayable` is false).
   */
  failedSchedules(filter?: { address?: string; limit?: number; after?: number; removedLists?: boolean }): Promise<RunRecord[]>;
  message(id: number): Promise<(MessageRecord & { raw: Buffer }) | undefined>;
  /**
   * Messages oldest first: the first `limit` (default 1,000), with an id above `after` when given (paging); with
   * `removedLists: false`, none of a list removed since (MessageRecord.listRemoved).
   */
  messages(filter?: { address?: string; status?: MessageStatus; limit?: number; after?: number; removedLists?: boolean }): Promise<MessageRecord[]>;

  /** Outbox rows not yet written out, in commit order; with `maxBytes`, rows up to that many bytes (the first whatever its size), those past it not read. */
  pendingOutbox(limit?: number, maxBytes?: number): Promise<OutboxRow[]>;
  markOutboxDone(ids: number[]): Promise<void>;

  /** Hands outbox rows to the relay: each row's batches stored as pending deliveries and the row marked done, in one transaction. */
  planDeliveries(plans: { outboxId: number; batches: string[][] }[], at: number): Promise<void>;
  /** Pending deliveries due at `now`, the earliest first. */
  dueDeliveries(now: number, limit?: number): Promise<DeliveryRow[]>;
  /** The earliest due time of a pending delivery, or null when none is pending. */
  nextDeliveryAt(): Promise<number | null>;
  /** Records an attempt's outcome, in one transaction: the first part updates the row, each other part is a new row of the same message. */
  settleDelivery(row: Pick<DeliveryRow, "id" | "outboxId" | "createdAt">, parts: DeliveryPart[], at: number): Promise<void>;

  published(address: string, path: string): Promise<{ html: string; updatedAt: number } | undefined>;

  /** When the list was first deployed (its schedules count from then), and the latest due time run per trigger. */
  schedule(address: string): Promise<{ since: number | null; last: Map<string, number> }>;

  /** Held messages of a list (or of every list), oldest first; by default only those still waiting (`held`). */
  heldMessages(filter?: { address?: string; status?: HeldStatus | "all"; limit?: number }): Promise<HeldRecord[]>;
  heldMessage(id: number): Promise<HeldRecord | undefined>;
  /** Held messages whose hold began at or before `heldBefore` (their time is up), the oldest first. */
  heldDue(heldBefore: number, limit?: number): Promise<HeldRecord[]>;
  /** One member of a list (addresses compare without case), or undefined. */
  member(address: string, member: string): Promise<MemberJson | undefined>;
  /** The bounces recorded for a list (one member's, when given), oldest first. */
  bounces(address: string, member?: string): Promise<BounceRecord[]>;
  /**
   * The list's signing key for `list.sign` and `list.verify` (runtime/sandbox/tokens.ts), made at its first
   * deployment (or at the first call, for a list deployed before keys were kept). Only for the host side of the
   * list's runs: never in a run's input, never in an API answer.
   */
  tokenKey(address: string): Promise<string>;
  /**
   * Makes every commitRuns so far durable (on the disk, not only in the operating system). The group commit calls it
   * before any answer; a store without it is durable when commitRuns resolves. Rejects when the sync failed: the
   * caller must then trust nothing written since the last successful sync.
   */
  sync?(): Promise<void>;
  /**
   * Everyone the list sent the message with this Message-ID (without brackets) to, canonical (lower case, NFC), with when it was
   * last sent to them (its run's time): one read for a report naming many.
   */
  sentRecipients(address: string, messageId: string): Promise<Map<string, number>>;

  /**
   * One step of a retention sweep (docs/daemon.md, "Retention"), one short transaction: blanks the payloads (a
   * message's bytes, a run's actions, an outgoing message's bytes) of up to `limit` records older than `cutoff`,
   * keeping their metadata and marking them pruned at `at`; passes over, and looks at again in later sweeps, those
   * still needed (a failed or held message, a run it or a pending outgoing message needs, an outgoing message not yet
   * delivered). Moves `cursor` on; done once no record older than `cutoff` is left to look at. A record after one not
   * older than `cutoff` (in commit order) waits for it, so a clock set back prunes nothing new.
   */
  prune(cursor: PruneCursor, cutoff: number, at: number, limit: number): Promise<PruneStep>;
  /** Gives up to `pages` free pages back to the file system (incremental vacuum); the pages given back. */
  vacuumStep(pages: number): Promise<number>;
  /** How far the log is behind its checkpoints (1: as far as a checkpoint is due); 0 for a store without one. */
  backlog(): number;
  size(): Promise<StoreSize>;
}

/** Where a held message stands: waiting, or what became of it. */
export type HeldStatus = "held" | "approved" | "rejected" | "expired";

/** A message in a list's moderation queue, keyed by its message's id. */
export interface HeldRecord {
  id: number;
  address: string;
  /** The envelope sender and the From and Subject, as they were when it was held (for the owners' list). */
  mailFrom: string | null;
  from: string | null;
  subject: string;
  /** The reason the rule gave to its latest `hold`. */
  reason: string;
  /** When the latest hold began: arrival, or the approval the rule held again. Expiry counts from here. */
  heldAt: number;
  /** The run that held it last. */
  runId: number;
  status: HeldStatus;
  decidedAt: number | null;
  /** The run that carried the decision (the approval's run, or the rejection's or expiry's record). */
  decisionRun: number | null;
  /** The owner's note on a rejection. */
  note: string | null;
}

/** What a run does to a message's moderation record (RunCommit.held). */
export type HeldChange =
  | { op: "hold"; reason: string; from: string | null; subject: string; mailFrom: string | null; at: number }
  | { op: "decide"; status: Exclude<HeldStatus, "held">; at: number; note?: string };
