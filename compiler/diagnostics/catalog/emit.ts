/** TW4xxx: emit and bundles — compiling, reading and trusting a `.thwb`. */
import { def } from "./define.js";

export const emitMessages = {
  malformedBundle: def("TW4001", "error", "malformed bundle", (detail: string) =>
    `This is not a valid Thwonk bundle: ${detail}. Compile the rule again with \`thwonkc compile\`.`,
  ),
  unsupportedFormat: def("TW4002", "error", "unsupported bundle format", (found: string, expected: string) =>
    `The bundle's format is \`${found}\`, but this thwonkc reads \`${expected}\`. Compile the rule again with this version.`,
  ),
  hashMismatch: def("TW4003", "error", "bundle content does not match its sha256", () =>
    "The bundle's content does not match its sha256: it was changed after it was compiled. It will not be run; compile the rule again.",
  ),
  otherCompiler: def("TW4004", "error", "bundle from another compiler", (compiler: string, lib: string, table: string, ours: string, ourLib: string, ourTable: string) =>
    `The bundle was made by thwonkc ${compiler} (stdlib ${lib}, cost table ${table}); this is thwonkc ${ours} (stdlib ${ourLib}, cost table ${ourTable}), which cannot confirm its code. Compile the rule again with this version.`,
  ),
  sourceDoesNotCompile: def("TW4005", "error", "bundle source has errors", (errors: number) =>
    `The rule inside the bundle does not compile (${errors} error${errors === 1 ? "" : "s"}), so its code cannot be trusted. Run \`thwonkc check\` on the source.`,
  ),
  recompileMismatch: def("TW4006", "error", "bundle differs from its recompiled source", (what: string) =>
    `Compiling the bundle's own source gives a different ${what}: the bundle was altered or made by a different compiler. It will not be run.`,
  ),
  // ---------------------------------------------------------------- a new version against the deployed one (compiler/compat.ts)
  stateFieldRemoved: def("TW4020", "error", "state field removed", (path: string, type: string) =>
    `\`${path}\` (${type}) is in the deployed version and not in this one: redeploying would drop its stored values. Keep the field, or pass \`--allow-data-loss\` to drop it on purpose.`,
  ),
  stateTypeChanged: def("TW4021", "error", "state type changed", (path: string, before: string, after: string) =>
    `\`${path}\` changes type from \`${before}\` to \`${after}\`: the stored values cannot be read as the new type. Keep the type (a larger \`max\` or adding \`?\` is fine), or add a new field and keep the old one until it is no longer needed.`,
  ),
  stateNarrowed: def("TW4022", "error", "stored state may not fit", (path: string, before: string, after: string) =>
    `\`${path}\` changes from \`${before}\` to \`${after}\`, which stored values may not fit. Give the stored state (\`--state FILE.json\`) to check that they do, or keep \`${before}\`; thwonkd's deploy checks the list's own stored state and refuses it only if a value does not fit.`,
  ),
  recordFieldWithoutZero: def("TW4023", "error", "new record field without a value for stored records", (path: string, type: string) =>
    `\`${path}\` is a new record field of type \`${type}\`, which has no zero value, so records already stored would have none and every run would fail. Make it optional (\`${type}?\`), give the stored state (\`--state FILE.json\`) to show no such record is stored, or use a new state field.`,
  ),
  membersLowered: def("TW4024", "error", "limits.members lowered", (before: number, after: number) =>
    `\`limits.members\` goes down from ${before} to ${after}: a list with more members than that would refuse every message. Keep ${before} (or more), or give the list's member count (\`--member-count N\`) to show it has no more than ${after}.`,
  ),
  storedStateDoesNotFit: def("TW4025", "error", "stored state does not fit the new version", (problem: string) =>
    `The stored state does not fit this version: ${problem}. Keep the old type or bound, or change the stored state first.`,
  ),
  stateFieldDropped: def("TW4026", "warning", "state field dropped", (path: string, type: string) =>
    `\`${path}\` (${type}) is not in this version: its stored values will be dropped (allowed by \`--allow-data-loss\`).`,
  ),
  previousSchemaUnknown: def("TW4027", "error", "deployed schema unknown", (detail: string) =>
    `The deployed bundle's state schema cannot be read (${detail}), so this version cannot be checked against it. Compile the deployed source with this thwonkc and check against that bundle.`,
  ),
  zoneDataDiffers: def("TW4029", "warning", "zone data differs", (zone: string, compiled: string, here: string) =>
    `The rule's time zone \`${zone}\` was compiled against zone data ${compiled}, and this host has ${here}: offsets (and whether the zone is known) may differ. Compile and run on hosts with the same zone data (Node's \`process.versions.tz\`), or compile the rule again here.`,
  ),
};
