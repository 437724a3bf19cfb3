/**
 * A small fake of the `vscode` module, enough for the extension's
 * activate() and its commands, and for vscode-languageclient to start the
 * real bundled server and register its features. No VS Code binary can be
 * downloaded here. What the tests look at is real: the command registry,
 * the output channels' lines, the messages shown, the open dialog's answer,
 * the settings; the rest of the API (the providers the client registers,
 * enums, classes it builds) answers with harmless stand-ins.
 */
import { EventEmitter as NodeEmitter } from "node:events";
import { pathToFileURL, fileURLToPath } from "node:url";

export interface FakeState {
  commands: Map<string, (...args: unknown[]) => unknown>;
  channels: Map<string, string[]>;
  messages: { level: "info" | "warning" | "error"; text: string }[];
  openDialogAnswer: string | undefined;
  settings: Record<string, unknown>;
  activeFile: string | undefined;
  activeText: string;
  saved: string[];
}

class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  static from(...ds: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => ds.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

class EventEmitter<T> {
  private readonly e = new NodeEmitter();
  readonly event = (listener: (v: T) => unknown): Disposable => {
    this.e.on("fire", listener);
    return new Disposable(() => this.e.off("fire", listener));
  };
  fire(v: T): void {
    this.e.emit("fire", v);
  }
  dispose(): void {
    this.e.removeAllListeners();
  }
}

class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
    private readonly href: string,
  ) {}
  static file(p: string): Uri {
    return new Uri("file", p, pathToFileURL(p).href);
  }
  static parse(s: string): Uri {
    return s.startsWith("file:") ? Uri.file(fileURLToPath(s)) : new Uri(s.split(":")[0]!, s, s);
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return this.href;
  }
  with(): Uri {
    return this;
  }
  toJSON(): unknown {
    return { scheme: this.scheme, path: this.fsPath };
  }
}

class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}
class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    this.start = typeof a === "number" ? new Position(a, b as number) : a;
    this.end = typeof a === "number" ? new Position(c!, d!) : (b as Position);
  }
}

const noop = (): Disposable => new Disposable();
/** A namespace whose unknown members are functions returning a disposable (register*, on*, create*). */
function loose<T extends object>(known: T): T {
  return new Proxy(known, {
    get(target, prop) {
      if (prop in target) return (target as Record<string | symbol, unknown>)[prop];
      if (typeof prop === "symbol") return undefined;
      return () => new Proxy(new Disposable(), { get: (t, p) => (p in t ? (t as never)[p] : () => undefined) });
    },
  });
}
/** A class for each name the client may construct (Diagnostic, Hover, CompletionItem, ...): it keeps its arguments. */
const classes = new Map<string, unknown>();
function anyClass(name: string): unknown {
  if (!classes.has(name)) {
    classes.set(
      name,
      class {
        readonly args: unknown[];
        constructor(...args: unknown[]) {
          this.args = args;
        }
      },
    );
  }
  return classes.get(name);
}
/** An enum: every member is a number. */
const anyEnum = new Proxy({}, { get: (_t, p) => (typeof p === "string" ? (p.length % 7) + 1 : undefined) });

export function fakeVscode(state: FakeState): Record<string, unknown> {
  const channel = (name: string) => {
    const lines: string[] = [];
    state.channels.set(name, lines);
    return loose({
      name,
      append: (s: string) => lines.push(s),
      appendLine: (s: string) => lines.push(s),
      replace: (s: string) => lines.splice(0, lines.length, s),
      clear: () => lines.splice(0),
      show: () => undefined,
      hide: () => undefined,
      dispose: () => undefined,
    });
  };
  const document = () => ({
    uri: Uri.file(state.activeFile!),
    fileName: state.activeFile!,
    languageId: "thwonk",
    version: 1,
    getText: () => state.activeText,
    save: async () => {
      state.saved.push(state.activeFile!);
      return true;
    },
  });
  const configuration = (section?: string) =>
    loose({
      get: <T>(key: string, dflt?: T): T | undefined => {
        const full = section ? `${section}.${key}` : key;
        return (full in state.settings ? state.settings[full] : dflt) as T | undefined;
      },
      has: () => false,
      update: async () => undefined,
    });
  const api: Record<string, unknown> = {
    version: "1.95.0",
    env: loose({ appName: "fake", language: "en", machineId: "0", sessionId: "0", uriScheme: "vscode", appRoot: "/" }),
    Disposable,
    EventEmitter,
    Uri,
    Position,
    Range,
    commands: loose({
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        state.commands.set(id, fn);
        return new Disposable(() => state.commands.delete(id));
      },
      executeCommand: async (id: string, ...args: unknown[]) => state.commands.get(id)?.(...args),
    }),
    window: loose({
      createOutputChannel: channel,
      showInformationMessage: async (text: string) => void state.messages.push({ level: "info", text }),
      showWarningMessage: async (text: string) => void state.messages.push({ level: "warning", text }),
      showErrorMessage: async (text: string) => void state.messages.push({ level: "error", text }),
      showOpenDialog: async () => (state.openDialogAnswer === undefined ? undefined : [Uri.file(state.openDialogAnswer)]),
      get activeTextEditor() {
        return state.activeFile === undefined ? undefined : { document: document() };
      },
      visibleTextEditors: [],
      onDidChangeActiveTextEditor: noop,
      onDidChangeVisibleTextEditors: noop,
    }),
    workspace: loose({
      getConfiguration: configuration,
      workspaceFolders: undefined,
      textDocuments: [],
      createFileSystemWatcher: () => loose({ onDidCreate: noop, onDidChange: noop, onDidDelete: noop, dispose: () => undefined }),
      onDidChangeConfiguration: noop,
      onDidOpenTextDocument: noop,
      onDidCloseTextDocument: noop,
      onDidChangeTextDocument: noop,
      onDidSaveTextDocument: noop,
      onWillSaveTextDocument: noop,
      onDidChangeWorkspaceFolders: noop,
      onDidCreateFiles: noop,
      onDidRenameFiles: noop,
      onDidDeleteFiles: noop,
      onWillCreateFiles: noop,
      onWillRenameFiles: noop,
      onWillDeleteFiles: noop,
      onDidChangeNotebookDocument: noop,
      onDidOpenNotebookDocument: noop,
      onDidCloseNotebookDocument: noop,
      onDidSaveNotebookDocument: noop,
      notebookDocuments: [],
    }),
    languages: loose({
      createDiagnosticCollection: () => loose({ set: () => undefined, delete: () => undefined, clear: () => undefined, dispose: () => undefined, forEach: () => undefined }),
      match: () => 10,
    }),
    extensions: loose({ getExtension: () => undefined, all: [] }),
    notebooks: loose({}),
    tests: loose({}),
  };
  return new Proxy(api, {
    get(target, prop) {
      if (typeof prop !== "string") return undefined;
      if (prop in target) return target[prop];
      // Enums are capitalized and read as members (DiagnosticSeverity.Error); classes are constructed.
      if (/^[A-Z]/.test(prop)) {
        return new Proxy(anyClass(prop) as object, {
          get: (c, p) => (p in c ? (c as never)[p] : (anyEnum as never)[p]),
        });
      }
      return loose({});
    },
  });
}
