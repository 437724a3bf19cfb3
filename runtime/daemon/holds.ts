/**
 * Moderation: the messages a rule `hold`s wait in their list's queue (the
 * store's `held` records) until an owner approves or rejects them, or their
 * time is up. Every decision goes through the list's one queue in the
 * runner, so it is ordered with the list's runs and a second decision on
 * the same message sees the first.
 *
 * - Approve: the rule runs again on the stored message with `m.approved`
 *   true, `now` the approval time, on the list's current state and version;
 *   its outcome is committed like any run's (mail to the outbox or relay).
 *   A second `hold` keeps it held with the new reason (its time starts
 *   again); a failed run leaves it held, so it can be approved again after a
 *   fix.
 * - Reject: the decision and the owner's note are recorded (a run record
 *   `moderation`/`rejected`); no mail goes to the sender, whose address a
 *   stranger's message does not prove (backscatter).
 * - Expiry: a message held longer than `expiry` (the config's holdExpiry)
 *   becomes a run record `moderation`/`expired`; no rule runs, nothing is
 *   sent. The clock is the daemon's (the scheduler's, so a test can move it).
 */
import type { MessageJson, RunAction } from "../../contract/index.js";
import type { GroupCommitter } from "./commit.js";
import type { Logger } from "./log.js";
import { Repeating } from "./repeat.js";
import { daemonMessages as M, say } from "./messages.js";
import { type Answer, type Delivery, ListGone, type Runner } from "./runner.js";
import type { HeldRecord, HeldStatus, RunCommit, RunOutcome, RunRecord, Store } from "./store/types.js";

export const DEFAULT_HOLD_EXPIRY = 14 * 86_400_000;
/** The longest note an owner may give a rejection, in UTF-16 units. */
export const MAX_NOTE = 2000;

/** A stored message run again: a replay of a failed run, or an approval (`approved`). */
export interface RunAgain {
  messageId: number;
  replayOf: number | null;
  approved?: boolean;
}

/** Why a decision was refused: no such held message, already decided (or expired), or the rule could not run. */
export class HeldRefusal extends Error {
  override readonly name = "HeldRefusal";
  constructor(
    readonly kind: "missing" | "decided" | "notRun",
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a message run does to its moderation record and its stored status
 * (runner.ts calls this for every run on a message): a `hold` starts (or
 * restarts) the hold; an approval's run that did not fail decides it.
 */
export function holdEffects(
  outcome: RunOutcome,
  hold: RunAction | undefined,
  message: MessageJson,
  d: Pick<Delivery, "mailFrom" | "receivedAt">,
  again: RunAgain | undefined,
): Pick<RunCommit, "held" | "messageStatus"> {
  if (outcome === "held") {
    const reason = typeof hold?.["reason"] === "string" ? hold["reason"] : "";
    return {
      held: { op: "hold", reason, from: message.from, subject: message.subject, mailFrom: d.mailFrom, at: d.receivedAt },
      ...(again ? { messageStatus: "held" } : {}),
    };
  }
  if (!again?.approved) return {};
  // A failed run changes nothing: the message stays held, to be approved again after a fix.
  if (outcome === "failed") return { messageStatus: "held" };
  return { held: { op: "decide", status: "approved", at: d.receivedAt }, messageStatus: outcome === "ok" ? "accepted" : outcome };
}

export interface HoldsOptions {
  store: Store;
  runner: Runner;
  committer: GroupCommitter;
  clock: () => number;
  log: Logger;
  /** How often to look for expired holds (ms); default 1000. */
  tickMs?: number;
}

export interface Approval {
  held: HeldRecord;
  answer: Answer;
  run: RunRecord | null;
}

export class Holds {
  /** How long a message may wait (ms), from its latest hold. */
  expiry = DEFAULT_HOLD_EXPIRY;
  private readonly repeating: Repeating;

  constructor(private readonly o: HoldsOptions) {
    this.repeating = new Repeating(() => this.sweep(), o.tickMs ?? 1000, o.log, "the sweep of expired holds failed");
  }

  start(): void {
    this.repeating.start();
  }

  async stop(): Promise<void> {
    await this.repeating.stop();
  }

  /** A held message with when it expires (while it waits). */
  view(h: HeldRecord): HeldRecord & { expiresAt: number | null } {
    return { ...h, expiresAt: h.status === "held" ? h.heldAt + this.expiry : null };
  }

  list(address: string, status?: HeldStatus | "all", limit?: number): Promise<HeldRecord[]> {
    return this.o.store.heldMessages({ address, ...(status ? { status } : {}), ...(limit !== undefined ? { limit } : {}) });
  }

  async get(id: number): Promise<HeldRecord> {
    const h = await this.o.store.heldMessage(id);
    if (!h) throw new HeldRefusal("missing", say(M.noHeld, String(id)));
    return h;
  }

  /** Runs the rule again on the held message, approved; resolves after its commit. */
  async approve(id: number): Promise<Approval> {
    const first = await this.running(id);
    return this.o.runner.moderate(first.address, async (rerun) => {
      const now = this.o.clock();
      const h = await this.waiting(id, now);
      const message = await this.o.store.message(id);
      if (!message) throw new HeldRefusal("notRun", say(M.approvalNotRun, id, "its message is no longer stored"));
      // A waiting message is never pruned (sqlite-retention.ts); a store edited by hand could have one.
      if (message.prunedAt !== undefined) throw new HeldRefusal("notRun", say(M.approvalNotRun, id, "its bytes were removed by retention"));
      const d: Delivery = { address: h.address, rcptTo: message.rcptTo, mailFrom: message.mailFrom, raw: message.raw, receivedAt: now };
      const answer = await rerun(d, id);
      if (answer.runId === undefined) throw new HeldRefusal("notRun", say(M.approvalNotRun, id, answer.message));
      this.o.log.info({ list: h.address, held: id, run: answer.runId, outcome: answer.outcome }, "held message approved");
      return { held: await this.get(id), answer, run: (await this.o.store.run(answer.runId)) ?? null };
    });
  }

  /** Records the rejection and the note; sends nothing. */
  async reject(id: number, note: string): Promise<{ held: HeldRecord; runId: number }> {
    const first = await this.running(id);
    return this.o.runner.moderate(first.address, async () => {
      const now = this.o.clock();
      const h = await this.waiting(id, now);
      const { runId } = await this.record(h, "rejected", now, note);
      this.o.log.info({ list: h.address, held: id, run: runId }, "held message rejected");
      return { held: await this.get(id), runId };
    });
  }

  /** Expires every hold whose time is up; resolves when their records are committed. */
  async sweep(): Promise<void> {
    const now = this.o.clock();
    // A list that is not running (its bundle missing at start) keeps its held messages until it runs again.
    const due = (await this.o.store.heldDue(now - this.expiry)).filter((h) => this.o.runner.bundleAt(h.address) !== undefined);
    await Promise.all(
      due.map((first) =>
        // Through a promise, so that a list gone before its turn is asked for (ListGone, thrown at once) is skipped too.
        Promise.resolve()
          .then(() =>
            this.o.runner.moderate(first.address, async () => {
              const h = await this.o.store.heldMessage(first.id);
              if (h?.status === "held" && h.heldAt + this.expiry <= now) await this.expire(h);
            }),
          )
          .catch((err) => {
            // A list removed while the expiry waited behind its removal: the removal expired its held messages.
            if (err instanceof ListGone) this.o.log.debug({ list: first.address, held: first.id }, "a held message's expiry skipped: its list was removed, which expired it");
            else this.o.log.error({ err, list: first.address, held: first.id }, "a held message could not be expired; it is tried again");
          }),
      ),
    );
  }

  /** A held message of a list that runs (decisions go through its queue). */
  private async running(id: number): Promise<HeldRecord> {
    const h = await this.get(id);
    if (this.o.runner.bundleAt(h.address) === undefined) throw new HeldRefusal("notRun", say(M.approvalNotRun, id, `its list ${h.address} is not running on this server`));
    return h;
  }

  /** The held message, still waiting at `now`; refused when decided, or expired (its expiry recorded first if the sweep has not yet). */
  private async waiting(id: number, now: number): Promise<HeldRecord> {
    let h = await this.get(id);
    if (h.status === "held" && h.heldAt + this.expiry > now) return h;
    if (h.status === "held") {
      await this.expire(h);
      h = await this.get(id);
    }
    const at = iso(h.decidedAt ?? now);
    if (h.status === "expired") throw new HeldRefusal("decided", say(M.heldExpired, id, at, inWords(this.expiry)));
    throw new HeldRefusal("decided", say(M.heldDecided, id, h.status, at));
  }

  private async expire(h: HeldRecord): Promise<void> {
    const { runId } = await this.record(h, "expired", h.heldAt + this.expiry);
    this.o.log.info({ list: h.address, held: h.id, run: runId }, "held message expired");
  }

  /** A decision without a run of the rule: its run record, the message's status and the held record, in one commit. */
  private record(h: HeldRecord, status: "rejected" | "expired", at: number, note?: string): Promise<{ runId: number }> {
    const bundle = this.o.runner.bundleAt(h.address);
    return this.o.committer.commit({
      address: h.address,
      messageId: h.id,
      messageStatus: status,
      run: { trigger: "moderation", now: at, bundleHash: bundle?.sha256 ?? "", outcome: status, error: null, gasUsed: 0, gasBound: 0, actions: [], replayOf: null },
      held: { op: "decide", status, at, ...(note !== undefined ? { note } : {}) },
    });
  }
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** A window in words: whole days, else hours, else seconds. */
function inWords(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day${ms === 86_400_000 ? "" : "s"}`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} hour${ms === 3_600_000 ? "" : "s"}`;
  return `${Math.round(ms / 1000)} seconds`;
}
