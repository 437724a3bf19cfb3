/**
 * The Thwonk extension's client: starts the language server bundled with
 * it (dist/server.mjs, the same lsp/server.ts `thwonkc lsp` runs), or the
 * one `thwonk.server.path` names, restarts it when it crashes, and adds the
 * commands (check, compile, dry run on an .eml, run the tests) that go to
 * the server as custom requests. Everything the language does (diagnostics,
 * completion, hover, formatting, ...) is the server's.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  RevealOutputChannelOn,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";

/** Restarts allowed within RESTART_WINDOW_MS before the client gives up (a server that crashes at start). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 3 * 60_000;

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let runs: vscode.OutputChannel;

/** How to start the server: the bundled module over IPC, or `thwonk.server.path`. */
export function serverOptions(extensionPath: string, configured: string): ServerOptions {
  if (configured.trim() === "") {
    const module = path.join(extensionPath, "dist", "server.mjs");
    return { run: { module, transport: TransportKind.ipc }, debug: { module, transport: TransportKind.ipc, options: { execArgv: ["--inspect=6009"] } } };
  }
  if (/\.(c|m)?js$/.test(configured)) return { module: configured, transport: TransportKind.ipc };
  return { command: configured, args: ["lsp", "--stdio"], transport: TransportKind.stdio };
}

/** Restart a crashed server, unless it crashed MAX_RESTARTS times within RESTART_WINDOW_MS. */
export function restartingErrorHandler(log: (line: string) => void, now: () => number = Date.now): ErrorHandler {
  const crashes: number[] = [];
  return {
    error: () => ({ action: ErrorAction.Continue }),
    closed: () => {
      const t = now();
      crashes.push(t);
      while (crashes.length && crashes[0]! < t - RESTART_WINDOW_MS) crashes.shift();
      if (crashes.length > MAX_RESTARTS) {
        log(`The Thwonk language server stopped ${crashes.length} times in ${RESTART_WINDOW_MS / 60_000} minutes; it is not restarted. Run "Thwonk: Restart the language server" after fixing the cause.`);
        return { action: CloseAction.DoNotRestart, message: "The Thwonk language server keeps crashing; see the output." };
      }
      log("The Thwonk language server stopped; restarting it.");
      return { action: CloseAction.Restart, handled: true };
    },
  };
}

function createClient(context: vscode.ExtensionContext): LanguageClient {
  const config = vscode.workspace.getConfiguration("thwonk");
  const clientOptions: LanguageClientOptions = {
    // TypeScript rules too (docs/typescript.md): the server answers only for a .ts file that imports "thwonk".
    documentSelector: [{ scheme: "file", language: "thwonk" }, { scheme: "untitled", language: "thwonk" }, { scheme: "file", language: "typescript" }],
    // .ts too: a TypeScript rule changed on disk is read again, for the tests beside it (the server ignores other .ts files).
    // And any deletion: a directory deleted or renamed is one event for the directory, which the first glob does not match,
    // and the rules in it kept their diagnostics.
    synchronize: {
      fileEvents: [vscode.workspace.createFileSystemWatcher("**/*.{thwonk,ts}"), vscode.workspace.createFileSystemWatcher("**/*", true, true, false)],
    },
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    errorHandler: restartingErrorHandler((line) => output.appendLine(line)),
    // The server's options (docs/editing.md); 0 or unset: its defaults.
    initializationOptions: { checkerHeapMb: config.get<number>("server.checkerHeapMb") || undefined },
  };
  return new LanguageClient("thwonk", "Thwonk Language Server", serverOptions(context.extensionPath, config.get<string>("server.path") ?? ""), clientOptions);
}

/** The rule or test file the command is for: the active editor's, if it is a .thwonk file. */
function activeThwonk(): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || !doc.fileName.endsWith(".thwonk")) {
    void vscode.window.showErrorMessage("Thwonk: open a .thwonk rule (or its test file) first.");
    return undefined;
  }
  return doc;
}

async function ready(): Promise<LanguageClient> {
  if (!client) throw new Error("the Thwonk language server is not running");
  if (!client.isRunning()) await client.start();
  return client;
}

function show(lines: string[]): void {
  for (const l of lines) runs.appendLine(l);
  runs.show(true);
}

interface CheckResult {
  errors: number;
  warnings: number;
  triggers: { name: string; gas: number; fanout: number }[];
  diagnostics: string[];
}

async function check(): Promise<CheckResult | undefined> {
  const doc = activeThwonk();
  if (!doc) return undefined;
  const r = await (await ready()).sendRequest<CheckResult>("thwonk/check", { uri: doc.uri.toString() });
  const summary = `${path.basename(doc.fileName)}: ${r.errors} error${r.errors === 1 ? "" : "s"}, ${r.warnings} warning${r.warnings === 1 ? "" : "s"}`;
  show([summary, ...r.triggers.map((t) => `  ${t.name}: at most ${t.gas.toLocaleString("en-US")} gas, ${t.fanout.toLocaleString("en-US")} message(s) sent`)]);
  if (r.errors) void vscode.window.showErrorMessage(`Thwonk: ${summary}`);
  else void vscode.window.showInformationMessage(`Thwonk: ${summary}`);
  return r;
}

async function compile(): Promise<{ ok: boolean; bundle: string | undefined; message: string; errors: string[] } | undefined> {
  const doc = activeThwonk();
  if (!doc) return undefined;
  await doc.save();
  const r = await (await ready()).sendRequest<{ ok: boolean; bundle: string | undefined; message: string; errors: string[] }>("thwonk/compile", { uri: doc.uri.toString() });
  show([r.message, ...r.errors.map((e) => `  ${e}`)]);
  if (r.ok) void vscode.window.showInformationMessage(`Thwonk: ${r.message}`);
  else void vscode.window.showErrorMessage(`Thwonk: ${r.message}`);
  return r;
}

interface DryRunResult {
  ran: boolean;
  lines: string[];
  problems: string[];
}

async function dryRun(): Promise<DryRunResult | undefined> {
  const doc = activeThwonk();
  if (!doc) return undefined;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: "Dry-run on this message",
    filters: { "E-mail message": ["eml"] },
    defaultUri: vscode.Uri.file(path.dirname(doc.fileName)),
  });
  const eml = picked?.[0];
  if (!eml) return undefined;
  const r = await (await ready()).sendRequest<DryRunResult>("thwonk/dryRun", { uri: doc.uri.toString(), eml: eml.fsPath });
  show(r.lines);
  if (!r.ran) void vscode.window.showErrorMessage(`Thwonk: the rule was not run: ${r.problems.join("; ")}`);
  return r;
}

async function runTests(): Promise<{ passed: number; failed: number; lines: string[] } | undefined> {
  const doc = activeThwonk();
  if (!doc) return undefined;
  const r = await (await ready()).sendRequest<{ passed: number; failed: number; problems: string[]; lines: string[] }>("thwonk/runTests", { uri: doc.uri.toString() });
  show(r.lines);
  const summary = r.problems.length ? `tests not run: ${r.problems[0]}` : `${r.passed} passed, ${r.failed} failed`;
  if (r.failed || r.problems.length) void vscode.window.showErrorMessage(`Thwonk: ${summary}`);
  else void vscode.window.showInformationMessage(`Thwonk: ${summary}`);
  return r;
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  const old = client;
  client = createClient(context);
  if (old) await old.dispose().catch(() => undefined);
  await client.start();
}

export async function activate(context: vscode.ExtensionContext): Promise<{ client: () => LanguageClient | undefined }> {
  output = vscode.window.createOutputChannel("Thwonk Language Server");
  runs = vscode.window.createOutputChannel("Thwonk");
  context.subscriptions.push(
    output,
    runs,
    vscode.commands.registerCommand("thwonk.check", check),
    vscode.commands.registerCommand("thwonk.compile", compile),
    vscode.commands.registerCommand("thwonk.dryRun", dryRun),
    vscode.commands.registerCommand("thwonk.runTests", runTests),
    vscode.commands.registerCommand("thwonk.restartServer", () => restart(context)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("thwonk.server.path")) void restart(context);
    }),
  );
  client = createClient(context);
  await client.start();
  return { client: () => client };
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
  client = undefined;
}
