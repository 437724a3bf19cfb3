import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every `.thwonk` file under `dir`, in name order (the format tests walk examples/ with it). */
export function thwonkFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) thwonkFiles(p, out);
    else if (name.endsWith(".thwonk")) out.push(p);
  }
  return out;
}
