/**
 * Runs rules: one run at a time per list, in the order the work arrived
 * (messages, schedules, replays, member changes and deploys alike go
 * through the list's one queue), lists in parallel across the sandbox
 * pool's workers. A run's whole outcome is committed (GroupCommitter) before
 * its answer is given.
 *
 * Runs are pipelined: run N+1 of a list starts from the state run N left in
 * memory while run N's commit is still pending, so a list's throughput is
 * not one disk sync per message. Each run has a turn: the list's generation
 * and its place in it. When a run's commit fails (or its mail cannot be
 * composed), the generation moves on, the state in memory is dropped, and
 * every later run of the old generation, committed later or still running,
 * is refused before it reaches the store (451, like the run that failed);
 * earlier runs are not affected. The next run loads the last committed state
 * from the store once the list's pending commits have settled. A run that changes the members holds the list until
 * its commit, so members always come from the store as it committed them.
 */
import { COMPILER_VERSION, migrateState, type Bundle } from "../../compiler/index.js";
import { canonicalAddress, checkSavedState, describeStateProblem, runtimeMessages, type RunAction, type RunError, type RunResult, withoutRefusedAddresses } from "../../contract/index.js";
import { checkMessage, InputRefused, isKept, keepJson, parseEml, type MessageJson } from "../input/index.js";
import { bundleInput, bundleLimits } from "../run/input.js";
import { encodeRun, runBundle } from "../run/run-rule.js";
import { GATHER_TURNS, runsAhead, sameInput, takeAhead, type Ran, type Waiting } from "./ahead.js";
import type { SandboxPool } from "../sandbox/index.js";
import type { RunLimits } from "../sandbox/types.js";
import type { RuleErrorWords } from "../../contract/index.js";
import { StaleCommit, type GroupCommitter } from "./commit.js";
import { daemonMessages as M, say } from "./messages.js";
import { LOOP_HEADER } from "./outbox.js";
import { bounceTarget, type BounceTarget } from "./verp.js";
import { frozen, runCommit, type RunBase } from "./run-commit.js";
import { ownTraceLength } from "../mail/received.js";
import { DEFAULT_HOP_LIMIT, overHopLimit, type IncomingMail, type ListMailSettings } from "../mail/compose.js";
import type { Logger } from "./log.js";
import { holdEffects, type RunAgain } from "./holds.js";
import { prunedMessage } from "./retention.js";
import { diskFull, Throttled } from "./disk-full.js";
import type { MembersSnapshot, MessageRecord, MessageStatus, RunCommit, RunOutcome, RunRecord, SavedState, StateSnapshot, Store } from "./store/types.js";

export interface RunnerOptions {
  store: Store;
  pool: SandboxPool;
  committer: GroupCommitter;
  words: RuleErrorWords;
  clock: () => number;
  log: Logger;
  /**
   * Mail to the -request address of a list whose version at the message's turn does not answer it: thwonkd's answer
   * (requests.ts), made in that turn instead of the run; undefined for any other mail. Asked at every turn that
   * would run a message (its arrival, a replay, an approval), so the version deployed then decides, as for mail
   * arriving then: never a rule that does not read `m.envelope.isRequest`.
   */
  answersRequest?: (address: string, d: Delivery, bundle: Bundle) => ((again?: RunAgain, eml?: Awaited<ReturnType<typeof parseEml>>) => Promise<Answer>) | undefined;
}

const LOOP_NAME = LOOP_HEADER.toLowerCase();

/** How many of resolve()'s answers are kept (senders vary; a list's own addresses repeat). */
const RESOLVED_KEPT = 4096;

/** An SMTP answer: the code, and the text after it (with its enhanced status code). */
export interface Answer {
  code: number;
  message: string;
  runId?: number;
  outcome?: RunOutcome;
}

export interface Delivery {
  /** The list's address, as deployed. */
  address: string;
  /** RCPT TO as given (`list+tag@`, `list-request@`). */
  rcptTo: string;
  /** MAIL FROM; null for the null sender `<>`. */
  mailFrom: string | null;
  raw: Buffer;
  receivedAt: number;
}

interface ListSlot {
  address: string;
  bundle: Bundle;
  tail: Promise<unknown>;
  /** The state and members the next run starts from: the last run's, committed or not. */
  loaded?: { members: MembersSnapshot; state: SavedState | null };
  /** Bumped when a run of this list fails to commit; `seq` numbers the runs. */
  gen: number;
  seq: number;
  /** The run that failed last: the runs of its generation after it are not committed. */
  broken?: Turn;
  /** Whether that run failed for want of space (diskFull): the runs refused behind it are answered so too. */
  brokenByFullDisk?: boolean;
  /** Settles when the last commit handed to the committer has settled. */
  settled: Promise<unknown>;
  /** Settles when the last run's commit has been handed to the committer: the next one goes after it. */
  handed: Promise<unknown>;
  /** The list's signing key: kept once read (a list's key never changes; the store makes it at the first ask). */
  tokenKey?: string;
  /** The pool as the list's last run saw it, and what it was made for (poolFor). */
  pool?: { bundle: Bundle; membersVersion: number; tokenKey: string; pool: SandboxPool };
  /** Deliveries queued and not started, in order; runs asked for ahead of their turn (ahead.ts). */
  waiting: Waiting[];
  ahead: Map<Delivery, Promise<Ran | undefined>>;
  /** Set when the list is removed (remove()): work queued behind the removal finds no list (ListGone). */
  removed?: boolean;
}

/**
 * Work on a list that was removed while it waited in the list's queue (queued behind the removal): a message is
 * answered 550 as one to no list, a schedule is not run, and an API request is refused as one about no list (404).
 */
export class ListGone extends Error {
  override readonly name = "ListGone";
  constructor(readonly address: string) {
    super(say(M.unknownList, address));
  }
}

/** A run's place: its list's generation when it started, and its number. */
interface Turn {
  gen: number;
  seq: number;
}

/** A list one of whose own addresses a recipient is, and the name it was found by (`a+b`, `foo-request`). */
interface Found {
  list: string;
  name: string;
}

/** Where a recipient goes: a list, and when it is the list's bounce address, what that address names. */
export interface Route {
  list: string;
  bounce?: BounceTarget;
}

/** A message parsed (and checked against its rule's limits) before its turn in the list's queue. */
interface Parsed {
  bundle: Bundle;
  eml: Awaited<ReturnType<typeof parseEml>>;
}

/** A run handed to the committer: its answer comes once its commit settles. */
interface Submitted {
  answer: Promise<Answer>;
}

/** Throws TW6016 unless the message's last run failed and nothing ran it since: only a failed message is run again. */
function notReplayable(runId: number, message: MessageRecord): void {
  if (message.status === "failed") return;
  if (message.status === "replayed") throw new Error(say(M.notReplayable, runId, "its message was replayed already"));
  if (message.status === "held") throw new Error(say(M.notReplayable, runId, `its message is held for moderation: approve it (thwonkc approve ${message.id}) or reject it`));
  // e.g. a failed approval's run, approved since: replaying it would send the message again.
  throw new Error(say(M.notReplayable, runId, `its message was decided since (it is ${message.status} now)`));
}

/** Throws TW6016 unless the scheduled run failed and was not replayed: a failed schedule is run again once. */
function dueNotReplayable(run: RunRecord): void {
  if (run.replayedBy !== null) throw new Error(say(M.notReplayable, run.id, `it was replayed already (run ${run.replayedBy}); a replay that failed is replayed itself`));
}

/** A canonical address with its local part lower-cased too: the key lists are found by. */
export function addressKey(address: string): string {
  return address.toLowerCase();
}

export class Runner {
  private readonly lists = new Map<string, ListSlot>();
  /** resolve()'s and route()'s answers, by the address as given; emptied when a list is installed, and when full. */
  private readonly resolved = new Map<string, Found | undefined>();
  private readonly routed = new Map<string, Route | undefined>();
  private inFlight = 0;
  private idle: (() => void)[] = [];
  /** Outgoing mail: each list's settings (From mode), and the hop limit (thwonkd's config, main.ts). */
  mail: { lists: (address: string) => Partial<ListMailSettings> | undefined; hopLimit: number } = { lists: () => undefined, hopLimit: DEFAULT_HOP_LIMIT };
  /** Queues the list's scheduled runs due by a time (the scheduler's, while it runs): asked before a message, a replay, a moderator's decision, a deploy or a change of members is queued. */
  dueBy: ((address: string, at: number) => void) | undefined;

  constructor(private readonly o: RunnerOptions) {}

  addresses(): string[] {
    return [...this.lists.values()].map((s) => s.address).sort();
  }

  bundleAt(address: string): Bundle | undefined {
    return this.lists.get(addressKey(address))?.bundle;
  }

  /**
   * The list a recipient reaches: the exact address first, then without a
   * `+tag`, then `name-request@` reaches `name@`. Case-insensitive. A list
   * named like another's tagged or request form (`a+b@` beside `a@`) is the
   * longer name: `a+b+c@` and `a+b-request@` are its own, not `a@`'s.
   */
  resolve(rcpt: string): string | undefined {
    return this.found(rcpt)?.list;
  }

  /**
   * Where a recipient goes: one of a list's own addresses (resolve()), or a list's bounce address (verp.ts) when
   * that reading names more of it (`a+b-bounces@` is the bounce address of `a+b@`, not `a@` tagged
   * `b-bounces`); an address of a list wins a tie, so a list deployed at `x-bounces@` keeps its mail.
   */
  route(rcpt: string): Route | undefined {
    const kept = this.routed.get(rcpt);
    if (kept !== undefined || this.routed.has(rcpt)) return kept;
    const own = this.found(rcpt);
    const bounce = own?.name.length === rcpt.replace(/^<(.*)>$/, "$1").lastIndexOf("@") ? undefined : bounceTarget(rcpt, this.exactList);
    // The bounce address's name is its list's local part and `-bounces`.
    const route: Route | undefined = bounce && (!own || bounce.list.lastIndexOf("@") + 8 > own.name.length) ? { list: bounce.list, bounce } : own && { list: own.list };
    if (this.routed.size >= RESOLVED_KEPT) this.routed.clear();
    this.routed.set(rcpt, route);
    return route;
  }

  /**
   * The list deployed at exactly this address (any case), found also when the address no longer canonicalises (a
   * list deployed before the one address rule refused what it has: daemon.ts listAddressProblem), which no
   * recipient reaches: for the administration (the API), not for mail.
   */
  listAt(address: string): string | undefined {
    return this.exactList(address) ?? (canonicalAddress(address) === undefined ? this.lists.get(addressKey(address))?.address : undefined);
  }

  /** The list deployed at exactly this address (any case), or undefined. */
  private readonly exactList = (a: string): string | undefined => {
    const at = this.resolve(a);
    return at !== undefined && addressKey(at) === addressKey(canonicalAddress(a) ?? a) ? at : undefined;
  };

  private found(rcpt: string): Found | undefined {
    // Each message asks for its recipient and its sender several times: the answers are kept until a list is installed.
    const kept = this.resolved.get(rcpt);
    if (kept !== undefined || this.resolved.has(rcpt)) return kept;
    const found = this.resolveNow(rcpt);
    if (this.resolved.size >= RESOLVED_KEPT) this.resolved.clear();
    this.resolved.set(rcpt, found);
    return found;
  }

  private resolveNow(rcpt: string): Found | undefined {
    const c = canonicalAddress(rcpt.replace(/^<(.*)>$/, "$1"));
    if (c === undefined) return undefined;
    const key = addressKey(c);
    const at = key.lastIndexOf("@");
    const domain = key.slice(at);
    const local = key.slice(0, at);
    // The local part, then cut at each `+` from the last (the longest name first); each, then without `-request`.
    for (let end = local.length; end > 0; end = local.lastIndexOf("+", end - 1)) {
      const name = local.slice(0, end);
      const slot = this.lists.get(name + domain) ?? (name.endsWith("-request") && name.length > 8 ? this.lists.get(name.slice(0, -8) + domain) : undefined);
      if (slot) return { list: slot.address, name };
    }
    return undefined;
  }

  /** Puts a bundle at an address; for a running list the swap happens between runs. */
  install(address: string, bundle: Bundle): Promise<void> {
    const slot = this.lists.get(addressKey(address));
    if (!slot) {
      this.resolved.clear();
      this.routed.clear();
      this.lists.set(addressKey(address), { address, bundle, tail: Promise.resolve(), gen: 0, seq: 0, settled: Promise.resolve(), handed: Promise.resolve(), waiting: [], ahead: new Map() });
      return Promise.resolve();
    }
    // What was due before this deploy came runs first, with the version it was due under.
    this.dueBy?.(slot.address, this.o.clock());
    return this.enqueue(slot, async () => {
      await slot.settled;
      slot.bundle = bundle;
      slot.loaded = undefined; // the state is migrated to the new version at the next load
    });
  }

  /**
   * A new version for a list that has one, in the list's turn once the runs before it are committed: `ready`, given
   * the version running then, answers why not (nothing swapped) or records the deployment; then it is swapped in.
   */
  swap(address: string, bundle: Bundle, ready: (running: Bundle) => Promise<string[]>): Promise<string[]> {
    const slot = this.slot(address);
    // What was due before this deploy came runs first, with the version it was due under.
    this.dueBy?.(slot.address, this.o.clock());
    return this.enqueue(slot, async () => {
      await slot.settled;
      const problems = await ready(slot.bundle);
      if (problems.length) return problems;
      slot.bundle = bundle;
      slot.loaded = undefined; // the state is migrated to the new version at the next load
      return [];
    });
  }

  /** Work on a list's data outside a run (members from the API, an unsubscribe, a bounce), in the list's order. */
  withList<T>(address: string, work: (bundle: Bundle) => Promise<T>): Promise<T> {
    const slot = this.slot(address);
    // A schedule due before this change came runs first, with the members it was due under.
    this.dueBy?.(slot.address, this.o.clock());
    return this.enqueue(slot, async () => {
      await slot.settled;
      try {
        return await work(slot.bundle);
      } finally {
        slot.loaded = undefined;
      }
    });
  }

  /**
   * Removes the list, in its turn: after the work queued before it (messages, schedules, deploys, member changes) has
   * run and committed, `work` records the removal (the store's removeList); then, at once, the list leaves the
   * runner, so no recipient reaches it and the work queued behind it finds no list (ListGone). Refused (ListGone)
   * when the list was removed meanwhile.
   */
  remove<T>(address: string, work: () => Promise<T>): Promise<T> {
    const slot = this.slot(address);
    // What was due before the removal came runs first, as for a deploy.
    this.dueBy?.(slot.address, this.o.clock());
    return this.enqueue(slot, async () => {
      await slot.settled;
      const done = await work();
      slot.removed = true;
      slot.loaded = undefined;
      slot.waiting.length = 0;
      slot.ahead.clear();
      if (this.lists.get(addressKey(slot.address)) === slot) this.lists.delete(addressKey(slot.address));
      this.resolved.clear();
      this.routed.clear();
      return done;
    });
  }

  /** The message is parsed before its turn (the list's earlier runs go on meanwhile), its mail composed after it. */
  deliver(d: Delivery): Promise<Answer> {
    const slot = this.lists.get(addressKey(d.address));
    // Removed after its RCPT was answered, before its DATA was: answered as mail to no list, never run.
    if (!slot) return Promise.resolve(noList(d));
    // A schedule arrives when it is due: one due by the time this message came runs before it.
    this.dueBy?.(slot.address, d.receivedAt);
    const waiting: Waiting = { d };
    const early = this.parse(slot, slot.bundle, d, waiting);
    slot.waiting.push(waiting);
    return this.answered(this.enqueue(slot, () => this.runMessage(slot, d, undefined, early), false).catch(gone(() => noList(d))));
  }

  /** `waiting`: the delivery's place in the list's queue, marked runnable (ahead.ts) once parsed, if it is. */
  private async parse(slot: ListSlot, bundle: Bundle, d: Delivery, waiting?: Waiting): Promise<Parsed> {
    // The rule's limits are checked while parsing (size and header fields first), so a hostile message costs little.
    const envelope: { mailFrom: string | null; rcptTo?: string } = { mailFrom: d.mailFrom };
    if (d.rcptTo) envelope.rcptTo = d.rcptTo;
    // The message as its sender sent it: without the Received field the ingress put before it (received.ts).
    const trace = ownTraceLength(d.raw);
    const eml = await parseEml(trace ? d.raw.subarray(trace) : d.raw, { listAddress: slot.address, envelope, limits: bundleLimits(bundle) });
    // Frozen with its JSON kept: each input that carries it (ahead.ts, and its turn) writes it once, and checks it once.
    keepJson(eml.message);
    // Runnable as parsed (ahead.ts): the checks of its turn that come before the run, the state and members aside.
    if (waiting) {
      const m = eml.message;
      // Mail thwonkd answers under this version (requests.ts) is never run ahead by its rule.
      if (!eml.refused.length && !this.o.answersRequest?.(slot.address, d, bundle) && !this.isLoop(slot.address, m) && !overHopLimit(m.headers, this.mail.hopLimit) && !checkMessage(m, bundleLimits(bundle), eml.size).length)
        waiting.runnable = { bundle, message: m, size: eml.size };
    }
    return { bundle, eml };
  }

  runSchedule(address: string, trigger: string, due: number): Promise<Answer> {
    const slot = this.lists.get(addressKey(address));
    if (!slot) return Promise.resolve(notRunRemoved);
    return this.answered(this.enqueue(slot, () => this.runDue(slot, trigger, due), false).catch(gone(() => notRunRemoved)));
  }

  /** The answer of queued work that hands its run to the committer; counted in flight until it settles. */
  private answered(queued: Promise<Answer | Submitted>): Promise<Answer> {
    this.inFlight++;
    // One async function, not a then() whose handler returns the answer's promise (its handler returns a promise: two more turns) and a then() to count.
    return (async (): Promise<Answer> => {
      try {
        const r = await queued;
        return "answer" in r ? await r.answer : r;
      } finally {
        this.settle();
      }
    })();
  }

  private readonly settleOne = (): void => this.settle();

  private settle(): void {
    if (--this.inFlight === 0) for (const r of this.idle.splice(0)) r();
  }

  replay(runId: number): Promise<Answer> {
    return (async () => {
      const run = await this.o.store.run(runId);
      if (!run) throw new Error(say(M.notReplayable, runId, "there is no such run"));
      if (run.outcome !== "failed") throw new Error(say(M.notReplayable, runId, `it did not fail (its outcome: ${run.outcome})`));
      if (run.messageId === null) return this.replayDue(run);
      const message = await this.o.store.message(run.messageId);
      if (!message) throw new Error(say(M.notReplayable, runId, "its message is no longer stored"));
      // Its bytes removed by retention (Daemon.replay says so first: this is for a caller that did not ask).
      if (message.prunedAt !== undefined) throw new Error(prunedMessage(message.id, message.prunedAt));
      notReplayable(runId, message);
      const slot = this.slot(run.address);
      const d: Delivery = { address: run.address, rcptTo: message.rcptTo, mailFrom: message.mailFrom, raw: message.raw, receivedAt: this.o.clock() };
      this.dueBy?.(slot.address, d.receivedAt);
      return this.answered(
        this.enqueue(
          slot,
          async () => {
            // Asked again in the list's turn, once the runs before it are committed: replays sent at once all passed
            // the check above, and only the first may run the message (the others would send its mail again).
            await slot.settled;
            notReplayable(runId, (await this.o.store.message(message.id)) ?? message);
            return this.runMessage(slot, d, { messageId: message.id, replayOf: runId });
          },
          false,
        ),
      );
    })();
  }

  /**
   * A failed scheduled run, run again: its trigger, by the version deployed now, with `now` its due time (what the
   * failed run saw), in the list's order; once, whatever the outcome (a replay that fails is a failure of its own,
   * replayable in its turn).
   */
  private replayDue(run: RunRecord): Promise<Answer> {
    dueNotReplayable(run);
    const slot = this.slot(run.address);
    // Queued now, like a message arriving now: what was due by now runs first.
    this.dueBy?.(slot.address, this.o.clock());
    return this.answered(
      this.enqueue(
        slot,
        async () => {
          // Asked again in the list's turn, once the runs before it are committed: of replays sent at once, the first
          // marks the run replayed, and the others see it.
          await slot.settled;
          dueNotReplayable((await this.o.store.run(run.id)) ?? run);
          if (!slot.bundle.manifest.triggers.some((t) => t.kind === "every" && t.name === run.trigger))
            throw new Error(say(M.notReplayable, run.id, `the version deployed now has no schedule named ${run.trigger}: deploy one that has, then replay it`));
          return this.runDue(slot, run.trigger, run.now, run.id);
        },
        false,
      ),
    );
  }

  /** Moderation (holds.ts): `work` in the list's order, with a way to run one of the list's stored messages again, approved. */
  moderate<T>(address: string, work: (rerun: (d: Delivery, messageId: number) => Promise<Answer>) => Promise<T>): Promise<T> {
    const slot = this.slot(address);
    // Its run's `now` is the clock at its turn: what was due by now goes first.
    this.dueBy?.(slot.address, this.o.clock());
    // The decision waits for the approved run's commit, so the list's next work sees the message decided.
    return this.enqueue(slot, () =>
      work((d, messageId) => this.runMessage(slot, d, { messageId, replayOf: null, approved: true }).then((r) => ("answer" in r ? r.answer : r))),
    );
  }

  /** Resolves when no work is queued or running. */
  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private slot(address: string): ListSlot {
    const slot = this.lists.get(addressKey(address));
    if (!slot) throw new ListGone(address);
    return slot;
  }

  /** `counted`: false for work whose answer answered() counts in flight (until after the work is done). */
  private enqueue<T>(slot: ListSlot, work: () => Promise<T>, counted = true): Promise<T> {
    // Queued behind a removal: the list is gone when its turn comes.
    const result = slot.tail.then(() => (slot.removed ? Promise.reject(new ListGone(slot.address)) : work()));
    slot.tail = result.catch(nothing);
    if (counted) {
      this.inFlight++;
      result.then(this.settleOne, this.settleOne);
    }
    return result;
  }

  /** The list's members as its runs take them (run-commit.ts frozen); the ones left out, said in the log. */
  private async runnable(address: string): Promise<MembersSnapshot> {
    const members = frozen(await this.o.store.members(address));
    if (members.left) this.o.log.warn({ list: address, left: members.left }, "members whose address is no longer an e-mail address (contract/values.ts) are left out of the list's runs; remove them");
    return members;
  }

  /**
   * The list's state as its runs take it: without the map entries and list entries at an address the one address rule
   * no longer takes (contract/state.ts withoutRefusedAddresses), said in the log, as members at one are left out
   * (runnable); the next commit stores the state without them.
   */
  private runnableState(address: string, bundle: Bundle, state: SavedState | null): SavedState | null {
    if (state === null) return state;
    const r = withoutRefusedAddresses(bundle.manifest.state, state);
    if (r.left.length) this.o.log.warn({ list: address, left: r.left }, "state entries at an address that is no longer an e-mail address (contract/values.ts) are left out of the list's runs; its next run stores the state without them");
    return r.state;
  }

  /** The list's members and state, loaded once and kept after each commit; state saved by another version migrated. */
  private async load(slot: ListSlot): Promise<{ members: MembersSnapshot; state: SavedState | null }> {
    if (slot.loaded) return slot.loaded;
    // After a failure, runs before the failed one may still be committing: the store has the state once they settle.
    await slot.settled;
    if (slot.loaded) return slot.loaded;
    const [members, saved] = await Promise.all([this.runnable(slot.address), this.o.store.state(slot.address)]);
    slot.loaded = { members, state: keptState(this.runnableState(slot.address, slot.bundle, await stateAsRead(this.o.store, slot.bundle, saved))) };
    return slot.loaded;
  }

  private async runMessage(slot: ListSlot, d: Delivery, replay?: RunAgain, early?: Promise<Parsed>): Promise<Answer | Submitted> {
    const { bundle, address } = slot;
    const answerRequest = this.o.answersRequest?.(address, d, bundle);
    if (answerRequest) {
      const w = slot.waiting.findIndex((x) => x.d === d);
      if (w >= 0) slot.waiting.splice(w, 1);
      slot.ahead.delete(d);
      // Read on arrival under this version (its limits): taken as it is; under another, read again at the answer.
      const read = early ? await early.catch(() => undefined) : undefined;
      // Answered as withList works: once the runs before it are committed, the members read afresh after it.
      await slot.settled;
      try {
        return await answerRequest(replay, read?.bundle === bundle ? read.eml : undefined);
      } finally {
        slot.loaded = undefined;
      }
    }
    const turn: Turn = { gen: slot.gen, seq: slot.seq++ };
    const limits = bundleLimits(bundle);
    const w = slot.waiting.findIndex((x) => x.d === d);
    if (w >= 0) slot.waiting.splice(w, 1);
    // Taken now, whichever way this turn goes: a run that stops before the sandbox leaves nothing behind.
    const ranAhead = slot.ahead.get(d);
    slot.ahead.delete(d);
    let p = early ? await early : undefined;
    // Parsed for the version deployed when it arrived; a deploy since then takes effect from this run on.
    if (p?.bundle !== bundle) p = await this.parse(slot, bundle, d);
    const parsed = p.eml;
    const message = replay?.approved ? { ...parsed.message, approved: true } : parsed.message;
    const stored = (status: MessageStatus): Pick<RunCommit, "message"> =>
      replay ? {} : { message: { raw: d.raw, mailFrom: d.mailFrom, rcptTo: d.rcptTo, receivedAt: d.receivedAt, status, problems: parsed.problems } };
    const runBase = { trigger: "message", now: d.receivedAt, bundleHash: bundle.sha256, replayOf: replay?.replayOf ?? null };

    if (this.isLoop(address, message)) {
      const base = { address, ...(replay ? { messageId: replay.messageId } : {}) };
      const c: RunCommit = { ...base, ...stored("loop"), run: { ...runBase, outcome: "loop", error: null, gasUsed: 0, gasBound: 0, actions: [] }, ...holdEffects("loop", undefined, message, d, replay) };
      return this.submit(slot, turn, c, { code: 250, message: "2.0.0 accepted; not run: it came from this list (a loop)" });
    }
    const hops = overHopLimit(message.headers, this.mail.hopLimit);
    if (hops) return { code: 554, message: `5.4.6 ${say(M.tooManyHops, address, hops)}` };
    // Over the rule's limits for a message: 552 with the limit it broke, nothing stored.
    const tooBig = parsed.refused.length ? parsed.refused : checkMessage(message, limits, parsed.size);
    if (tooBig.length) return { code: 552, message: `5.3.4 ${say(M.inputRefused, address, tooBig.map((p) => `${p.code} ${p.message}`).join(" "))}` };

    // Kept from the last run (the common case): taken without an await (load() is async: a promise and a turn).
    const { members, state } = slot.loaded ?? (await this.load(slot));
    const trigger = bundle.manifest.triggers.find((t) => t.name === "message");
    let result: RunResult;
    const refused = refusals(bundle, state);
    if (!trigger) {
      result = failed({ code: M.noMessageTrigger.code, message: M.noMessageTrigger.format(bundle.manifest.rule), line: null, column: null });
    } else if (refused) {
      result = failed({ code: "TW5070", message: refused, line: null, column: null });
    } else {
      // A run given ahead from the values this turn has (sameInput) ran the input this turn would build: taken as it is.
      const given = ranAhead ? await ranAhead : undefined;
      let input = sameInput(given, bundle, members, state, message, parsed.size, d.receivedAt);
      const same = input !== undefined;
      try {
        input ??= bundleInput(bundle, { now: d.receivedAt, address, members: members.members, state, message, messageSize: parsed.size });
      } catch (err) {
        if (!(err instanceof InputRefused)) throw err;
        this.o.log.warn({ list: address, problems: err.problems }, "the list cannot run: its members or settings are over the rule's limits");
        return { code: 451, message: `4.3.0 ${say(M.listBroken, address, err.problems.map((p) => `${p.code} ${p.message}`).join(" "))}` };
      }
      const pool = this.poolFor(slot, bundle, members.version, slot.tokenKey ?? (await this.tokenKey(slot)));
      const built = input;
      const ran = same ? given!.result : takeAhead(given, bundle, members, () => encodeRun(bundle, "message", built).inputJson);
      let ahead = !ran && pool.runsAhead ? runsAhead(slot, bundle, members, state) : [];
      // Nothing to go with it: the list's messages arriving in the next few turns do (ahead.ts GATHER_TURNS).
      for (let t = 0; !ran && pool.runsAhead && ahead.length === 0 && t < GATHER_TURNS; t++) {
        await afterTurn();
        ahead = runsAhead(slot, bundle, members, state);
      }
      const req: Parameters<typeof runBundle>[1] = { trigger: "message", input, pool };
      if (ran) req.ran = ran;
      if (ahead.length) req.ahead = ahead;
      result = await runBundle(bundle, req, this.o.words);
    }
    let actions = result.actions;
    // Nothing ever answers the null sender: a reply to a bounce could loop between two servers.
    if (message.envelope.sender === null) actions = actions.filter((a) => a.kind !== "reply");
    const reject = actions.find((a) => a.kind === "reject");
    const hold = actions.find((a) => a.kind === "hold");
    const outcome: RunOutcome = result.error ? "failed" : reject ? "rejected" : hold ? "held" : "ok";
    // Composed after the list's next run is on its way to the sandbox (that run's start is all microtasks).
    const c = afterTurn().then(() => {
      // Made field by field (not spread from `base`): the commit is this object, filled in (run-commit.ts).
      const head: Omit<RunCommit, "run"> = { address };
      if (replay) {
        head.messageId = replay.messageId;
        // A replay that fails again leaves its message failed, to be replayed once more after the next fix.
        if (outcome === "failed" && !replay.approved) head.messageStatus = "failed";
      } else head.message = stored(outcome === "ok" ? "accepted" : outcome).message!;
      const held = (c: RunCommit): RunCommit => Object.assign(c, holdEffects(outcome, hold, message, d, replay));
      const composed = this.outcomeCommit(slot, head, runBase, result, actions, outcome, { from: message.from, headers: message.headers, raw: d.raw });
      return composed instanceof Promise ? composed.then(held) : held(composed);
    });
    if (result.error) this.o.log.warn({ list: address, error: result.error }, "the rule failed on a message; it is kept and can be replayed");
    const answer: Answer =
      outcome === "rejected"
        ? { code: 550, message: `5.7.1 ${oneLine(String(reject!["reason"] ?? "rejected"))}` }
        : { code: 250, message: `2.0.0 accepted${outcome === "failed" ? " (the rule failed; the message is kept for replay)" : outcome === "held" ? " and held" : ""}` };
    const submitted = this.submit(slot, turn, c, answer, result, actions);
    // Malformed mail is run on what could be read; what could not is stored with it, and said here with the run's
    // number (`thwonkc runs`), or nobody would know the rule saw less than was sent.
    if (!replay && parsed.problems.length) void submitted.then((s) => s.answer.then((a) => this.unread(address, a, parsed.problems)));
    return submitted;
  }

  private unread(list: string, a: Answer, problems: string[]): void {
    if (a.runId !== undefined) this.o.log.warn({ list, run: a.runId, problems }, "a message could not be read whole: it was stored with what could not be read, and run on the rest");
  }

  /** `replays`: the failed scheduled run this one replays (replayDue); its due time is then not the schedule's bookkeeping. */
  private async runDue(slot: ListSlot, triggerName: string, due: number, replays?: number): Promise<Answer | Submitted> {
    const { bundle, address } = slot;
    // Queued while the version before was deployed, and a redeploy since took the schedule away: nothing is due.
    if (!bundle.manifest.triggers.some((t) => t.kind === "every" && t.name === triggerName)) {
      this.o.log.info({ list: address, trigger: triggerName, due: new Date(due).toISOString() }, "not run: the version deployed now has no such schedule");
      return { code: 250, message: "2.0.0 not run: the version deployed now has no such schedule" };
    }
    const turn: Turn = { gen: slot.gen, seq: slot.seq++ };
    const { members, state } = await this.load(slot);
    const runBase = { trigger: triggerName, now: due, bundleHash: bundle.sha256, replayOf: replays ?? null };
    const refused = refusals(bundle, state);
    let result: RunResult;
    if (refused) result = failed({ code: "TW5070", message: refused, line: null, column: null });
    else {
      try {
        const input = bundleInput(bundle, { now: due, address, members: members.members, state });
        result = await runBundle(bundle, { trigger: triggerName, input, pool: this.poolFor(slot, bundle, members.version, slot.tokenKey ?? (await this.tokenKey(slot))) }, this.o.words);
      } catch (err) {
        if (!(err instanceof InputRefused)) throw err;
        result = failed({ code: err.problems[0]?.code ?? "TW5017", message: err.message, line: null, column: null });
      }
    }
    const outcome: RunOutcome = result.error ? "failed" : "ok";
    if (result.error) this.o.log.warn({ list: address, trigger: triggerName, error: result.error, ...(replays !== undefined ? { replayOf: replays } : {}) }, "a scheduled run failed; it can be replayed");
    // Made field by field, not spread (run-commit.ts says why).
    const head: Omit<RunCommit, "run"> = { address };
    if (replays === undefined) head.due = { trigger: triggerName, at: due };
    else head.replays = replays;
    const c = this.outcomeCommit(slot, head, runBase, result, result.actions, outcome, null);
    return this.submit(slot, turn, c, { code: 250, message: "2.0.0 ran" }, result, result.actions);
  }

  /**
   * The run's commit, its outgoing mail composed (it runs after the list's queue moved on): at once, unless a message
   * went through nodemailer (run-commit.ts). Mail that cannot be composed is a rejected promise, as the commit's
   * failure: submit() answers it 451 and moves the generation on.
   */
  private outcomeCommit(
    slot: ListSlot,
    head: Omit<RunCommit, "run">,
    runBase: RunBase,
    result: RunResult,
    actions: RunAction[],
    outcome: RunOutcome,
    incoming: IncomingMail | null,
  ): RunCommit | Promise<RunCommit> {
    try {
      return runCommit(head, runBase, result, actions, outcome, { list: slot.address, incoming, settings: this.mail.lists(slot.address) });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Moves the list's state in memory on at once, so the next run can start,
   * and hands the run's outcome to the committer once it is composed, after
   * the list's earlier runs (a list's commits reach the store in run order).
   * A run after one that has since failed is refused; a run that changes
   * members holds the list until its commit and reloads them.
   */
  private async submit(slot: ListSlot, turn: Turn, commit: RunCommit | Promise<RunCommit>, answer: Answer, result?: RunResult, actions?: RunAction[]): Promise<Submitted> {
    if (!valid(slot, turn)) {
      Promise.resolve(commit).catch(() => undefined);
      return { answer: Promise.resolve(this.failedCommit(slot, turn, new StaleCommit("an earlier run of this list failed to commit"))) };
    }
    if (slot.loaded && result && !result.error && result.state) slot.loaded = { ...slot.loaded, state: keptState(result.state) };
    // Async functions, not chains of then(): each step of a chain is a promise of its own, and a handler that
    // returns a promise (the commit being composed, the committer's ids) costs two more turns of the microtask queue.
    const before = slot.handed;
    let c: RunCommit | undefined;
    let ids: Promise<{ runId: number; messageId: number | null }> | undefined;
    let unmade: { err: unknown } | undefined;
    // Settles (never rejects) once the run's commit is handed to the committer, after the list's earlier runs' were.
    const handed = (async (): Promise<void> => {
      await before;
      try {
        c = await commit;
      } catch (err) {
        unmade = { err };
        return;
      }
      ids = this.o.committer.commit(c, () => valid(slot, turn));
    })();
    slot.handed = handed;
    const settled = (async (): Promise<Answer> => {
      await handed;
      let got: { runId: number; messageId: number | null };
      try {
        if (unmade) throw unmade.err;
        got = await ids!;
      } catch (err) {
        return this.failedCommit(slot, turn, err);
      }
      if (c!.members?.length) {
        // Read first, then decided: whatever happened to the list while the members were read is seen.
        const members = await this.runnable(slot.address);
        if (slot.loaded && slot.gen === turn.gen) slot.loaded = { ...slot.loaded, members };
      }
      if (this.o.log.isLevelEnabled("info")) this.o.log.info({ list: slot.address, run: got.runId, trigger: c!.run.trigger, outcome: c!.run.outcome, gas: c!.run.gasUsed }, "run committed");
      return { ...answer, runId: got.runId, outcome: c!.run.outcome };
    })();
    // Settled (never rejected) once this answer and every one of the list's before it have settled.
    slot.settled = bothSettled(slot.settled, settled);
    if (!result?.error && actions?.some((a) => a.kind === "members.add" || a.kind === "members.remove")) await settled;
    return { answer: settled };
  }

  /**
   * 451 for a run whose commit failed or was refused, 452 4.3.1 when the disk is full (RFC 5321's insufficient
   * storage; RFC 3463's mail system full); a real failure drops the uncommitted state (once per generation).
   */
  private failedCommit(slot: ListSlot, turn: Turn, err: unknown): Answer {
    // A run refused behind one that failed for want of space is answered as that one: the disk is what is full.
    const full = err instanceof StaleCommit ? slot.brokenByFullDisk === true : diskFull(err);
    if (!(err instanceof StaleCommit) && slot.gen === turn.gen) {
      slot.gen++;
      slot.broken = turn;
      slot.brokenByFullDisk = full;
      slot.loaded = undefined;
      if (full) this.saidFull.say(err);
      else this.o.log.error({ err, list: slot.address }, "a group commit failed; its messages were answered 451");
    }
    if (full) return { code: 452, message: `4.3.1 ${say(M.diskFull)}` };
    return { code: 451, message: `4.3.0 ${say(M.commitFailed, err instanceof Error ? err.message : String(err))}` };
  }

  /** A full disk fails every group while it lasts: said once a minute (TW6063), with how many failed between. */
  private readonly saidFull = new Throttled(60_000, () => this.o.clock(), (err: unknown, more: number) =>
    this.o.log.error({ err: err instanceof Error ? err.message : String(err) }, say(M.diskFullLog, err instanceof Error ? err.message : String(err), more)),
  );

  /** The pool as the list's runs see it (listPool), made again only when the bundle, the members or the key change. */
  private poolFor(slot: ListSlot, bundle: Bundle, membersVersion: number, tokenKey: string): SandboxPool {
    const k = slot.pool;
    if (k && k.bundle === bundle && k.membersVersion === membersVersion && k.tokenKey === tokenKey) return k.pool;
    const pool = listPool(this.o.pool, slot.address, bundle, membersVersion, tokenKey);
    slot.pool = { bundle, membersVersion, tokenKey, pool };
    return pool;
  }

  private async tokenKey(slot: ListSlot): Promise<string> {
    slot.tokenKey ??= await this.o.store.tokenKey(slot.address);
    return slot.tokenKey;
  }

  /** Mail this list sent (its loop header), or from one of its own addresses, in From or in MAIL FROM. */
  private isLoop(address: string, m: Pick<MessageJson, "headers" | "from" | "envelope">): boolean {
    const headers = m.headers;
    // Only a name of the loop header's length is lower-cased to compare (most are not); fields read by index, not
    // destructured (which goes through an iterator each time).
    for (let i = 0; i < headers.length; i++) {
      const n = headers[i]![0];
      if (n.length !== LOOP_NAME.length || n.toLowerCase() !== LOOP_NAME) continue;
      const key = addressKey(address);
      if (headers[i]![1].split(",").some((x) => addressKey(x.trim().replace(/^<(.*)>$/, "$1")) === key)) return true;
    }
    return this.isOwn(address, m.from) || this.isOwn(address, m.envelope.sender);
  }

  /**
   * Whether `a` is one of the list's own addresses: the list, `+tag`, `-request`, or `-bounces` and its VERP forms,
   * the return path the list's own mail leaves with (a member's mailbox that forwards it brings that back as MAIL
   * FROM; the loop header may not survive the trip).
   */
  private isOwn(address: string, a: string | null): boolean {
    return a !== null && this.route(a)?.list === address;
  }
}

/**
 * The daemon's pool as one list's run sees it: each run with the rule's own memory limit
 * (`manifest.limits.memory`, the limit the verifier proved its bound against), the list it is for, and its members'
 * version from the store, so that the pool ships the members only when they changed and keeps the list on one worker.
 */
export function listPool(pool: SandboxPool, address: string, bundle: Bundle, membersVersion: number, tokenKey?: string): SandboxPool {
  const memory = bundle.manifest.limits["memory"]?.value;
  const list = addressKey(address);
  return {
    run: (code, codeId, trigger, inputJson, members, limits) => {
      // Filled in the order the spread of each part made it: the run's limits, then the list's.
      const l: RunLimits = { ...limits };
      if (memory) l.memoryLimitBytes = memory;
      l.list = list;
      l.membersVersion = membersVersion;
      if (tokenKey !== undefined) l.tokenKey = tokenKey;
      return pool.run(code, codeId, trigger, inputJson, members, l);
    },
    close: () => pool.close(),
    ...(pool.runsAhead ? { runsAhead: true } : {}),
  };
}

/**
 * The stored state as `bundle` reads it: state saved by another version migrated to this one's schema (that version's
 * bundle read from the store), as every load of a list's state does, in a run or outside one (the API's).
 */
export async function stateAsRead(store: Store, bundle: Bundle, saved: StateSnapshot): Promise<SavedState | null> {
  if (saved.state === null || saved.hash === null || saved.hash === bundle.sha256) return saved.state;
  const old = await store.bundle(saved.hash);
  return old ? migrateState((JSON.parse(old.json) as Bundle).manifest.state, bundle.manifest.state, saved.state) : saved.state;
}

/** A run may still be committed: its generation is the list's, or it came before the run that failed. */
function valid(slot: ListSlot, turn: Turn): boolean {
  return turn.gen === slot.gen || (slot.broken !== undefined && turn.gen === slot.broken.gen && turn.seq < slot.broken.seq);
}

function nothing(): void {}

/**
 * The state the list's next runs start from, frozen with its JSON kept (json-parts.ts keepJson): written once, not
 * once by each input that carries it (the run's, and those of the runs given ahead with it), each comparison of a
 * run given ahead (ahead.ts sameInput) and the commit that stores it. No run changes a state it was given: a run's
 * new state is another object.
 */
function keptState(state: SavedState | null): SavedState | null {
  if (state !== null && typeof state === "object" && !isKept(state)) keepJson(state);
  return state;
}

/** The answer to mail for a list removed before its message could be run: as to any address without a list. */
export function noList(d: Delivery): Answer {
  return { code: 550, message: `5.1.1 ${say(M.noList, d.rcptTo)}` };
}

const notRunRemoved: Answer = { code: 250, message: "2.0.0 not run: the list was removed" };

/** A rejection handler that answers `answer()` for a ListGone and passes anything else on. */
export function gone(answer: () => Answer): (err: unknown) => Answer {
  return (err) => {
    if (err instanceof ListGone) return answer();
    throw err;
  };
}

/** Resolves once both have settled (Promise.allSettled's, with fewer promises on the way). */
async function bothSettled(a: Promise<unknown>, b: Promise<unknown>): Promise<void> {
  try {
    await b;
  } catch {
    // settled either way
  }
  try {
    await a;
  } catch {
    // settled either way
  }
}

/** Resolves after the promise reactions queued now (setImmediate comes after them). */
function afterTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function failed(error: RunError): RunResult {
  return { actions: [], state: null, gas: { used: 0, bound: 0 }, error, trace: null };
}

/** Why the list's saved state does not fit its rule, as one text; "" when it does. */
function refusals(bundle: Bundle, state: SavedState | null): string {
  if (state === null) return "";
  // One message naming every problem: the run error has its code beside its text, so the text does not repeat it.
  const problems = checkSavedState(bundle.manifest.state, state);
  return problems.length ? runtimeMessages.badState.format(problems.map(describeStateProblem).join("; ")) : "";
}

/** A reason as one line of at most 400 UTF-16 units, never cut inside a character (half of a pair is no UTF-8: U+FFFD on the wire). */
function oneLine(s: string): string {
  const line = s.replace(/[\r\n]+/g, " ");
  return line.slice(0, /[\ud800-\udbff]/.test(line[399] ?? "") ? 399 : 400);
}

export { COMPILER_VERSION };
