/**
 * The layer graph, checked on every import of the source tree:
 *
 *   stdlib ← contract ← compiler ← hosts (cli/, runtime/testing, runtime/run,
 *   runtime/host, and the coming lsp/ and runtime/daemon/)
 *   contract ← runtime/sandbox, runtime/input
 *
 * - stdlib/ imports nothing of ours: it is the one declaration of the
 *   library every layer reads.
 * - contract/ (what the compiler and the runtime agree on: the run's input
 *   and output, the state descriptor, the value rules, the runtime
 *   messages, the prelude) imports only itself and stdlib/.
 * - compiler/ imports only itself, contract/ and stdlib/, never a Node
 *   built-in (no file system, network or process: hosts hand it texts),
 *   never runtime/ or cli/.
 * - runtime/sandbox and runtime/input run deployed bundles and must not need
 *   the compiler; they import it only where listed in SANDBOX_TO_COMPILER
 *   below (what the contract between compiler and runtime has still to take
 *   over), and never a host.
 * - A host imports the compiler only through its public entry,
 *   compiler/index.ts: what is not exported there may change freely.
 * - Nothing imports cli/ (but cli/ itself and the tests).
 *
 * The test reads the TypeScript sources (comments blanked) and resolves each
 * relative import to a repository path; a self-check on made-up imports shows
 * each rule fails when broken.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { builtinModules } from "node:module";
import { readFileSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import { repoRoot, sourceFiles } from "./helpers/repo.js";
import { lineAt, stripTs } from "./helpers/strip-ts.js";

/** The folders whose code the graph covers (tests and benchmarks may import anything). */
const SOURCE_ROOTS = ["stdlib", "contract", "compiler", "runtime", "cli", "lsp"];

/** Hosts: programs built on the compiler, which they reach only through its entry. */
const HOSTS = ["cli/", "lsp/", "runtime/testing/", "runtime/run/", "runtime/host/", "runtime/daemon/"];
/** The runtime that runs deployed bundles: it must not need the compiler. */
const SANDBOXED = ["runtime/sandbox/", "runtime/input/"];
const ENTRY = "compiler/index.ts";

/**
 * The imports of the compiler that runtime/sandbox and runtime/input still
 * make. Each moves to the contract module between compiler and runtime (the
 * prelude, the value rules, the runtime messages); delete its line when it
 * has. A new one is refused; a listed one no longer made fails too, so the
 * list stays the truth.
 */
const SANDBOX_TO_COMPILER = new Set<string>([
  // Empty: the contract (contract/) took over the prelude, the runtime messages and the value rules.
]);

const BUILTINS = new Set(builtinModules);

export interface Import {
  /** The importing file, relative to the repository, `/`-separated. */
  file: string;
  line: number;
  /** The specifier as written. */
  spec: string;
  /** The imported file relative to the repository (`.js` read as `.ts`); undefined for a package. */
  target: string | undefined;
}

function isBuiltin(spec: string): boolean {
  return spec.startsWith("node:") || BUILTINS.has(spec) || BUILTINS.has(spec.split("/")[0]!);
}

/** Every import, export-from and dynamic import of `source`. */
export function importsOf(file: string, source: string): Import[] {
  const { withStrings } = stripTs(source);
  const out: Import[] = [];
  const re = /(?<![\w$.])(?:from|import)\s*\(?\s*(["'])([^"'\n]+)\1/g;
  for (const m of withStrings.matchAll(re)) {
    const spec = m[2]!;
    const target = spec.startsWith(".") ? posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, ".ts") : undefined;
    out.push({ file, line: lineAt(source, m.index!), spec, target });
  }
  return out;
}

const under = (path: string, folder: string): boolean => path.startsWith(folder);
const layerOf = (path: string): string => path.split("/")[0]!;

/** Each import that breaks the graph, as `file:line: why`. */
export function layerViolations(imports: readonly Import[]): string[] {
  const out: string[] = [];
  const bad = (i: Import, why: string): void => void out.push(`${i.file}:${i.line}: ${why} (${i.spec})`);
  for (const i of imports) {
    const from = layerOf(i.file);
    const to = i.target;
    if (to !== undefined && under(to, "cli/") && !under(i.file, "cli/")) bad(i, "imports the host cli/: nothing may");
    if (from === "stdlib") {
      if (to !== undefined && !under(to, "stdlib/")) bad(i, "stdlib imports nothing of ours");
      if (isBuiltin(i.spec)) bad(i, "stdlib imports no Node built-in");
    } else if (from === "contract") {
      if (isBuiltin(i.spec)) bad(i, "the contract does no I/O: no Node built-in");
      if (to !== undefined && !under(to, "contract/") && !under(to, "stdlib/")) bad(i, "the contract imports only contract/ and stdlib/");
    } else if (from === "compiler") {
      if (isBuiltin(i.spec)) bad(i, "the compiler does no I/O: no Node built-in");
      if (to !== undefined && !under(to, "compiler/") && !under(to, "contract/") && !under(to, "stdlib/")) bad(i, "the compiler imports only compiler/, contract/ and stdlib/");
    } else if (SANDBOXED.some((s) => under(i.file, s))) {
      if (to !== undefined && under(to, "compiler/")) {
        if (!SANDBOX_TO_COMPILER.has(`${i.file} -> ${to}`)) bad(i, "the sandbox and the input builder never import the compiler (take it from the contract)");
      }
      if (to !== undefined && HOSTS.some((h) => under(to, h))) bad(i, "the sandbox and the input builder never import a host");
    }
    if (HOSTS.some((h) => under(i.file, h)) && to !== undefined && under(to, "compiler/") && to !== ENTRY) {
      bad(i, `a host imports the compiler only through ${ENTRY}`);
    }
  }
  return out;
}

/** The entries of SANDBOX_TO_COMPILER that no import of the whole tree makes any more. */
export function staleAllowances(imports: readonly Import[]): string[] {
  const made = new Set(imports.map((i) => `${i.file} -> ${i.target}`));
  return [...SANDBOX_TO_COMPILER].filter((p) => !made.has(p)).map((p) => `SANDBOX_TO_COMPILER lists ${p}, which no longer exists: delete the line`);
}

function repoImports(): Import[] {
  const files = SOURCE_ROOTS.flatMap((r) => sourceFiles(join(repoRoot, r), []));
  return files.flatMap((f) => importsOf(relative(repoRoot, f).split(sep).join("/"), readFileSync(f, "utf8")));
}

test("every import of the source tree keeps to the layer graph", () => {
  const imports = repoImports();
  const files = new Set(imports.map((i) => i.file));
  for (const must of ["cli/main.ts", "compiler/index.ts", "runtime/testing/run-tests.ts", "runtime/sandbox/bundle.ts", "stdlib/index.ts"]) {
    assert.ok(files.has(must), `the scan reads ${must}`);
  }
  assert.ok(imports.length > 200, `expected the whole tree's imports, found ${imports.length}`);
  assert.ok(imports.some((i) => i.file.startsWith("cli/") && i.target === ENTRY), "the CLI reaches the compiler through its entry");
  const problems = [...layerViolations(imports), ...staleAllowances(imports)];
  assert.deepEqual(problems, [], "the layer graph is broken:\n" + problems.join("\n"));
});

test("compiler/index.ts only re-exports: the entry adds no logic of its own", () => {
  const text = stripTs(readFileSync(join(repoRoot, ENTRY), "utf8")).withStrings;
  const statements = text.split(";").map((s) => s.trim()).filter((s) => s !== "");
  for (const s of statements) assert.match(s, /^export (type )?(\{[^}]*\}|\*) from "\.\/[^"]+"$/, `not a re-export: ${s}`);
});

test("the layer check fails on each broken rule (self-check on made-up imports)", () => {
  const imp = (file: string, spec: string): Import => importsOf(file, `import { x } from "${spec}";`)[0]!;
  const cases: [Import, RegExp][] = [
    [imp("stdlib/index.ts", "../compiler/program.js"), /stdlib imports nothing of ours/],
    [imp("stdlib/decl.ts", "node:fs"), /stdlib imports no Node built-in/],
    [imp("compiler/syntax/parser.ts", "node:fs"), /no Node built-in/],
    [imp("compiler/emit/bundle.ts", "net"), /no Node built-in/],
    [imp("compiler/program.ts", "node:process"), /no Node built-in/],
    [imp("compiler/emit/emitter.ts", "../../runtime/sandbox/index.js"), /only compiler\/, contract\/ and stdlib\//],
    [imp("contract/input.ts", "../compiler/index.js"), /the contract imports only contract\/ and stdlib\//],
    [imp("contract/values.ts", "node:fs"), /the contract does no I\/O/],
    [imp("compiler/program.ts", "../cli/main.js"), /imports the host cli\//],
    [imp("runtime/sandbox/pool.ts", "../../compiler/emit/emitter.js"), /never import the compiler/],
    [imp("runtime/input/eml.ts", "../../compiler/index.js"), /never import the compiler/],
    [imp("runtime/input/eml.ts", "../testing/host.js"), /never import a host/],
    [imp("cli/run.ts", "../compiler/emit/emitter.js"), /only through compiler\/index.ts/],
    [imp("runtime/testing/run-tests.ts", "../../compiler/program.js"), /only through compiler\/index.ts/],
    [imp("runtime/daemon/deploy.ts", "../../compiler/syntax/parser.js"), /only through compiler\/index.ts/],
    [imp("runtime/run/run-rule.ts", "../../cli/io.js"), /imports the host cli\//],
  ];
  for (const [i, why] of cases) {
    const v = layerViolations([i]);
    assert.ok(v.some((x) => why.test(x)), `${i.file} → ${i.spec}: expected ${why}, got: ${v.join("; ") || "nothing"}`);
  }
  // What the graph allows.
  const fine = [
    imp("cli/run.ts", "../compiler/index.js"),
    imp("cli/run.ts", "../runtime/run/run-rule.js"),
    imp("cli/check.ts", "./files.js"),
    imp("compiler/semantic/checker.ts", "../../stdlib/index.js"),
    imp("runtime/sandbox/engine.ts", "quickjs-emscripten-core"),
    imp("runtime/host/node-host.ts", "node:fs"),
    imp("runtime/testing/host.ts", "../../compiler/index.js"),
    imp("runtime/sandbox/bundle.ts", "../../contract/prelude.js"),
    imp("compiler/emit/values.ts", "../../contract/values.js"),
    imp("contract/input.ts", "../stdlib/index.js"),
  ];
  assert.deepEqual(layerViolations(fine), []);
  // The list of allowed sandbox → compiler imports is empty now, and stays so: none is stale.
  assert.deepEqual(staleAllowances([]), []);
  // Imports are read from real syntax, not from comments.
  const read = importsOf("cli/x.ts", `// import { a } from "../compiler/program.js";\nexport { b } from "../compiler/index.js";\nconst m = await import("./run.js");\nimport type { T } from '../compiler/emit/emitter.js';`);
  assert.deepEqual(read.map((i) => `${i.line} ${i.target}`), ["2 compiler/index.ts", "3 cli/run.ts", "4 compiler/emit/emitter.ts"]);
});
