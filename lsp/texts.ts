/**
 * The server's own view of the documents: every text it holds (open
 * buffers, the workspace folders' rules read from disk), parsed and checked
 * here only when a request asks about that rule. The checks whose
 * diagnostics are published run on the checker thread (checker.ts), which
 * has a Workspace of its own; this one answers hover, completion and the
 * other features of the rule they are asked on, and nothing else: a
 * workspace of hundreds of rules read at start costs the event loop their
 * reading, not their parsing.
 *
 * Why the features are not answered on the checker thread too: they need
 * the checked model (trees, symbols, types: an object graph), and a request
 * about a small rule would wait there behind the check of a big one. Sending
 * the model across instead (structured clone) costs more than checking the
 * rule again (a 60,000-line rule: 1 s to clone, 160 ms to type-check).
 */
import { Workspace, type CheckedDocument, type SourceFile, type SyntaxTree, type WorkspaceCheckOptions } from "../compiler/index.js";
import { ruleFiles } from "./checker.js";

export class Texts {
  private readonly texts = new Map<string, string>();
  private readonly ws = new Workspace();

  set(file: string, text: string): void {
    this.texts.set(file, text);
  }

  delete(file: string): void {
    this.texts.delete(file);
    this.ws.delete(file);
  }

  has(file: string): boolean {
    return this.texts.has(file);
  }

  textOf(file: string): string | undefined {
    return this.texts.get(file);
  }

  /** The files held, in the order they came. */
  files(): IterableIterator<string> {
    return this.texts.keys();
  }

  /** Brings the workspace up to this text of `file` (parsed only if it changed: Workspace.set compares). */
  private bring(file: string): void {
    const text = this.texts.get(file);
    if (text === undefined) this.ws.delete(file);
    else this.ws.set(file, text);
  }

  fileOf(file: string): SourceFile | undefined {
    this.bring(file);
    return this.ws.fileOf(file);
  }

  syntaxOf(file: string): SyntaxTree | undefined {
    this.bring(file);
    return this.ws.syntaxOf(file);
  }

  /** The rule `target` belongs to, checked here (through the core's one entry, as the thread checks it). */
  check(target: string, options: WorkspaceCheckOptions): CheckedDocument {
    const own = ruleFiles(target, (f) => this.texts.has(f));
    for (const f of own.names) this.bring(f);
    if (own.skip !== undefined) this.ws.delete(own.skip);
    return this.ws.check(target, options);
  }

  get stats(): Workspace["stats"] {
    return this.ws.stats;
  }
}
