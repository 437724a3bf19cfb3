/**
 * TypeScript, loaded only when a `.ts` rule is seen: a `.thwonk` check never
 * pays for it (bench/check). The TypeScript that decides is the one ts-morph
 * 28 bundles, 6.0.2 (TS_VERSION; test/typescript/frontend.test.ts checks it),
 * not the project's own build's `tsc`.
 *
 * One in-memory project is kept for the life of the process, holding the
 * generated declaration as the only "thwonk" module; each check replaces the
 * rule's file in it, so TypeScript re-checks only that file (the language
 * server's warm re-check).
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

export interface TsHost {
  ts: Ts;
  project: TsMorph.Project;
}

let host: TsHost | undefined;
let serial = 0;

/** The one project, made on first use. */
export function tsHost(): TsHost {
  if (host) return host;
  const morph = nodeRequire()("ts-morph") as typeof TsMorph;
  const ts = morph.ts;
  const project = new morph.Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    compilerOptions: {
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
    },
  });
  project.createSourceFile("/thwonk/thwonk.d.ts", thwonkDts(stdlib));
  host = { ts, project };
  return host;
}

/** A name for the rule's file in the project: one per check, removed after it. */
export function virtualPath(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, "").replace(/[^\w.-]/g, "_");
  return `/rules/${++serial}/${base.endsWith(".ts") ? base : base + ".ts"}`;
}
