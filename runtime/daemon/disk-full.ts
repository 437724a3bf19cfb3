/**
 * A full disk: how thwonkd tells it from other failures (the store's SQLITE_FULL, a file's ENOSPC or EDQUOT), and
 * says it no more than once a minute while it lasts (every group commit fails meanwhile, and the log may be on the
 * same disk). What each side answers: runner.ts (452 4.3.1, TW6062), api.ts (507, TW6064), main.ts (a start).
 */
/** Whether a store's or a file's write failed for want of space: SQLite's SQLITE_FULL, the system's ENOSPC or EDQUOT. */
export function diskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "SQLITE_FULL" || code === "ENOSPC" || code === "EDQUOT";
}

/** Says a thing at most once per `every` ms, counting the times it was not said. */
export class Throttled<A> {
  private last = Number.NEGATIVE_INFINITY;
  private more = 0;
  constructor(
    private readonly every: number,
    private readonly now: () => number,
    private readonly sayIt: (a: A, more: number) => void,
  ) {}
  say(a: A): void {
    const now = this.now();
    if (now - this.last < this.every && now >= this.last) {
      this.more++;
      return;
    }
    this.last = now;
    this.sayIt(a, this.more);
    this.more = 0;
  }
}
