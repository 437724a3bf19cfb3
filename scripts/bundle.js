// Bundles the CLI (dist/cli/main.js, compiled by tsc) and everything
// it imports into dist/thwonkc.mjs, which bin/thwonkc.js loads. One file
// starts much faster than a graph of hundreds of modules. Run after `tsc -b`.
//
// Each command's module is imported lazily (main.ts), and code splitting
// keeps those imports lazy in the bundle: what only `run` and `test` need
// (the QuickJS runtime, mailparser) lives in chunks under dist/chunks/ that
// `check` never loads. QuickJS's WebAssembly file is not bundled: the
// sandbox resolves it by package name (@jitl/quickjs-wasmfile-release-sync/wasm)
// from node_modules, next to the rest of the installed dependencies.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// Chunk names carry a content hash: remove the old ones so they do not pile up.
rmSync(join(root, "dist", "chunks"), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { thwonkc: "dist/cli/main.js" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  bundle: true,
  minify: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  legalComments: "none",
  logLevel: "warning",
  // CommonJS dependencies (commander, @babel/code-frame, mailparser) call
  // require() for Node built-ins; give each ESM file of the bundle a real require.
  banner: {
    js: 'import { createRequire as __thwonkcCreateRequire } from "node:module"; const require = __thwonkcCreateRequire(import.meta.url);',
  },
});
