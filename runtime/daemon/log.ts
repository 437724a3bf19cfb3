/**
 * The daemon's logger: pino JSON lines on stderr, pretty when stderr is a
 * terminal. Modules take the `Logger` type, so tests can pass a silent one.
 *
 * Lines are written asynchronously: each run logs one, and a write(2) of each
 * on the event loop cost the one-list rate 4-6% (bench/RESULTS.md, eleventh
 * pass). A line goes out as soon as the write before it is done, so under load
 * the lines of many runs go in one write, and when idle each goes at once.
 * pino flushes what is left when the process exits; a SIGKILL can lose the
 * lines of the last milliseconds (the store, not the log, is the record of
 * what was run).
 */
import pino from "pino";

export type Logger = pino.Logger;

export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env["THWONKD_LOG_LEVEL"] ?? "info";
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  if (pretty) {
    return pino({ level, base: { name: "thwonkd" } }, pino.transport({ target: "pino-pretty", options: { destination: 2, colorize: true } }));
  }
  return pino({ level, base: { name: "thwonkd" } }, pino.destination({ fd: 2, sync: false }));
}
