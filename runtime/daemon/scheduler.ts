/**
 * Runs `every` triggers when they are due (schedule.ts says when). Each
 * list+trigger remembers the latest due time it ran for (committed with the
 * run); a list first deployed at T counts from T. At each tick, a trigger
 * whose latest due time is after the one it ran for runs once, with `now`
 * that due time: after downtime the missed times run once, as the latest.
 * The run goes through the list's queue like a message, in order.
 */
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

export class Scheduler {
  private readonly repeating: Repeating;
  /** address → trigger → the next due time after the last run (a cache; recomputed after each run). */
  private readonly next = new Map<string, Map<string, number>>();

  constructor(private readonly o: SchedulerOptions) {
    this.repeating = new Repeating(() => this.tick(), o.tickMs ?? 1000, o.log, "the scheduler's tick failed");
  }

  start(): void {
    this.repeating.start();
  }

  /** Stops looking; resolves when the tick in progress has queued its runs. */
  async stop(): Promise<void> {
    await this.repeating.stop();
  }

  /** Forget what is known of a list (a redeploy may change its triggers). */
  forget(address: string): void {
    this.next.delete(address);
  }

  /** Runs every trigger that is due now; resolves when their runs are committed. */
  async tick(): Promise<void> {
    const now = this.o.clock();
    const runs: Promise<unknown>[] = [];
    for (const address of this.o.runner.addresses()) {
      const bundle = this.o.runner.bundleAt(address);
      if (!bundle) continue;
      const every = bundle.manifest.triggers.filter((t) => t.kind === "every" && t.schedule);
      if (every.length === 0) continue;
      let known = this.next.get(address);
      if (!known) {
        const { since, last } = await this.o.store.schedule(address);
        known = new Map();
        for (const t of every) {
          const from = last.get(t.name) ?? since ?? now;
          known.set(t.name, nextDue(t.schedule!, bundleTimeZone(bundle), from));
        }
        this.next.set(address, known);
      }
      for (const t of every) {
        const due = known.get(t.name);
        if (due === undefined || due > now) continue;
        const zone = bundleTimeZone(bundle);
        const latest = latestDue(t.schedule!, zone, now) ?? due;
        known.set(t.name, nextDue(t.schedule!, zone, latest));
        if (latest > due) this.o.log.info({ list: address, trigger: t.name, missedFrom: new Date(due).toISOString() }, "missed due times run once, as the latest");
        const retry = (): void => void known.set(t.name, Math.min(known.get(t.name) ?? due, due));
        runs.push(
          this.o.runner.runSchedule(address, t.name, latest).then(
            (a) => (a.code === 250 ? undefined : retry()),
            (err) => (retry(), this.o.log.error({ err, list: address, trigger: t.name }, "a scheduled run could not run; it is tried again")),
          ),
        );
      }
    }
    await Promise.all(runs);
  }
}
