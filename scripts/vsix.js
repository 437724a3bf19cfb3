// Builds the VS Code extension (vscode-extension/) into a .vsix that works
// on its own: the client (src/extension.ts, with vscode-languageclient) and
// the server (dist/lsp/main.js: lsp/server.ts with the compiler core and the
// runtime, the same module `thwonkc lsp` runs) are each bundled into one
// file by esbuild, QuickJS's WebAssembly file is copied beside the server,
// and @vscode/vsce packages the folder (no node_modules: all is bundled).
// Run after `tsc -b` (npm run vsix does both). Prints the .vsix's path.
//
//   node scripts/vsix.js [--out FILE.vsix] [--no-package]
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ext = join(root, "vscode-extension");
const dist = join(ext, "dist");
const args = process.argv.slice(2);
const version = JSON.parse(readFileSync(join(ext, "package.json"), "utf8")).version;
const outAt = args.indexOf("--out");
const out = outAt >= 0 ? resolve(args[outAt + 1]) : join(ext, `thwonk-${version}.vsix`);

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// The client: CommonJS, as VS Code loads extensions; `vscode` is the editor's own module.
await build({
  absWorkingDir: root,
  entryPoints: [join(ext, "src", "extension.ts")],
  outfile: join(dist, "extension.js"),
  bundle: true,
  minify: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  external: ["vscode"],
  legalComments: "none",
  logLevel: "warning",
});

// The sandbox finds QuickJS's .wasm by package name (there is no node_modules in
// the extension): in this bundle it is the copy next to server.mjs.
const WASM_LOOKUP = 'createRequire(import.meta.url).resolve("@jitl/quickjs-wasmfile-release-sync/wasm")';
const wasmBesideBundle = {
  name: "quickjs-wasm-beside-bundle",
  setup(b) {
    b.onLoad({ filter: /runtime[\\/]sandbox[\\/]instance\.js$/ }, (a) => {
      const text = readFileSync(a.path, "utf8");
      if (!text.includes(WASM_LOOKUP)) throw new Error(`scripts/vsix.js: ${a.path} no longer contains ${WASM_LOOKUP}; update the plugin`);
      return { contents: text.replace(WASM_LOOKUP, '__thwonkFileURLToPath(new URL("./emscripten-module.wasm", import.meta.url))'), loader: "js" };
    });
  },
};
await build({
  absWorkingDir: root,
  entryPoints: [join(root, "dist", "lsp", "main.js")],
  outfile: join(dist, "server.mjs"),
  bundle: true,
  minify: true,
  format: "esm",
  platform: "node",
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
  plugins: [wasmBesideBundle],
  banner: {
    js: 'import { createRequire as __thwonkCreateRequire } from "node:module"; import { fileURLToPath as __thwonkFileURLToPath } from "node:url"; const require = __thwonkCreateRequire(import.meta.url);',
  },
});
copyFileSync(createRequire(import.meta.url).resolve("@jitl/quickjs-wasmfile-release-sync/wasm"), join(dist, "emscripten-module.wasm"));

if (!args.includes("--no-package")) {
  const vsce = join(root, "node_modules", "@vscode", "vsce", "vsce");
  execFileSync(process.execPath, [vsce, "package", "--no-dependencies", "--allow-missing-repository", "--skip-license", "--out", out], { cwd: ext, stdio: ["ignore", "ignore", "inherit"] });
  console.log(out);
}
