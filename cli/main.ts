/**
 * The thwonkc command line: parses arguments (commander) and runs a command.
 * Each command's module is loaded only when that command runs, so
 * `thwonkc --help` does not pay for the compiler.
 *
 * This is the entry point of the bundle dist/thwonkc.mjs that bin/thwonkc.js
 * loads; `main` returns the exit code instead of exiting, so it can be run
 * in-process by tests and benchmarks.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { parseCeilings } from "./ceilings.js";
import { EXIT_CODES_HELP, ExitCode } from "./exit-codes.js";
import { processIo, type CliIo } from "./io.js";
import type { Format } from "./check.js";
import { THWONKC_VERSION } from "./version.js";

/** The values of `check --format` (the type lives with the command, which is loaded lazily). */
const FORMATS: readonly Format[] = ["pretty", "json", "sarif"];

function ceilingArg(value: string, previous: Record<string, number> | undefined): Record<string, number> {
  try {
    return parseCeilings(value, previous);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function countArg(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError("a whole number of members, e.g. 1200");
  return Number(value);
}

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command("thwonkc");
  program
    .description("The Thwonk compiler: checks, compiles, tests and dry-runs rules for programmable mailing lists (.thwonk files), and deploys and administers them on a running thwonkd.")
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
        "A directory stands for every .thwonk file inside it, and every .ts rule (a .ts file that imports " +
        "from \"thwonk\"), recursively (node_modules and " +
        "directories whose name starts with a dot are skipped). A test file NAME.test.thwonk is " +
        "checked together with its rule NAME.thwonk, which is loaded if it was not given; only " +
        "the files given or found are reported on.",
    )
    .argument("<paths...>", "rules (.thwonk, or .ts importing from \"thwonk\"), test files or directories")
    .addOption(
      new Option("-f, --format <format>", "output format").choices(FORMATS).default("pretty"),
    )
    .option("--strict", "treat warnings as errors", false)
    .option("--cost", "after the diagnostics, explain each trigger's worst-case gas and fan-out (pretty or json)", false)
    .option(
      "--ceiling <name=n,...>",
      "the daemon's ceilings on the budgets: budget=N (gas), fanout=N (messages), memory=N (bytes); a rule's own limit above one is lowered to it",
      ceilingArg,
    )
    .option("--against <bundle.thwb>", "the deployed bundle: refuse (exit 1) a change of the state schema its stored state could not take")
    .option("--state <file.json>", "with --against: the stored state (alone, or what `thwonkc state ADDRESS --json` printed), to check that it fits the new types and bounds")
    .option("--member-count <n>", "with --against: the list's member count, to allow a lower limits.members it fits", countArg)
    .option("--allow-data-loss", "with --against: a removed state field (or record field) is dropped with a warning instead of refused", false)
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
  thwonkc check rules/ --cost                show each trigger's worst-case cost
  thwonkc check rules/ --cost --format json  the same, as { diagnostics, cost }
  thwonkc check rules/ --ceiling budget=200000,fanout=1000
  thwonkc check digest.thwonk --against deployed/digest.thwb               in CI, before a redeploy
  thwonkc check digest.thwonk --against deployed/digest.thwb --state state.json
${EXIT_CODES_HELP}`,
    )
    .action(
      async (
        paths: string[],
        opts: { format: Format; strict: boolean; color?: boolean; cost: boolean; ceiling?: Record<string, number>; against?: string; state?: string; memberCount?: number; allowDataLoss: boolean },
      ) => {
        const { runCheck } = await import("./check.js");
        if (opts.against === undefined && (opts.state !== undefined || opts.memberCount !== undefined || opts.allowDataLoss)) {
          io.stderr.write("thwonkc: --state, --member-count and --allow-data-loss go with --against OLD.thwb\n");
          setExit(ExitCode.Usage);
          return;
        }
        const against = opts.against === undefined ? undefined : { bundle: opts.against, state: opts.state, memberCount: opts.memberCount, allowDataLoss: opts.allowDataLoss };
        setExit(runCheck(paths, { format: opts.format, strict: opts.strict, color: opts.color, cost: opts.cost, ceilings: opts.ceiling, against }, io));
      },
    );

  program
    .command("compile")
    .summary("compile rules to bundles (.thwb) for deployment")
    .description(
      "Compile each rule to NAME.thwb: one file holding the manifest (triggers, gas and fan-out bounds, " +
        "capabilities, state schema, limits), the source and the gas-metered code, with a sha256. " +
        "A directory stands for every rule inside it (test files are skipped). A rule with errors gets " +
        "no bundle: its diagnostics are printed and the exit code is 1.",
    )
    .argument("<paths...>", "rules (.thwonk or .ts) or directories")
    .option("-o, --out <path>", "a directory for the bundles (made if missing), or FILE.thwb for a single rule (default: next to each rule)")
    .option("--strict", "treat warnings as errors (no bundle for a rule with warnings)", false)
    .option("--color", "colour the output")
    .option("--no-color", "do not colour the output")
    .showHelpAfterError("(run thwonkc compile --help for usage)")
    .addHelpText(
      "after",
      `
Examples:
  thwonkc compile examples/once_a_day/once_a_day.thwonk -o once_a_day.thwb
  thwonkc compile rules/ -o build/           every rule under rules/ into build/
${EXIT_CODES_HELP}`,
    )
    .action(async (paths: string[], opts: { out?: string; strict: boolean; color?: boolean }) => {
      const { runCompile } = await import("./compile.js");
      setExit(runCompile(paths, { out: opts.out, strict: opts.strict, color: opts.color }, io));
    });

  program
    .command("inspect")
    .summary("show what a bundle holds (after verifying it)")
    .description(
      "Verify a bundle (its sha256, and that its source compiled by this thwonkc gives the same code and " +
        "bounds) and print its manifest: the rule, the versions, each trigger's gas and fan-out bounds and " +
        "capabilities, the recipients, the state schema, the limits and settings. A tampered or malformed " +
        "bundle is reported (TW4xxx) with exit code 1.",
    )
    .argument("<bundle>", "a .thwb file")
    .option("--json", "print the manifest as JSON", false)
    .option("--color", "colour the output")
    .option("--no-color", "do not colour the output")
    .showHelpAfterError("(run thwonkc inspect --help for usage)")
    .addHelpText("after", `\nExamples:\n  thwonkc inspect build/once_a_day.thwb\n  thwonkc inspect build/once_a_day.thwb --json\n${EXIT_CODES_HELP}`)
    .action(async (path: string, opts: { json: boolean; color?: boolean }) => {
      const { runInspect } = await import("./inspect.js");
      setExit(runInspect(path, { json: opts.json, color: opts.color }, io));
    });

  program
    .command("run")
    .summary("dry-run a rule on a message (or a schedule): print its actions, state changes and gas")
    .description(
      "Run a rule once, exactly as the daemon would (its code in the QuickJS sandbox, gas limited to the " +
        "verifier's bound, the input checked against the rule's limits first), but send and store nothing: " +
        "print the actions, the state before → after and the gas used. A .thwonk file is compiled first; a " +
        ".thwb bundle is verified first.\n\n" +
        "Exit code 0 when the rule ran, whatever it decided (reject and hold included); 1 when it did not " +
        "compile, failed (a runtime error, out of gas) or its input was refused; 2 for bad usage.",
    )
    .argument("<rule>", "a .thwonk rule or a .thwb bundle")
    .option("-m, --message <file.eml>", "the message (RFC 5322 / MIME, as saved by a mail program); runs `on message`")
    .option("--members <file>", "the list's members: one address a line (`Name <addr>` allowed, # comments), or a JSON array")
    .option("--state <file.json>", "the state before the run, as `run --json` prints it (its whole output is accepted too)")
    .option("--at <time>", "the arrival time, ISO 8601 (without Z or an offset: in the rule's time zone); default now")
    .option("--address <addr>", "the list's address (default NAME@example.org, with _ in the rule's name written -)")
    .option("--trigger <name>", "`message` (the default with --message) or a schedule of the rule, e.g. \"every day at 00:00\" (a .ts rule's as inspect shows them too: onMessage, 'every(\"day at 00:00\", ...)')")
    .option("--mail-from <addr>", "the envelope sender (MAIL FROM); default the From address, `<>` for a bounce")
    .option("--rcpt-to <addr>", "the envelope recipient (RCPT TO), e.g. list-request@example.org; default the list address")
    .option("--write <dir>", "write each outgoing message as it would be sent: DIR/N.eml and its envelope DIR/N.envelope.json")
    .option("--json", "print the run's result as JSON (actions, state, gas, error, trace)", false)
    .option("--trace", "show each statement run: line:col, what, value and the gas used so far", false)
    .option("--sign-key <text>", "the key list.sign and list.verify use (default: the public test key, runtime/sandbox/tokens.ts TEST_TOKEN_KEY), e.g. to check a token a list sent")
    .option("--color", "colour the output")
    .option("--no-color", "do not colour the output")
    .option("--approved", "run as when a list owner approves the held message (thwonkc approve): m.approved is true", false)
    .showHelpAfterError("(run thwonkc run --help for usage)")
    .addHelpText(
      "after",
      `
Examples:
  thwonkc run trim140.thwonk --message post.eml --members members.txt
  thwonkc run once_a_day.thwb -m post.eml --members members.txt --at 2026-11-25T12:00:00Z --json > first.json
  thwonkc run once_a_day.thwb -m again.eml --members members.txt --state first.json
  thwonkc run once_a_day.thwonk --trigger "every day at 00:00" --state first.json
${EXIT_CODES_HELP}`,
    )
    .action(async (path: string, opts: Record<string, unknown>) => {
      const { runRun } = await import("./run.js");
      setExit(
        await runRun(
          path,
          {
            message: opts["message"] as string | undefined,
            members: opts["members"] as string | undefined,
            state: opts["state"] as string | undefined,
            at: opts["at"] as string | undefined,
            address: opts["address"] as string | undefined,
            trigger: opts["trigger"] as string | undefined,
            mailFrom: opts["mailFrom"] as string | undefined,
            rcptTo: opts["rcptTo"] as string | undefined,
            write: opts["write"] as string | undefined,
            json: opts["json"] === true,
            trace: opts["trace"] === true,
            color: opts["color"] as boolean | undefined,
            approved: opts["approved"] === true,
            signKey: opts["signKey"] as string | undefined,
          },
          io,
        ),
      );
    });

  program
    .command("test")
    .summary("run the rules' tests")
    .description(
      "Run the tests of each rule: the `test` blocks in NAME.thwonk and in NAME.test.thwonk beside it, each " +
        "in a fresh sandbox as the daemon would run the trigger. Prints each test (✓ or ✗, and why it failed) " +
        "and ends with the line `N passed, N failed`. A directory stands for every rule inside it; the default " +
        "is the current directory.",
    )
    .argument("[paths...]", "rules (.thwonk or .ts) or directories (default: .)")
    .option("--coverage", "per rule, the statement lines no test reached, and the share reached", false)
    .option("--sign-key <text>", "the key list.sign and list.verify use (default: the public test key, runtime/sandbox/tokens.ts TEST_TOKEN_KEY), e.g. to check a token a list sent")
    .option("--color", "colour the output")
    .option("--no-color", "do not colour the output")
    .showHelpAfterError("(run thwonkc test --help for usage)")
    .addHelpText("after", `\nExamples:\n  thwonkc test                      every rule under the current directory\n  thwonkc test examples/ --coverage\n${EXIT_CODES_HELP}`)
    .action(async (paths: string[], opts: { coverage: boolean; color?: boolean; signKey?: string }) => {
      const { runTest } = await import("./test.js");
      setExit(await runTest(paths, { coverage: opts.coverage, color: opts.color, ...(opts.signKey !== undefined ? { signKey: opts.signKey } : {}) }, io));
    });

  program
    .command("fmt")
    .summary("format .thwonk files in the one canonical style")
    .description(
      "Format .thwonk files in place, in the one canonical style (no options; see docs/editing.md). " +
        "A directory stands for every .thwonk file inside it. A file that does not parse is refused with " +
        "its errors (exit 1) and left as it is. `-` reads stdin and writes the result to stdout.",
    )
    .argument("<paths...>", ".thwonk files or directories, or - for stdin")
    .option("--check", "change nothing; list the files that would change and exit 1 if any", false)
    .option("--stdout", "print the formatted text instead of rewriting the files", false)
    .option("--color", "colour the diagnostics")
    .option("--no-color", "do not colour the diagnostics")
    .showHelpAfterError("(run thwonkc fmt --help for usage)")
    .addHelpText(
      "after",
      `\nExamples:\n  thwonkc fmt rules/                 rewrite every rule under rules/\n  thwonkc fmt --check rules/         in CI: exit 1 and list the files not formatted\n  thwonkc fmt - < digest.thwonk      stdin to stdout (editors, pre-commit hooks)\n${EXIT_CODES_HELP}`,
    )
    .action(async (paths: string[], opts: { check: boolean; stdout: boolean; color?: boolean }) => {
      const { runFmt } = await import("./fmt.js");
      setExit(runFmt(paths, { check: opts.check, stdout: opts.stdout, color: opts.color }, io));
    });

  program
    .command("init")
    .summary("start a new rule (--ts: a TypeScript rule, with thwonk.d.ts and a tsconfig.json)")
    .description("Write a starter rule in DIR, named after it: DIR/NAME.thwonk, or with --ts DIR/NAME.ts with thwonk.d.ts and a tsconfig.json for the editor. A file already there is never written over (exit 2).")
    .argument("[dir]", "the directory to write it in (default: .); the rule is named after it")
    .option("--ts", "a TypeScript rule (docs/typescript.md), with what an editor needs to check it", false)
    .addHelpText("after", `\nExamples:\n  thwonkc init announcements\n  thwonkc init --ts announcements\n${EXIT_CODES_HELP}`)
    .action(async (dir: string | undefined, opts: { ts: boolean }) => {
      const { runInit } = await import("./init.js");
      setExit(runInit(dir, opts, io));
    });

  program
    .command("lsp")
    .summary("run the language server (for editors)")
    .description(
      "Run the Thwonk language server (Language Server Protocol) for editors: diagnostics as you type, " +
        "hover, completion, go to definition, references, rename, formatting and more (see docs/editing.md). " +
        "It talks over stdio (--stdio) or, when started by VS Code as a Node child process, over IPC (--node-ipc).",
    )
    .option("--stdio", "talk over stdin and stdout")
    .option("--node-ipc", "talk over Node's IPC channel")
    .option("--clientProcessId <pid>", "the editor's process id (exit when it does)")
    .showHelpAfterError("(run thwonkc lsp --help for usage)")
    .action(async (opts: { stdio?: boolean; nodeIpc?: boolean }) => {
      if (opts.stdio === undefined && opts.nodeIpc === undefined) {
        io.stderr.write("thwonkc: lsp needs --stdio or --node-ipc\n");
        setExit(ExitCode.Usage);
        return;
      }
      const { runLsp } = await import("./lsp.js");
      setExit(await runLsp(opts.nodeIpc ? "node-ipc" : "stdio"));
    });

  const serverOptions = (c: Command): Command =>
    c
      .option("--server <url>", "thwonkd's API (default THWONK_SERVER, else http://127.0.0.1:8025)")
      .option("--token <token>", "the admin token (default THWONK_TOKEN, else DIR/admin.token with --data)")
      .option("--data <dir>", "thwonkd's data directory on this machine: its admin.token is used")
      .option("--json", "print the server's answer as JSON", false);
  type ServerOpts = { server?: string; token?: string; data?: string; json: boolean };
  const serverHelp = (examples: string): string => `\nExamples:\n${examples}\n${EXIT_CODES_HELP}`;

  serverOptions(
    program
      .command("deploy")
      .summary("deploy a rule or a bundle to list addresses on a running thwonkd")
      .description(
        "Send a rule (.thwonk, compiled by the server) or a bundle (.thwb, verified again by the server: its hash, and its code " +
          "and bounds against its recompiled source) to thwonkd and put it at each address. An address whose stored state or " +
          "members the new version cannot take keeps its running version, and the reason is printed (exit 1): a changed type, " +
          "a removed field, or a lower bound or `T?` → `T` that a stored value does not fit (the server checks the list's own state). " +
          "With --allow-data-loss, state fields (and record fields) the new version removes are dropped from the stored state instead.",
      )
      .argument("<file>", "a .thwonk rule or a .thwb bundle")
      .requiredOption("-a, --address <addresses...>", "list addresses (several, or comma-separated)")
      .option("--allow-data-loss", "drop the stored values of state fields (and record fields) the new version removes, instead of refusing it", false),
  )
    .addHelpText("after", serverHelp("  thwonkc deploy trim140.thwonk --address trim140@lists.example.org\n  thwonkc deploy build/digest.thwb --address a@lists.example.org b@lists.example.org --data /var/lib/thwonkd\n  thwonkc deploy digest.thwonk --address digest@lists.example.org --allow-data-loss"))
    .action(async (file: string, opts: ServerOpts & { address: string[]; allowDataLoss: boolean }) => {
      const { runDeploy } = await import("./client/commands.js");
      setExit(await runDeploy(file, opts.address, opts, io));
    });

  serverOptions(
    program
      .command("lists")
      .summary("list the lists deployed on a running thwonkd (or show one, or remove one)")
      .description(
        "lists: every deployed list: address, rule, bundle (sha256, short), members, and flags (address-refused: TW6044; " +
          "schedules-held; N held: messages waiting for moderation). lists ADDRESS: one list with its deployment history. " +
          "lists remove ADDRESS --yes: remove the list, between its runs: mail already accepted is run first, then mail to it " +
          "(and its -request, -bounces and +tag addresses) is refused with 550, its schedules stop, and its members, state and " +
          "published pages are dropped (held messages expire); its runs, messages and deployed versions are kept (thwonkc runs " +
          "ADDRESS), and its queued outgoing mail is still delivered. A later deploy there starts a new list. Without --yes " +
          "nothing is removed (exit 2).",
      )
      .argument("[args...]", "nothing, ADDRESS, or remove ADDRESS")
      .option("--yes", "with remove: remove the list (without it, only say what would be dropped)", false),
  )
    .addHelpText("after", serverHelp("  thwonkc lists\n  thwonkc lists --json\n  thwonkc lists trim140@lists.localhost\n  thwonkc lists remove old-list@lists.localhost --yes"))
    .action(async (args: string[], opts: ServerOpts & { yes: boolean }) => {
      const { runLists } = await import("./client/lists.js");
      setExit(await runLists(args, opts, io));
    });

  serverOptions(
    program
      .command("members")
      .summary("list, add, remove or import a list's members on a running thwonkd")
      .description(
        "list ADDRESS: the members. add ADDRESS MEMBER...: add (or update) members, each `addr` or `Name <addr>`. " +
          "remove ADDRESS MEMBER...: remove them. import ADDRESS FILE: replace the members with a members file's " +
          "(one address a line, `Name <addr>` allowed, # comments; or a JSON array). The rule's `limits { members }` is enforced.",
      )
      .argument("<operation>", "list, add, remove or import")
      .argument("<address>", "the list's address")
      .argument("[members...]", "members (add, remove) or the members file (import)")
      .option("--role <role>", "with add: member, owner or moderator"),
  )
    .addHelpText("after", serverHelp("  thwonkc members list trim140@lists.localhost\n  thwonkc members add trim140@lists.localhost 'Ann Lee <ann@example.org>' bob@example.org\n  thwonkc members import trim140@lists.localhost members.txt"))
    .action(async (op: string, address: string, rest: string[], opts: ServerOpts & { role?: string }) => {
      const { runMembers } = await import("./client/commands.js");
      setExit(await runMembers(op, address, rest, opts, io));
    });

  serverOptions(
    program
      .command("state")
      .summary("show, set or reset a list's stored state on a running thwonkd")
      .description(
        "state ADDRESS: the list's state, as stored (JSON; the fields not stored, which the next run starts at their initial " +
          "values, are named on stderr). state set ADDRESS FILE: replace it with FILE's (- reads stdin): either the state alone, " +
          "a JSON object of the rule's state fields, or the whole of what `thwonkc state ADDRESS --json` printed, told apart " +
          'by its "thwonk-state" key, which no state field can be named (a state whose fields are called address, state and ' +
          "hash is read as a state); from that answer only its \"state\" is set (null: none stored, a reset). The state is " +
          "checked against the deployed rule's types and bounds (refused with each value that does not fit; a field left out " +
          "starts at its initial value). state reset ADDRESS: drop it (nothing is stored), so the next run starts from the " +
          "rule's initial state, as a new list's first run does. Both happen between the list's runs. Then `thwonkc replay RUN` " +
          "runs again the messages refused for state that did not fit (TW5070).",
      )
      .argument("<address-or-operation>", "the list's address, or set or reset")
      .argument("[args...]", "set: ADDRESS FILE; reset: ADDRESS"),
  )
    .addHelpText("after", serverHelp("  thwonkc state once-a-day@lists.localhost\n  thwonkc state once-a-day@lists.localhost --json > state.json\n  thwonkc state set once-a-day@lists.localhost state.json\n  thwonkc state reset once-a-day@lists.localhost"))
    .action(async (first: string, rest: string[], opts: ServerOpts) => {
      const { runState } = await import("./client/commands.js");
      setExit(await runState(first, rest, opts, io));
    });

  serverOptions(
    program
      .command("runs")
      .summary("list a list's runs (or one run, with its actions and gas) on a running thwonkd")
      .description("runs [ADDRESS]: the latest runs (of every list without ADDRESS), oldest first: trigger, outcome, gas used/bound, actions. runs ID: one run with its actions. --failed: the messages whose run failed and the scheduled runs that failed, which can be replayed (thwonkc replay RUN), oldest first, saying when more wait behind them.")
      .argument("[address-or-id]", "a list's address, or a run's number")
      .option("--failed", "the failed messages, with the run to replay, and the failed scheduled runs", false)
      .option("--removed", "with --failed and no ADDRESS: those of lists removed since too (marked; not replayable)", false)
      .option("--limit <n>", "the latest N runs (default 1000); with --failed, the oldest N failed messages", countArg),
  )
    .addHelpText("after", serverHelp("  thwonkc runs trim140@lists.localhost\n  thwonkc runs trim140@lists.localhost --failed\n  thwonkc runs 42"))
    .action(async (target: string | undefined, opts: ServerOpts & { failed: boolean; removed: boolean; limit?: number }) => {
      const { runRuns } = await import("./client/commands.js");
      setExit(await runRuns(target, opts, io));
    });

  serverOptions(program
      .command("replay")
      .summary("run a failed run again with the version deployed now (its message, or its schedule at its due time)")
      .description("Run a failed run again with the version deployed now, in the list's turn: its message, or its scheduled trigger with `now` its due time. A run replays once; a run that did not fail, or was replayed already, is refused (exit 1). After a fix: deploy it, then thwonkc runs ADDRESS --failed, then replay each.")
      .argument("<id>", "the failed run's number (thwonkc runs ADDRESS --failed)"))
    .addHelpText("after", serverHelp("  thwonkc replay 42"))
    .action(async (id: string, opts: ServerOpts) => {
      const { runReplay } = await import("./client/commands.js");
      setExit(await runReplay(id, opts, io));
    });

  program
    .command("mail")
    .summary("send a saved message (.eml) to a server over SMTP: a real submission, e.g. to thwonkd")
    .description("Submit FILE.eml over SMTP (or LMTP) with the envelope given apart: MAIL FROM is --from (default the message's From), RCPT TO each --to. Prints the server's answer; exit 1 when it refuses the message, 3 when it cannot be reached.")
    .argument("<file>", "the message (RFC 5322 / MIME)")
    .requiredOption("--to <addresses...>", "envelope recipients (RCPT TO)")
    .option("--from <address>", "envelope sender (MAIL FROM); default the From header's address")
    .option("--server <url>", "smtp://HOST:PORT or lmtp://HOST:PORT (default THWONK_SMTP, else smtp://127.0.0.1:2525)")
    .option("--json", "print the answer as JSON", false)
    .addHelpText("after", serverHelp("  thwonkc mail examples/trim140/weather.eml --to trim140@lists.localhost"))
    .action(async (file: string, opts: { to: string[]; from?: string; server?: string; json: boolean }) => {
      const { runMail } = await import("./client/mail.js");
      setExit(await runMail(file, opts, io));
    });

  serverOptions(
    program
      .command("held")
      .summary("list a list's held messages (or read one) on a running thwonkd")
      .description(
        "held ADDRESS: the messages the list's rule held for moderation, oldest first: sender, subject, the rule's reason and when the hold expires. " +
          "held ID: one held message with its text. Decide with thwonkc approve ID (the rule runs again with m.approved true) or thwonkc reject ID.",
      )
      .argument("<address-or-id>", "a list's address, or a held message's number")
      .option("--all", "with ADDRESS: decided messages too (approved, rejected, expired)", false),
  )
    .addHelpText("after", serverHelp("  thwonkc held moderated@lists.localhost\n  thwonkc held 12"))
    .action(async (target: string, opts: ServerOpts & { all: boolean }) => {
      const { runHeld } = await import("./client/held.js");
      setExit(await runHeld(target, opts, io));
    });

  serverOptions(program
      .command("approve")
      .summary("approve a held message: the rule runs again on it with m.approved true")
      .description("Approve a held message: in the list's turn, the rule deployed now runs again on it with m.approved true and `now` the approval time, and what it does is committed as any run's. A decision is final: a message decided or expired already is refused (exit 1).")
      .argument("<id>", "the held message's number (thwonkc held ADDRESS)"))
    .addHelpText("after", serverHelp("  thwonkc approve 12"))
    .action(async (id: string, opts: ServerOpts) => {
      const { runApprove } = await import("./client/held.js");
      setExit(await runApprove(id, opts, io));
    });

  serverOptions(
    program
      .command("reject")
      .summary("reject a held message: the decision and the note are recorded, nothing is sent")
      .description("Reject a held message: the decision and the note are recorded; nothing is sent, not even to its sender (whose address is not proven). A decision is final: a message decided or expired already is refused (exit 1).")
      .argument("<id>", "the held message's number (thwonkc held ADDRESS)")
      .option("--note <text>", "why, for the list's owners (kept with the decision)"),
  )
    .addHelpText("after", serverHelp("  thwonkc reject 12 --note 'spam'"))
    .action(async (id: string, opts: ServerOpts & { note?: string }) => {
      const { runReject } = await import("./client/held.js");
      setExit(await runReject(id, opts, io));
    });

  program
    .command("dkim-key")
    .summary("make a DKIM key for a domain's list mail and print the DNS record to publish")
    .description("Make an RSA key to sign DOMAIN's list mail with (thwonkd --dkim DOMAIN=SELECTOR:FILE) and print the TXT record to publish at SELECTOR._domainkey.DOMAIN. The key goes to --out FILE (mode 0600, never over an existing file), else to stdout.")
    .argument("<domain>", "the lists' domain, e.g. lists.example.org")
    .option("--selector <name>", "the DKIM selector (a new one for each new key, so the old one can stay published while mail signed with it is in flight)", "thwonk")
    .option("--bits <n>", "RSA key size: 2048, 3072 or 4096", "2048")
    .option("--out <file>", "write the private key here")
    .action(async (domain: string, opts: { selector: string; bits: string; out?: string }) => {
      const { runDkimKey } = await import("./dkim-key.js");
      setExit(runDkimKey(domain, opts, io));
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
