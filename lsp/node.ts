/**
 * The language server on a Node connection: what `thwonkc lsp` runs and
 * what the VS Code extension bundles (lsp/main.ts). `--stdio` talks over
 * stdin/stdout; `--node-ipc` over the IPC channel VS Code opens when it
 * starts a Node server module.
 *
 * The same entry, started again as a worker thread, is the server's checker
 * thread (lsp/checker.ts): whichever bundle is running starts itself.
 */
import { Worker } from "node:worker_threads";
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { FrameGuard } from "./frames.js";
import { startServer } from "./server.js";
import { CheckerThread, isCheckerThread, serveChecker } from "./checker.js";

/** Runs the server until the editor shuts it down; resolves with the exit code (0 after `shutdown`, 1 without). */
export function runLsp(transport: "stdio" | "node-ipc"): Promise<number> {
  if (isCheckerThread()) {
    serveChecker();
    // The thread serves jobs until the server ends it.
    return new Promise(() => {});
  }
  const entry = process.argv[1];
  const checker = entry === undefined ? undefined : new CheckerThread((workerData, resourceLimits) => new Worker(entry, { argv: process.argv.slice(2), workerData, resourceLimits, stdout: true }));
  // createConnection reads the transport from process.argv (--node-ipc, --stdio, --socket) when given no streams.
  const connection = transport === "stdio" ? createConnection(ProposedFeatures.all, guardedStdin(), process.stdout) : createConnection(ProposedFeatures.all);
  return new Promise((resolve) => {
    // The editor's stdin stays open after `exit`: the process ends here.
    startServer(connection, {
      checker,
      exit: (code) => {
        resolve(code);
        setImmediate(() => process.exit(code));
      },
    });
  });
}

/** Stdin, whole frames only: input that is not the protocol is logged and ends the server (lsp/frames.ts says why). */
function guardedStdin(): FrameGuard {
  const guard = new FrameGuard();
  guard.on("error", (e) => {
    process.stderr.write(
      `thwonkc lsp: the input is not the Language Server Protocol: ${e.message}` +
        ` (at byte ${(e as { at?: number }).at ?? "?"} of stdin); exiting, as a server cannot tell where the next message starts\n`,
    );
    process.exit(1);
  });
  process.stdin.pipe(guard);
  return guard;
}
