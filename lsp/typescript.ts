/**
 * TypeScript rules in the language server (docs/typescript.md): a `.ts`
 * document that imports from "thwonk" gets the thwonk server's diagnostics,
 * cost lens and hover on top of what the editor's own TypeScript shows;
 * completion, signature help, rename, formatting, folding and semantic
 * tokens stay the editor's TypeScript's. Any other `.ts` document is not ours.
 */
import { importsThwonk, isTsRuleName } from "../compiler/index.js";

export const isTsRule = isTsRuleName;

/** Whether the server checks this document: every .thwonk file, and a .ts file that imports "thwonk". */
export function servesAsThwonk(file: string, text: string): boolean {
  return !isTsRule(file) ? !file.endsWith(".d.ts") : importsThwonk(text);
}
