/**
 * A `const` record changed inside is a .thwonk `var` (TypeScript's `const`
 * fixes the name only): also when the change is a `push` on a list inside
 * it (`r.tags.push(x)`), and when the record may be missing (`const f =
 * xs.first()`, changed after `f !== undefined`). Both once lowered to an
 * unchangeable `let`, and the rule was refused with advice a `.ts` rule
 * cannot follow ("Declare it with `var`", which TW7011 refuses).
 */
import { test } from "node:test";
import { same } from "./adversary-harness.js";

const TYPES = "type R = { n: int; tags: List<int, 10> };\ntype P = { n: int; s: string };\n";

test("a push on a list inside a const record changes the record, as in JavaScript", async () => {
  await same(
    `  const loc: R = { n: 1, tags: [1] };
  loc.tags.push(2);
  loc.tags.push(loc.tags.size);
  log(\`\${loc.tags.size} \${loc.n} \${loc.tags.join(",")}\`);`,
    TYPES,
  );
});

test("a const record that may be missing, changed once it is known to be there, is the record in the list", async () => {
  await same(
    `  const ps: List<P, 3> = [{ n: 1, s: "a" }, { n: 2, s: "b" }];
  const f = ps.first();
  if (f !== undefined) {
    f.n = 7;
    f.s += "!";
  }
  const g = ps.last();
  if (g !== undefined) {
    g.n++;
  }
  for (const p of ps) {
    log(\`\${p.n} \${p.s}\`);
  }`,
    TYPES,
  );
});
