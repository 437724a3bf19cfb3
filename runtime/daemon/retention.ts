/**
 * Retention (thwonkd --keep DAYS; docs/daemon.md, "Retention"): a sweep at start and then each hour by the daemon's
 * clock blanks the payloads of records older than DAYS (a message's bytes, a run's actions, an outgoing message's
 * bytes), keeping every row and its metadata, and passes over what is still needed (store/sqlite-retention.ts says
 * what). Then it gives the freed pages back to the file system (incremental vacuum).
 *
 * It never delays mail: each step is one short transaction (50 records or 4 MiB, or up to 3 ms of vacuum: a few milliseconds
 * measured) on the event loop, between two group commits (better-sqlite3 is synchronous, so no commit is ever
 * inside one), through the checkpoint thread's gate as the outbox's marks are, and the event loop runs what waits
 * (SMTP, the next group commit) before the next step. A crash between steps leaves each step whole or absent.
 */
import type { Logger } from "./log.js";
import { daemonMessages as M, say } from "./messages.js";
import { Repeating } from "./repeat.js";
import type { PruneCursor, StampedAhead, Store } from "./store/types.js";

export const DAY_MS = 86_400_000;
/** How often a sweep runs, by the daemon's clock. */
export const SWEEP_EVERY_MS = 3_600_000;
/**
 * How far the clock may move ahead of the time that really passed between two looks (a second apart) before it
 * counts as set forward (TW6061): NTP's small steps stay under it, a clock set a day or a year ahead does not.
 */
export const JUMP_MS = 3_600_000;
/** Records looked at in one step, and pages given back in one: each a few milliseconds on a 2-core machine. */
const STEP_RECORDS = 50;
const VACUUM_PAGES = 64;

export interface SweepReport {
  /** When it began, by the daemon's clock, and the time before which payloads were removed. */
  at: number;
  cutoff: number;
  messages: number;
  runs: number;
  outbox: number;
  /** The payloads' bytes removed. */
  bytes: number;
  /** Records older than the cutoff kept because they are still needed (failed, held, not yet delivered). */
  kept: number;
  /** Bytes given back to the file system, and the store's size after. */
  freed: number;
  storeBytes: number;
  /** How long it took (real time) in how many steps; false when thwonkd stopped before it ended. */
  ms: number;
  steps: number;
  complete: boolean;
  /** The record stamped more than a day after the clock that the records after it wait for (TW6060), if a walk stopped at one. */
  waitingBehind?: StampedAhead;
}

export interface RetentionOptions {
  store: Store;
  clock: () => number;
  log: Logger;
  /** Payloads older than this many days are removed. */
  keepDays: number;
  /** How often to look at the clock (ms); default 1000. */
  tickMs?: number;
  /** The time that really passed (ms), which no one sets (default performance.now): what a jump of the clock is told by. */
  elapsed?: () => number;
  /** The clock is a test's, moved on by jumps on purpose (THWONKD_TEST_CLOCK_FILE): a jump does not hold a sweep back. */
  trustJumps?: boolean;
}

export class Retention {
  private readonly repeating: Repeating;
  /** The clock's time at the last sweep's start: the next is due an hour after it. */
  private lastAt: number | undefined;
  private stopping = false;
  /** The last sweep's report (GET /v1/health). */
  last: SweepReport | undefined;
  /** The clock and the time really passed at the last look: a jump of the clock is the difference of their moves. */
  private seen: { now: number; real: number } | undefined;
  /** After the clock jumped ahead: no sweep before this (in `elapsed`'s time). */
  private settleUntil: number | undefined;
  private readonly elapsed: () => number;

  constructor(private readonly o: RetentionOptions) {
    this.repeating = new Repeating(() => this.tick(), o.tickMs ?? 1000, o.log, "a retention sweep failed");
    this.elapsed = o.elapsed ?? (() => performance.now());
  }

  get keepDays(): number {
    return this.o.keepDays;
  }

  /** The first sweep now, then one an hour by the daemon's clock. */
  start(): void {
    this.repeating.start();
  }

  /** Stops between two steps; resolves when the sweep in progress has stopped. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.repeating.stop();
  }

  /** When the next sweep is due, by the daemon's clock. */
  get nextAt(): number | null {
    if (this.lastAt === undefined) return null;
    const settled = this.settleUntil === undefined ? 0 : this.o.clock() + Math.max(0, this.settleUntil - this.elapsed());
    return Math.max(this.lastAt + SWEEP_EVERY_MS, settled);
  }

  private async tick(): Promise<void> {
    const now = this.o.clock();
    if (this.held(now)) return;
    // Due an hour after the last; at once when the clock was set back behind it (a sweep then removes nothing newer
    // than before: the cutoff moved back with the clock).
    if (this.lastAt !== undefined && now >= this.lastAt && now < this.lastAt + SWEEP_EVERY_MS) return;
    try {
      await this.sweep();
    } catch (err) {
      this.o.log.error({ err }, say(M.sweepFailed, err instanceof Error ? err.message : String(err)));
    }
  }

  /**
   * Whether a sweep is held back because the clock jumped ahead of the time that really passed: a sweep at a clock set
   * a year ahead by mistake would remove a year of payloads for good, so after such a jump the next sweep waits an
   * hour of real time (TW6061), and a clock set right again within it removes nothing early (its next sweep comes an
   * hour after the last, by the clock set right). A clock set right forward (NTP after a long drift, a machine resumed
   * after a suspend, during which the time that passed does not count) only delays that sweep an hour.
   */
  private held(now: number): boolean {
    const real = this.elapsed();
    if (this.seen && !this.o.trustJumps) {
      const ahead = now - this.seen.now - (real - this.seen.real);
      if (ahead > JUMP_MS) {
        this.settleUntil = real + SWEEP_EVERY_MS;
        this.o.log.warn({ retention: { clockAhead: ahead } }, say(M.clockJumped, Math.round(ahead / 60_000), iso(now)));
      } else if (ahead < -JUMP_MS) this.settleUntil = undefined;
    }
    this.seen = { now, real };
    if (this.settleUntil === undefined) return false;
    if (real < this.settleUntil) return true;
    this.settleUntil = undefined;
    return false;
  }

  /** One sweep, step by step, each a transaction of its own, the event loop free between them. */
  async sweep(): Promise<SweepReport> {
    const at = this.o.clock();
    this.lastAt = at;
    const cutoff = at - this.o.keepDays * DAY_MS;
    const t0 = performance.now();
    const r: SweepReport = { at, cutoff, messages: 0, runs: 0, outbox: 0, bytes: 0, kept: 0, freed: 0, storeBytes: 0, ms: 0, steps: 0, complete: false };
    const cursor: PruneCursor = { phase: 0, after: 0 };
    let done = false;
    while (!done && !this.stopping) {
      const step = await this.o.store.prune(cursor, cutoff, at, STEP_RECORDS);
      r.messages += step.messages;
      r.runs += step.runs;
      r.outbox += step.outbox;
      r.bytes += step.bytes;
      r.kept += step.kept;
      if (step.ahead) r.waitingBehind ??= step.ahead;
      r.steps++;
      done = step.done;
      await pace(this.o.store, () => this.stopping);
    }
    const before = await this.o.store.size();
    let freed = 0;
    for (;;) {
      if (this.stopping) break;
      const n = await this.o.store.vacuumStep(VACUUM_PAGES);
      if (n === 0) break;
      freed += n;
      r.steps++;
      await pace(this.o.store, () => this.stopping);
    }
    const size = await this.o.store.size();
    r.freed = freed * before.pageSize;
    r.storeBytes = size.pages * size.pageSize;
    r.complete = done && !this.stopping;
    r.ms = Math.round(performance.now() - t0);
    this.last = r;
    // One line a sweep: what it removed, kept and gave back.
    this.o.log.info({ retention: { keepDays: this.o.keepDays, ...r, cutoff: new Date(cutoff).toISOString() } }, "retention sweep");
    this.warnAhead(r);
    return r;
  }

  /** The record the last warning named (TW6060): said once, not at each hourly sweep that waits behind it again. */
  private warned: string | undefined;

  /**
   * A walk that stopped at a record stamped more than a day after the clock: said, with what to do. Which clock was
   * wrong cannot be told from the store (a clock years ahead for a moment, or one set back now, look the same), and
   * guessing wrong would remove payloads early, so the sweep waits and the operator decides.
   */
  private warnAhead(r: SweepReport): void {
    const w = r.waitingBehind;
    const key = w && `${w.table} ${w.id} ${w.at}`;
    if (!w || key === this.warned) return;
    this.warned = key;
    const what = `${w.table === "messages" ? "message" : "run"} ${w.id}`;
    const days = Math.floor((w.at - r.at) / DAY_MS);
    this.o.log.warn({ retention: { waitingBehind: w } }, say(M.pruneWaits, what, `${w.table}.${w.column}`, iso(w.at), days, iso(r.at)));
  }
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** TW6055: message `id`'s bytes, removed by retention at `at`. */
export function prunedMessage(id: number, at: number): string {
  return say(M.payloadPruned, id, iso(at));
}

/**
 * The event loop's turn, and while the log is far behind its checkpoints, a wait for the checkpoint thread: a sweep
 * writes faster than the disk copies, and at ten checkpoints' worth the event loop would checkpoint itself (100 ms
 * and more, measured on 100,000 messages), delaying mail.
 */
async function pace(store: Store, stopping: () => boolean): Promise<void> {
  await turn();
  for (let waited = 0; store.backlog() >= 2 && waited < 5000 && !stopping(); waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** The event loop's turn: what waits (a connection's data, a finished run, the next group commit) runs first. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
