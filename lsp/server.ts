/**
 * The Thwonk language server: a host of the compiler core, like the CLI.
 * `startServer(connection)` is the one module that `thwonkc lsp` and an
 * editor's bundle both start, on whatever connection they made.
 *
 * Documents: the editor's open files (incremental sync) over the rules read
 * from the workspace folders' disk (folders added and removed as the editor
 * says), held as texts (texts.ts). A rule is checked with its
 * NAME.test.thwonk together (editing the rule re-checks its tests).
 *
 * Diagnostics after an edit are published in two steps: syntax and types
 * first (the checker is fast), the verifier's when it has run. An edit only
 * updates the document's text; the parse and the check run once the edits
 * pause (CHECK_DELAY_MS after the last, MAX_CHECK_WAIT_MS after the first at
 * most), once for a burst, one pass at a time (the rules of open documents
 * first), on the checker thread (checker.ts) when the host gives one, so the
 * event loop keeps reading and answering: an edit arriving meanwhile makes
 * the pass stale and stops it at its next poll, a stale pass is never
 * published (an older version's diagnostics never follow a newer one's), and
 * `thwonk/check` answers a `$/cancelRequest` with RequestCancelled. A thread
 * that dies under a pass is reported and replaced, and the pass tried once
 * more (the server holds every text; each job carries those of its rule).
 * A feature request (hover, completion, ...) brings the types of its own
 * rule up to date here, synchronously, so it always answers on the text as
 * it is; an open rule's types are checked here ahead, after the thread's
 * first publish of them.
 */
import { foldingRanges } from "./folding.js";
import { readdirSync, readFileSync, statSync, writeFileSync, type Dirent } from "node:fs";
import { basename, isAbsolute, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CodeActionKind,
  CompletionItemKind,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  SemanticTokensRegistrationType,
  DiagnosticSeverity,
  FileChangeType,
  InsertTextFormat,
  MarkupKind,
  MessageType,
  ShowMessageNotification,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type CompletionItem,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type Location,
  type Range,
  type TextEdit as LspTextEdit,
  ResponseError,
  ErrorCodes,
  LSPErrorCodes,
  type CancellationToken,
  DidChangeWorkspaceFoldersNotification,
  type WorkDoneProgressServerReporter,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  CheckCancelled,
  compileSource,
  internalErrorDiagnostic,
  decodeSource,
  notUtf8Diagnostic,
  formatText,
  parseStats,
  serializeBundle,
  isTestFile,
  ruleOfTest,
  rulePair,
  TS_RULE_EXT,
  Workspace,
  type CheckedDocument,
  type Diagnostic,
  type Span,
} from "../compiler/index.js";
import { complete, definition, hover, inComment, outline, references, renameRefusal, signatureAt, type CompletionKind, type Lens, type OutlineItem } from "./analysis.js";
import type { DryRunParams, DryRunResult, TestsResult } from "./run.js";
import { semanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from "./tokens.js";
import { isTsRule, servesAsThwonk } from "./typescript.js";
import { CheckerCrashed, checkIn, jobOf, type Checked, type CheckerThread } from "./checker.js";
import { Texts } from "./texts.js";

const SERVER_VERSION = "0.2.0";

export function toRange(s: Span): Range {
  return { start: { line: s.line - 1, character: s.col - 1 }, end: { line: s.endLine - 1, character: s.endCol - 1 } };
}

function fileOfUri(uri: string): string {
  return uri.startsWith("file:") ? fileURLToPath(uri) : uri;
}

/** The URI of a file the editor never named (the editor's own spelling is kept: see `uriOf` in startServer). */
function uriOfFile(file: string): string {
  return file.startsWith("/") || /^[A-Za-z]:[\\/]/.test(file) ? pathToFileURL(file).href : file;
}

function toLspDiagnostic(d: Diagnostic, uriOf: (file: string) => string): LspDiagnostic {
  return {
    range: toRange(d.span),
    severity: d.severity === "error" ? DiagnosticSeverity.Error : d.severity === "warning" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    code: d.code,
    source: "thwonk",
    message: d.message,
    relatedInformation: d.related.map((r) => ({ location: { uri: uriOf(r.span.file), range: toRange(r.span) }, message: r.message })),
  };
}

const COMPLETION_KINDS: Record<CompletionKind, CompletionItemKind> = {
  variable: CompletionItemKind.Variable,
  function: CompletionItemKind.Function,
  method: CompletionItemKind.Method,
  field: CompletionItemKind.Field,
  keyword: CompletionItemKind.Keyword,
  type: CompletionItemKind.Class,
  property: CompletionItemKind.Property,
  module: CompletionItemKind.Module,
  snippet: CompletionItemKind.Snippet,
};

const OUTLINE_KINDS: Record<OutlineItem["kind"], SymbolKind> = {
  rule: SymbolKind.Module,
  limits: SymbolKind.Namespace,
  settings: SymbolKind.Namespace,
  state: SymbolKind.Struct,
  field: SymbolKind.Field,
  type: SymbolKind.Class,
  fn: SymbolKind.Function,
  trigger: SymbolKind.Event,
  test: SymbolKind.Method,
  entry: SymbolKind.Property,
};

/**
 * The rules under `dir` and their tests, found as `thwonkc check DIR` finds
 * them (cli/files.ts): `.thwonk` files and `.ts` rules (importing "thwonk"),
 * skipping `node_modules`, dot directories and links to directories (a link
 * back up made every rule below it a rule again at each level, up to the
 * depth limit: one file checked and reported under a dozen names).
 */
function scan(dir: string, out: string[], depth = 0): void {
  if (depth > 20) return;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith(".") && e.name !== "node_modules") scan(p, out, depth + 1);
      continue;
    }
    const ts = isTsRule(e.name);
    if (!e.name.endsWith(".thwonk") && !ts) continue;
    try {
      // A link to a file counts (a link to a directory is not a directory entry here, and is not followed).
      if (!statSync(p).isFile()) continue;
      if (ts && !servesAsThwonk(p, readFileSync(p, "utf8"))) continue;
    } catch {
      continue;
    }
    out.push(p);
  }
}

/**
 * Whether `scan` leaves `file` out: it lies, below the workspace folder that
 * holds it, in `node_modules` or a dot directory. A watcher reports changes
 * there too (an install, a tool's cache): read from those, a package's rules
 * were checked and reported as the workspace's, which the scan at start and
 * `thwonkc check DIR` never do.
 */
/** Whether `scan` of `folders` finds `file`: under one of them, not in `node_modules` nor a dot directory. */
function foundByScan(folders: readonly string[], file: string): boolean {
  return folders.some((f) => {
    const rel = relative(f, file);
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
  }) && !skippedByScan(folders, file);
}

function skippedByScan(folders: readonly string[], file: string): boolean {
  for (const f of folders) {
    const rel = relative(f, file);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) continue;
    return rel.split(sep).slice(0, -1).some((d) => d.startsWith(".") || d === "node_modules");
  }
  return false;
}

interface RuleState {
  /** Bumped by every change to one of the rule's files: a check of an older generation is stale. */
  generation: number;
  /** The rule checked on the server's thread, for the features asked about it, with the generation it saw. */
  typed: { generation: number; result: CheckedDocument } | undefined;
  /** The last check published (the checker thread's), with the generation it saw. */
  checked: { generation: number; result: Checked } | undefined;
  /** The code lenses of the last verified pass. */
  lenses: Lens[];
  /** The files diagnostics were last published for (to clear those no longer in the rule). */
  published: Set<string>;
  /** The generation and pass the checker thread last died under: a second death there is reported on the rule, not tried again. */
  crashed?: { generation: number; verify: boolean };
  /** The user was told the thread died on this rule, and no pass of it has been published since: not told again at each edit. */
  crashShown?: boolean;
}

/**
 * How long a check waits after the last change that asked for it. The
 * protocol library hands the server one message per turn of the event loop,
 * so a check queued for the next turn would run between every two changes of
 * a burst (a paste, a replace-all, an undo group, keys typed while a check of
 * a big file ran): a parse and a check of the whole file for each. Each
 * change of the burst puts it off again, so only its last version is checked
 * and published; MAX_CHECK_WAIT_MS after the first, it runs anyway (typing
 * without a pause still sees its diagnostics).
 */
const CHECK_DELAY_MS = 25;
const MAX_CHECK_WAIT_MS = 300;

export interface ServerOptions {
  /** Called on the protocol's `exit` with the exit code (0 after `shutdown`, 1 without); the host ends the process. */
  exit?: (code: number) => void;
  /** Where the checks run. Without one they run on the event loop, and nothing can interrupt them (an in-process host, a test). */
  checker?: CheckerThread;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  /** Every text the server holds; parsed and checked here only for the features asked about a rule. */
  const ws = new Texts();
  const rules = new Map<string, RuleState>();
  /**
   * The closed files whose bytes on disk are not UTF-8, with their one
   * diagnostic (TW1024). Such a file is not in the workspace: checked
   * through U+FFFD it was another rule than the one on disk (a string
   * literal changed), and edits computed on that text would land on the
   * wrong characters. Its rule is not checked while the rule file is one;
   * a rename in its rule is refused.
   */
  const notUtf8 = new Map<string, Diagnostic>();
  let folders: string[] = [];
  let shuttingDown = false;
  /**
   * The URI each file was opened under. Editors spell the same file's URI
   * differently (VS Code writes `(` as %28, Node's pathToFileURL does not):
   * the open document is found, and diagnostics published, under the
   * editor's own spelling, else a buffer was missed for the file on disk.
   */
  const openedAs = new Map<string, string>();
  const uriOf = (file: string): string => openedAs.get(file) ?? uriOfFile(file);
  documents.onDidOpen((e) => {
    openedAs.set(fileOfUri(e.document.uri), e.document.uri);
  });
  /** Open documents changed since the workspace last had their text: parsed when a check or a request reads them. */
  const unsynced = new Set<string>();
  const sync = (): void => {
    for (const uri of unsynced) {
      const doc = documents.get(uri);
      if (doc) ws.set(fileOfUri(uri), doc.getText());
    }
    unsynced.clear();
  };

  // A test file's rule is NAME.thwonk, or NAME.ts when only that is open or on disk.
  const ruleKey = (file: string): string => (rulePair(file).isTest ? ruleOfTest(file, (f) => ws.has(f) || notUtf8.has(f)) : file);
  const ruleState = (key: string): RuleState => {
    let r = rules.get(key);
    if (!r) {
      r = { generation: 0, typed: undefined, checked: undefined, lenses: [], published: new Set() };
      rules.set(key, r);
    }
    return r;
  };
  /** The file to check for a rule: the rule file, or a test file whose rule is missing. */
  const checkTarget = (key: string): string | undefined => {
    if (ws.has(key)) return key;
    // A rule file that is not UTF-8 is not read: its tests are not checked against a rule that is not there.
    if (notUtf8.has(key)) return undefined;
    const test = rulePair(key).test;
    return test !== undefined && ws.has(test) ? test : undefined;
  };

  /** The rule's files that are not UTF-8 on disk: theirs is the one diagnostic they get. */
  const unreadable = (key: string): string[] => [key, rulePair(key).test].filter((f): f is string => f !== undefined && notUtf8.has(f));
  const withUnreadable = (key: string, result: Pick<CheckedDocument, "files" | "diagnostics">): Pick<CheckedDocument, "files" | "diagnostics"> => {
    const bad = unreadable(key);
    if (bad.length === 0) return result;
    return { files: [...result.files, ...bad.filter((f) => !result.files.includes(f))], diagnostics: [...result.diagnostics, ...bad.map((f) => notUtf8.get(f)!)] };
  };

  /** The files whose last publish had diagnostics. */
  const shown = new Set<string>();
  const publish = (key: string, checked: Pick<CheckedDocument, "files" | "diagnostics">): void => {
    const r = ruleState(key);
    const result = withUnreadable(key, checked);
    const byFile = new Map<string, Diagnostic[]>(result.files.map((f) => [f, []]));
    for (const d of result.diagnostics) {
      const list = byFile.get(d.span.file);
      if (list) list.push(d);
      else if (result.files[0] !== undefined) byFile.get(result.files[0])!.push(d);
    }
    for (const f of r.published) if (!byFile.has(f)) byFile.set(f, []);
    // The rule's own file, not in its check (deleted, closed without a file): cleared even if another rule's check,
    // the last to name it, took it from this rule's published files (NAME.ts checked as NAME.thwonk's tests' rule).
    if (!byFile.has(key) && !ws.has(key) && shown.has(key)) byFile.set(key, []);
    r.published = new Set(result.files);
    // A file's diagnostics are the last rule's to publish them (a test file whose rule became NAME.thwonk beside
    // NAME.ts): the other rule's next check must not clear them as its own.
    for (const [k, other] of rules) if (k !== key) for (const f of result.files) other.published.delete(f);
    for (const [file, diags] of byFile) {
      if (diags.length) shown.add(file);
      else shown.delete(file);
      const doc = documents.get(uriOf(file));
      void connection.sendDiagnostics({ uri: uriOf(file), version: doc?.version, diagnostics: diags.map((d) => toLspDiagnostic(d, uriOf)) });
    }
  };

  /** The rule's types, up to date with its texts, checked here (now, if an edit came since): what the features read. */
  const typedNow = (key: string): CheckedDocument | undefined => {
    sync();
    const r = ruleState(key);
    if (r.typed && r.typed.generation === r.generation) return r.typed.result;
    const target = checkTarget(key);
    if (!target) return undefined;
    const result = ws.check(target, { verify: false });
    r.typed = { generation: r.generation, result };
    return result;
  };

  /** The rule's diagnostics of its texts as they are: the last published pass if it is of this generation (the verifier's included), else the types here. */
  const diagnosticsNow = (key: string): Diagnostic[] => {
    const r = ruleState(key);
    const typed = typedNow(key);
    return r.checked?.generation === r.generation ? r.checked.result.diagnostics : (typed?.diagnostics ?? []);
  };

  /**
   * The rule checked (`verify`: and verified) on the checker thread, so the
   * event loop stays free to read the edit or the cancellation that makes it
   * stale; here when the host gives no thread. Undefined when `cancelled`
   * answered true before it was done.
   */
  let threadGone = false;
  const checkRule = (key: string, target: string, verify: boolean, cancelled: () => boolean): Promise<Checked | undefined> => {
    const here = (): Promise<Checked | undefined> => {
      try {
        // The job of the texts the server has now: an older job's would put an overtaken text back.
        return Promise.resolve(checkIn(ws, jobOf(ws, key, target, verify), cancelled));
      } catch (e) {
        return e instanceof CheckCancelled ? Promise.resolve(undefined) : Promise.reject(e);
      }
    };
    const thread = options.checker;
    if (!thread?.usable) return here();
    // The job a thread that never served failed is checked here, as the later ones are (else that pass was lost).
    return thread.run(jobOf(ws, key, target, verify), cancelled).catch((e: unknown) => {
      if (thread.usable) return Promise.reject(e);
      if (!threadGone) {
        threadGone = true;
        connection.console.warn(`thwonk: the checker thread did not start (${e instanceof Error ? e.message : String(e)}); the checks run on the server's thread`);
      }
      return cancelled() ? undefined : here();
    });
  };

  /** A check of the rule published: the types' first, then the verifier's (queued, unless this pass verified). */
  const publishChecked = (key: string, gen: number, c: Checked): void => {
    const r = ruleState(key);
    r.checked = { generation: gen, result: c };
    r.crashShown = false;
    publish(key, c);
    if (c.verified) {
      r.lenses = c.lenses;
      void connection.sendNotification("thwonk/verified", { uri: uriOf(key), generation: gen, version: documents.get(uriOf(key))?.version });
    } else if (c.unit) {
      // The verifier after the first publish has gone out, unless a newer edit came meanwhile.
      enqueue(`verify:${key}`, key, () => runPass(key, true));
    }
    // An open rule's types here too, while the thread verifies: the editor asks for them after every edit
    // (semantic tokens, completion), and would otherwise wait for this check then.
    if (!c.verified && isOpen(key) && r.typed?.generation !== gen) {
      setImmediate(() => {
        if (r.generation !== gen || shuttingDown || r.typed?.generation === gen) return;
        try {
          typedNow(key);
        } catch (e) {
          internalError(e);
        }
      });
    }
  };

  /**
   * A pass that failed. The checker thread died under it (a crash, out of
   * memory): said to the user, and tried once more on a new thread (the
   * server still has every text: the job carries them); dying there again at
   * the same version, it is reported on the rule instead (TW3999), not tried
   * again until the rule changes. Anything else is a bug of the core, logged.
   */
  let crashShownInRun = false;
  const passFailed = (key: string, gen: number, verify: boolean) => (e: unknown): void => {
    if (!(e instanceof CheckerCrashed)) return internalError(e);
    const r = ruleState(key);
    const again = r.crashed?.generation === gen && r.crashed.verify === verify;
    r.crashed = { generation: gen, verify };
    const doing = `${verify ? "verifying" : "checking"} ${basename(key)}`;
    connection.console.error(`thwonk: ${e.message} while ${verify ? "verifying" : "checking"} ${key}${e.detail ? `: ${e.detail}` : ""}; a new thread is started`);
    // Shown once until a pass of the rule gets through (each edit of a rule the thread cannot hold would show it again).
    // And once for a run of checks (until the queue empties): a workspace of rules the thread cannot hold was a message per rule at start.
    if (!r.crashShown && !crashShownInRun) {
      crashShownInRun = true;
      void connection.sendNotification(ShowMessageNotification.type, {
        type: MessageType.Warning,
        message: `Thwonk: the checker thread ${e.why} while ${doing}. A new one was started${again ? "" : ", and tries again"}; if it stops there again, the rule's diagnostics say so.`,
      });
    }
    r.crashShown = true;
    if (r.generation !== gen || shuttingDown) return;
    if (!again) {
      enqueue(`${verify ? "verify" : "check"}:${key}`, key, () => runPass(key, verify));
      return;
    }
    const target = checkTarget(key) ?? key;
    // The verify died: the types' diagnostics of this version stay, each in its file (a test file's were put on the
    // rule file, at the test file's lines, when only the target was named).
    const earlier = r.checked?.generation === gen ? r.checked.result : { files: [target], diagnostics: [] };
    const memory = e.why.startsWith("ran out of memory") ? " (the thread's heap is the server's `checkerHeapMb` initialization option)" : "";
    const what = `it ${e.why} twice while ${doing}, so this version is not checked${memory}`;
    publish(key, { files: earlier.files, diagnostics: [...earlier.diagnostics, internalErrorDiagnostic(target, "the checker thread", what)] });
  };

  /** One pass of the rule on the checker thread: its types (`verify` false), or its verify. */
  const runPass = (key: string, verify: boolean): Promise<void> | undefined => {
    const r = ruleState(key);
    if (shuttingDown) return;
    sync();
    const target = checkTarget(key);
    if (!target) {
      if (!verify) publish(key, { files: [], diagnostics: [] });
      return;
    }
    const gen = r.generation;
    const stale = (): boolean => r.generation !== gen || shuttingDown;
    if (!verify) {
      // A feature already checked this version here: its types are published without another check.
      if (r.checked?.generation === gen) return void publish(key, r.checked.result);
      const typed = r.typed?.generation === gen ? r.typed.result : undefined;
      if (typed) return void publishChecked(key, gen, { files: typed.files, diagnostics: typed.diagnostics, unit: typed.unit !== undefined, verified: false, lenses: [], triggers: [] });
    } else if (r.checked?.generation !== gen || r.checked.result.verified) return;
    return checkRule(key, target, verify, stale).then((c) => {
      // Checked again here: the result of a pass an edit overtook would follow the newer version's publish.
      if (c && !stale()) publishChecked(key, gen, c);
    }, passFailed(key, gen, verify));
  };

  /**
   * Work run from a timer, outside any message: an exception there would end
   * the process (a request's is answered as an error). A bug of the core is
   * logged to the editor's output instead, and the server goes on.
   */
  const internalError = (e: unknown): void => {
    connection.console.error(`thwonk: internal error while checking (a bug in thwonkc; please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  };

  /**
   * Progress shown while checks run (when the client takes
   * window/workDoneProgress): one begin when the queue starts, a report per
   * rule, one end when it is empty.
   */
  let progressOk = false;
  let progress: Promise<WorkDoneProgressServerReporter | undefined> | undefined;
  const progressReport = (message: string): void => {
    if (!progressOk) return;
    if (!progress) {
      progress = connection.window.createWorkDoneProgress().then(
        (p) => {
          p.begin("Thwonk", undefined, message);
          return p;
        },
        () => undefined,
      );
    } else void progress.then((p) => p?.report(message));
  };
  const progressDone = (): void => {
    crashShownInRun = false;
    const p = progress;
    progress = undefined;
    void p?.then((x) => x?.done());
  };

  /**
   * The checks and verifications to do, one at a time, each CHECK_DELAY_MS
   * after it was asked for: the workspace's rules at start (hundreds of
   * them), and the rules of open documents first. A pass runs on the checker
   * thread and the next starts when it is done; the event loop answers
   * requests meanwhile. Without a thread, one pass per turn of the event loop.
   */
  const queue = new Map<string, { key: string; first: number; due: number; work: () => Promise<void> | undefined }>();
  let pumpTimer: ReturnType<typeof setTimeout> | undefined;
  let pumpSoon = false;
  let pumpBusy = false;
  const isOpen = (key: string): boolean => [key, rulePair(key).test].some((f) => f !== undefined && documents.get(uriOf(f)) !== undefined);
  const enqueue = (id: string, key: string, work: () => Promise<void> | undefined): void => {
    const now = Date.now();
    // Already queued: put off again, to the end of the burst, but not for ever; it runs the newer work.
    const first = queue.get(id)?.first ?? now;
    queue.set(id, { key, first, due: Math.min(now + CHECK_DELAY_MS, first + MAX_CHECK_WAIT_MS), work });
    armPump();
  };
  const armPump = (): void => {
    if (pumpBusy || pumpSoon || pumpTimer !== undefined || queue.size === 0) return;
    let due = Infinity;
    for (const item of queue.values()) due = Math.min(due, item.due);
    pumpTimer = setTimeout(() => {
      pumpTimer = undefined;
      pump();
    }, Math.max(0, due - Date.now()));
  };
  const pump = (): void => {
    if (pumpBusy) return;
    const now = Date.now();
    let pick: string | undefined;
    for (const [id, item] of queue) {
      if (item.due > now) continue;
      if (isOpen(item.key)) {
        pick = id;
        break;
      }
      pick ??= id;
    }
    if (pick === undefined) {
      if (queue.size === 0) progressDone();
      armPump();
      return;
    }
    const item = queue.get(pick)!;
    queue.delete(pick);
    progressReport(`${pick.startsWith("verify:") ? "verifying" : "checking"} ${basename(item.key)}`);
    let running: Promise<void> | undefined;
    try {
      running = item.work();
    } catch (e) {
      internalError(e);
    }
    const then = (): void => {
      pumpBusy = false;
      if (queue.size === 0) progressDone();
      // The next one after the messages that came meanwhile (the protocol library reads one per turn).
      pumpSoon = true;
      setImmediate(() => {
        pumpSoon = false;
        pump();
      });
    };
    if (running) {
      pumpBusy = true;
      running.catch(internalError).finally(then);
    } else then();
  };

  const schedule = (file: string): void => {
    const key = ruleKey(file);
    const r = ruleState(key);
    r.generation++;
    enqueue(`check:${key}`, key, () => runPass(key, false));
  };

  /**
   * A file as on disk: its text (a BOM dropped: the editor does not count
   * it, and positions must agree with its buffer), or, for bytes that are
   * not UTF-8, its TW1024 (decodeSource, as `thwonkc` decides); undefined
   * when it cannot be read.
   */
  const readDisk = (file: string): { text: string } | { notUtf8: Diagnostic; lossy: string } | undefined => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      return undefined;
    }
    const r = decodeSource(bytes);
    if (r.ok) return { text: r.text.charCodeAt(0) === 0xfeff ? r.text.slice(1) : r.text };
    return { notUtf8: notUtf8Diagnostic(file, r.at), lossy: bytes.toString("utf8") };
  };
  /**
   * The workspace's idea of a closed file from what `readDisk` found: its
   * text, else (not UTF-8) its TW1024 and no text, else nothing. A `.ts`
   * file that does not import "thwonk" is not ours (read through U+FFFD to
   * tell: an import is ASCII).
   */
  const takeFromDisk = (file: string, read: ReturnType<typeof readDisk>): void => {
    if (read && "text" in read && servesAsThwonk(file, read.text)) {
      notUtf8.delete(file);
      ws.set(file, read.text);
    } else if (read && "notUtf8" in read && servesAsThwonk(file, read.lossy)) {
      ws.delete(file);
      notUtf8.set(file, read.notUtf8);
    } else {
      ws.delete(file);
      notUtf8.delete(file);
    }
  };

  // ------------------------------------------------------------------ lifecycle

  /**
   * Formatting, semantic tokens and document symbols, registered for .thwonk documents alone
   * when the client can register them so. VS Code's extension sends the
   * server TypeScript files too (for .ts rules), and a capability declared
   * at start is the server's for every document the client sends: a second
   * formatter of TypeScript (VS Code then asks which formatter to use), and
   * semantic tokens of every .ts file, empty, which VS Code takes as complete
   * (TypeScript's own semantic colouring, by range, was no longer asked for),
   * and document symbols, a second outline group beside TypeScript's.
   */
  let thwonkOnly = { formatting: false, tokens: false, symbols: false };
  const THWONK_DOCUMENTS = [{ language: "thwonk" }, { pattern: "**/*.thwonk" }];
  connection.onInitialize((params) => {
    const roots = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    folders = roots.filter((u) => u.startsWith("file:")).map(fileOfUri);
    progressOk = params.capabilities.window?.workDoneProgress === true;
    const heapMb = (params.initializationOptions as { checkerHeapMb?: unknown } | undefined)?.checkerHeapMb;
    if (options.checker && typeof heapMb === "number" && Number.isFinite(heapMb) && heapMb > 0) options.checker.heapMb = heapMb;
    const caps = params.capabilities.textDocument;
    thwonkOnly = {
      formatting: caps?.formatting?.dynamicRegistration === true,
      tokens: caps?.semanticTokens?.dynamicRegistration === true,
      symbols: caps?.documentSymbol?.dynamicRegistration === true,
    };
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ["."], resolveProvider: false },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: !thwonkOnly.symbols,
        workspaceSymbolProvider: true,
        documentFormattingProvider: !thwonkOnly.formatting,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        foldingRangeProvider: true,
        documentHighlightProvider: true,
        codeLensProvider: { resolveProvider: false },
        signatureHelpProvider: { triggerCharacters: ["(", ","], retriggerCharacters: [":"] },
        ...(thwonkOnly.tokens ? {} : { semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] }, full: true } }),
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: "thwonk", version: SERVER_VERSION },
    };
  });

  connection.onInitialized(() => {
    const registered = (what: string) => (e: unknown): void => connection.console.error(`thwonk: could not register ${what}: ${e instanceof Error ? e.message : String(e)}`);
    if (thwonkOnly.formatting) connection.client.register(DocumentFormattingRequest.type, { documentSelector: THWONK_DOCUMENTS }).catch(registered("formatting"));
    if (thwonkOnly.symbols) connection.client.register(DocumentSymbolRequest.type, { documentSelector: THWONK_DOCUMENTS }).catch(registered("document symbols"));
    if (thwonkOnly.tokens) {
      connection.client
        .register(SemanticTokensRegistrationType.type, { documentSelector: THWONK_DOCUMENTS, legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] }, full: true })
        .catch(registered("semantic tokens"));
    }
    addFolders(folders);
    // Folders added and removed while the server runs (a multi-root workspace in VS Code).
    connection.onNotification(DidChangeWorkspaceFoldersNotification.type, (p) => {
      const removed = p.event.removed.filter((f) => f.uri.startsWith("file:")).map((f) => fileOfUri(f.uri));
      const added = p.event.added.filter((f) => f.uri.startsWith("file:")).map((f) => fileOfUri(f.uri));
      folders = [...folders.filter((f) => !removed.includes(f)), ...added.filter((f) => !folders.includes(f))];
      removeFolders(removed);
      addFolders(added);
    });
  });

  /** The rules under `dirs`, read from disk and checked: their diagnostics show without opening them. */
  const addFolders = (dirs: readonly string[]): void => {
    const files: string[] = [];
    for (const f of dirs) scan(f, files);
    const found = new Set(files);
    for (const file of files) {
      if (documents.get(uriOf(file))) continue;
      takeFromDisk(file, readDisk(file));
    }
    for (const file of files) if (!isTestFile(file) || !found.has(ruleKey(file))) schedule(file);
  };

  /**
   * The rules read from `dirs` forgotten (those the editor has open stay its
   * buffers, and a folder still in the workspace keeps its own): each is
   * checked again without them, which clears their diagnostics.
   */
  const removeFolders = (dirs: readonly string[]): void => {
    const under = (dir: string, file: string): boolean => {
      const rel = relative(dir, file);
      return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
    };
    const gone = [...ws.files(), ...notUtf8.keys()].filter(
      (f) => dirs.some((d) => under(d, f)) && !folders.some((d) => under(d, f)) && documents.get(uriOf(f)) === undefined,
    );
    for (const file of gone) {
      ws.delete(file);
      notUtf8.delete(file);
    }
    for (const file of gone) schedule(file);
  };

  connection.onShutdown(() => {
    shuttingDown = true;
  });
  connection.onExit(() => {
    options.checker?.dispose();
    options.exit?.(shuttingDown ? 0 : 1);
  });

  documents.onDidChangeContent((e) => {
    const file = fileOfUri(e.document.uri);
    // The editor's text wins over bytes on disk that are not UTF-8: it is already text.
    const wasNotUtf8 = notUtf8.delete(file);
    if (!servesAsThwonk(file, e.document.getText())) {
      // A .ts file that no longer imports "thwonk" is not a rule any more: its diagnostics go.
      if (!ws.has(file) && !wasNotUtf8) return;
      unsynced.delete(e.document.uri);
      ws.delete(file);
      schedule(file);
      return;
    }
    // The first text now (a test file's rule is found by what the workspace has); later ones when read.
    if (ws.has(file)) unsynced.add(e.document.uri);
    else ws.set(file, e.document.getText());
    schedule(file);
  });

  const scanFinds = (file: string): boolean => foundByScan(folders, file);
  documents.onDidClose((e) => {
    unsynced.delete(e.document.uri);
    const file = fileOfUri(e.document.uri);
    const known = ws.has(file) || notUtf8.has(file);
    // Read from disk again if the scan would find it; a file outside the workspace folders (or where the scan
    // does not look) stayed checked and published for, closed, for the rest of the session.
    takeFromDisk(file, e.document.uri.startsWith("file:") && scanFinds(file) ? readDisk(file) : undefined);
    // A TypeScript file that is no rule (the editor sends every one) was never ours: nothing to check again.
    if (!known && !ws.has(file) && !notUtf8.has(file)) return;
    schedule(file);
  });

  connection.onDidChangeWatchedFiles((params) => {
    for (const change of params.changes) {
      if (!change.uri.startsWith("file:")) continue;
      const file = fileOfUri(change.uri);
      // The editor's buffer wins over the disk, however the watcher spells the file's URI.
      if (documents.get(change.uri) || documents.get(uriOf(file))) continue;
      if (change.type === FileChangeType.Deleted && !file.endsWith(".thwonk") && !isTsRule(file)) {
        // A directory deleted (or renamed) is one event for the directory, none for the rules in it: those go too.
        const inside = (f: string): boolean => f.startsWith(file.endsWith(sep) ? file : file + sep);
        const gone = [...ws.files(), ...notUtf8.keys()].filter((f) => inside(f) && documents.get(uriOf(f)) === undefined);
        for (const f of gone) {
          takeFromDisk(f, undefined);
          schedule(f);
        }
        continue;
      }
      // A .ts rule is read from disk as the scan reads it (its tests are checked against it); other .ts files are not ours.
      if (!file.endsWith(".thwonk") && !isTsRule(file)) continue;
      const known = ws.has(file) || notUtf8.has(file);
      // Where the scan does not look (outside the folders too: one since removed), a change is not a rule of the
      // workspace (one the editor opened is its buffer's).
      if (!known && !scanFinds(file)) continue;
      takeFromDisk(file, change.type === FileChangeType.Deleted ? undefined : readDisk(file));
      if (!known && !ws.has(file) && !notUtf8.has(file)) continue;
      schedule(file);
    }
  });

  // ------------------------------------------------------------------ features

  /** After `shutdown` the protocol wants every request but `exit` refused (and a check then would only delay the exit). */
  const refuseAfterShutdown = (): void => {
    if (shuttingDown) throw new ResponseError(ErrorCodes.InvalidRequest, "The server is shutting down.");
  };

  /** The open document, its file name, and its rule checked up to date. */
  const context = (uri: string) => {
    refuseAfterShutdown();
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const file = fileOfUri(uri);
    const result = typedNow(ruleKey(file));
    return { doc, file, result, unit: result?.unit };
  };

  /** Whether the position is inside a comment of the document's text (read off the tree its check parsed). */
  const atComment = (file: string, offset: number): boolean => {
    const tree = ws.syntaxOf(file);
    return tree !== undefined && inComment(tree.root, offset);
  };

  connection.onHover((p) => {
    const c = context(p.textDocument.uri);
    // A word of a comment is prose: the fallback that reads the name at the cursor from the text gave it a type.
    if (!c?.unit || atComment(c.file, c.doc.offsetAt(p.position))) return null;
    const h = hover(c.unit, c.file, c.doc.offsetAt(p.position), c.doc.getText());
    return h ? { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: toRange(h.span) } : null;
  });

  connection.onCompletion((p) => {
    const c = context(p.textDocument.uri);
    if (!c || isTsRule(c.file) || atComment(c.file, c.doc.offsetAt(p.position))) return [];
    const file = c.unit ? [c.unit.rule, ...c.unit.tests].find((f) => f.fileName === c.file) : undefined;
    const items = complete(c.unit, file, c.doc.getText(), c.doc.offsetAt(p.position));
    return items.map((i): CompletionItem => {
      const item: CompletionItem = { label: i.label, kind: COMPLETION_KINDS[i.kind] };
      if (i.detail) item.detail = i.detail;
      if (i.doc) item.documentation = { kind: MarkupKind.Markdown, value: i.doc };
      if (i.snippet) {
        item.insertText = i.snippet;
        item.insertTextFormat = InsertTextFormat.Snippet;
      }
      return item;
    });
  });

  connection.onDefinition((p) => {
    const c = context(p.textDocument.uri);
    if (!c?.unit) return null;
    const span = definition(c.unit, c.file, c.doc.offsetAt(p.position));
    return span ? { uri: uriOf(span.file), range: toRange(span) } : null;
  });

  connection.onReferences((p) => {
    const c = context(p.textDocument.uri);
    if (!c?.unit) return [];
    const r = references(c.unit, c.file, c.doc.offsetAt(p.position));
    if (!r) return [];
    return r.idents
      .filter((i) => p.context.includeDeclaration || i.span.start !== r.symbol.span?.start || i.span.file !== r.symbol.span?.file)
      .map((i): Location => ({ uri: uriOf(i.span.file), range: toRange(i.span) }));
  });

  connection.onDocumentHighlight((p) => {
    const c = context(p.textDocument.uri);
    if (!c?.unit) return [];
    const r = references(c.unit, c.file, c.doc.offsetAt(p.position));
    return (r?.idents ?? []).filter((i) => i.span.file === c.file).map((i) => ({ range: toRange(i.span) }));
  });

  /**
   * A rename in a rule one of whose files is not UTF-8 on disk: that file is
   * not read, so its uses of the name can be neither found nor edited, and
   * the renamed program would not be the one checked.
   */
  const refuseRenameNotUtf8 = (file: string, name: string): void => {
    const bad = unreadable(ruleKey(file))[0];
    if (bad === undefined) return;
    const d = notUtf8.get(bad)!;
    throw new ResponseError(
      ErrorCodes.InvalidRequest,
      `Cannot rename \`${name}\`: ${bad} is not UTF-8 text (${d.span.line}:${d.span.col}), so its uses of the name can be neither found nor edited. Save it as UTF-8 first.`,
    );
  };

  connection.onPrepareRename((p) => {
    const c = context(p.textDocument.uri);
    if (!c?.unit || isTsRule(c.file)) return null;
    const r = references(c.unit, c.file, c.doc.offsetAt(p.position));
    if (!r) throw new ResponseError(ErrorCodes.InvalidRequest, "There is no name here that can be renamed.");
    const why = renameRefusal(r.symbol, undefined);
    if (why) throw new ResponseError(ErrorCodes.InvalidRequest, why);
    refuseRenameNotUtf8(c.file, r.symbol.name);
    const here = r.idents.find((i) => i.span.file === c.file && i.span.start <= c.doc.offsetAt(p.position) && c.doc.offsetAt(p.position) <= i.span.end);
    return here ? { range: toRange(here.span), placeholder: r.symbol.name } : null;
  });

  connection.onRenameRequest((p) => {
    const c = context(p.textDocument.uri);
    if (!c?.unit || !c.result || isTsRule(c.file)) return null;
    const r = references(c.unit, c.file, c.doc.offsetAt(p.position));
    if (!r) throw new ResponseError(ErrorCodes.InvalidRequest, "There is no name here that can be renamed.");
    const why = renameRefusal(r.symbol, p.newName);
    if (why) throw new ResponseError(ErrorCodes.InvalidRequest, why);
    refuseRenameNotUtf8(c.file, r.symbol.name);
    // Try the edit on a copy of the rule's files: refused if the program would then mean something else or not check.
    const texts = new Map<string, string>();
    // The texts the spans were found in: the workspace's (a closed file's disk may have changed since, or not be UTF-8).
    for (const f of c.result.files) texts.set(f, documents.get(uriOf(f))?.getText() ?? ws.textOf(f) ?? "");
    const renamed = new Map(texts);
    const byFile = new Map<string, Span[]>();
    for (const i of r.idents) byFile.set(i.span.file, [...(byFile.get(i.span.file) ?? []), i.span]);
    for (const [f, spans] of byFile) {
      let t = renamed.get(f) ?? "";
      for (const s of [...spans].sort((a, b) => b.start - a.start)) t = t.slice(0, s.start) + p.newName + t.slice(s.end);
      renamed.set(f, t);
    }
    const trial = new Workspace();
    for (const [f, t] of renamed) trial.set(f, t);
    const after = trial.check(c.result.files[0]!, { verify: false });
    const errorsBefore = c.result.diagnostics.filter((d) => d.severity === "error").length;
    const newErrors = after.diagnostics.filter((d) => d.severity === "error");
    const sameRefs = after.unit ? countRefs(after, p.newName, r.idents.length) : false;
    if (newErrors.length > errorsBefore || !sameRefs) {
      const first = newErrors[0];
      throw new ResponseError(
        ErrorCodes.InvalidRequest,
        `Renaming \`${r.symbol.name}\` to \`${p.newName}\` would change the program${first ? `: ${first.message}` : ": another name would be captured"}`,
      );
    }
    const changes: Record<string, LspTextEdit[]> = {};
    for (const [f, spans] of byFile) changes[uriOf(f)] = spans.map((s) => ({ range: toRange(s), newText: p.newName }));
    return { changes };
  });

  connection.onDocumentSymbol((p) => {
    // A .ts rule's outline is the editor's TypeScript's: a second one, of the rule as lowered, was a second group beside it.
    if (isTsRule(fileOfUri(p.textDocument.uri))) return [];
    const c = context(p.textDocument.uri);
    if (!c) return [];
    const file = ws.fileOf(c.file);
    if (!file) return [];
    const toSymbol = (o: OutlineItem): DocumentSymbol => ({
      name: o.name,
      detail: o.detail,
      kind: OUTLINE_KINDS[o.kind],
      range: toRange(o.span),
      selectionRange: toRange(o.nameSpan.start >= o.span.start && o.nameSpan.end <= o.span.end ? o.nameSpan : o.span),
      children: o.children.map(toSymbol),
    });
    return outline(file, c.doc.getText()).map(toSymbol);
  });

  connection.onWorkspaceSymbol((p) => {
    refuseAfterShutdown();
    sync();
    const q = p.query.toLowerCase();
    const out: { name: string; kind: SymbolKind; location: Location }[] = [];
    for (const key of rules.keys()) {
      for (const f of [key, rulePair(key).test]) {
        if (f === undefined) continue;
        const file = ws.fileOf(f);
        if (!file) continue;
        const text = documents.get(uriOf(f))?.getText() ?? ws.textOf(f) ?? "";
        for (const o of outline(file, text)) {
          if (o.kind === "limits" || o.kind === "settings" || o.kind === "state") continue;
          if (q && !o.name.toLowerCase().includes(q)) continue;
          out.push({ name: o.name, kind: OUTLINE_KINDS[o.kind], location: { uri: uriOf(f), range: toRange(o.span) } });
        }
      }
    }
    return out;
  });

  connection.onDocumentFormatting((p) => {
    refuseAfterShutdown();
    const doc = documents.get(p.textDocument.uri);
    if (!doc || isTsRule(fileOfUri(p.textDocument.uri))) return null;
    const text = doc.getText();
    const r = formatText(fileOfUri(p.textDocument.uri), text);
    if (!r.ok) {
      // A notification, not window/showMessageRequest: a client that answers that request with an error
      // (or has no such method) would reject the promise, and an unhandled rejection ends the server.
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: "Thwonk: the file has syntax errors; fix them before formatting." });
      return null;
    }
    // The formatter writes \n; a document with \r\n line ends keeps them (else every format was a change of every line).
    const out = text.includes("\r\n") ? r.text.replace(/\r?\n/g, "\r\n") : r.text;
    if (out === text) return [];
    return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) }, newText: out }];
  });

  connection.onCodeAction((p) => {
    // The fixes of the text as it is: those last published may be for an older text (an edit the check has
    // not caught up with), and their edits would land on the wrong characters.
    const c = context(p.textDocument.uri);
    const out: CodeAction[] = [];
    for (const d of c ? diagnosticsNow(ruleKey(c.file)) : []) {
      if (d.span.file !== c!.file) continue;
      if (!d.fix) continue;
      const range = toRange(d.span);
      const before = (a: Range["start"], b: Range["start"]) => a.line < b.line || (a.line === b.line && a.character <= b.character);
      if (!before(range.start, p.range.end) || !before(p.range.start, range.end)) continue;
      const changes: Record<string, LspTextEdit[]> = {};
      for (const e of d.fix.edits) (changes[uriOf(e.span.file)] ??= []).push({ range: toRange(e.span), newText: e.newText });
      out.push({ title: d.fix.description, kind: CodeActionKind.QuickFix, diagnostics: [toLspDiagnostic(d, uriOf)], edit: { changes }, isPreferred: true });
    }
    return out;
  });

  connection.onFoldingRanges((p) => {
    refuseAfterShutdown();
    const doc = documents.get(p.textDocument.uri);
    const file = fileOfUri(p.textDocument.uri);
    if (!doc || isTsRule(file)) return [];
    // The tree of this version that the check parses (or will: the parse is kept), never a parse of its own.
    sync();
    const tree = ws.syntaxOf(file);
    return tree ? foldingRanges(tree.root, (offset) => doc.positionAt(offset).line) : [];
  });

  connection.onCodeLens((p) => {
    refuseAfterShutdown();
    const file = fileOfUri(p.textDocument.uri);
    if (isTestFile(file)) return [];
    const r = rules.get(ruleKey(file));
    const lenses = r?.lenses ?? [];
    return lenses.map((l) => ({ range: toRange(l.span), command: { title: l.title, command: "" } }));
  });

  connection.onSignatureHelp((p) => {
    const c = context(p.textDocument.uri);
    if (!c || isTsRule(c.file) || atComment(c.file, c.doc.offsetAt(p.position))) return null;
    const file = c.unit ? [c.unit.rule, ...c.unit.tests].find((f) => f.fileName === c.file) : undefined;
    const sig = signatureAt(c.unit, file, c.doc.getText(), c.doc.offsetAt(p.position));
    if (!sig) return null;
    return {
      signatures: [
        {
          label: sig.label,
          documentation: { kind: MarkupKind.Markdown, value: sig.doc },
          parameters: sig.params.map((x) => ({ label: x.label, ...(x.doc ? { documentation: x.doc } : {}) })),
        },
      ],
      activeSignature: 0,
      activeParameter: sig.active < 0 ? null : sig.active,
    } as never;
  });

  connection.languages.semanticTokens.on((p) => {
    const c = context(p.textDocument.uri);
    const file = c?.unit ? [c.unit.rule, ...c.unit.tests].find((f) => f.fileName === c.file) : undefined;
    if (!c?.unit || !file || isTsRule(c.file)) return { data: [] };
    return { data: semanticTokens(c.unit, file) };
  });

  // ------------------------------------------------------------------ commands (custom requests)

  /** The text of a rule file as the editor has it, else as on disk (refused, with where, when that is not UTF-8). */
  const textOf = (file: string): string | undefined => {
    const open = documents.get(uriOf(file))?.getText();
    if (open !== undefined) return open;
    const read = readDisk(file);
    if (read && "notUtf8" in read) throw new ResponseError(ErrorCodes.InvalidRequest, `${file}:${read.notUtf8.span.line}:${read.notUtf8.span.col}: ${read.notUtf8.message}`);
    return read?.text;
  };
  /** The rule a document belongs to (its own file, or the rule of a test file). */
  const ruleOfUri = (uri: string): string => ruleKey(fileOfUri(uri));
  // The runtime (QuickJS, mailparser) is loaded on the first run, not at start.
  let runModule: Promise<typeof import("./run.js")> | undefined;
  const runtime = () => (runModule ??= import("./run.js"));

  /**
   * `thwonk/check`: the rule's diagnostics, verified, and each trigger's
   * bounds. Cancellable: the verifier stops and the request answers
   * RequestCancelled, as the protocol asks of a request that was not done.
   */
  connection.onRequest("thwonk/check", async (p: { uri: string }, token: CancellationToken) => {
    refuseAfterShutdown();
    sync();
    const key = ruleOfUri(p.uri);
    const r = ruleState(key);
    // A rule the server has not seen (outside the workspace folders, not opened): read from disk.
    for (const f of [key, rulePair(key).test]) {
      if (f === undefined || ws.has(f) || notUtf8.has(f)) continue;
      const read = readDisk(f);
      if (read === undefined) continue;
      if ("text" in read) ws.set(f, read.text);
      else notUtf8.set(f, read.notUtf8);
      r.generation++;
    }
    const target = checkTarget(key);
    if (!target && notUtf8.has(key)) {
      // The rule file is not UTF-8: its one diagnostic is the check's answer.
      const d = notUtf8.get(key)!;
      publish(key, { files: [], diagnostics: [] });
      return { errors: 1, warnings: 0, triggers: [], diagnostics: [`${d.span.file}:${d.span.line}:${d.span.col} ${d.severity} ${d.code} ${d.message}`] };
    }
    if (!target) throw new ResponseError(ErrorCodes.InvalidParams, `No rule is open or on disk for ${p.uri}.`);
    const gen = r.generation;
    const full = await checkRule(key, target, true, () => token.isCancellationRequested || shuttingDown);
    // A cancel read after the verify's last look still gets RequestCancelled: the client has stopped waiting for it.
    if (!full || token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, "The check was cancelled.");
    // Published only if no edit came while it ran: an older text's diagnostics never follow a newer one's.
    if (r.generation === gen) {
      r.checked = { generation: gen, result: full };
      if (full.verified) r.lenses = full.lenses;
      publish(key, full);
    }
    // A test file that is not UTF-8 was not checked: its diagnostic is among the answer's.
    const diagnostics = withUnreadable(key, full).diagnostics;
    const count = (s: string) => diagnostics.filter((d) => d.severity === s).length;
    return {
      errors: count("error"),
      warnings: count("warning"),
      triggers: full.triggers.map((t) => ({ name: t.name, gas: t.gas, fanout: t.fanout })),
      diagnostics: diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.col} ${d.severity} ${d.code} ${d.message}`),
    };
  });

  /**
   * `thwonk/stats`: the work the server has done, for tests and benchmarks:
   * `parses` counts every .thwonk text parsed on the server's thread (a
   * feature that parsed a version again shows here), `checks` the rules checked.
   */
  connection.onRequest("thwonk/stats", () => ({
    parses: parseStats.files,
    checks: ws.stats.checks,
    checker: { threads: options.checker?.started ?? 0, stopped: options.checker?.stopped ?? 0, heapMb: options.checker?.heapMb ?? null },
    // The passes queued or running: a client that sees none after its last notification knows every check it asked for is done.
    pending: queue.size + (pumpBusy ? 1 : 0),
  }));

  /** `thwonk/compile`: the rule's bundle written next to it (NAME.thwb), as `thwonkc compile`. */
  connection.onRequest("thwonk/compile", (p: { uri: string }): { ok: boolean; bundle: string | undefined; message: string; errors: string[] } => {
    refuseAfterShutdown();
    // An unsaved document has no folder: its bundle went to the server's working directory, named after the URI.
    if (!p.uri.startsWith("file:")) throw new ResponseError(ErrorCodes.InvalidParams, "Save the rule first: its bundle is written next to it.");
    const file = ruleOfUri(p.uri);
    const text = textOf(file);
    if (text === undefined) throw new ResponseError(ErrorCodes.InvalidParams, `Cannot read ${file}.`);
    const r = compileSource(file, text);
    if (!r.bundle) {
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      return { ok: false, bundle: undefined, message: `${file} has ${errors.length} error${errors.length === 1 ? "" : "s"}; no bundle was written`, errors: errors.map((d) => `${d.span.line}:${d.span.col} ${d.code} ${d.message}`) };
    }
    const out = bundleFileOf(file);
    writeFileSync(out, serializeBundle(r.bundle));
    const triggers = r.bundle.manifest.triggers.map((t) => `${t.name} (${t.gasBound.toLocaleString("en-US")} gas)`).join(", ");
    return { ok: true, bundle: out, message: `Wrote ${out}: rule ${r.bundle.manifest.rule}; ${triggers}; sha256 ${r.bundle.sha256.slice(0, 12)}`, errors: [] };
  });

  /** `thwonk/dryRun`: one trigger run on an .eml in a sandbox; the actions, state changes and gas. */
  connection.onRequest("thwonk/dryRun", async (p: DryRunParams): Promise<DryRunResult> => {
    refuseAfterShutdown();
    const file = ruleOfUri(p.uri);
    const text = textOf(file);
    if (text === undefined) throw new ResponseError(ErrorCodes.InvalidParams, `Cannot read ${file}.`);
    const { dryRun } = await runtime();
    return dryRun(file, text, typedNow(file)?.unit, p);
  });

  /** `thwonk/runTests`: the rule's NAME.test.thwonk run, as `thwonkc test`. */
  connection.onRequest("thwonk/runTests", async (p: { uri: string }): Promise<TestsResult> => {
    refuseAfterShutdown();
    const file = ruleOfUri(p.uri);
    const text = textOf(file);
    if (text === undefined) throw new ResponseError(ErrorCodes.InvalidParams, `Cannot read ${file}.`);
    const testFile = rulePair(file).test;
    const testText = testFile === undefined ? undefined : textOf(testFile);
    const { runTests } = await runtime();
    return runTests({ fileName: file, text }, testText === undefined ? [] : [{ fileName: testFile!, text: testText }]);
  });

  documents.listen(connection);
  connection.listen();
}

/**
 * Where `thwonkc compile` writes a rule's bundle (cli/compile.ts): NAME.thwb
 * beside NAME.thwonk or NAME.ts, or NAME.ts.thwb for a .ts rule whose
 * NAME.thwonk twin is there too (the two bundles never clash).
 */
function bundleFileOf(file: string): string {
  if (file.endsWith(".thwonk")) return `${file.slice(0, -".thwonk".length)}.thwb`;
  if (isTsRule(file)) {
    const stem = file.slice(0, -TS_RULE_EXT.length);
    return statSync(`${stem}.thwonk`, { throwIfNoEntry: false })?.isFile() ? `${file}.thwb` : `${stem}.thwb`;
  }
  return `${file}.thwb`;
}

/** Does the renamed program refer to the new name as often as the old one was (no other name captured, none lost)? */
function countRefs(after: CheckedDocument, name: string, expected: number): boolean {
  const unit = after.unit!;
  const bySymbol = new Map<unknown, number>();
  for (const [ident, s] of unit.check.model.symbols) if (ident.name === name) bySymbol.set(s, (bySymbol.get(s) ?? 0) + 1);
  return bySymbol.size === 1 && [...bySymbol.values()][0] === expected;
}
