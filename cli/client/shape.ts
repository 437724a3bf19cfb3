/**
 * What the client commands read from thwonkd's answers (runtime/daemon/api.ts),
 * checked before they print from it. An answer of another shape (another
 * server on the port, a proxy's JSON, another version) is the server's
 * failure, exit 3 (http.ts), never a TypeError that ends thwonkc with 70.
 * Only the fields a command reads are checked; others may come and go.
 */
export type Shape = (v: unknown) => boolean;

export const text: Shape = (v) => typeof v === "string";
export const number: Shape = (v) => typeof v === "number" && Number.isFinite(v);
export const flag: Shape = (v) => typeof v === "boolean";
/** A time in epoch milliseconds that Date can print (toISOString throws beyond ±8.64e15). */
export const epochMs: Shape = (v) => number(v) && Math.abs(v as number) <= 8.64e15;
/** Present, whatever it is (JSON has no undefined). */
export const present: Shape = (v) => v !== undefined;

export const nullable =
  (s: Shape): Shape =>
  (v) =>
    v === null || s(v);
export const optional =
  (s: Shape): Shape =>
  (v) =>
    v === undefined || s(v);
export const listOf =
  (s: Shape): Shape =>
  (v) =>
    Array.isArray(v) && v.every(s);
/** An object with these fields (its own, not its prototype's). */
export const fields =
  (f: Record<string, Shape>): Shape =>
  (v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    return Object.entries(f).every(([k, s]) => s(Object.hasOwn(o, k) ? o[k] : undefined));
  };

/** A run's error: code, message and where in the rule. */
export const runError = fields({ code: text, message: text, line: optional(nullable(number)), column: optional(nullable(number)) });
/** A run as `runs` prints it: in a list (actionCount) or alone (its actions). */
export const run = fields({
  id: number,
  now: epochMs,
  address: text,
  trigger: text,
  outcome: text,
  gasUsed: number,
  gasBound: number,
  replayOf: nullable(number),
  error: nullable(runError),
  bundleHash: text,
  messageId: nullable(number),
  actionCount: optional(number),
  prunedAt: optional(epochMs),
  actions: optional(listOf(fields({ kind: text, to: listOf(text), at: fields({ line: number }) }))),
});
/** An API refusal: `{ error: { code, message } }`. */
export const refusal = fields({ error: fields({ message: text }) });
