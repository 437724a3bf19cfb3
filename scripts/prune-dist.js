// Removes from dist/ what tsc compiled from a source that is gone: tsc never deletes an output, so a renamed or deleted
// source would leave its old .js behind, and a deleted test would still run (scripts/run-tests.js finds every
// dist/test/**/*.test.js). Run by `npm run build` before tsc and after scripts/prelude.js, which makes a source
// (contract/prelude.generated.ts): tsc -b never writes again an output it wrote before, so one removed while its
// source was briefly gone would stay missing. The bundles (dist/thwonkc.mjs, dist/chunks/) are the bundler's, which
// makes them afresh.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The files under `dist` of `root` whose sources are gone, removed; returns their paths relative to `dist`. */
export function pruneDist(root, dist = join(root, "dist")) {
  const removed = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const file = join(dir, e.name);
      const rel = relative(dist, file);
      if (e.isDirectory()) {
        if (rel !== "chunks") walk(file);
        continue;
      }
      const source = /^(.*)\.js(\.map)?$/.exec(rel)?.[1];
      if (source === undefined) continue;
      if (existsSync(join(root, `${source}.ts`))) continue;
      rmSync(file);
      removed.push(rel);
    }
  };
  walk(dist);
  return removed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const removed = pruneDist(root);
  if (removed.length) {
    // tsc -b rewrites only what it thinks is out of date: were a removed source to come back as it was, its output
    // would stay missing. Without its record of the last build, it checks everything once.
    rmSync(join(root, "dist", ".tsbuildinfo"), { force: true });
    console.log(`removed from dist/ the outputs of sources that are gone: ${removed.join(", ")}`);
  }
}
