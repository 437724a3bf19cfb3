/**
 * What a thwonkc command may touch of the outside world besides the file
 * system: its output streams, the environment and the working directory.
 * Commands take it as a parameter so tests and benchmarks can run them
 * in-process and capture what they print.
 */
export interface OutStream {
  write(text: string): void;
  /** True when the stream is a terminal (colour is on by default). */
  isTTY?: boolean;
}

export interface CliIo {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdout: OutStream;
  stderr: OutStream;
}

export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: { write: (t) => void process.stdout.write(t), isTTY: process.stdout.isTTY === true },
    stderr: { write: (t) => void process.stderr.write(t), isTTY: process.stderr.isTTY === true },
  };
}

/** An output stream that keeps what is written (tests, benchmarks). */
export class BufferStream implements OutStream {
  private chunks: string[] = [];
  constructor(public isTTY = false) {}
  write(text: string): void {
    this.chunks.push(text);
  }
  text(): string {
    return this.chunks.join("");
  }
}

/**
 * Whether to colour output on `stream`: an explicit `--color`/`--no-color`
 * wins, then FORCE_COLOR ("0" or "false" turn it off), then NO_COLOR (set and
 * not empty turns it off, see no-color.org), then whether the stream is a
 * terminal (and TERM is not "dumb").
 */
export function wantColor(io: CliIo, stream: OutStream, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  const force = io.env["FORCE_COLOR"];
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  const no = io.env["NO_COLOR"];
  if (no !== undefined && no !== "") return false;
  return stream.isTTY === true && io.env["TERM"] !== "dumb";
}
