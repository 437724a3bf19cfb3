/**
 * A piece of work run again and again, `everyMs` after the previous run ended
 * (never two at once); its failures are logged, not thrown, so the next run
 * still comes. The scheduler's tick and the sweep of expired holds use it.
 */
import type { Logger } from "./log.js";

export class Repeating {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly everyMs: number,
    private readonly log: Logger,
    private readonly failure: string,
  ) {}

  /** Runs the work now, then again after each run ends. */
  start(): void {
    const loop = (): void => {
      if (this.stopped) return;
      this.running = this.work().catch((err) => this.log.error({ err }, this.failure));
      void this.running.then(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.everyMs);
      });
    };
    loop();
  }

  /** Starts no more runs; resolves when the one in progress has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
