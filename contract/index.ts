/**
 * The contract between the compiler and the runtime: what the compiled code
 * reads (input.ts) and returns (output.ts), how state is described and saved
 * (state.ts), the value rules both sides apply (values.ts), the runtime's
 * messages (messages.ts), and the prelude and driver every bundle carries
 * (prelude.ts). It imports nothing of the compiler or the runtime; both
 * import it.
 */
export type * from "./input.js";
export { ROLES } from "./input.js";
export type * from "./output.js";
export type * from "./state.js";
export { checkSavedState, describeStateProblem, RUN_OUTPUT_KEY, RUN_OUTPUT_VERSION, STATE_ANSWER_KEY, STATE_ANSWER_VERSION, stateOfFile, stateRefusals, stateTypeText, withoutRefusedAddresses } from "./state.js";
export { AUTOMATIC_MARKERS, automaticMarker, type AutomaticMarker } from "./automatic.js";
export { ADDRESS_MAX, canonicalAddress, isValidAddress, LOCAL_MAX } from "./values.js";
export { isKnownTimeZone, knownTimeZones } from "./zones.js";
export { runtimeMessages, type RuntimeMessage, type RuntimeMessageKey } from "./messages.js";
export { DRIVER, PRELUDE, PRELUDE_CONSTS, PRELUDE_ERRORS, PRELUDE_FUNCTIONS, PRELUDE_GETTERS, PRELUDE_METHODS, RULE_ENTRY } from "./prelude.js";
