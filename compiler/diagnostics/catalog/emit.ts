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
  otherCompiler: def("TW4004", "error", "bundle from another compiler", (compiler: string, table: string, ours: string, ourTable: string) =>
    `The bundle was made by thwonkc ${compiler} (cost table ${table}); this is thwonkc ${ours} (cost table ${ourTable}), which cannot confirm its code. Compile the rule again with this version.`,
  ),
  sourceDoesNotCompile: def("TW4005", "error", "bundle source has errors", (errors: number) =>
    `The rule inside the bundle does not compile (${errors} error${errors === 1 ? "" : "s"}), so its code cannot be trusted. Run \`thwonkc check\` on the source.`,
  ),
  recompileMismatch: def("TW4006", "error", "bundle differs from its recompiled source", (what: string) =>
    `Compiling the bundle's own source gives a different ${what}: the bundle was altered or made by a different compiler. It will not be run.`,
  ),
};
