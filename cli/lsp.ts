/**
 * `thwonkc lsp --stdio | --node-ipc`: the language server (lsp/server.ts,
 * the same module a VS Code bundle starts) on the connection the editor
 * chose. Resolves when the editor shuts the server down.
 */
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { startServer } from "../lsp/server.js";

export function runLsp(transport: "stdio" | "node-ipc"): Promise<number> {
  // createConnection reads the transport from process.argv (--stdio, --node-ipc) when given none.
  const connection =
    transport === "stdio" ? createConnection(ProposedFeatures.all, process.stdin, process.stdout) : createConnection(ProposedFeatures.all);
  return new Promise((resolve) => {
    // The editor's stdin stays open after `exit`: the process ends here (0 after `shutdown`, 1 without).
    startServer(connection, {
      exit: (code) => {
        resolve(code);
        setImmediate(() => process.exit(code));
      },
    });
  });
}
