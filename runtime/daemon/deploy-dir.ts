/**
 * The rules `thwonkd --deploy DIR` finds: NAME.thwonk and NAME.ts (a `.ts`
 * file, not `.d.ts`, that imports from "thwonk") in DIR, and NAME/NAME.thwonk
 * or NAME/NAME.ts in its folders. A rule and its TypeScript twin both there
 * make one list: NAME.thwonk is deployed and NAME.ts skipped (reported), so
 * the choice does not depend on the order files are listed in.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const IMPORTS_THWONK = /\bfrom\s*["']thwonk["']/;

function isTsRule(file: string): boolean {
  if (!file.endsWith(".ts") || file.endsWith(".d.ts") || !existsSync(file)) return false;
  try {
    return statSync(file).isFile() && IMPORTS_THWONK.test(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}

export interface DirectoryRules {
  /** The rule files to deploy, in name order. */
  deploy: string[];
  /** TypeScript twins not deployed because NAME.thwonk is beside them. */
  skipped: string[];
}

export function directoryRules(dir: string): DirectoryRules {
  const deploy: string[] = [];
  const skipped: string[] = [];
  const take = (stem: string): void => {
    const thwonk = `${stem}.thwonk`;
    const ts = `${stem}.ts`;
    const hasThwonk = existsSync(thwonk) && statSync(thwonk).isFile();
    if (hasThwonk) deploy.push(thwonk);
    if (isTsRule(ts)) (hasThwonk ? skipped : deploy).push(ts);
  };
  const stems = new Set<string>();
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (e.endsWith(".thwonk") && !e.endsWith(".test.thwonk")) stems.add(p.slice(0, -".thwonk".length));
    else if (e.endsWith(".ts") && !e.endsWith(".d.ts")) stems.add(p.slice(0, -".ts".length));
    else if (statSync(p).isDirectory()) stems.add(join(p, e));
  }
  for (const stem of [...stems].sort()) take(stem);
  return { deploy, skipped };
}
