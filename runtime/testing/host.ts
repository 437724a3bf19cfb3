/**
 * What a run needs from its host besides the compiled code: the time zone's
 * offsets (QuickJS has no Intl), .eml files parsed, words for runtime
 * errors, and the defaults a dry run or a test starts from.
 */
import type { RuleUnit } from "../../compiler/index.js";
import type { RunError } from "./errors.js";

export interface HostServices {
  /** UTC offset transitions of `zone` over [fromMs, toMs]: [[fromMs, offsetMinutes], ...]. */
  tzFor(zone: string, fromMs: number, toMs: number): [number, number][];
  /** A message file named in a test (`message = "post.eml"`), relative to the test's file, as message JSON. */
  loadEml(path: string, relativeTo: string): Promise<unknown>;
  /** Words for an error the rule code raised (TW501x) with its material. */
  describeRuleError(e: { code: string; args: unknown[]; line: number; column: number }): RunError;
}

/** Tests start at this moment unless they say `now = ...`: fixed, so tests are reproducible. */
export const TEST_EPOCH = Date.UTC(2026, 0, 1, 12, 0, 0);

/** The list a test or dry run pretends to be. */
export function defaultListAddress(unit: RuleUnit): string {
  return `${(unit.check.model.ruleName ?? "list").replace(/_/g, "-")}@example.org`;
}

/** The parts of a run's input every run has: gas (and the fan-out bound, when given), time, zone, list, limits, empty members and state. */
export async function runtimeInputBase(
  unit: RuleUnit,
  host: HostServices,
  extra: { gas: number; fanout?: number; now?: number; emls?: Record<string, unknown>; trace?: boolean },
): Promise<Record<string, unknown>> {
  const model = unit.check.model;
  const now = extra.now ?? TEST_EPOCH;
  const zone = model.settings.get("timezone")?.value ?? "UTC";
  const limits: Record<string, number> = {};
  for (const [name, l] of model.limits) limits[name] = l.value;
  const address = defaultListAddress(unit);
  return {
    gas: extra.gas,
    ...(extra.fanout !== undefined ? { fanout: extra.fanout } : {}),
    now,
    // Wide enough for any time a rule computes from `now` or reads from state.
    tz: host.tzFor(zone, now - 5 * 366 * 86_400_000, now + 2 * 366 * 86_400_000),
    list: { address, name: model.ruleName ?? "list", owners: [] },
    members: [],
    state: null,
    limits,
    emls: extra.emls ?? {},
    trace: extra.trace === true,
  };
}
