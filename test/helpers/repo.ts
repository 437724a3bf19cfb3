/** Paths of the repository, found from this compiled file (dist/test/helpers/repo.js). */
import { existsSync } from "node:fs";
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
