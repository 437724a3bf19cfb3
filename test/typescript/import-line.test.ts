/**
 * Where a `.ts` rule's fix writes a new import line (SourceFile.thwonkImport `line`, compiler/typescript/index.ts
 * newImportLine) in a file without an import to add a name to: where TypeScript's own auto-import writes the first
 * one. After the imports there are; without one, past a shebang, a `"use strict"` and a header comment (one a
 * blank line parts from the first statement, a `/*!` one), never at offset 0 above them; a comment on the first
 * statement stays on it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTypeScriptRule } from "../../compiler/typescript/index.js";

const RULE = 'export const rule = "r";\n';

/** The text with a marker where the new import line goes. */
function marked(text: string): string {
  const at = parseTypeScriptRule("r.ts", text).file?.thwonkImport?.line;
  assert.ok(at, "a line for a new import");
  return `${text.slice(0, at.start)}<HERE>${text.slice(at.start)}`;
}

test("after the last import, of any kind; past the end of a last line without a line break", () => {
  assert.equal(marked(`/** header */\n\nimport type { Message } from "thwonk";\nimport type { Members } from "thwonk"; // types\n${RULE}`), `/** header */\n\nimport type { Message } from "thwonk";\nimport type { Members } from "thwonk"; // types\n<HERE>${RULE}`);
  assert.equal(marked(`${RULE}import type { Message } from "thwonk";`), `${RULE}import type { Message } from "thwonk";<HERE>`);
});

test("without an import: past a header comment that a blank line parts from the code, not a comment on the first statement", () => {
  assert.equal(marked(`// Copyright 2026 Ann\n// Licensed as the project is.\n\n${RULE}`), `// Copyright 2026 Ann\n// Licensed as the project is.\n<HERE>\n${RULE}`);
  assert.equal(marked(`/**\r\n * The header.\r\n */\r\n\r\n${RULE}`), `/**\r\n * The header.\r\n */\r\n<HERE>\r\n${RULE}`);
  assert.equal(marked(`/** The rule's name. */\n${RULE}`), `<HERE>/** The rule's name. */\n${RULE}`);
  // A blank line between two comments ends the header.
  assert.equal(marked(`// one\n\n// two\n\n${RULE}`), `// one\n<HERE>\n// two\n\n${RULE}`);
});

test("without an import: past a shebang, a pinned comment, a \"use strict\"", () => {
  assert.equal(marked(`#!/usr/bin/env node\n/*! pinned */\n/** on the rule */\n${RULE}`), `#!/usr/bin/env node\n/*! pinned */\n<HERE>/** on the rule */\n${RULE}`);
  assert.equal(marked(`#!/usr/bin/env node\n${RULE}`), `#!/usr/bin/env node\n<HERE>${RULE}`);
  assert.equal(marked(`// header\n\n"use strict";\n${RULE}`), `// header\n\n"use strict";\n<HERE>${RULE}`);
  assert.equal(marked(RULE), `<HERE>${RULE}`);
  // A byte order mark stays first.
  assert.equal(marked(`\ufeff// header\n\n${RULE}`), `\ufeff// header\n<HERE>\n${RULE}`);
  assert.equal(marked(`\ufeff${RULE}`), `\ufeff<HERE>${RULE}`);
});
