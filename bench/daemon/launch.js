// How the benches start a server: the way it is run when installed. A launcher with its own `#!` line (bin/thwonkd.js,
// which names thwonkd's node flags there) is executed itself; anything else runs under this node, with `flags` first.
import { accessSync, constants, readFileSync } from "node:fs";

/** The command and arguments that start `args[0]` with `args.slice(1)`. */
export function launch(args, flags = []) {
  const [file, ...rest] = args;
  if (flags.length === 0 && ownLauncher(file)) return { command: file, args: rest };
  return { command: process.execPath, args: [...flags, file, ...rest] };
}

function ownLauncher(file) {
  try {
    accessSync(file, constants.X_OK);
    return readFileSync(file, "utf8").startsWith("#!");
  } catch {
    return false;
  }
}
