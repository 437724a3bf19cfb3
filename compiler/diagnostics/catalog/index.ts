/**
 * The one catalog of messages. Each band lives in its own file:
 * TW1xxx syntax, TW2xxx names and types, TW3xxx verifier, TW4xxx emit and
 * bundles, TW5xxx runtime, TW7xxx TypeScript front end. A test fails on a duplicate code or a code that
 * no golden test exercises.
 */
import { syntaxMessages } from "./syntax.js";
import { typeMessages } from "./types.js";
import { verifyMessages } from "./verify.js";
import { emitMessages } from "./emit.js";
import { runtimeMessages } from "./runtime.js";
import { typescriptMessages } from "./typescript.js";
import type { MessageDef } from "./define.js";

export { syntaxMessages, typeMessages, verifyMessages, emitMessages, runtimeMessages, typescriptMessages };
export { makeDiagnostic, messageText, def, q } from "./define.js";
export { say, spellingOf, surfaceOf, triggerAsDeclared, tsType, typeAsDeclared, type Spelling, type Surface, type Words } from "./spelling.js";
export type { MessageDef, DiagnosticExtras, SpelledArgs } from "./define.js";

export const allMessages: readonly MessageDef[] = [
  ...Object.values(syntaxMessages),
  ...Object.values(typeMessages),
  ...Object.values(verifyMessages),
  ...Object.values(emitMessages),
  ...Object.values(runtimeMessages),
  ...Object.values(typescriptMessages),
];

export function messageByCode(code: string): MessageDef | undefined {
  return allMessages.find((m) => m.code === code);
}
