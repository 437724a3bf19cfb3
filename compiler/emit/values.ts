/** The value rules are the contract's (contract/values.ts); the compiler's phases import them from here. */
export { canonicalAddress } from "../../contract/values.js";

/**
 * A name or a JSON value as JavaScript object-literal text. Names are data: in a literal, `"__proto__": v` would
 * set the object's prototype instead of making a field, so that one key is written computed (`["__proto__"]: v`).
 * JSON.stringify escapes every quote inside a string, so `"__proto__":` in its text is always a key.
 */
export const jsKey = (name: string): string => (name === "__proto__" ? '["__proto__"]' : JSON.stringify(name));
export const jsData = (v: unknown): string => JSON.stringify(v).replace(/"__proto__":/g, '["__proto__"]:');
