/**
 * What the prelude (library.js) and the driver (driver.js) use but do not
 * define: what the sandbox gives the code, and what the emitted rule code
 * defines between the two.
 */

/** The sandbox's: stops the run out of gas (runtime/sandbox). */
declare function __host_outOfGas(): void;
/** The MAC of a signed token, by the host with the run's list key (runtime/sandbox/tokens.ts); null when the run has no key. */
declare function __host_sign(list: string, expires: number, textJson: string): string | null;
/** Whether `mac` is that MAC, compared in constant time; null when the run has no key. */
declare function __host_verify(list: string, expires: number, textJson: string, mac: string): boolean | null;

/** The rule's triggers by name (`message`, `every day at 00:00`), each taking the message or null. */
declare const __triggers: Record<string, (msg: unknown) => void>;
/** The rule's tests in order: `setup` runs the test's givens and returns its message, `expects` its expectations' failures. */
declare const __tests: { trigger: string; setup(): unknown; expects(): unknown[] }[];
/** Each state field's type descriptor (contract/state.ts StateDescriptor). */
declare const __stateSchema: Record<string, unknown>;
/** Each state field's bounds descriptor, for the fields that have a `max` somewhere. */
declare const __stateBounds: Record<string, unknown>;
/** The gas of one unit of state loaded or saved (stdlib constructs.stateUnit). */
declare const __stateUnitGas: number;
/** A state field's initial value, evaluated when the run has no saved value for it. */
declare function __stateInit(name: string): unknown;

// ES2024, which QuickJS has (the prelude's tsconfig targets ES2022).
interface String {
  isWellFormed(): boolean;
}
