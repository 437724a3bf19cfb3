/**
 * Functions only tests have (not the rule: they are in no cost table and
 * never deployed). `range(n)` gives the numbers 0 to n - 1, so a test builds
 * large state or a large roster with a loop instead of 200 literals;
 * `contains(part)` stands for "any text that contains `part`" as an argument
 * of an expected action (`expect send(text: contains("Welcome"))`). A rule's
 * own `fn` of the same name hides them. Their code is the driver's
 * (contract/prelude/driver.js `__range`, which stops past 100,000 numbers: more
 * is a runaway loop, not a test; `__contains`).
 */
import type { FunctionDecl } from "../../stdlib/decl.js";
import type { Signature } from "./stdlib-types.js";
import { named } from "./types.js";

const intType = named("int");
const stringType = named("string");

function decl(doc: string, params: FunctionDecl["params"], returns: string): FunctionDecl {
  return { doc, params, returns, cost: 0 };
}

export const TEST_RANGE: { decl: FunctionDecl; sig: Signature } = {
  decl: decl(`Tests only: the numbers 0, 1, …, n - 1 (at most 100,000), to loop over: \`for i in range(200) { ... }\`.`, [{ name: "n", type: "int" }], "List<int>"),
  sig: { name: "range", params: [{ name: "n", type: intType, optional: false }], returns: named("List", [intType]) },
};

export const TEST_CONTAINS: { decl: FunctionDecl; sig: Signature } = {
  decl: decl("Tests only, as an argument of an expected action: any text that contains `part`, as in `expect send(text: contains(\"Welcome\"))`.", [{ name: "part", type: "string" }], "string"),
  sig: { name: "contains", params: [{ name: "part", type: stringType, optional: false }], returns: stringType },
};

const TEST_FUNCTIONS = new Map([
  ["range", TEST_RANGE],
  ["contains", TEST_CONTAINS],
]);

/** The test-only function `name` names, if any. */
export function testFunction(name: string): { decl: FunctionDecl; sig: Signature } | undefined {
  return TEST_FUNCTIONS.get(name);
}
