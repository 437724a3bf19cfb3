// Bundles the CLI (dist/compiler/cli/main.js, compiled by tsc) and everything
// it imports into one minified ESM file, dist/thwonkc.mjs, which
// bin/thwonkc.js loads. One file starts much faster than the module graph
// (chevrotain alone pulls in ~650 lodash-es files). Run after `tsc -b`.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

await build({
  absWorkingDir: root,
  entryPoints: ["dist/compiler/cli/main.js"],
  outfile: "dist/thwonkc.mjs",
  bundle: true,
  minify: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  legalComments: "none",
  logLevel: "warning",
  // CommonJS dependencies (commander, @babel/code-frame) call require() for
  // Node built-ins; give the ESM bundle a real require for them.
  banner: {
    js: 'import { createRequire as __thwonkcCreateRequire } from "node:module"; const require = __thwonkcCreateRequire(import.meta.url);',
  },
});
