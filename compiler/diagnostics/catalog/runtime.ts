/**
 * TW5xxx: the runtime's messages. They are part of the contract between the
 * compiler and the runtime (contract/messages.ts), which the runtime reads
 * without the compiler; the catalog lists them with the other bands.
 */
export { runtimeMessages, type RuntimeMessageKey } from "../../../contract/messages.js";
