/**
 * A rule's state as it crosses the contract: the emitter describes each
 * field's type (emitter.ts `descriptor`, the bundle manifest's `state`), the
 * compiled code loads and saves by that description (`__load`/`__save` in
 * contract/prelude/library.js), and hosts keep the saved form between runs.
 */

/** A scalar field's type. */
export type ScalarDescriptor = "int" | "bool" | "string" | "address" | "time" | "duration";

/** How a state field's value is stored: scalars by name, the rest by their parts. */
export type StateDescriptor =
  | ScalarDescriptor
  | readonly ["list", StateDescriptor]
  | readonly ["map", StateDescriptor, StateDescriptor]
  | readonly ["opt", StateDescriptor]
  | readonly ["rec", Readonly<Record<string, StateDescriptor>>];

/**
 * State as saved between runs, field by field: maps as objects keyed by
 * canonical strings, times ISO 8601 UTC, none as null.
 */
export type SavedState = Record<string, unknown>;
