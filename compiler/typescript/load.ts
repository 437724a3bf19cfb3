/**
 * TypeScript, loaded only when a `.ts` rule is seen: a `.thwonk` check never
 * pays for it (bench/check). The TypeScript that decides is the one ts-morph
 * 28 bundles, 6.0.2 (TS_VERSION; test/typescript/hostile.test.ts checks it),
 * not the project's own build's `tsc`.
 *
 * One compiler host is kept for the life of the process, holding the
 * generated declaration, parsed and bound once, as the only "thwonk" module;
 * each check makes a program of it and the rule's new text, with the last
 * program as `oldProgram`, and asks for the rule file's diagnostics only, so
 * the language server's warm re-check pays for the rule alone (bench/typescript).
 */
import type * as TsMorph from "ts-morph";
import { stdlib } from "../../stdlib/index.js";
import { thwonkDts } from "../../stdlib/dts.js";

export type Ts = typeof TsMorph.ts;

/** The TypeScript version whose answers a `.ts` rule gets. */
export const TS_VERSION = "6.0.2";

/**
 * Loading a package is not I/O on user data, and it must be synchronous
 * (the core's entry is): Node's own `require`, found without importing a
 * built-in, so the core's layer rule (no Node built-ins) holds for its code.
 */
function nodeRequire(): (id: string) => unknown {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.("module") as { createRequire(from: string): (id: string) => unknown } | undefined;
  if (!mod) throw new Error("TypeScript rules need Node 20.16 or later (process.getBuiltinModule)");
  return mod.createRequire(import.meta.url);
}

/** Where the one "thwonk" module, the stdlib declaration, is: what a name declared there is told by. */
export const DTS_PATH = "/thwonk/thwonk.d.ts";

/** Whether `decl` is declared by the stdlib declaration (not by the rule). */
export function inThwonk<T extends TsMorph.ts.Node>(decl: T | undefined): decl is T {
  return decl !== undefined && decl.getSourceFile().fileName === DTS_PATH;
}

interface Host {
  ts: Ts;
  options: TsMorph.ts.CompilerOptions;
  /** The declaration's SourceFile, parsed and bound once, shared by every program. */
  lib: TsMorph.ts.SourceFile;
  /** The rule file of the check under way. */
  rule: TsMorph.ts.SourceFile | undefined;
  compilerHost: TsMorph.ts.CompilerHost;
  /** The last program, for TypeScript's structure reuse. */
  old: TsMorph.ts.Program | undefined;
}

let host: Host | undefined;

/**
 * TypeScript itself, the copy ts-morph 28 bundles, without ts-morph's
 * wrappers (which a check does not use and which take as long again to load).
 */
function loadTs(): Ts {
  const req = nodeRequire() as ((id: string) => unknown) & { resolve(id: string, o?: { paths: string[] }): string };
  const morph = req.resolve("ts-morph");
  const common = req.resolve("@ts-morph/common", { paths: [morph] });
  return req(common.replace(/ts-morph-common\.js$/, "typescript.js")) as Ts;
}

function makeHost(): Host {
  const ts = loadTs();
  const options: TsMorph.ts.CompilerOptions = {
    noLib: true,
    types: [],
    strict: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noFallthroughCasesInSwitch: true,
    allowUnreachableCode: false,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: true,
    isolatedModules: true,
    // The declaration is fixed and generated: its own checks are the build's business, not each rule's.
    skipLibCheck: true,
    skipDefaultLibCheck: true,
  };
  const lib = ts.createSourceFile(DTS_PATH, thwonkDts(stdlib), ts.ScriptTarget.ES2022, true);
  const h: Host = { ts, options, lib, rule: undefined, old: undefined, compilerHost: undefined as unknown as TsMorph.ts.CompilerHost };
  h.compilerHost = {
    getSourceFile: (name) => (name === DTS_PATH ? h.lib : name === h.rule?.fileName ? h.rule : undefined),
    getDefaultLibFileName: () => "/lib.d.ts",
    writeFile: () => {},
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (f) => f === DTS_PATH || f === h.rule?.fileName,
    readFile: () => undefined,
    // No module resolves to a file: "thwonk" is the declaration's ambient `declare module "thwonk"`.
    resolveModuleNameLiterals: (lits) => lits.map(() => ({ resolvedModule: undefined })),
  };
  return h;
}

export interface RuleProgram {
  ts: Ts;
  program: TsMorph.ts.Program;
  sf: TsMorph.ts.SourceFile;
}

/**
 * A program of the declaration and the rule's text, made with the last one
 * as `oldProgram`: the declaration's SourceFile (parsed and bound once) is
 * reused, only the rule file is parsed, and the caller asks for the rule's
 * diagnostics alone.
 */
export function ruleProgram(fileName: string, text: string): RuleProgram {
  host ??= makeHost();
  const h = host;
  const path = virtualPath(fileName);
  h.rule = h.ts.createSourceFile(path, text, h.ts.ScriptTarget.ES2022, true, h.ts.ScriptKind.TS);
  const program = h.ts.createProgram({ rootNames: [DTS_PATH, path], options: h.options, host: h.compilerHost, ...(h.old ? { oldProgram: h.old } : {}) });
  h.old = program;
  return { ts: h.ts, program, sf: program.getSourceFile(path)! };
}

/**
 * Where in `text` TypeScript's parser runs out of stack: the shortest
 * prefix that it cannot parse for its depth (a prefix nests no deeper than
 * the whole text, so the search halves), or 0 when the whole text parses.
 */
export function parserOverflowAt(text: string): number {
  host ??= makeHost();
  const ts = host.ts;
  const overflows = (n: number): boolean => {
    try {
      ts.createSourceFile("/rules/depth.ts", text.slice(0, n), ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
      return false;
    } catch (err) {
      if (err instanceof RangeError) return true;
      throw err;
    }
  };
  if (!overflows(text.length)) return 0;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (overflows(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** After TypeScript threw inside a program, the next one starts afresh rather than from that one. */
export function forgetProgram(): void {
  if (host) host.old = undefined;
}

/** The rule's file in the program: a fixed folder and its own base name (the same name each time keeps the program's shape for reuse). */
export function virtualPath(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, "").replace(/[^\w.-]/g, "_");
  return `/rules/${base.endsWith(".ts") ? base : base + ".ts"}`;
}
