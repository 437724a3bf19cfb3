/**
 * The defaults a dry run or a test starts from, and the input of a test's
 * run (the contract's RunInput, built from the services of the host,
 * contract/output.ts HostServices).
 */
import type { RuleUnit } from "../../compiler/index.js";
import type { HostServices, RunInput } from "../../contract/index.js";

export type { HostServices } from "../../contract/index.js";

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
): Promise<RunInput> {
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
