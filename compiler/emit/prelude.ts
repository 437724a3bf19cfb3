/**
 * The prelude (with the driver) every bundle starts with, and the rule's entry
 * line after it, belong to the contract between the compiler and the runtime
 * (contract/prelude.ts, built from contract/prelude/library.js and driver.js);
 * the emitter takes them from here.
 */
export { DRIVER, PRELUDE, PRELUDE_CONSTS, PRELUDE_ERRORS, PRELUDE_FUNCTIONS, PRELUDE_GETTERS, PRELUDE_METHODS, RULE_ENTRY } from "../../contract/prelude.js";
