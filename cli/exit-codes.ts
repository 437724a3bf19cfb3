/**
 * The exit codes of every thwonkc command. One table, so `check`, `compile`,
 * `test`, `run` and `deploy` all mean the same thing by the same number, and
 * CI scripts can rely on them.
 */
export const ExitCode = {
  /** Everything went well: no errors (warnings allowed unless `--strict`). */
  Success: 0,
  /** The command ran and found problems: errors in a rule, a failing test; or a server refused the request (its reason is printed). */
  Findings: 1,
  /** Bad usage (unknown option or command, a bad value) or a file that is missing or unreadable. */
  Usage: 2,
  /** A server could not be reached, or failed on the request (HTTP 5xx): deploy, the admin commands, mail. Try again later. */
  Server: 3,
  /** A bug in thwonkc itself (an exception it did not expect). Should never happen; please report it. */
  Internal: 70,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The table as `--help` shows it. */
export const EXIT_CODES_HELP = `
Exit codes (the same for every command):
  ${ExitCode.Success}  success (warnings allowed unless --strict)
  ${ExitCode.Findings}  findings: errors in a rule, failing tests; a server refused the request
  ${ExitCode.Usage}  bad usage, or a file that is missing or unreadable
  ${ExitCode.Server}  the server could not be reached, or failed`;
