/**
 * One pass at a time, and one more if asked for during it: the outbox's
 * writer and the relay's sender are kicked after every commit, and many kicks
 * while a pass runs make one more pass, not many.
 */
export class Coalesced {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
    /** Asked before each pass: false stops (the daemon is stopping). */
    private readonly goOn: () => boolean = () => true,
  ) {}

  /** Runs a pass now, or right after the pass in progress; resolves when no pass is left. */
  kick(after?: () => Promise<void>): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && this.goOn());
        await after?.();
      } catch (err) {
        this.onError(err);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** The pass in progress, if any. */
  get current(): Promise<void> | undefined {
    return this.running;
  }
}
