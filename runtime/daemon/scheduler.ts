/**
 * Runs `every` triggers when they are due (schedule.ts says when). Each
 * list+trigger remembers the latest due time it ran for (committed with the
 * run); a trigger counts from the deployment that brought it in. A trigger
 * whose latest due time is after the one it ran for runs once, with `now`
 * that due time: after downtime the missed times run once, as the latest.
 *
 * A scheduled run goes through the list's queue like a message, and it
 * arrives when it is due: the scheduler looks at the clock at each tick, and
 * the runner asks it (dueBy) before it queues each message, so a message
 * accepted at or after a due time runs after that time's run. Each list's
 * bookkeeping is read from the store before the list takes mail (prepare).
 *
 * Architecture Invariant: the tick never waits for a run. A list whose queue
 * is long delays its own schedules, not the other lists'; a trigger's next
 * due time moves on when its run is queued, so it is never queued twice.
 */
import type { Bundle } from "../../compiler/index.js";
import type { Logger } from "./log.js";
import { Repeating } from "./repeat.js";
import type { Runner } from "./runner.js";
import { latestDue, nextDue } from "./schedule.js";
import { bundleTimeZone } from "../run/input.js";
import type { Store } from "./store/types.js";

export interface SchedulerOptions {
  store: Store;
  runner: Runner;
  clock: () => number;
  log: Logger;
  /** How often to look (ms); default 1000. The test clock hook makes it look more often. */
  tickMs?: number;
}

interface TriggerTimes {
  /** The latest due time queued to run (or committed, as read from the store); undefined before the first. */
  last: number | undefined;
  /** The first due time after `last`; undefined until computed for the list's bundle. */
  next: number | undefined;
}

interface ListTimes {
  /** The list's first deployment. */
  since: number | null;
  /** By trigger name; kept across deploys, so a run queued for the old version is not queued again for the new. */
  triggers: Map<string, TriggerTimes>;
  /** The bundle the `next` times were computed for (its zone): another one makes them computed again. */
  bundle: Bundle | undefined;
  /** The bundle whose due times could not be computed (said once in the log). */
  broken?: Bundle;
}

export class Scheduler {
  private readonly repeating: Repeating;
  private readonly lists = new Map<string, ListTimes>();
  /** Lists whose schedules do not run (hold): deployed at an address a list can no longer have (daemon.ts listAddressProblem). */
  private readonly held = new Set<string>();

  constructor(private readonly o: SchedulerOptions) {
    this.repeating = new Repeating(() => this.tick(), o.tickMs ?? 1000, o.log, "the scheduler's tick failed");
  }

  /**
   * From now on, what is queued for a list (a message, a deploy, a change of members, ...) has the schedules due by
   * its time queued before it (runner.ts dueBy), without looking at the clock on its own yet: main.ts orders before
   * any listener takes a connection, and starts the ticks once they all listen (a start that cannot listen then runs
   * nothing by the clock).
   */
  order(): void {
    this.o.runner.dueBy = (address, at) => this.queueDue(address, at);
  }

  /** Orders the work queued from now on (order), and looks at the clock now and at each tick. */
  start(): void {
    this.order();
    this.repeating.start();
  }

  /** Stops looking; resolves when the tick in progress has queued its runs. */
  async stop(): Promise<void> {
    this.o.runner.dueBy = undefined;
    await this.repeating.stop();
  }

  /** The list's schedules are not run from now on: each run would fail before it starts, as the list's own problem. */
  hold(address: string): void {
    this.held.add(address);
  }

  /**
   * Forgets what it knew of the list at `address` (its times, a hold): the list was removed, or a new list is deployed
   * there, whose bookkeeping is read from the store afresh (prepare) and counts from its own deploy.
   */
  forget(address: string): void {
    this.lists.delete(address);
    this.held.delete(address);
  }

  /** Reads the list's bookkeeping from the store, once: before the list takes mail, so its first message is ordered too. */
  async prepare(address: string): Promise<void> {
    if (this.lists.has(address)) return;
    const { since, last } = await this.o.store.schedule(address);
    if (this.lists.has(address)) return;
    const triggers = new Map<string, TriggerTimes>();
    for (const [name, at] of last) triggers.set(name, { last: at, next: undefined });
    this.lists.set(address, { since, triggers, bundle: undefined });
  }

  /** A deploy: the triggers it brought in count from `at`, as the store now has it. */
  async deployed(address: string, added: readonly string[], at: number): Promise<void> {
    await this.prepare(address);
    const list = this.lists.get(address)!;
    for (const name of added) {
      const t = list.triggers.get(name);
      if (t) {
        t.last = Math.max(t.last ?? at, at);
        t.next = undefined;
      } else list.triggers.set(name, { last: at, next: undefined });
    }
  }

  /** Queues every trigger that is due now; resolves when they are queued (not run). */
  async tick(): Promise<void> {
    const now = this.o.clock();
    for (const address of this.o.runner.addresses()) {
      await this.prepare(address);
      this.queueDue(address, now);
    }
  }

  /** Queues a run of each of the list's triggers due at or before `now`; a list whose times cannot be computed is left out. */
  private queueDue(address: string, now: number): void {
    const list = this.lists.get(address);
    const bundle = this.o.runner.bundleAt(address);
    if (!list || !bundle || this.held.has(address)) return;
    try {
      this.queueList(address, list, bundle, now);
    } catch (err) {
      // A zone this host does not know (TW4029): the list's own problem, not the next list's nor its sender's.
      if (list.broken !== bundle) this.o.log.error({ err, list: address, zone: bundleTimeZone(bundle) }, "the list's schedules cannot run: their due times cannot be computed");
      list.broken = bundle;
    }
  }

  /** Queues a run of each of the list's triggers due at or before `now`: one a trigger, as its latest due time. */
  private queueList(address: string, list: ListTimes, bundle: Bundle, now: number): void {
    if (list.bundle !== bundle) {
      list.bundle = bundle;
      for (const t of list.triggers.values()) t.next = undefined;
    }
    const zone = bundleTimeZone(bundle);
    for (const trigger of bundle.manifest.triggers) {
      const s = trigger.kind === "every" ? trigger.schedule : null;
      if (!s) continue;
      let t = list.triggers.get(trigger.name);
      if (!t) list.triggers.set(trigger.name, (t = { last: undefined, next: undefined }));
      t.next ??= nextDue(s, zone, t.last ?? list.since ?? now);
      if (t.next > now) continue;
      const latest = latestDue(s, zone, now) ?? t.next;
      if (latest > t.next) this.o.log.info({ list: address, trigger: trigger.name, missedFrom: new Date(t.next).toISOString() }, "missed due times run once, as the latest");
      const before = t.last;
      t.last = latest;
      t.next = nextDue(s, zone, latest);
      const times = t;
      // Not committed: due again, unless a later time of the trigger was queued since (it stands for this one).
      const again = (): void => {
        if (times.last !== latest) return;
        times.last = before;
        times.next = undefined;
      };
      this.o.runner.runSchedule(address, trigger.name, latest).then(
        (a) => (a.code === 250 ? undefined : again()),
        (err: unknown) => (again(), this.o.log.error({ err, list: address, trigger: trigger.name }, "a scheduled run could not run; it is tried again")),
      );
    }
  }
}
