/**
 * What the prelude (library.js and the driver, driver.js) uses but does not
 * define: what the sandbox gives the code. The rule's own definitions reach
 * the driver as `__drive`'s arguments.
 */

/** The sandbox's: stops the run out of gas (runtime/sandbox). */
declare function __host_outOfGas(): void;
/** The MAC of a signed token, by the host with the run's list key (runtime/sandbox/tokens.ts); null when the run has no key. */
declare function __host_sign(list: string, expires: number, textJson: string): string | null;
/** Whether `mac` is that MAC, compared in constant time; null when the run has no key. */
declare function __host_verify(list: string, expires: number, textJson: string, mac: string): boolean | null;

// ES2024, which QuickJS has (the prelude's tsconfig targets ES2022).
interface String {
  isWellFormed(): boolean;
}
