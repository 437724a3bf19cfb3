/**
 * `thwonkc lsp --stdio | --node-ipc`: the language server (lsp/node.ts, the
 * module the VS Code extension's bundled server runs too) on the connection
 * the editor chose. Resolves when the editor shuts the server down.
 */
export { runLsp } from "../lsp/node.js";
