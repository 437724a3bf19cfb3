/**
 * What the run-order tests share: a daemon in this process whose clock the test sets (the scheduler looks at it only
 * when asked: its own tick comes once, at the start), and a rule whose schedule counts the list's members into state.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger, type Logger } from "../../runtime/daemon/log.js";

/** Each midnight, the list's member count as the run saw it; `fail` in state makes the midnight run divide by zero. */
export const CENSUS = `rule census

limits { members: 10 }

state {
  seen: int = -1
  nights: int = 0
  fail: bool = false
}

on message(m: Message) {
  if m.subject == "fail" {
    state.fail = true
  }
  if m.subject == "mend" {
    state.fail = false
  }
}

every day at 00:00 {
  state.seen = members.size
  if state.fail {
    let n = members.size
    state.seen = 100 / (n - n)
  }
  if state.nights < 1000 {
    state.nights = state.nights + 1
  }
}
`;

export interface ClockedDaemon {
  daemon: Daemon;
  dir: string;
  /** Sets the daemon's clock. */
  set(iso: string): void;
  close(): Promise<void>;
}

/** A daemon in this process on a clock the test sets, with `source` deployed at `list` (deployed at `startAt`). */
export async function clockedDaemon(o: { source: string; list: string; startAt: string; log?: Logger }): Promise<ClockedDaemon> {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-run-order-"));
  let now = Date.parse(o.startAt);
  // An hour between the scheduler's own looks: in a test, it looks once at the start, then only when asked (dueBy, tick()).
  const daemon = await Daemon.open({ dataDir: dir, log: o.log ?? createLogger({ level: "silent", pretty: false }), workers: 1, clock: () => now, tickMs: 3_600_000 });
  const r = await daemon.deploy({ source: o.source, fileName: "rule.thwonk", addresses: [o.list] });
  if (!r.ok) throw new Error(`deploy refused: ${JSON.stringify(r)}`);
  daemon.start();
  return {
    daemon,
    dir,
    set: (iso) => void (now = Date.parse(iso)),
    async close() {
      await daemon.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
