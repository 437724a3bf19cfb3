/** Paths of the repository, found from this compiled file (dist/test/helpers/repo.js). */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "compiler"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("repository root not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** The repository root (where package.json is). */
export const repoRoot = findRoot();

/** The source files (.ts, .js and kin, not .d.ts) under `dir`, skipping node_modules and dot folders. */
export function sourceFiles(dir: string, out: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && !e.name.startsWith(".")) sourceFiles(full, out);
    } else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}
