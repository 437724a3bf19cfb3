/**
 * Turning the paths a user typed into the source texts the core checks.
 * The only file reading of `thwonkc check`; the core sees names and texts.
 *
 * - A directory stands for every `.thwonk` file inside it, recursively,
 *   and every `.ts` rule (a `.ts` file, not `.d.ts`, that imports from
 *   "thwonk"; docs/typescript.md), skipping `node_modules`, directories
 *   whose name starts with a dot, and symbolic links to directories (so a
 *   link cannot make a cycle).
 * - A file stands for itself, whatever its extension.
 * - `NAME.test.thwonk` is checked in the context of its rule `NAME.thwonk`:
 *   when only the test file is named, the rule file is loaded too, but its
 *   own diagnostics are not reported (the user did not ask about it).
 *
 * Names given to the core are paths relative to the working directory with
 * `/` separators (absolute when the file is outside it), so a diagnostic's
 * file is the path a person would type.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { byteHex, decodeSource, importsThwonk, isTsRuleName, RULE_EXT, rulePair, ruleOfTest, type SourceText } from "../compiler/index.js";

export const SOURCE_EXT = RULE_EXT;

/** A problem with what the user typed or with the file system: exit code 2. */
export class InputError extends Error {}

export interface LoadedSources {
  /** Every text the core should see, in a stable order. */
  sources: SourceText[];
  /** The names (as in `sources`) the user named or that were found: reported on. */
  reported: Set<string>;
  /** Rule files loaded only as the context of a test file: not reported on. */
  context: Set<string>;
}

/** The name of `absPath` as shown to the user and given to the core. */
export function displayName(cwd: string, absPath: string): string {
  const rel = relative(cwd, absPath);
  const name = rel === "" || rel.startsWith("..") || isAbsolute(rel) ? absPath : rel;
  return sep === "/" ? name : name.split(sep).join("/");
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Whether the rule file a test file names is there (ruleOfTest's question): NAME.thwonk, or NAME.ts when it is a rule
 * (imports from "thwonk"). Other TypeScript beside the test file is not its rule: the test file then has none (TW2001).
 */
export function ruleFileExists(p: string): boolean {
  return isTsRuleName(p) ? isTsRuleFile(p, p) : statExists(p);
}

/** A TypeScript rule found in a directory: NAME.ts (not a declaration file) that imports from "thwonk". */
function isTsRuleFile(full: string, name: string): boolean {
  if (!isTsRuleName(name)) return false;
  try {
    return importsThwonk(readFileSync(full, "utf8"));
  } catch {
    return false;
  }
}

/** All `.thwonk` files and `.ts` rules under `dir`, sorted. */
function walk(dir: string, out: string[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new InputError(`cannot read directory ${dir}: ${describeFsError(err)}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === "node_modules" || e.name.startsWith(".")) continue;
      walk(full, out);
    } else if (e.name.endsWith(SOURCE_EXT) || isTsRuleFile(full, e.name)) {
      if (e.isFile()) {
        out.push(full);
      } else if (e.isSymbolicLink()) {
        // A link to a file counts; a link to a directory is not followed.
        try {
          if (statSync(full).isFile()) out.push(full);
        } catch {
          // A dangling link is not a source file.
        }
      }
    }
  }
}

/**
 * The absolute paths the arguments stand for, in argument order then path
 * order, without duplicates. Throws InputError for a path that does not
 * exist or a directory without any .thwonk file.
 */
export function expandPaths(cwd: string, args: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const arg of args) {
    const abs = resolve(cwd, arg);
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch (err) {
      throw new InputError(`cannot read ${arg}: ${describeFsError(err)}`);
    }
    const found: string[] = [];
    if (isDir) {
      walk(abs, found);
      if (found.length === 0) throw new InputError(`no ${SOURCE_EXT} files in ${arg}`);
    } else {
      found.push(abs);
    }
    for (const f of found) {
      if (seen.has(f)) continue;
      seen.add(f);
      out.push(f);
    }
  }
  return out;
}

function readText(absPath: string, shown: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(absPath);
  } catch (err) {
    throw new InputError(`cannot read ${shown}: ${describeFsError(err)}`);
  }
  const text = decodeUtf8(bytes, shown);
  // Editors do not count a byte-order mark as a column; neither do we.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The bytes as UTF-8 text, a BOM kept; InputError (exit 2) naming the line
 * and column of the first byte that is not UTF-8 (the core's decodeSource,
 * which the language server uses too). Decoding with replacement checked
 * the U+FFFD instead of the rule the user wrote (a Latin-1 `é` in a string
 * literal silently became another string), and `fmt` would have written the
 * replacement back over the file.
 */
export function decodeUtf8(bytes: Uint8Array, shown: string): string {
  const r = decodeSource(bytes);
  if (r.ok) return r.text;
  throw new InputError(`cannot read ${shown}:${r.at.line}:${r.at.col}: it is not UTF-8 text (byte ${byteHex(r.at.byte)}); save it as UTF-8`);
}

/** Reads the files the arguments stand for, plus the rule files their test files need. */
export function loadSources(cwd: string, args: readonly string[]): LoadedSources {
  const files = expandPaths(cwd, args);
  const sources: SourceText[] = [];
  const reported = new Set<string>();
  for (const abs of files) {
    const name = displayName(cwd, abs);
    if (reported.has(name)) continue;
    sources.push({ fileName: name, text: readText(abs, name) });
    reported.add(name);
  }
  const context = new Set<string>();
  for (const abs of files) {
    const pair = rulePair(abs);
    if (!pair.isTest) continue;
    const ruleAbs = ruleOfTest(abs, ruleFileExists);
    const ruleName = displayName(cwd, ruleAbs);
    if (reported.has(ruleName) || context.has(ruleName)) continue;
    let text: string;
    try {
      text = readText(ruleAbs, ruleName);
    } catch (err) {
      // No rule file: the core says so on the test file. Any other failure is the user's to fix.
      if (statExists(ruleAbs)) throw err;
      continue;
    }
    sources.push({ fileName: ruleName, text });
    context.add(ruleName);
  }
  return { sources, reported, context };
}

function statExists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
