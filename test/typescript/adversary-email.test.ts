/**
 * `email("…")` is an Address, as its TypeScript type says, wherever it
 * stands. It was lowered to a plain string literal, which the core reads as
 * an Address only where one is expected: `const a = email("Ann@Example.org")`
 * made `a` a string, so `a === email("ann@example.org")` compared text
 * (false, where addresses compare by value: docs/typescript.md), `${a}`
 * showed the text as written, and `a === m.from` or `members.has(a)` were
 * refused as comparing a string with an Address.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { HEAD, sandbox } from "./adversary-harness.js";

const rule = (top: string, body: string): string =>
  `${HEAD.replace("type Text }", "type Text, email, members, type Address }")}${top}\nexport function onMessage(m: Message) {\n${body}\n}\n`;

test("email(…) in a const without a type is an Address: compared, shown and passed as one", async () => {
  const src = rule(
    'const OWNER = email("Ann@Example.org");\nfunction same(x: Address, y: Address): boolean {\n  return x === y;\n}',
    `  const a = email("Ann@Example.org");
  const b = email("ann@example.org");
  const c: Address = email("Ann@Example.org");
  log(\`\${a === b} \${OWNER === b} \${same(a, b)} \${a === m.from} \${members.has(a)}\`);
  log(\`\${a}|\${c}|\${OWNER}\`);
  const typed: List<Address, 2> = [email("a@x.org"), email("B@x.org")];
  log(\`\${email("ANN@example.org") === email("ann@EXAMPLE.org")} \${[email("a@x.org"), email("B@x.org")].join(",") === typed.join(",")}\`);`,
  );
  const [first, second, third] = await sandbox(src);
  assert.equal(first, "true true true true true");
  const [a, c, owner] = second!.split("|");
  assert.equal(a, c, "an email(…) const shows as an Address does");
  assert.equal(owner, c);
  assert.equal(third, "true true");
});
