/**
 * Reading a rule for `compile`, `inspect` and `run`: a `.thwonk` file is
 * compiled to a bundle in memory; a `.thwb` file is read and proven
 * untampered (readBundle: its hash, and its source recompiled by this
 * compiler). Either way the caller gets a bundle or the diagnostics that
 * prevent one, with the texts to quote them from.
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { compileSource, internalErrorDiagnostic, readBundle, type Bundle, type CompileResult, type Diagnostic } from "../compiler/index.js";
import { decodeUtf8, displayName, InputError } from "./files.js";

export const BUNDLE_EXT = ".thwb";

export interface LoadedRule {
  /** The path as shown to the user. */
  file: string;
  kind: "source" | "bundle";
  bundle: Bundle | undefined;
  diagnostics: Diagnostic[];
  /** File name → text, for code frames (only sources: a bundle is one long line). */
  texts: Map<string, string>;
}

export function isBundlePath(path: string): boolean {
  return path.toLowerCase().endsWith(BUNDLE_EXT);
}

/** The text of a file the user named; InputError (exit 2) when it cannot be read. */
export function readUserFile(cwd: string, arg: string, what = ""): { abs: string; name: string; text: string } {
  const abs = resolve(cwd, arg);
  const name = displayName(cwd, abs);
  let bytes: Buffer;
  try {
    if (statSync(abs).isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    bytes = readFileSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file or directory" : code === "EISDIR" ? "is a directory" : code === "EACCES" || code === "EPERM" ? "permission denied" : String(err);
    throw new InputError(`cannot read ${what ? what + " " : ""}${arg}: ${why}`);
  }
  // A bundle is JSON, UTF-8 as much as a rule: neither is read through U+FFFD.
  const text = decodeUtf8(bytes, `${what ? what + " " : ""}${name}`);
  return { abs, name, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** A `.thwb` is read as a bundle; anything else is compiled as a rule. */
export function loadRuleOrBundle(cwd: string, arg: string): LoadedRule {
  const { name, text } = readUserFile(cwd, arg);
  if (isBundlePath(arg)) {
    const r = readBundle(name, text);
    return { file: name, kind: "bundle", bundle: r.bundle, diagnostics: r.diagnostics, texts: new Map() };
  }
  const r = compileGuarded(name, text);
  return { file: name, kind: "source", bundle: r.bundle, diagnostics: r.diagnostics, texts: new Map([[name, text]]) };
}

/** compileSource, with a bug in the emitter reported as an error on the rule (exit 1) rather than a crash (exit 70). */
export function compileGuarded(name: string, text: string): CompileResult {
  try {
    return compileSource(name, text);
  } catch (err) {
    return { bundle: undefined, diagnostics: [internalErrorDiagnostic(name, "the emitter", err)] };
  }
}
