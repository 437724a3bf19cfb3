/**
 * Architecture Invariant: the compiler core does no I/O. Nothing under
 * compiler/ or stdlib/ uses Node's modules, the `process` object or the
 * console: the hosts (cli/ and the others outside the core) do. And the core
 * does not depend on a host: it never imports cli/. The language server, the
 * daemon and the browser reuse the core because of this. Which folder may
 * import which is test/architecture.test.ts.
 *
 * The test reads the TypeScript sources, blanks comments and string contents,
 * and looks for imports of Node built-ins and for Node's I/O globals.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { builtinModules } from "node:module";
import { readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { repoRoot, sourceFiles } from "../helpers/repo.js";
import { lineAt, stripTs } from "../helpers/strip-ts.js";

/** Directories whose code must stay pure. */
const PURE_ROOTS = ["compiler", "stdlib"];

const BUILTINS = new Set(builtinModules);
const IO_GLOBALS = ["process", "require", "Buffer", "__dirname", "__filename", "console", "fetch"];

function isBuiltin(spec: string): boolean {
  return spec.startsWith("node:") || BUILTINS.has(spec) || BUILTINS.has(spec.split("/")[0]!);
}

interface Violation {
  line: number;
  what: string;
}

/** What in `source` breaks the invariant. */
function findIoUse(source: string): Violation[] {
  const { withStrings, codeOnly } = stripTs(source);
  const out: Violation[] = [];
  const importRe = /(?<![\w$.])(?:from|import|require)\s*\(?\s*(["'])([^"'\n]+)\1/g;
  for (const m of withStrings.matchAll(importRe)) {
    const spec = m[2]!;
    if (isBuiltin(spec)) out.push({ line: lineAt(source, m.index!), what: `imports ${spec}` });
    else if (/(^|\/)cli(\/|$)/.test(spec)) out.push({ line: lineAt(source, m.index!), what: `imports the host ${spec}` });
  }
  const globalRe = new RegExp(`(?<![\\w$.])(${IO_GLOBALS.join("|")})(?![\\w$])(?!\\s*\\??:)`, "g");
  for (const m of codeOnly.matchAll(globalRe)) {
    out.push({ line: lineAt(source, m.index!), what: `uses ${m[1]}` });
  }
  return out.sort((a, b) => a.line - b.line);
}

test("the compiler core and the stdlib do no I/O (only the hosts outside them do)", () => {
  const files = PURE_ROOTS.flatMap((r) => sourceFiles(join(repoRoot, r), []));
  assert.ok(files.length >= 3, `expected to scan the core's sources, found ${files.length} files`);
  assert.ok(files.some((f) => f.endsWith(`compiler${sep}index.ts`)), "the core's entry is scanned");
  const problems: string[] = [];
  for (const f of files) {
    for (const v of findIoUse(readFileSync(f, "utf8"))) {
      problems.push(`${relative(repoRoot, f)}:${v.line}: ${v.what}`);
    }
  }
  assert.deepEqual(problems, [], "the core must take its inputs from its host:\n" + problems.join("\n"));
});

test("the I/O scan finds imports and globals, and ignores comments and strings", () => {
  const bad = [
    `import { readFileSync } from "node:fs";`,
    `import * as path from 'path';`,
    `export { x } from "fs/promises";`,
    `const cp = await import("child_process");`,
    `const os = require("os");`,
    `import { main } from "../cli/main.js";`,
    `if (process.env.DEBUG) console.log("x");`,
    "const b = Buffer.from(`${__dirname}`);",
  ].join("\n");
  assert.deepEqual(
    findIoUse(bad).map((v) => `${v.line} ${v.what}`),
    [
      "1 imports node:fs",
      "2 imports path",
      "3 imports fs/promises",
      "4 imports child_process",
      "5 imports os",
      "5 uses require",
      "6 imports the host ../cli/main.js",
      "7 uses process",
      "7 uses console",
      "8 uses Buffer",
      "8 uses __dirname",
    ],
  );
  const good = [
    `// process.exit(1) is for hosts; import "node:fs" neither`,
    `/* console.log(process) */`,
    `const msg = "process the message; see console";`,
    "const t = `the process ${x.process} of ${console2}`;",
    `const re = /"process"/g; const d = a / b / c;`,
    `interface Options { process: boolean; console?: string }`,
    `import { parseFile } from "./syntax/parser.js";`,
    `const fsName = "fs";`,
  ].join("\n");
  assert.deepEqual(findIoUse(good), []);
});
