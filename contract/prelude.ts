/**
 * The prelude and the driver as text, for the compiler to put into every
 * bundle and for the sandbox to recognise. Their source is
 * contract/prelude/library.js and driver.js (type-checked JavaScript);
 * scripts/prelude.js builds the text into prelude.generated.ts.
 */
import { runtimeMessages as R } from "./messages.js";
import { DRIVER_TEXT, LIBRARY_TEXT } from "./prelude.generated.js";

/** Names of the prelude's `const` bindings: frozen once the prelude has run, functions with their prototypes. */
export const PRELUDE_CONSTS: readonly string[] = [...(LIBRARY_TEXT + DRIVER_TEXT).matchAll(/^const ([\w$]+) =/gm)].map((m) => m[1]!);

/** Implementations of stdlib methods, `Type$method(self, ...args)`. */
export const PRELUDE_METHODS: readonly string[] = PRELUDE_CONSTS.filter((c) => /^[A-Za-z]\w*\$\w+$/.test(c) && !/^[GF]\$/.test(c));

/** Fields read through a getter, `G$Type$field(self)` (the rest are plain properties of objects). */
export const PRELUDE_GETTERS: readonly string[] = PRELUDE_CONSTS.filter((c) => c.startsWith("G$")).map((c) => c.slice(2));

/** Implementations of stdlib functions, `F$name(...args)`; actions take the call's line and column last. */
export const PRELUDE_FUNCTIONS: readonly string[] = PRELUDE_CONSTS.filter((c) => c.startsWith("F$")).map((c) => c.slice(2));

/** Runtime errors the compiled code raises by code (TW5xxx; words in contract/messages.ts). */
export const PRELUDE_ERRORS = {
  divisionByZero: R.divisionByZero.code,
  intOverflow: R.intOverflow.code,
  stateMax: R.stateMax.code,
  listFull: R.listFull.code,
  tooManyLogs: R.tooManyLogs.code,
  pageTooLarge: R.pageTooLarge.code,
  badPath: R.badPath.code,
  badInput: R.badInput.code,
  unknownTrigger: R.unknownTrigger.code,
  fanout: R.fanoutExceeded.code,
  noTokenKey: R.noTokenKey.code,
} as const;

/**
 * The stdlib's implementations, the run state and the driver, in the order
 * the sandbox runs them, then every `const` frozen. A bundle's code starts
 * with exactly this text; a sandbox that recognises it runs it once per
 * context (see runtime/sandbox/bundle.ts).
 */
export const PRELUDE: string =
  LIBRARY_TEXT + DRIVER_TEXT + `;[${PRELUDE_CONSTS.join(", ")}].forEach(function (v) { Object.freeze(v); if (typeof v === "function" && v.prototype) Object.freeze(v.prototype); });\n`;

/** The driver's part of the prelude (driver.js): it runs a trigger or a test on the definitions the rule's code passes it. */
export const DRIVER: string = DRIVER_TEXT;

/**
 * The line every rule's code has right after the prelude: its entry point, which hands the driver the rule's
 * own definitions (emitted below it; function declarations are hoisted). It comes before the rule's first
 * mapped line, so no frame in it is placed in the .thwonk source.
 */
export const RULE_ENTRY: string =
  "function __thwonk_run(name, inputJson, members) { return __drive(name, inputJson, members, __triggers, __tests, __stateSchema, __stateBounds, __stateInit, __stateUnitGas); }";
