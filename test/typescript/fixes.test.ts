/**
 * The core's hints and quick fixes reach a `.ts` rule, worded and written in
 * TypeScript, through `thwonkc check`: each case is a rule with one mistake
 * a `.thwonk` rule gets a fix for; its diagnostic must carry the fix, the
 * fix must be TypeScript (applied, the rule checks clean), and the words
 * must show no `.thwonk`. Where TypeScript reports the error first (it does
 * not narrow a call checked against `undefined`; a `string` is not its
 * `Address`), the core's diagnostic at the same place stands in for it
 * (compiler/typescript/index.ts, coreExplanations). The language server's
 * code action for one of them: test/lsp/typescript.test.ts.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { runCli, tempDir, type TempDir } from "../helpers/cli.js";
import { applyEdits as apply, type JsonDiagnostic } from "../helpers/json-fixes.js";

const HEAD = `import { every, log, members, send, Map, type Address, type Message, type Time } from "thwonk";
export const rule = "fixes";
`;


const CASES: { name: string; file: string; body: string; code: string; says: RegExp[]; fix: RegExp; fixed: string | string[]; replaces?: string }[] = [
  {
    name: "a call checked against undefined and used again: bind it first (TypeScript's TS2532 in the core's words)",
    file: "bind.ts",
    body: `export const state = { lastPost: new Map<Address, Time, 100>() };
export function onMessage(m: Message) {
  if (state.lastPost.get(m.from) !== undefined) {
    log(\`\${state.lastPost.get(m.from).day}\`);
  }
}
`,
    code: "TW2023",
    replaces: "TS2532",
    says: [/does not carry over/, /`const lastPost = state\.lastPost\.get\(\.\.\.\);`/, /`if \(lastPost !== undefined\) \{ \.\.\. \}`/],
    fix: /^Bind it first: `const lastPost = \.\.\.;` before the `if`$/,
    fixed: "  const lastPost = state.lastPost.get(m.from);\n  if (lastPost !== undefined) {\n    log(`${lastPost.day}`);",
  },
  {
    name: "a string literal where an Address is wanted: `email(…)` (TypeScript's TS2345 in the core's words)",
    file: "address.ts",
    body: `export function onMessage(m: Message) {
  const to = "ann@example.org";
  if (members.has(to)) {
    log(m.subject);
  }
}
`,
    code: "TW2021",
    replaces: "TS2345",
    says: [/`const to = \.\.\.;` says no type/, /`const to = email\("ann@example\.org"\);`/],
    fix: /^Write `email\("ann@example\.org"\)`$/,
    // `email` is imported too, after the last name imported from "thwonk".
    fixed: ['  const to = email("ann@example.org");', 'type Time, email } from "thwonk";'],
  },
  {
    name: "a `const` assigned to: declare it with `let` (TypeScript's TS2588 in the core's words)",
    file: "constant.ts",
    body: `export function onMessage(m: Message) {
  const n = 1;
  n = 2;
  log(\`\${n} \${m.subject}\`);
}
`,
    code: "TW2050",
    replaces: "TS2588",
    says: [/`n` is declared with `const` and cannot change\. Declare it with `let`/],
    fix: /^Declare `n` with `let`$/,
    fixed: "  let n = 1;",
  },
  // Reachable before TypeScript rules had the rest: a name TypeScript does not check, in TypeScript already.
  {
    name: "a limit misspelt",
    file: "limit.ts",
    body: `export const limits = { membrs: 50 };
export function onMessage(m: Message) {
  log(m.subject);
}
`,
    code: "TW2084",
    says: [/Did you mean `members`\?/],
    fix: /^Change to `members`$/,
    fixed: "export const limits = { members: 50 };",
  },
  {
    name: "a time zone misspelt",
    file: "zone.ts",
    body: `export const settings = { timezone: "Europe/Pariss" };
export function onMessage(m: Message) {
  log(m.subject);
}
`,
    code: "TW2037",
    says: [/Did you mean `Europe\/Paris`\?/],
    fix: /^Change to `"Europe\/Paris"`$/,
    fixed: 'export const settings = { timezone: "Europe/Paris" };',
  },
  {
    name: "a schedule misspelt: the fix edits the word inside the string",
    file: "schedule.ts",
    body: `every("dya", () => {
  log("tick");
});
`,
    code: "TW2093",
    says: [/Did you mean `day`\?/],
    fix: /^Change to `day`$/,
    fixed: 'every("day", () => {',
  },
  {
    name: "a trigger misspelt: `export function onMesage` is the trigger `on mesage`, with `onMessage` as the fix",
    file: "trigger.ts",
    body: `export function onMesage(m: Message) {
  log(m.subject);
}
`,
    code: "TW2090",
    says: [/There is no trigger `onMesage`\. Did you mean `onMessage`\? The triggers are `onMessage`;/],
    fix: /^Change to `onMessage`$/,
    fixed: "export function onMessage(m: Message) {",
  },
];

test("a fix that writes `email(…)` imports it: beside the rule's value imports, or on a line of its own when it has only `import type`", async () => {
  const uses = `  const to = "ann@example.org";
  if (members.has(to)) {
    log(m.subject);
  }
}
`;
  const typeOnly = `import type { Members, Message } from "thwonk";
export const rule = "typeonly";
function known(ms: Members): boolean {
  const to = "ann@example.org";
  return ms.has(to);
}
export function onMessage(m: Message) {
  if (m.subject === "x") {
    return;
  }
}
`;
  const cases: [string, string, string][] = [
    ["imports.ts", `import type { Message } from "thwonk";\nimport { log, members } from "thwonk";\nexport const rule = "imports";\nexport function onMessage(m: Message) {\n${uses}`, 'import { log, members, email } from "thwonk";'],
    // After the imports, as TypeScript's own auto-import adds one, never above the file's first line.
    ["typeonly.ts", typeOnly, 'import type { Members, Message } from "thwonk";\nimport { email } from "thwonk";\nexport const rule = "typeonly";'],
    // A header comment and a shebang stay first; the file's \r\n is kept.
    [
      "header.ts",
      `#!/usr/bin/env thwonkc\r\n/**\r\n * The header: what the rule does.\r\n */\r\n\r\n${typeOnly.replace('"typeonly"', '"header"').replace(/\n/g, "\r\n")}`,
      '#!/usr/bin/env thwonkc\r\n/**\r\n * The header: what the rule does.\r\n */\r\n\r\nimport type { Members, Message } from "thwonk";\r\nimport { email } from "thwonk";\r\nexport const rule = "header";',
    ],
    // An indented import: the new one indented as it is.
    ["indented.ts", `\t${typeOnly.replace('"typeonly"', '"indented"')}`, '\timport type { Members, Message } from "thwonk";\n\timport { email } from "thwonk";\nexport const rule = "indented";'],
    // The import type on the last line, without a line break after it: the new import on a line of its own.
    ["lastline.ts", `export const rule = "lastline";\n${typeOnly.slice(typeOnly.indexOf("function"))}import type { Members, Message } from "thwonk";`, '\nimport type { Members, Message } from "thwonk";\nimport { email } from "thwonk";\n'],
  ];
  for (const [file, source, want] of cases) {
    writeFileSync(dir.path(file), source);
    const d = (await check(file)).find((x) => x.code === "TW2021");
    assert.ok(d?.fix, `${file}: no TW2021 with a fix`);
    const fixed = apply(source, d.fix.edits);
    assert.ok(fixed.includes(want), fixed);
    writeFileSync(dir.path(file), fixed);
    assert.deepEqual((await check(file)).filter((x) => x.severity === "error"), [], fixed);
  }
});

let dir: TempDir;
before(() => {
  dir = tempDir(Object.fromEntries(CASES.map((c) => [c.file, HEAD + c.body])));
});
after(() => dir.remove());

const check = async (file: string): Promise<JsonDiagnostic[]> => {
  const r = await runCli(["check", file, "--format", "json"], { cwd: dir.dir });
  return JSON.parse(r.stdout) as JsonDiagnostic[];
};

for (const c of CASES) {
  test(`${c.code} in a .ts rule: ${c.name}`, async () => {
    const found = await check(c.file);
    const errors = found.filter((d) => d.severity === "error");
    assert.deepEqual(errors.map((d) => d.code), [c.code], JSON.stringify(found, null, 2));
    const d = errors[0]!;
    if (c.replaces) assert.ok(!found.some((x) => x.code === c.replaces), `${c.replaces} stands beside ${c.code}`);
    for (const s of c.says) assert.match(d.message, s);
    assert.doesNotMatch(d.message, /\blet \w+ = |\bnone\b|\bif \w/, "no .thwonk in its words");
    assert.ok(d.fix, `${c.code} has no fix`);
    assert.match(d.fix.description, c.fix);
    // The fix is TypeScript: applied, the rule checks without an error.
    const text = readFileSync(dir.path(c.file), "utf8");
    const fixed = apply(text, d.fix.edits);
    for (const want of [c.fixed].flat()) assert.ok(fixed.includes(want), `the fix gives:\n${fixed}`);
    writeFileSync(dir.path(c.file), fixed);
    const after = await check(c.file);
    assert.deepEqual(after.filter((x) => x.severity === "error"), [], `after the fix:\n${fixed}`);
  });
}
