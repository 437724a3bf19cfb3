/**
 * The language server over stdio, as the thread tests drive it: `thwonkc lsp --stdio` spawned, a real LSP connection,
 * everything the server sends kept in order, and `until` to wait for an event (a publish, a `thwonk/verified`, a
 * `$/progress`, a shown message), never for a time: its timer only turns a hang into a failure. Every server started
 * is killed when the test file ends, so a failed test that left one running does not hold the run.
 * (client.ts is the editor-like client the feature tests and the bench use.)
 */
import { after } from "node:test";
import { spawn, type ChildProcess } from "node:child_process";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from "vscode-languageserver-protocol/node";
import { binPath } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";

export interface StdioServer {
  proc: ChildProcess;
  conn: ProtocolConnection;
  stderr: () => string;
  published: PublishDiagnosticsParams[];
  verified: { uri: string; version?: number; generation?: number }[];
  /** `$/progress` begins' and reports' messages and "end" for each end, in order. */
  progress: string[];
  /** `window/showMessage` messages, in order. */
  shown: string[];
  /** Resolves when `test` holds over what has come (checked at every notification). */
  until: (what: string, test: () => boolean) => Promise<void>;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];
after(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
});

/** Another process of the test's, killed at its end as the servers are if it is still running. */
export function killAtEnd(p: ChildProcess): void {
  started.push(p);
}

/** Starts a server: `args` to node (default the CLI's `lsp --stdio`); `waitMs` how long `until` waits before it fails. */
export function startServer(o: { args?: string[]; waitMs?: number } = {}): StdioServer {
  const waitMs = o.waitMs ?? 90_000;
  const proc = spawn(process.execPath, o.args ?? [binPath, "lsp", "--stdio"], { stdio: ["pipe", "pipe", "pipe"], cwd: repoRoot });
  started.push(proc);
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const s: Omit<StdioServer, "until" | "exited"> = { proc, conn, stderr: () => err, published: [], verified: [], progress: [], shown: [] };
  const waiters: (() => void)[] = [];
  const poke = (): void => {
    for (const w of [...waiters]) w();
  };
  conn.onNotification("textDocument/publishDiagnostics", (p: PublishDiagnosticsParams) => {
    s.published.push(p);
    poke();
  });
  conn.onNotification("thwonk/verified", (p: StdioServer["verified"][number]) => {
    s.verified.push(p);
    poke();
  });
  conn.onNotification("window/showMessage", (p: { message: string }) => {
    s.shown.push(p.message);
    poke();
  });
  conn.onRequest("window/workDoneProgress/create", () => null);
  conn.onNotification("$/progress", (p: { value: { kind: string; message?: string } }) => {
    s.progress.push(p.value.kind === "end" ? "end" : (p.value.message ?? ""));
    poke();
  });
  conn.onError(() => {});
  conn.listen();
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (c) => resolve(c)));
  const until = (what: string, t: () => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what}: not within ${waitMs / 1000} s; stderr: ${err}`)), waitMs);
      const check = (): void => {
        if (!t()) return;
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(check), 1);
        resolve();
      };
      waiters.push(check);
      check();
    });
  return { ...s, until, exited };
}

/**
 * `initialize` and `initialized`, with `folders` as the workspace's folders. The client takes `$/progress` and
 * workspace folders unless `capabilities` says otherwise.
 */
export async function initServer(s: StdioServer, folders: string[] = [], o: { initializationOptions?: object; capabilities?: object } = {}): Promise<InitializeResult> {
  const workspaceFolders = folders.map((f) => ({ uri: pathToFileURL(f).href, name: basename(f) }));
  const r = await s.conn.sendRequest<InitializeResult>("initialize", {
    processId: null,
    rootUri: workspaceFolders[0]?.uri ?? null,
    workspaceFolders: workspaceFolders.length ? workspaceFolders : null,
    capabilities: o.capabilities ?? { window: { workDoneProgress: true }, workspace: { workspaceFolders: true } },
    initializationOptions: o.initializationOptions,
  });
  await s.conn.sendNotification("initialized", {});
  return r;
}

/** `shutdown` and `exit` (unless the server is gone already); its exit code. */
export async function stopServer(s: StdioServer): Promise<number | null> {
  if (s.proc.exitCode === null) {
    await s.conn.sendRequest("shutdown");
    await s.conn.sendNotification("exit");
  }
  const code = await s.exited;
  s.conn.dispose();
  return code;
}

export const openDocument = (s: StdioServer, uri: string, text: string, version = 1): Promise<void> =>
  s.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "thwonk", version, text } });

/** A rule that checks clean, of `ifs` × 3 lines: a few thousand take the verifier a second; 20,000 more than a 32 MB heap holds. */
export function bigRule(name: string, ifs: number): string {
  const body: string[] = [];
  for (let i = 0; i < ifs; i++) body.push(`  if m.subject.contains("k${i}") {\n    state.n += ${i}\n  }`);
  return `rule ${name}\n\nstate { n: int = 0 }\n\non message(m: Message) {\n${body.join("\n")}\n}\n`;
}
