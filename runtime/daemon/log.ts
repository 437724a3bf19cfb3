/**
 * The daemon's logger: pino JSON lines on stderr, pretty when stderr is a
 * terminal. Modules take the `Logger` type, so tests can pass a silent one.
 */
import pino from "pino";

export type Logger = pino.Logger;

export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env["THWONKD_LOG_LEVEL"] ?? "info";
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  if (pretty) {
    return pino({ level, base: { name: "thwonkd" } }, pino.transport({ target: "pino-pretty", options: { destination: 2, colorize: true } }));
  }
  return pino({ level, base: { name: "thwonkd" } }, pino.destination({ fd: 2, sync: true }));
}
