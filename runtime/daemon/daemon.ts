/**
 * The daemon: the store, the sandbox pool, the runner, the scheduler and the
 * outbox, and the operations an API calls (deploy, members, state, runs,
 * replay). SMTP and HTTP listeners (smtp.ts, main.ts) stand on it.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import {
  COMPILER_VERSION,
  compareVersions,
  declaresRequests,
  compileSource,
  migrateState,
  readBundle,
  serializeBundle,
  versionSchema,
  type Bundle,
  type CompatProblem,
  type Diagnostic,
} from "../../compiler/index.js";
import { canonicalAddress, checkSavedState, describeStateProblem, type MemberJson, type StateProblem, withoutRefusedAddresses } from "../../contract/index.js";
import { stdlib } from "../../stdlib/index.js";
import { NodeHost } from "../host/node-host.js";
import { memberFieldProblem, readMembers } from "../input/index.js";
import { mailboxAddress } from "../input/decode.js";
import { createSandboxPool, DEFAULT_LIMITS, type SandboxPool } from "../sandbox/index.js";
import { GroupCommitter } from "./commit.js";
import { Holds } from "./holds.js";
import type { Logger } from "./log.js";
import { daemonMessages as M, say } from "./messages.js";
import { INGRESS_ADDRESS_MAX, LIST_ADDRESS_MAX, wireLength } from "./smtp.js";
import { MaildirOutbox } from "./outbox.js";
import { PostmasterMailbox, postmasterAddress } from "./postmaster.js";
import { receiveBounce } from "./bounces.js";
import { answeredByDaemon, receiveRequest, requestInTurn } from "./requests.js";
import { addressKey, gone, ListGone, noList, Runner, stateAsRead, type Answer, type Delivery } from "./runner.js";
import { Scheduler } from "./scheduler.js";
import type { CheckpointerOptions } from "./store/checkpointer.js";
import { incrementalVacuum, openSqliteStore } from "./store/sqlite.js";
import { prunedMessage, Retention } from "./retention.js";
import type { ListRemoval, MembersSnapshot, MessageRecord, RunFilter, RunRecord, SavedState, Store } from "./store/types.js";

export interface DaemonOptions {
  dataDir: string;
  log: Logger;
  clock?: () => number;
  /** Sandbox workers; default the pool's (min(4, cores)). */
  workers?: number;
  /** Scheduler tick (ms). */
  tickMs?: number;
  store?: Store;
  /** How the Maildir outbox makes its files durable (config.ts `outboxSync`); default "syncfs", where it can. */
  outboxSync?: "syncfs" | "fdatasync";
  /** Retention (config.ts `keep`): payloads older than this many days are removed (retention.ts); undefined: kept for ever. */
  keepDays?: number;
  /** `clock` is a test's (THWONKD_TEST_CLOCK_FILE), moved on by jumps on purpose: retention does not wait after one. */
  testClock?: boolean;
  /** The server's own domain (`--domain`, the name it greets with): its postmaster is kept too, with no list there. */
  domain?: string;
}

export interface DeployRequest {
  /** A rule's source, or a bundle file's text (JSON). */
  source?: string;
  bundle?: string;
  /** Its file name, for messages. */
  fileName?: string;
  addresses: string[];
  /** A state field (or record field) the new version removes is dropped from the stored state, not refused. */
  allowDataLoss?: boolean;
}

/** A list as the lists view shows it (GET /v1/lists, thwonkc lists). */
export interface ListView {
  address: string;
  rule: string;
  hash: string;
  /** When its running version was deployed. */
  deployedAt: number | null;
  members: number;
  /** Its messages held for moderation and still waiting. */
  held: number;
  /** The TW6044 line of a list deployed at an address a list can no longer have. */
  addressRefused?: string;
  /** Its schedules do not run (an address the address rule refuses: TW6044). */
  schedulesHeld?: true;
}

/** A removal as DELETE /v1/lists/ADDR answers it: what was removed and went with it, and TW6046 in words. */
export interface RemoveResult extends Omit<ListRemoval, "id"> {
  removed: true;
  message: string;
}

export interface DeployResult {
  ok: boolean;
  hash?: string;
  /** Per address: deployed, or why not; `dropped`: what allowDataLoss dropped from its stored state (TW6041), when anything. */
  addresses: { address: string; deployed: boolean; problems: string[]; dropped?: string[] }[];
  problems: string[];
}

/** Thrown for a request the daemon refuses (an API answers it 4xx with the message). */
export class Refusal extends Error {
  override readonly name = "Refusal";
}

/** State an owner gave that does not fit the deployed rule's state: each value that does not, for the API's answer. */
export class StateRefusal extends Refusal {
  constructor(
    message: string,
    readonly problems: StateProblem[],
  ) {
    super(message);
  }
}

/**
 * A list's state as the deployed version reads it (null: none stored, the next run starts from the rule's initial
 * state), the version that saved it (or reset it), and `initial`: the rule's state fields it does not hold, which the
 * next run starts at their initial values (every field when none is stored).
 */
export interface ListState {
  state: SavedState | null;
  hash: string | null;
  initial: string[];
  /** What the state shown leaves out, by path: entries at an address the address rule now refuses (stateAsDeployed). */
  left?: string[];
}

/** The deployed version's state fields that `state` does not hold, which the next run starts at their initial values. */
function unstored(bundle: Bundle, state: SavedState | null): string[] {
  const names = bundle.manifest.state.map((f) => f.name);
  if (state === null) return names;
  // Not an object (state written into the store by hand): the next run refuses it (TW5070), starting no field afresh.
  if (typeof state !== "object" || Array.isArray(state)) return [];
  return names.filter((name) => !Object.hasOwn(state, name));
}

/** What a swap would do to a list: why not (problems), or what it drops from the stored state and the state then. */
interface SwapCheck {
  problems: string[];
  dropped: string[];
  /** The stored state as the new version reads it, written at the swap when something is dropped. */
  state?: SavedState;
}

const SCHEDULES = {
  held: "Its schedules do not run either (each run would fail: its address is no address to the rule), until it is moved.",
  run: "Its schedules still run, and what they send leaves with a return path (its -bounces address) longer than SMTP allows, which a mail server may refuse.",
} as const;

/**
 * Why a list deployed before the address rules of today cannot be a list at its address now: the one address rule
 * refuses it (invisible characters, bidirectional controls, lone surrogates: canonicalAddress), so no recipient finds
 * it and its runs fail (its schedules held); or it is over LIST_ADDRESS_MAX as a client writes it, so SMTP refuses
 * mail to its -request and -bounces addresses, or, past INGRESS_ADDRESS_MAX, to it (its schedules run). Undefined for an address a deploy takes.
 */
export function listAddressProblem(address: string): { why: string; schedules: keyof typeof SCHEDULES } | undefined {
  const canonical = canonicalAddress(address);
  if (canonical === undefined) {
    return {
      why: "the address rule refused characters that cannot be seen (invisible ones, bidirectional controls, lone surrogates), and its address has one, so a recipient never finds it: no mail reaches it",
      schedules: "held",
    };
  }
  const length = wireLength(canonical);
  if (length > LIST_ADDRESS_MAX) {
    return {
      // Up to INGRESS_ADDRESS_MAX its own address still takes mail: only its -request and -bounces (8 longer) do not.
      why:
        length <= INGRESS_ADDRESS_MAX
          ? `a list's address was limited to ${LIST_ADDRESS_MAX} characters as a client writes it, and its address has ${length}, so SMTP refuses mail to its -request and -bounces addresses (${length + 8} long, over ${INGRESS_ADDRESS_MAX}): unsubscribe requests and bounces do not reach it`
          : `a list's address was limited to ${LIST_ADDRESS_MAX} characters as a client writes it, and its address has ${length}, so SMTP refuses mail to it (over ${INGRESS_ADDRESS_MAX}): no mail reaches it`,
      schedules: "run",
    };
  }
  return undefined;
}

/** A members file's entry without `joined` (no real time is this far before the epoch). */
const NOT_GIVEN = Number.MIN_SAFE_INTEGER;

export class Daemon {
  readonly store: Store;
  readonly runner: Runner;
  readonly scheduler: Scheduler;
  readonly outbox: MaildirOutbox;
  readonly committer: GroupCommitter;
  readonly clock: () => number;
  /** Moderation: held messages, approved, rejected or expired (holds.ts). */
  readonly holds: Holds;
  /** Retention's sweeps (retention.ts), when thwonkd was given --keep. */
  readonly retention: Retention | undefined;
  /** Mail to postmaster@ a domain of the lists, kept for whoever runs the server (postmaster.ts). */
  readonly postmaster: PostmasterMailbox;
  /** What start-up found (rules kept at an old version, ...), for the log and the API. */
  readonly startReport: string[] = [];
  /** Lists deployed at an address a list can no longer have (listAddressProblem), with their TW6044 line: lists() marks them. */
  readonly refusedAddresses = new Map<string, string>();
  /** Lists the store has whose bundle is missing (not installed, no mail): by addressKey, with their start report line; removable. */
  private readonly notInstalled = new Map<string, { address: string; line: string }>();
  /** The latest removal of each address (by addressKey), for the refusals that name it (TW6045) and its history. */
  private readonly removed = new Map<string, ListRemoval>();
  /** Whether a list's mail leaves with VERP senders (thwonkd's config, main.ts): its bounces then come to those. */
  verpLists: (list: string) => boolean = () => false;
  /** A member's one-click link (unsubscribe.ts), when thwonkd has a --public-url: the -request address's confirmations offer it (requests.ts). */
  unsubscribeLink: ((list: string, member: string, joined: number) => string) | undefined;
  /** Told each removed list's address once its removal is committed (main.ts: the relay's cache of list keys). */
  onListRemoved: ((address: string) => void) | undefined;

  private constructor(
    private readonly o: DaemonOptions,
    store: Store,
    private readonly pool: SandboxPool,
  ) {
    this.store = store;
    this.clock = o.clock ?? Date.now;
    this.committer = new GroupCommitter(
      store,
      (rows) => this.outbox.committed(rows),
      (err) => this.outbox.handOffFailed(err),
      this.clock,
    );
    this.outbox = new MaildirOutbox(o.dataDir, store, o.log, undefined, () => this.committer.synced(), { syncfs: o.outboxSync !== "fdatasync" });
    this.postmaster = new PostmasterMailbox(o.dataDir, o.log);
    this.runner = new Runner({
      store,
      pool,
      committer: this.committer,
      words: new NodeHost(),
      clock: this.clock,
      log: o.log,
      answersRequest: (address, d, bundle) => requestInTurn(this, address, d, bundle),
    });
    this.scheduler = new Scheduler({ store, runner: this.runner, clock: this.clock, log: o.log, ...(o.tickMs ? { tickMs: o.tickMs } : {}) });
    this.holds = new Holds({ store, runner: this.runner, committer: this.committer, clock: this.clock, log: o.log, ...(o.tickMs ? { tickMs: o.tickMs } : {}) });
    this.retention = o.keepDays === undefined ? undefined : new Retention({ store, clock: this.clock, log: o.log, keepDays: o.keepDays, ...(o.tickMs ? { tickMs: o.tickMs } : {}), ...(o.testClock ? { trustJumps: true } : {}) });
  }

  static async open(o: DaemonOptions): Promise<Daemon> {
    const file = join(o.dataDir, "thwonkd.sqlite");
    // A store made before retention is rewritten once, so that the space retention frees can go back to the disk.
    let vacuumFailed: unknown;
    if (o.keepDays !== undefined && !o.store) {
      try {
        const v = incrementalVacuum(file);
        if (v) o.log.warn({ before: v.before, after: v.after, ms: v.ms }, say(M.vacuumOnce, (v.before / 1e6).toFixed(1), (v.ms / 1000).toFixed(1)));
      } catch (err) {
        vacuumFailed = err;
      }
    }
    const store = o.store ?? openSqliteStore(file, { checkpoint: checkpointOptions(o.log) });
    // A disk too full for the copy is why one turns retention on: the start goes on, and retention still works (without
    // giving the space back). Said once the store opened: a store that is no store, or cannot be written, failed at its
    // open above (TW6030), and a warning that retention goes on would be untrue.
    if (vacuumFailed !== undefined) o.log.warn({ err: vacuumFailed }, say(M.vacuumFailed, vacuumFailed instanceof Error ? vacuumFailed.message : String(vacuumFailed)));
    const deployments = await store.deployments();
    const bundles = new Map<string, Bundle>();
    for (const d of deployments) {
      if (!bundles.has(d.hash)) {
        const b = await store.bundle(d.hash);
        if (b) bundles.set(d.hash, JSON.parse(b.json) as Bundle);
      }
    }
    // Each run's memory limit is the rule's own in a pool that takes per-run limits; until then the largest of them.
    const memory = Math.max(DEFAULT_LIMITS.memoryLimitBytes, ...[...bundles.values()].map((b) => b.manifest.limits["memory"]?.value ?? 0));
    const pool = createSandboxPool({ ...(o.workers ? { workers: o.workers } : {}), memoryLimitBytes: Math.min(memory, 1024 * 2 ** 20) });
    const daemon = new Daemon(o, store, pool);
    for (const d of deployments) {
      let bundle = bundles.get(d.hash);
      if (!bundle) {
        const line = `${d.address}: its bundle ${d.hash} is missing from the store; the list takes no mail (remove it with thwonkc lists remove ${d.address} --yes, or deploy its rule there again)`;
        daemon.startReport.push(line);
        daemon.notInstalled.set(addressKey(d.address), { address: d.address, line });
        continue;
      }
      // Compiled again too: a bundle of another stdlib, whose prelude is another stdlib's (stdlib 0.4.0: isAutomated()
      // reads the markers the -request address reads), and so one that does not say whether its rule answers its
      // -request address (requests.ts).
      if (bundle.manifest.compiler !== COMPILER_VERSION || bundle.manifest.stdlib !== stdlib.version || !declaresRequests(bundle.manifest))
        bundle = await daemon.recompile(d.address, bundle);
      await daemon.runner.install(d.address, bundle);
      await daemon.scheduler.prepare(d.address);
      const problem = listAddressProblem(d.address);
      if (problem) {
        // Such a list's scheduled runs fail before they start (TW5024: the run's list address is no address), one
        // failed run a due time; a list too long for SMTP runs them as any other.
        if (problem.schedules === "held") daemon.scheduler.hold(d.address);
        const line = say(M.listAddressRefused, d.address, problem.why, SCHEDULES[problem.schedules]);
        daemon.refusedAddresses.set(d.address, line);
        daemon.startReport.push(line);
      }
    }
    for (const r of await store.removals()) daemon.removed.set(addressKey(r.address), r);
    for (const line of daemon.startReport) o.log.warn(line);
    return daemon;
  }

  /** A bundle from another compiler version: its source compiled again, or the old bundle kept and reported. */
  private async recompile(address: string, old: Bundle): Promise<Bundle> {
    const again = compileSource(old.source.fileName, old.source.text);
    if (!again.bundle) {
      this.startReport.push(say(M.keptOldBundle, address, COMPILER_VERSION, errorsText(again.diagnostics)));
      return old;
    }
    const compat = compareVersions(versionSchema(old.manifest), versionSchema(again.bundle.manifest));
    if (compat.length) {
      this.startReport.push(say(M.keptOldBundle, address, COMPILER_VERSION, compatText(compat)));
      return old;
    }
    await this.storeBundle(again.bundle);
    await this.store.deploy(address, again.bundle.sha256, this.clock());
    this.o.log.info({ list: address, from: old.manifest.compiler, to: COMPILER_VERSION, stdlib: { from: old.manifest.stdlib, to: stdlib.version } }, "recompiled with this compiler");
    return again.bundle;
  }

  /**
   * Ready to order what arrives (Scheduler.order): a message or any other work queued from now on comes after the
   * schedules due before it, a missed one's catch-up too. Nothing runs by the clock until start(); main.ts calls this
   * before the deploys at start and before any listener binds, so a connection taken the moment a port is open is
   * already ordered.
   */
  order(): void {
    this.scheduler.order();
  }

  /**
   * Orders what arrives (order()), and runs what is due by the clock: the schedules, the expiry of held messages,
   * the outbox rows left by an earlier process. The last two need no start before the listeners: a decision on a
   * held message checks its expiry itself (Holds.waiting), and the outbox hands on the rows left in the store before
   * any row committed since (MaildirOutbox.pass).
   */
  start(): void {
    this.scheduler.start();
    this.holds.start();
    this.retention?.start();
    void this.outbox.kick();
  }

  /**
   * Stops the sweep of held messages, then the scheduler, lets queued runs finish, writes the outbox, closes the pool
   * and the store. The sweep first: an expiry it is queueing still finds the schedules due before it ordered ahead.
   */
  async close(): Promise<void> {
    await this.retention?.stop();
    await this.holds.stop();
    await this.scheduler.stop();
    await this.runner.drain();
    await this.outbox.kick();
    await this.outbox.close();
    await this.pool.close();
    await this.store.close();
  }

  get log(): Logger {
    return this.o.log;
  }

  /** The list a recipient reaches: a list's own addresses, or its bounce address (bounces.ts). */
  resolve(rcpt: string): string | undefined {
    return this.runner.route(rcpt)?.list;
  }

  /** postmaster@ a domain of the lists, where no list is deployed (postmaster.ts): what a recipient that reaches no list may still be. */
  postmasterOf(rcpt: string): string | undefined {
    return this.runner.route(rcpt) ? undefined : this.postmasterAt(rcpt);
  }

  /** postmasterOf for a recipient already known to reach no list. */
  private postmasterAt(rcpt: string): string | undefined {
    return postmasterAddress(rcpt, () => {
      const domains = new Set(this.runner.addresses().map((a) => a.slice(a.lastIndexOf("@") + 1).toLowerCase()));
      // The server's own (RFC 5321 4.5.1): the name in its greeting, which bounces and abuse reports are sent to.
      if (this.o.domain) domains.add(this.o.domain.toLowerCase());
      return domains;
    });
  }

  /** Runs the list's rule on a message; mail to its bounce address is recorded instead, never run nor answered; mail to the postmaster is kept. */
  deliver(d: Delivery): Promise<Answer> {
    const route = this.runner.route(d.rcptTo);
    // A bounce or a request for a list removed while it waited for its turn: refused as mail to no list, as its RCPT would be now.
    const removed = gone(() => noList(d));
    if (route?.bounce) return receiveBounce(this, d, route.bounce).catch(removed);
    // The -request address of a list whose rule does not answer it: thwonkd answers (requests.ts).
    if (route && answeredByDaemon(this, route.list, d.rcptTo)) return receiveRequest(this, d).catch(removed);
    const postmaster = route ? undefined : this.postmasterAt(d.rcptTo);
    if (postmaster) return this.postmaster.keep(d, postmaster);
    return this.runner.deliver(d);
  }

  /** The lists; one deployed at an address a list can no longer have carries `addressRefused`, its TW6044 line. */
  lists(): { address: string; rule: string; hash: string; addressRefused?: string }[] {
    return this.runner.addresses().map((address) => {
      const b = this.runner.bundleAt(address)!;
      const refused = this.refusedAddresses.get(address);
      return { address, rule: b.manifest.rule, hash: b.sha256, ...(refused !== undefined ? { addressRefused: refused } : {}) };
    });
  }

  /** The lists with their counts and when their version was deployed: the lists view (GET /v1/lists). */
  async listsView(): Promise<ListView[]> {
    const [counts, deployments] = await Promise.all([this.store.listCounts(), this.store.deployments()]);
    const since = new Map(deployments.map((d) => [d.address, d.deployedAt]));
    return this.lists().map((l) => {
      const c = counts.get(l.address);
      const held = this.refusedAddresses.has(l.address) && listAddressProblem(l.address)?.schedules === "held";
      return { ...l, deployedAt: since.get(l.address) ?? null, members: c?.members ?? 0, held: c?.held ?? 0, ...(held ? { schedulesHeld: true as const } : {}) };
    });
  }

  /**
   * Removes the list (DELETE /v1/lists/ADDR), in its turn: the work queued before it runs and commits first (a message
   * answered 250 is never lost), then one store transaction drops its members, state, schedules, signing key and
   * published pages and expires its held messages, keeping its history; from then on no recipient reaches it (550)
   * and its schedules do not run. A list at an address a list can no longer have (TW6044) is removed the same way.
   */
  async removeList(address: string): Promise<RemoveResult> {
    // A list whose bundle was missing at the start runs nothing and is in no queue: removed in the store alone.
    const stray = this.listAt(address) === undefined ? this.notInstalled.get(addressKey(canonicalAddress(address) ?? address)) : undefined;
    const at = stray?.address ?? this.listAddress(address);
    let r: ListRemoval;
    try {
      r = stray ? await this.store.removeList(at, this.clock()) : await this.runner.remove(at, () => this.store.removeList(at, this.clock()));
    } catch (err) {
      if (err instanceof ListGone) throw err;
      // The store refused the removal's one transaction (a full disk, a failing store): nothing of it was written, and
      // the runner let the list go only after it, so the list is whole. Said so, with the error's id: a retry is safe.
      const errorId = randomUUID();
      this.o.log.error({ err, errorId, list: at }, "the list's removal failed; nothing of it was changed");
      throw new Refusal(say(M.removalFailed, at, errorId));
    }
    if (stray) {
      this.notInstalled.delete(addressKey(at));
      const i = this.startReport.indexOf(stray.line);
      if (i >= 0) this.startReport.splice(i, 1);
    }
    this.removed.set(addressKey(r.address), r);
    this.scheduler.forget(at);
    this.onListRemoved?.(at);
    const line = this.refusedAddresses.get(at);
    this.refusedAddresses.delete(at);
    const reported = line === undefined ? -1 : this.startReport.indexOf(line);
    if (reported >= 0) this.startReport.splice(reported, 1);
    this.o.log.info({ list: at, hash: r.hash, members: r.members, held: r.held, lastRun: r.lastRun }, "list removed");
    const { id: _id, ...rest } = r;
    return { removed: true, ...rest, message: say(M.removedList, at, r.members, r.held) };
  }

  /** The latest removal of the address (any case), when no list is deployed there now. */
  removalOf(address: string): ListRemoval | undefined {
    if (this.listAt(address) !== undefined) return undefined;
    return this.removed.get(addressKey(mailboxAddress(address) ?? address));
  }

  private async storeBundle(b: Bundle): Promise<void> {
    await this.store.putBundle({ hash: b.sha256, rule: b.manifest.rule, compiler: b.manifest.compiler, source: b.source.text, json: serializeBundle(b), createdAt: this.clock() });
  }

  /**
   * Deploys a source or a bundle (checked again: its hash, and its code and
   * bounds against its recompiled source) at each address. An address whose
   * stored state the new version cannot take keeps its running version.
   */
  async deploy(req: DeployRequest): Promise<DeployResult> {
    const file = req.fileName ?? (req.bundle !== undefined ? "bundle.thwb" : "rule.thwonk");
    let bundle: Bundle | undefined;
    if (req.bundle !== undefined) {
      const r = readBundle(file, req.bundle);
      if (!r.bundle) return { ok: false, addresses: [], problems: [say(M.bundleRefused, file, errorsText(r.diagnostics))] };
      bundle = r.bundle;
    } else if (req.source !== undefined) {
      const r = compileSource(file, req.source);
      if (!r.bundle) return { ok: false, addresses: [], problems: [say(M.ruleDoesNotCompile, file, errorsText(r.diagnostics))] };
      bundle = r.bundle;
    } else return { ok: false, addresses: [], problems: ["give a rule's source or a bundle to deploy"] };
    const out: DeployResult = { ok: true, hash: bundle.sha256, addresses: [], problems: [] };
    await this.storeBundle(bundle);
    for (const given of req.addresses) {
      // A domain written in Unicode is deployed in ASCII (xn--), the form every address is kept in.
      const address = mailboxAddress(given);
      if (address === undefined) {
        out.addresses.push({ address: given, deployed: false, problems: [say(M.badAddress, given)] });
        continue;
      }
      const length = wireLength(address);
      if (length > LIST_ADDRESS_MAX) {
        out.addresses.push({ address: given, deployed: false, problems: [say(M.listAddressTooLong, address, length, LIST_ADDRESS_MAX)] });
        continue;
      }
      let at = address;
      let problems: string[] = [];
      let dropped: string[] = [];
      // Again when the list was removed while this deploy waited for its turn (ListGone): then it starts a new list.
      for (let attempt = 0; ; attempt++) {
        try {
          ({ at, problems, dropped } = await this.deployAt(address, bundle, req.allowDataLoss === true));
          break;
        } catch (err) {
          if (!(err instanceof ListGone) || attempt >= 3) throw err;
        }
      }
      if (problems.length) {
        out.addresses.push({ address: at, deployed: false, problems });
        continue;
      }
      out.addresses.push({ address: at, deployed: true, problems: [], ...(dropped.length ? { dropped: [say(M.stateDropped, at, dropped.join(", "))] } : {}) });
      this.o.log.info({ list: at, rule: bundle.manifest.rule, hash: bundle.sha256 }, "deployed");
    }
    out.ok = out.addresses.every((a) => a.deployed);
    return out;
  }

  /** One address of a deploy: a new list, or a swap in the list's turn (ListGone when the list is removed before it). */
  private async deployAt(address: string, bundle: Bundle, allowDataLoss: boolean): Promise<{ at: string; problems: string[]; dropped: string[] }> {
    const current = this.runner.bundleAt(address);
    const at = current ? this.runner.resolve(address)! : address;
    let problems: string[] = [];
    let dropped: string[] = [];
    if (!current) {
      const now = this.clock();
      const added = scheduledTriggers(bundle);
      await this.store.deploy(at, bundle.sha256, now, added);
      // A new list: any schedule times kept for a list removed from this address are not its own.
      this.scheduler.forget(at);
      this.notInstalled.delete(addressKey(at));
      await this.scheduler.deployed(at, added, now);
      await this.runner.install(at, bundle);
    } else {
      // Checked in the list's turn, against the version and the state and members as they are then: checked before
      // it, the runs and the other deploys queued ahead could save state (or install a version) it does not fit.
      problems = await this.runner.swap(at, bundle, async (running) => {
        const check: SwapCheck = running.sha256 === bundle.sha256 ? { problems: [], dropped: [] } : await this.swapCheck(at, running, bundle, allowDataLoss);
        if (check.problems.length) return check.problems;
        // The triggers this version brings in count from its deploy (not the list's first), recorded with it; told
        // to the scheduler before the swap, so the tick that first sees the new version already counts them so.
        const had = new Set(scheduledTriggers(running));
        const added = scheduledTriggers(bundle).filter((name) => !had.has(name));
        const now = this.clock();
        // The state with what it drops written, not left to the runner's load, so a later version that brings a
        // dropped field back starts it afresh instead of finding the value this one dropped (migrated from the older
        // hash); in the deploy's own transaction: written after it, a failure or a crash between the two left this
        // version deployed (at the next start) over the state it was to drop.
        await this.store.deploy(at, bundle.sha256, now, added, check.state);
        await this.scheduler.deployed(at, added, now);
        if (check.state !== undefined) this.o.log.warn({ list: at, hash: bundle.sha256, dropped: check.dropped }, "state dropped at deploy (allowDataLoss)");
        dropped = check.dropped;
        return [];
      });
    }
    return { at, problems, dropped };
  }

  /**
   * Why `next` may not replace `running` at `at` (a state schema its stored state cannot take, more members than its
   * limit), and what it drops from the stored state when data loss is allowed.
   */
  private async swapCheck(at: string, running: Bundle, next: Bundle, allowDataLoss: boolean): Promise<SwapCheck> {
    const problems: string[] = [];
    const members = (await this.store.members(at)).members.length;
    // A lower `limits.members` is judged by the list's members as they are (TW6014 below), not refused unseen (TW4024),
    // which refused it for a list with state whatever its count, and asked for a `--member-count` a deploy cannot give.
    const before = versionSchema(running.manifest);
    const after = versionSchema(next.manifest);
    const unseen = compareVersions(before, after, { allowDataLoss }).filter((p) => !p.members);
    const read = unseen.length ? await stateAsRead(this.store, running, await this.store.state(at)) : null;
    // As the list's runs read it: entries at a refused address are not the list's data (withoutRefusedAddresses).
    const saved = read === null ? null : withoutRefusedAddresses(running.manifest.state, read).state;
    let dropped: string[] = [];
    let state: SavedState | undefined;
    if (saved !== null) {
      // Judged on the data the list has: a lower `max` or `T?` → `T` (TW4022) is refused only when a stored value does
      // not fit it (TW4025, naming the value), which thwonkc check can only guess at without the list's state.
      const compat = compareVersions(before, after, { allowDataLoss, state: saved }).filter((p) => !p.members);
      const errors = compat.filter((p) => p.message.severity === "error");
      if (errors.length) problems.push(say(M.incompatibleState, at, compatText(errors)));
      else if (allowDataLoss) {
        // Its only warnings: a removed field (or record field) that is dropped (TW4026), its path first.
        dropped = compat.filter((p) => p.message.severity === "warning").map((p) => `\`${String(p.args[0])}\``);
        if (dropped.length) state = migrateState(before.state, after.state, saved);
      }
    }
    const limit = next.manifest.limits["members"]?.value;
    if (limit !== undefined && members > limit) problems.push(say(M.membersOverLimit, at, members, limit));
    return { problems, dropped, ...(state !== undefined && problems.length === 0 ? { state } : {}) };
  }

  /**
   * The list deployed at exactly this address, as the API names it (any case); a list deployed at an address a list
   * can no longer have is found too (listAddressProblem), so it can be read and moved (TW6044). Not for mail: resolve.
   */
  listAt(address: string): string | undefined {
    const at = this.runner.listAt(address);
    if (at !== undefined || canonicalAddress(address) !== undefined) return at;
    // As an owner writes it: a domain in Unicode is the list's, kept in ASCII (xn--), as ingress reads it.
    const ascii = mailboxAddress(address);
    return ascii === undefined ? undefined : this.runner.listAt(ascii);
  }

  private listAddress(address: string): string {
    const at = this.listAt(address);
    if (at !== undefined) return at;
    const removal = this.removalOf(address);
    throw new Refusal(removal ? say(M.listRemoved, removal.address, iso(removal.removedAt)) : say(M.unknownList, address));
  }

  /** The list's address for its history (runs, failed messages): a list deployed now, or else one removed (kept for audit). */
  private historyAddress(address: string): string {
    return this.listAt(address) ?? this.removalOf(address)?.address ?? this.listAddress(address);
  }

  async members(address: string): Promise<MembersSnapshot> {
    return this.store.members(this.listAddress(address));
  }

  /** Adds members (an address already there is updated), within the rule's member limit. */
  async addMembers(address: string, members: (Partial<MemberJson> & { address: string })[]): Promise<MembersSnapshot> {
    const at = this.listAddress(address);
    const full = members.map((m) => this.member(m));
    return this.runner.withList(at, async (bundle) => {
      const now = await this.store.members(at);
      const present = new Set(now.members.map((m) => addressKey(m.address)));
      const count = now.members.length + new Set(full.map((m) => addressKey(m.address)).filter((k) => !present.has(k))).size;
      this.checkLimit(at, bundle, count);
      return this.store.changeMembers(at, full.map((member) => ({ op: "add", member })));
    });
  }

  async removeMembers(address: string, addresses: string[]): Promise<MembersSnapshot> {
    const at = this.listAddress(address);
    // Members are stored canonical; SQLite's lower() folds ASCII only, so `ÄNN@` or ` ann@ ` must be made canonical here to match.
    return this.runner.withList(at, () => this.store.changeMembers(at, addresses.map((a) => ({ op: "remove", address: mailboxAddress(a) ?? a }))));
  }

  /**
   * Replaces the members with a members file's (text or JSON, runtime/input/members.ts). A member already on the
   * list keeps when they joined, unless the file says (`joined` in JSON), as `add` keeps it: a subscription's bounce
   * count, its one-click links and its -request confirmations all go by that time, so importing the same roster again
   * reset every member's bounces and broke every unsubscribe link sent before. The others join now; all in joining
   * order, the file's order among equals.
   */
  async importMembers(address: string, text: string): Promise<MembersSnapshot> {
    const at = this.listAddress(address);
    const r = readMembers(text, { joined: NOT_GIVEN, source: "import" });
    if (r.problems.length) throw new Refusal(say(M.badMembers, r.problems.map((p) => `${p.code} ${p.message}`).join(" ")));
    return this.runner.withList(at, async (bundle) => {
      this.checkLimit(at, bundle, r.members.length);
      const before = new Map((await this.store.members(at)).members.map((m) => [addressKey(m.address), m.joined]));
      const now = this.clock();
      const members = r.members.map((m) => (m.joined === NOT_GIVEN ? { ...m, joined: before.get(addressKey(m.address)) ?? now } : m));
      return this.store.setMembers(at, members.sort((a, b) => a.joined - b.joined));
    });
  }

  private member(m: Partial<MemberJson> & { address: string }): MemberJson {
    // A domain written in Unicode is the member at that domain in ASCII, as mail from them is read (input/decode.ts).
    const address = mailboxAddress(m.address);
    if (address === undefined) throw new Refusal(say(M.badAddress, m.address));
    const member: MemberJson = { address, name: m.name ?? "", role: m.role ?? "member", joined: m.joined ?? this.clock() };
    // What a members file is held to (a name's length): a member the runner would refuse to load would stop the list's mail.
    const bad = memberFieldProblem(member);
    if (bad) throw new Refusal(say(M.badMembers, `${address}: ${bad}`));
    return member;
  }

  private checkLimit(address: string, bundle: Bundle, count: number): void {
    const limit = bundle.manifest.limits["members"]?.value;
    if (limit !== undefined && count > limit) throw new Refusal(say(M.membersOverLimit, address, count, limit));
  }

  async state(address: string): Promise<{ state: SavedState | null; hash: string | null }> {
    return this.store.state(this.listAddress(address));
  }

  /**
   * The state as the deployed version reads it (what its next run starts from: state saved by an older version
   * migrated, as the runner's load does), with the version that saved it: what GET .../state shows, and so what PUT
   * takes back. Shown as saved, a record field a deploy added since would be missing, and the state refused. So are
   * entries at an address the address rule now refuses (a map's key, a list's entry, an optional address): left
   * out, as the runner's load leaves them out (contract/state.ts withoutRefusedAddresses), and named in `left`;
   * shown, PUT would refuse them, and the state read could not be set back as it is.
   */
  async stateAsDeployed(address: string): Promise<ListState> {
    const at = this.listAddress(address);
    const saved = await this.store.state(at);
    const running = this.runner.bundleAt(at);
    if (!running) return { ...saved, initial: [] };
    const read = await stateAsRead(this.store, running, saved);
    const { state, left } = read === null ? { state: read, left: [] } : withoutRefusedAddresses(running.manifest.state, read);
    return { state, hash: saved.hash, initial: unstored(running, state), ...(left.length ? { left } : {}) };
  }

  /**
   * Replaces the list's state with an owner's (a repair of state the rule refuses, TW5070), checked by the one checker
   * the runner uses before each run; in the list's turn, so the runs before it commit first and the runs after it
   * start from it.
   */
  async setState(address: string, state: unknown): Promise<ListState & { hash: string }> {
    const at = this.listAddress(address);
    return this.runner.withList(at, async (bundle) => {
      const problems = checkSavedState(bundle.manifest.state, state);
      if (problems.length) throw new StateRefusal(say(M.stateRefused, at, problems.map(describeStateProblem).join("; ")), problems);
      return this.replaceState(at, bundle, state as SavedState, "state set through the API");
    });
  }

  /**
   * Drops the list's state: its next run starts from the rule's initial state, as a new list's first run does. Null is
   * stored, not the initial state, which is known only by running the rule (an initial value may compute) and is the
   * version's that runs next: a version deployed after the reset starts from its own.
   */
  async resetState(address: string): Promise<ListState & { hash: string }> {
    const at = this.listAddress(address);
    return this.runner.withList(at, (bundle) => this.replaceState(at, bundle, null, "state reset through the API"));
  }

  private async replaceState(at: string, bundle: Bundle, state: SavedState | null, what: string): Promise<ListState & { hash: string }> {
    const before = await this.store.state(at);
    await this.store.setState(at, state, bundle.sha256);
    // The audit trail: who runs the server can tell when the state changed outside a run, and from what version's.
    const size = (s: unknown): number => (s === null ? 0 : Buffer.byteLength(typeof s === "string" ? s : JSON.stringify(s)));
    this.o.log.info({ list: at, hash: bundle.sha256, before: { hash: before.hash, bytes: size(before.state) }, bytes: size(state) }, what);
    return { state, hash: bundle.sha256, initial: unstored(bundle, state) };
  }

  async states(): Promise<{ address: string; state: SavedState | null }[]> {
    return Promise.all(this.runner.addresses().map(async (address) => ({ address, state: (await this.store.state(address)).state })));
  }

  runs(filter: RunFilter = {}): Promise<RunRecord[]> {
    return this.store.runs(filter.address ? { ...filter, address: this.historyAddress(filter.address) } : filter);
  }

  run(id: number): Promise<RunRecord | undefined> {
    return this.store.run(id);
  }

  /**
   * The failed messages oldest first: the first `limit` (1,000) with an id above `after`. Those of a list removed
   * since (not replayable, TW6047) are marked `listRemoved`, and left out with `removedLists: false`.
   */
  failedMessages(address?: string, page: { after?: number; limit?: number; removedLists?: boolean } = {}): Promise<MessageRecord[]> {
    return this.store.messages({ ...(address ? { address: this.historyAddress(address) } : {}), status: "failed", ...page });
  }

  /** The failed scheduled runs not replayed, oldest first, as failedMessages has the messages (`listRemoved`, `removedLists`). */
  async failedSchedules(address?: string, page: { after?: number; limit?: number; removedLists?: boolean } = {}): Promise<(RunRecord & { listRemoved?: true })[]> {
    const runs = await this.store.failedSchedules({ ...(address ? { address: this.historyAddress(address) } : {}), ...page });
    // The latest removal at an address has the highest last run: a run up to it was a removed list's.
    return runs.map((r) => (r.id <= (this.removed.get(addressKey(r.address))?.lastRun ?? 0) ? { ...r, listRemoved: true as const } : r));
  }

  /**
   * Runs a failed run again with the version deployed now: its message (which is then `replayed`), or its scheduled
   * trigger with `now` its due time (the run is then replayed, whatever the replay's outcome).
   */
  async replay(runId: number): Promise<Answer> {
    // A run of a list removed since has no rule to run it: not the removed list's (gone), nor a new list's there.
    const run = await this.store.run(runId);
    const removal = run && (await this.store.removals(run.address)).find((r) => r.address === run.address && r.lastRun >= run.id);
    if (run && removal) throw new Refusal(say(M.replayRemoved, runId, run.address, iso(removal.removedAt)));
    // Its message's bytes removed by retention: nothing left to run (410).
    const message = run?.messageId != null ? await this.store.message(run.messageId) : undefined;
    if (message?.prunedAt !== undefined) throw new Refusal(prunedMessage(message.id, message.prunedAt));
    try {
      return await this.runner.replay(runId);
    } catch (err) {
      if (err instanceof Error && (err.message.startsWith(M.notReplayable.code) || err.message.startsWith(M.payloadPruned.code))) throw new Refusal(err.message);
      throw err;
    }
  }
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");


function errorsText(ds: readonly Diagnostic[]): string {
  const errors = ds.filter((d) => d.severity === "error");
  return errors.slice(0, 5).map((d) => `${d.code} ${d.message}${d.span ? ` (line ${d.span.line})` : ""}`).join("; ") || "no details";
}

function compatText(problems: readonly CompatProblem[]): string {
  return problems.map((p) => `${p.message.code} ${(p.message.format as (...a: unknown[]) => string)(...p.args)}`).join(" ");
}

/**
 * The store's checkpoint thread: its fall-back logged, and the pages at which it checkpoints from
 * THWONKD_TEST_CHECKPOINT_PAGES (tests only, to checkpoint often: docs/daemon.md).
 */
function checkpointOptions(log: Logger): CheckpointerOptions {
  const pages = Number(process.env["THWONKD_TEST_CHECKPOINT_PAGES"]);
  return { log, ...(pages >= 1 ? { pages } : {}) };
}

/** The names of a version's scheduled (`every`) triggers. */
function scheduledTriggers(bundle: Bundle): string[] {
  return bundle.manifest.triggers.filter((t) => t.kind === "every").map((t) => t.name);
}
