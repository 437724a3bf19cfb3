/** The value rules are the contract's (contract/values.ts); the compiler's phases import them from here. */
export { canonicalAddress } from "../../contract/values.js";
