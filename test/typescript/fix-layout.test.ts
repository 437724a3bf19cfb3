/**
 * A fix that writes a line of its own writes it as the file around it is
 * written: TW2023's "bind it first" (a `.ts` rule's `const`, a `.thwonk`
 * rule's `let`) and the `import { email }` line TW2021's fix adds to a `.ts`
 * rule that imports only types. The new line takes the indentation of the
 * line it goes before (the `let`), or of the import it follows, as written (tabs stay tabs, not a space per tab) and
 * the file's line break (CRLF in a CRLF file, not a bare `\n`). Through
 * `thwonkc check --format json`, as an editor gets the fix: applied to a
 * tab-indented CRLF file, the rule checks clean and its bytes keep tabs and
 * CRLF on every line.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { runCli, tempDir, type TempDir } from "../helpers/cli.js";
import { applyEdits as apply, type JsonDiagnostic } from "../helpers/json-fixes.js";


/** Lines written with `\n` and two spaces an indent, as a tab-indented CRLF file. */
const crlfTabs = (text: string): string => text.replace(/^((?: {2})+)/gm, (s) => "\t".repeat(s.length / 2)).replace(/\n/g, "\r\n");

const CASES: Record<string, { code: string; text: string; fixed: string }> = {
  // Two levels deep: the `const` takes the `if`'s two tabs.
  "bind.ts": {
    code: "TW2023",
    text: `import { log, Map, type Address, type Message, type Time } from "thwonk";
export const rule = "layout";
export const state = { lastPost: new Map<Address, Time, 100>() };
export function onMessage(m: Message) {
  if (m.subject !== "") {
    if (state.lastPost.get(m.from) !== undefined) {
      log(\`\${state.lastPost.get(m.from).day}\`);
    }
  }
}
`,
    fixed: "\r\n\t\tconst lastPost = state.lastPost.get(m.from);\r\n\t\tif (lastPost !== undefined) {\r\n",
  },
  "bind.thwonk": {
    code: "TW2023",
    text: `rule layout

state {
  lastPost: Map<Address, Time> max 100 = {}
}

on message(m: Message) {
  if m.subject != "" {
    if state.lastPost.get(m.from) != none {
      log("{state.lastPost.get(m.from).day}")
    }
  }
}
`,
    fixed: "\r\n\t\tlet lastPost = state.lastPost.get(m.from)\r\n\t\tif lastPost != none {\r\n",
  },
  // Only `import type` from "thwonk": `email` is imported on a line of its own, after the last import (as TypeScript's
  // auto-import adds one), indented as that import is (here not at all) with the file's CRLF.
  "typeonly.ts": {
    code: "TW2021",
    text: `import type { Members, Message } from "thwonk";
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
`,
    fixed: 'import type { Members, Message } from "thwonk";\r\nimport { email } from "thwonk";\r\nexport const rule = "typeonly";\r\n',
  },
};

let dir: TempDir;
before(() => {
  dir = tempDir(Object.fromEntries(Object.entries(CASES).map(([f, c]) => [f, crlfTabs(c.text)])));
});
after(() => dir.remove());

const check = async (file: string): Promise<JsonDiagnostic[]> => {
  const r = await runCli(["check", file, "--format", "json"], { cwd: dir.dir });
  return JSON.parse(r.stdout) as JsonDiagnostic[];
};

for (const [file, c] of Object.entries(CASES)) {
  test(`${file}: ${c.code}'s fix in a tab-indented CRLF file writes its line with tabs and CRLF`, async () => {
    const text = readFileSync(dir.path(file), "utf8");
    assert.ok(text.includes("\r\n\t\t") && !/(?<!\r)\n/.test(text), "the case is a tab-indented CRLF file");
    const d = (await check(file)).find((x) => x.code === c.code && x.fix);
    assert.ok(d?.fix, `no ${c.code} with a fix`);
    const fixed = apply(text, d.fix.edits);
    assert.ok(fixed.includes(c.fixed), JSON.stringify(fixed));
    // Every line break CRLF, every indentation tabs, no line ending in a lone CR.
    assert.doesNotMatch(fixed, /(?<!\r)\n/, JSON.stringify(fixed));
    assert.doesNotMatch(fixed, /\r(?!\n)/, JSON.stringify(fixed));
    assert.doesNotMatch(fixed, /^\t* /m, JSON.stringify(fixed));
    const copy = file.replace(/\.(ts|thwonk)$/, ".fixed.$1");
    dir.write(copy, fixed);
    assert.deepEqual((await check(copy)).filter((x) => x.severity === "error"), [], JSON.stringify(fixed));
  });
}
