// How the benches start a server: the way it is run when installed. A launcher with its own `#!` line (bin/thwonkd.js,
// which names thwonkd's node flags there) is executed itself; anything else runs under this node, with `flags` first.
import { spawn } from "node:child_process";
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

/**
 * Starts a server (thwonkd, bare.js, floor.js) as launch() does, its log at warn; resolves once its first stdout line
 * (JSON with the SMTP port) is out, with the process, that port and what it wrote to stderr so far (a function), or rejects
 * with its stderr if it exits first.
 */
export function startServer(args, { flags = [], env = {} } = {}) {
  const { command, args: argv } = launch(args, flags);
  const proc = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, THWONKD_LOG_LEVEL: "warn", ...env } });
  let err = "";
  proc.stderr.on("data", (c) => (err += c));
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (c) => {
      if (out === null) return;
      out += c;
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        const port = JSON.parse(out.slice(0, nl)).smtp;
        out = null;
        resolve({ proc, port, stderr: () => err });
      }
    });
    proc.on("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}: ${err}`)));
  });
}

/**
 * Postfix's smtp-source (Debian's postfix package) sending `messages` to the one-list bench's address on `port` over
 * `sessions` sessions, each on reused connections unless `reuse` is false; resolves with its seconds and rate.
 */
export async function smtpSource(port, messages, { sessions = 10, reuse = true } = {}) {
  const t = performance.now();
  const args = [...(reuse ? ["-d"] : []), "-s", String(sessions), "-m", String(messages), "-f", "from@example.org", "-t", "list@lists.localhost", `127.0.0.1:${port}`];
  const p = spawn("smtp-source", args, { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  p.stderr.on("data", (c) => (err += c));
  const code = await new Promise((r) => p.on("exit", r));
  if (code !== 0) throw new Error(`smtp-source ${args.join(" ")} exited with ${code}: ${err}`);
  const seconds = (performance.now() - t) / 1000;
  return { seconds, rate: messages / seconds };
}
