/** What the schedule adversary's tests read back: a list's scheduled runs, and waiting for them. */
import { readStore, until } from "./helpers.js";

export interface Ran {
  trigger: string;
  now: string;
  outcome: string;
}

/** The list's scheduled runs in commit order, `now` as ISO text. */
export function scheduledRuns(data: string, list: string): Ran[] {
  return readStore(data, (db) =>
    (db.prepare("SELECT trigger, now, outcome FROM runs WHERE address = ? AND trigger != 'message' ORDER BY id").all(list) as { trigger: string; now: number; outcome: string }[]).map((r) => ({
      trigger: r.trigger,
      now: new Date(r.now).toISOString(),
      outcome: r.outcome,
    })),
  );
}

/** Waits until the list has `n` scheduled runs, then eight more of the scheduler's looks at the clock, so more would show. */
export async function settledRuns(data: string, list: string, n: number): Promise<Ran[]> {
  await until(`${n} scheduled runs of ${list}`, () => scheduledRuns(data, list).length >= n || undefined);
  await new Promise((r) => setTimeout(r, 800));
  return scheduledRuns(data, list);
}
