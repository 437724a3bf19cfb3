/**
 * A real LSP client for the tests and the bench: spawns
 * `node bin/thwonkc.js lsp --stdio` and talks JSON-RPC to it through
 * vscode-languageserver-protocol, keeping every publishDiagnostics.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type Range,
} from "vscode-languageserver-protocol/node";
import { binPath } from "../helpers/cli.js";

export interface Published {
  uri: string;
  version: number | undefined;
  diagnostics: Diagnostic[];
  at: number;
}

export class LspClient {
  readonly connection: ProtocolConnection;
  readonly published: Published[] = [];
  /** The messages of the server's `$/progress` (begin and report), when `initialize` asked for them. */
  readonly progress: string[] = [];
  /** The `thwonk/verified` notifications, in order. */
  readonly verified: { uri: string; version: number | undefined; generation: number }[] = [];
  private readonly pokes: (() => void)[] = [];
  private readonly waiters: { test: (p: Published) => boolean; resolve: (p: Published) => void }[] = [];
  private readonly proc: ChildProcess;
  private versions = new Map<string, number>();

  constructor() {
    this.proc = spawn(process.execPath, [binPath, "lsp", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
    this.connection = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      const pub: Published = { uri: p.uri, version: p.version, diagnostics: p.diagnostics, at: performance.now() };
      this.published.push(pub);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        if (this.waiters[i]!.test(pub)) {
          this.waiters[i]!.resolve(pub);
          this.waiters.splice(i, 1);
        }
      }
      this.poke();
    });
    this.connection.onRequest("window/workDoneProgress/create", () => null);
    this.connection.onNotification("$/progress", (p: { value: { kind: string; message?: string } }) => {
      if (p.value.kind !== "end") this.progress.push(p.value.message ?? "");
      this.poke();
    });
    this.connection.onNotification("thwonk/verified", (p: { uri: string; version?: number; generation: number }) => {
      this.verified.push({ uri: p.uri, version: p.version, generation: p.generation });
      this.poke();
    });
    this.connection.listen();
  }

  private poke(): void {
    for (const w of [...this.pokes]) w();
  }

  /** Resolves when `test` holds over what has come (checked at every publish, progress and thwonk/verified). */
  until(what: string, test: () => boolean, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs);
      const check = (): void => {
        if (!test()) return;
        clearTimeout(timer);
        this.pokes.splice(this.pokes.indexOf(check), 1);
        resolve();
      };
      this.pokes.push(check);
      check();
    });
  }

  /** `progress`: the client takes window/workDoneProgress, and the server reports its checks. */
  async initialize(rootDir?: string, opts: { progress?: boolean } = {}): Promise<unknown> {
    const root = rootDir ? pathToFileURL(rootDir).href : null;
    const r = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: root,
      workspaceFolders: root ? [{ uri: root, name: "root" }] : null,
      capabilities: opts.progress ? { window: { workDoneProgress: true } } : {},
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return r;
  }

  /** The next publish for `uri` that satisfies `test` (publishes already received count, from `since`). */
  waitFor(uri: string, test: (p: Published) => boolean = () => true, since = 0, timeoutMs = 30_000): Promise<Published> {
    const done = this.published.slice(since).find((p) => p.uri === uri && test(p));
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        test: (p) => p.uri === uri && test(p),
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  open(uri: string, text: string): Promise<void> {
    this.versions.set(uri, 1);
    return this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "thwonk", version: 1, text } });
  }

  /** An incremental change: `text` replaces `range`. Returns the new version. */
  async change(uri: string, range: Range, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  async close(): Promise<void> {
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    await new Promise<void>((resolve) => {
      if (this.proc.exitCode !== null) resolve();
      else this.proc.once("exit", () => resolve());
    });
    this.connection.dispose();
  }
}

/** The LSP position of `needle` (its `nth` occurrence) in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, nth = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`${needle} not in text`);
  const offset = at + delta;
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}
