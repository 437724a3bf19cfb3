/**
 * `--ceiling budget=N,fanout=N`: the daemon's ceilings on a rule's budgets.
 * Its own module (no dependencies), so main.ts can parse the option without
 * loading the compiler.
 */
/** The names `--ceiling` accepts: the budgets the daemon may lower. */
export const CEILING_NAMES = ["budget", "fanout", "memory"] as const;

/**
 * `budget=200000,fanout=1000` (one option or several, merged into `previous`).
 * Throws an Error whose message says what is wrong (commander shows it, exit 2).
 */
export function parseCeilings(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const out = { ...previous };
  for (const part of value.split(",")) {
    const item = part.trim();
    if (item === "") continue;
    const m = /^([A-Za-z]+)\s*=\s*([0-9][0-9_]*)$/.exec(item);
    if (!m) throw new Error(`\`${item}\` is not NAME=NUMBER (e.g. budget=200000,fanout=1000,memory=33554432)`);
    const name = m[1]!;
    if (!(CEILING_NAMES as readonly string[]).includes(name)) {
      throw new Error(`unknown ceiling \`${name}\`; the ceilings are ${CEILING_NAMES.slice(0, -1).join(", ")} and ${CEILING_NAMES[CEILING_NAMES.length - 1]}`);
    }
    const n = Number(m[2]!.replace(/_/g, ""));
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`the ceiling ${name}=${m[2]} is not a whole number above 0`);
    out[name] = n;
  }
  return out;
}
