/**
 * The entry of the server bundled into the VS Code extension
 * (vscode-extension/dist/server.mjs, built by scripts/vsix.js): the same
 * server as `thwonkc lsp`, on the transport its command line names.
 */
import { runLsp } from "./node.js";

void runLsp(process.argv.includes("--stdio") ? "stdio" : "node-ipc");
