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

export type MessageStatus = "accepted" | "rejected" | "held" | "failed" | "loop" | "replayed";
export type RunOutcome = "ok" | "rejected" | "held" | "failed" | "loop";

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
  createdAt: number;
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

/** Everything a run changes, committed in one transaction. */
export interface RunCommit {
  address: string;
  message?: { raw: Buffer; mailFrom: string | null; rcptTo: string; receivedAt: number; status: MessageStatus; problems: string[] };
  /** A replay: the stored message the run is about (its status becomes `replayed`). */
  messageId?: number;
  run: Omit<RunRecord, "id" | "messageId" | "address" | "createdAt">;
  /** The state after the run; undefined leaves it as it is (a failed run, a loop). */
  state?: SavedState;
  members?: MemberChange[];
  outbox?: OutgoingMail[];
  published?: { path: string; html: string }[];
  /** Schedule bookkeeping: the due time this run stands for. */
  due?: { trigger: string; at: number };
}

export interface RunFilter {
  address?: string;
  failed?: boolean;
  limit?: number;
  /** Runs with an id above this one (paging). */
  after?: number;
}

export interface Store {
  readonly kind: string;
  close(): Promise<void>;

  putBundle(b: StoredBundle): Promise<void>;
  bundle(hash: string): Promise<StoredBundle | undefined>;
  bundles(): Promise<StoredBundle[]>;
  /** Points `address` at `hash` (kept in the history); the first deployment of an address starts its schedules at `at`. */
  deploy(address: string, hash: string, at: number): Promise<void>;
  deployments(): Promise<Deployment[]>;
  deploymentHistory(address: string): Promise<Deployment[]>;

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
   * ids in order. If it throws, nothing of any of them was committed.
   */
  commitRuns(commits: RunCommit[]): Promise<{ runId: number; messageId: number | null }[]>;

  runs(filter?: RunFilter): Promise<RunRecord[]>;
  run(id: number): Promise<RunRecord | undefined>;
  message(id: number): Promise<(MessageRecord & { raw: Buffer }) | undefined>;
  messages(filter?: { address?: string; status?: MessageStatus; limit?: number }): Promise<MessageRecord[]>;

  /** Outbox rows not yet written out, in commit order. */
  pendingOutbox(limit?: number): Promise<OutboxRow[]>;
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

  /**
   * Makes every commitRuns so far durable (on the disk, not only in the operating system). The group commit calls it
   * before any answer; a store without it is durable when commitRuns resolves. Rejects when the sync failed: the
   * caller must then trust nothing written since the last successful sync.
   */
  sync?(): Promise<void>;
}
