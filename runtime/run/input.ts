/**
 * A run's input for a bundle, the way every host builds it (`thwonkc run`,
 * the daemon): the rule's declared limits and time zone from the manifest,
 * then assembleInput, which checks everything and throws InputRefused for an
 * input over the rule's limits (never cut).
 */
import type { Bundle } from "../../compiler/index.js";
import { assembleInput, InputRefused, isKnownTimeZone } from "../input/index.js";
import type { MemberJson, MessageJson, RuleLimits, RunInput } from "../input/index.js";
import { runtimeMessages } from "../../contract/messages.js";

export interface BundleInputOptions {
  now: number;
  address: string;
  /** The list's name; default the address's local part. */
  listName?: string;
  members: readonly MemberJson[];
  state: Record<string, unknown> | null;
  message?: MessageJson;
  messageSize?: number;
  trace?: boolean;
}

/** Each bundle's limits, made once: frozen, so the input checks resolve them once too (limits.ts). */
const limitsOf = new WeakMap<Bundle, RuleLimits>();

/** The rule's declared limits, as the input checks take them (frozen; the same object for every run of the bundle). */
export function bundleLimits(bundle: Bundle): RuleLimits {
  const kept = limitsOf.get(bundle);
  if (kept) return kept;
  const declared: RuleLimits = {};
  for (const [name, l] of Object.entries(bundle.manifest.limits)) declared[name] = Object.freeze({ value: l.value, unit: l.unit as RuleLimits[string]["unit"] });
  limitsOf.set(bundle, Object.freeze(declared));
  return declared;
}

/** The rule's time zone (`settings { timezone }`), UTC by default. */
export function bundleTimeZone(bundle: Bundle): string {
  return bundle.manifest.settings["timezone"] ?? "UTC";
}

/** Throws InputRefused (with TW5xxx problems) when the input does not fit the rule's limits or its zone is unknown here. */
export function bundleInput(bundle: Bundle, o: BundleInputOptions): RunInput {
  const zone = bundleTimeZone(bundle);
  if (!isKnownTimeZone(zone)) {
    throw new InputRefused([{ code: runtimeMessages.unknownTimeZone.code, message: runtimeMessages.unknownTimeZone.format(zone) }]);
  }
  return assembleInput({
    now: o.now,
    timeZone: zone,
    list: { address: o.address, name: o.listName ?? o.address.slice(0, o.address.lastIndexOf("@")) },
    members: o.members,
    state: o.state,
    limits: bundleLimits(bundle),
    ...(o.message ? { message: o.message, messageSize: o.messageSize } : {}),
    trace: o.trace ?? false,
  });
}
