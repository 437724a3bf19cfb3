/**
 * TW7xxx: the TypeScript front end (compiler/typescript/, docs/typescript.md).
 * What a `.ts` rule writes outside the subset that maps onto the language,
 * each with why and the way that works. TypeScript's own errors keep their
 * codes (`TS2322`): TW7001 is their entry, the message is TypeScript's.
 */
import { def, q } from "./define.js";

const LOOP = "loop over a collection with `for (const x of xs) { ... }` (members, a list, a map's keys), and `break` to stop early";

export const typescriptMessages = {
  typescriptError: def("TW7001", "error", "TypeScript error", (message: string) => message),
  unboundedLoop: def("TW7002", "error", "Loop without a bound", (what: string) =>
    `${q(what)} loops are not in the Thwonk subset: every run must end, and only a \`for … of\` over a bounded collection has a bound the verifier can count. Instead, ${LOOP}.`,
  ),
  tryCatch: def("TW7003", "error", "Exceptions are not in the subset", (what: string) =>
    `${q(what)} is not in the Thwonk subset: a rule neither throws nor catches. What the runtime stops (out of gas, a division by zero) ends the run and changes nothing, so it cannot be caught and retried. Test for the case first (\`if (x === undefined) { return; }\`), or end the run with \`reject(reason)\` or \`hold(reason)\`.`,
  ),
  classOrThis: def("TW7004", "error", "Classes are not in the subset", (what: string) =>
    `${q(what)} is not in the Thwonk subset: a rule has no classes, objects with methods or \`this\`. Write the data as a record type (\`type Post = { from: Address; text: Text<4000> }\`) and the behaviour as top-level \`function\`s.`,
  ),
  codeFromText: def("TW7005", "error", "No code from text", (what: string) =>
    `${q(what)} would run code made at run time, which nothing could check or bound. A rule's code is all in its file; write it out.`,
  ),
  moduleOutsideThwonk: def("TW7006", "error", "Only \"thwonk\" may be imported", (what: string) =>
    `${what} is not allowed: a rule is one file, and imports only from "thwonk" (\`import { send, type Message } from "thwonk"\`), whose declaration is the whole library a rule can use. Copy what you need into the rule.`,
  ),
  ambientName: def("TW7007", "error", "Not available to a rule", (name: string, hint: string) =>
    `${q(name)} does not exist for a rule: it sees only what it imports from "thwonk" and what it declares. ${hint}`,
  ),
  hiddenType: def("TW7008", "error", "A type that hides what the verifier needs", (what: string) =>
    `${q(what)} is not in the Thwonk subset: it would hide a value's type, and with it the bound the verifier counts. Give the real type, or narrow with a test (\`if (x !== undefined)\`).`,
  ),
  asyncCode: def("TW7009", "error", "No asynchronous code", (what: string) =>
    `${q(what)} is not in the Thwonk subset: a run is synchronous and sees no clock but \`now\`. Actions (\`send\`, \`reply\`, \`publish\`) are collected and committed when the run ends; call them directly.`,
  ),
  builtInMutation: def("TW7010", "error", "Built-ins cannot be changed", (what: string) =>
    `${q(what)} reaches into the built-ins, which are the same for every rule and frozen at run time. Write a function of your own instead.`,
  ),
  notInSubset: def("TW7011", "error", "Not in the Thwonk subset", (what: string, instead: string) =>
    `${what} is not in the Thwonk subset. ${instead}`,
  ),
  moduleShape: def("TW7012", "error", "Not a rule's declaration", (what: string, instead: string) =>
    `${what}. ${instead} (docs/typescript.md has the shape of a rule).`,
  ),
  stateInit: def("TW7013", "error", "State field without a type", (name: string) =>
    `The type of \`state.${name}\` cannot be read off its initial value. Write \`${name}: new Map<K, V, N>()\`, \`${name}: new List<T, N>()\` (N the most elements it holds), a number or boolean literal, or give the type with \`as\`: \`${name}: "" as Text<100>\`, \`${name}: undefined as Time | undefined\`.`,
  ),
  importShape: def("TW7014", "error", "Import under the library's own names", (what: string) =>
    `${what}: import each name from "thwonk" under its own name (\`import { send, type Message } from "thwonk"\`), so the rule reads like its .thwonk twin.`,
  ),
  nullValue: def("TW7015", "error", "No null", () =>
    "`null` is not in the Thwonk subset: a missing value is `undefined` (`none` in .thwonk), and its type `T | undefined`.",
  ),
  notAnInt: def("TW7016", "error", "Numbers are whole", (text: string) =>
    `${q(text)} is not a whole number in the safe range: numbers in a rule are ints (\`int\`, division truncates toward zero). Use a whole number.`,
  ),
  badLiteral: def("TW7017", "error", "Not a schedule or time", (what: string, problem: string) =>
    `${what} does not read: ${problem}`,
  ),
  nestedFunction: def("TW7018", "error", "Functions are top-level", (what: string) =>
    `${q(what)} is not in the Thwonk subset: functions are declared at the top of the file (\`function name(x: T): R { ... }\`), with no closures or function values; the one arrow function is the body of \`every(…, () => { ... })\`.`,
  ),
  shadowsUndefined: def("TW7019", "error", "`undefined` is not a name to declare", () =>
    "A rule cannot declare its own `undefined`: in a rule `undefined` is always the missing value (`none` in .thwonk), and a name of its own would make `x === undefined` mean something else in TypeScript than in the compiled rule. Choose another name.",
  ),
  suppressedCheck: def("TW7020", "error", "TypeScript's checks cannot be switched off", (what: string) =>
    `${q(what)} would hide TypeScript's errors in a rule, whose meaning rests on them (the lowering reads TypeScript's types). Fix the error it hides instead; \`thwonkc check\` shows it.`,
  ),
  jsReplace: def("TW7021", "error", "`replace` means something else in JavaScript", () =>
    "In JavaScript `s.replace(a, b)` changes the first occurrence of `a` only (and reads `$&` in `b` as a pattern), but a rule's `replace` changes every occurrence. Write `s.replaceAll(a, b)`, which means the same in both.",
  ),
  protoKey: def("TW7022", "error", "`__proto__` is not a field name", (what: string) =>
    `${q(what)}: in JavaScript an object literal's \`__proto__\` sets the object's prototype instead of a field, so the rule would mean something else in TypeScript than compiled. Name the field otherwise.`,
  ),
  jsReplaceAll: def("TW7023", "error", "`replaceAll` reads its arguments as JavaScript does", (problem: string) =>
    `${problem}: JavaScript's \`replaceAll\` inserts between every character for an empty text to find and reads \`$&\`, \`$1\`, \`$$\` in the replacement as patterns, which a rule's \`replace\` does not. Write the text to find as a non-empty string literal and the replacement as a literal without \`$\`, or, for a replacement computed at run time, \`s.split("x").join(y)\`, which means the same in both.`,
  ),
  ambientDeclaration: def("TW7024", "error", "A rule declares nothing ambient", (what: string) =>
    `${q(what)} says that something exists without defining it; in a rule nothing does but what it imports from "thwonk" and what it defines. Define it (\`const NAME = value;\`, \`function name(x: T): R { ... }\`), or import it from "thwonk" if the library has it.`,
  ),
  jsNamesake: def("TW7025", "error", "A JavaScript name that means something else in a rule", (what: string, javascript: string, instead: string) =>
    `${q(what)}: ${javascript} ${instead}`,
  ),
  jsSplit: def("TW7026", "error", "`split` reads an empty separator as JavaScript does", (problem: string) =>
    `${problem}: JavaScript's \`split("")\` splits into UTF-16 units (an emoji into two halves), a rule's into characters (code points), so the separator must be a non-empty string literal (or a \`const\` holding one). To split into characters, write \`s.codePoints()\`.`,
  ),
  changedByCall: def("TW7027", "error", "A collection changed by a call while it is walked", (call: string, path: string, walked: string) =>
    `${q(call)} changes ${q(path)} while this loop walks ${q(walked)}: the rule walks what it held when the loop began, where JavaScript's \`for … of\` would see the change (an element added is walked too, a key removed is not). Collect the changes in a list during the loop, and make them after it.`,
  ),
  internalError: def("TW7999", "error", "Internal error in the TypeScript front end", (detail: string) =>
    `thwonkc failed while reading this TypeScript rule: ${detail}. This is a bug in thwonkc; please report it.`,
  ),
};
