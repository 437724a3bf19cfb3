/**
 * The language server on a Node connection: what `thwonkc lsp` runs and
 * what the VS Code extension bundles (lsp/main.ts). `--stdio` talks over
 * stdin/stdout; `--node-ipc` over the IPC channel VS Code opens when it
 * starts a Node server module.
 */
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { startServer } from "./server.js";

/** Runs the server until the editor shuts it down; resolves with the exit code (0 after `shutdown`, 1 without). */
export function runLsp(transport: "stdio" | "node-ipc"): Promise<number> {
  // createConnection reads the transport from process.argv (--node-ipc, --stdio, --socket) when given no streams.
  const connection =
    transport === "stdio" ? createConnection(ProposedFeatures.all, process.stdin, process.stdout) : createConnection(ProposedFeatures.all);
  return new Promise((resolve) => {
    // The editor's stdin stays open after `exit`: the process ends here.
    startServer(connection, {
      exit: (code) => {
        resolve(code);
        setImmediate(() => process.exit(code));
      },
    });
  });
}
