/**
 * The thwonkc command line: parses arguments (commander) and runs a command.
 * Each command's module is loaded only when that command runs, so
 * `thwonkc --help` does not pay for the compiler.
 *
 * This is the entry point of the bundle dist/thwonkc.mjs that bin/thwonkc.js
 * loads; `main` returns the exit code instead of exiting, so it can be run
 * in-process by tests and benchmarks.
 */
import { Command, CommanderError, Option } from "commander";
import { EXIT_CODES_HELP, ExitCode } from "./exit-codes.js";
import { processIo, type CliIo } from "./io.js";
import type { Format } from "./check.js";
import { THWONKC_VERSION } from "./version.js";

/** The values of `check --format` (the type lives with the command, which is loaded lazily). */
const FORMATS: readonly Format[] = ["pretty", "json", "sarif"];

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command("thwonkc");
  program
    .description("The Thwonk compiler: checks rules for programmable mailing lists (.thwonk files).")
    .version(THWONKC_VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .helpCommand("help [command]", "show help for a command")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError("(run thwonkc --help for usage)")
    .addHelpText("after", EXIT_CODES_HELP);

  program
    .command("check")
    .summary("check .thwonk files for errors")
    .description(
      "Check .thwonk files for errors and warnings.\n\n" +
        "A directory stands for every .thwonk file inside it, recursively (node_modules and " +
        "directories whose name starts with a dot are skipped). A test file NAME.test.thwonk is " +
        "checked together with its rule NAME.thwonk, which is loaded if it was not given; only " +
        "the files given or found are reported on.",
    )
    .argument("<paths...>", ".thwonk files or directories")
    .addOption(
      new Option("-f, --format <format>", "output format").choices(FORMATS).default("pretty"),
    )
    .option("--strict", "treat warnings as errors", false)
    .option("--color", "colour the output (default: when stdout is a terminal; NO_COLOR/FORCE_COLOR respected)")
    .option("--no-color", "do not colour the output")
    .showHelpAfterError("(run thwonkc check --help for usage)")
    .addHelpText(
      "after",
      `
Examples:
  thwonkc check rules/                       check every rule under rules/
  thwonkc check once.thwonk once.test.thwonk check a rule and its tests
  thwonkc check rules/ --format sarif > thwonk.sarif
${EXIT_CODES_HELP}`,
    )
    .action(async (paths: string[], opts: { format: Format; strict: boolean; color?: boolean }) => {
      const { runCheck } = await import("./check.js");
      setExit(runCheck(paths, { format: opts.format, strict: opts.strict, color: opts.color }, io));
    });

  return program;
}

/** Runs thwonkc with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exit: number = ExitCode.Success;
  const program = buildProgram(io, (code) => {
    exit = code;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help, `help` and --version end with a CommanderError too, with exit code 0.
      return err.exitCode === 0 ? ExitCode.Success : ExitCode.Usage;
    }
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    io.stderr.write(`thwonkc: internal error (a bug in thwonkc; please report it):\n${detail}\n`);
    return ExitCode.Internal;
  }
  return exit;
}
