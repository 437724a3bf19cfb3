/**
 * `thwonkc init [DIR] [--ts]`: a new rule to start from. With `--ts`, a
 * TypeScript rule (docs/typescript.md) and what an editor needs to check it
 * as thwonkc does: `thwonk.d.ts`, generated from the stdlib declaration, and
 * a `tsconfig.json` with `noLib`, so the editor sees the library alone.
 * Nothing is overwritten: an existing file stops it (exit 2).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { stdlib } from "../stdlib/index.js";
import { thwonkDts } from "../stdlib/dts.js";
import { ExitCode } from "./exit-codes.js";
import { displayName } from "./files.js";
import type { CliIo } from "./io.js";

const TSCONFIG = {
  compilerOptions: {
    noLib: true,
    types: [],
    strict: true,
    target: "ES2022",
    module: "ESNext",
    moduleResolution: "Bundler",
    noEmit: true,
  },
  include: ["*.ts"],
};

function thwonkRule(name: string): string {
  return `// ${name}: every post from a member goes to all members.

rule ${name}

limits { members: 1000, text: 20000 }

on message(m: Message) {
  if not members.has(m.from) {
    reject("Only members may post to {list.address}.")
  }
  send(to: members, subject: m.subject, text: m.text, from: "sender", replyTo: "list")
}
`;
}

function tsRule(name: string): string {
  return `// ${name}: every post from a member goes to all members. See docs/typescript.md.
import { list, members, reject, send, type Message } from "thwonk";

export const rule = "${name}";

export const limits = { members: 1000, text: 20000 };

export function onMessage(m: Message) {
  if (!members.has(m.from)) {
    reject(\`Only members may post to \${list.address}.\`);
  }
  send({ to: members, subject: m.subject, text: m.text, from: "sender", replyTo: "list" });
}
`;
}

export function runInit(dirArg: string | undefined, opts: { ts: boolean }, io: CliIo): ExitCode {
  const dir = resolve(io.cwd, dirArg ?? ".");
  const name = basename(dir).replace(/[^A-Za-z0-9_]/g, "_").replace(/^(?=\d)|^$/, "rule_");
  const files: [string, string][] = opts.ts
    ? [
        [`${name}.ts`, tsRule(name)],
        ["thwonk.d.ts", thwonkDts(stdlib)],
        ["tsconfig.json", `${JSON.stringify(TSCONFIG, null, 2)}\n`],
      ]
    : [[`${name}.thwonk`, thwonkRule(name)]];
  const taken = files.map(([f]) => join(dir, f)).filter((p) => existsSync(p));
  if (taken.length > 0) {
    io.stderr.write(`thwonkc: not overwriting ${taken.map((p) => displayName(io.cwd, p)).join(", ")}\n`);
    return ExitCode.Usage;
  }
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of files) {
    writeFileSync(join(dir, f), text);
    io.stdout.write(`wrote ${displayName(io.cwd, join(dir, f))}\n`);
  }
  io.stdout.write(`next: thwonkc check ${displayName(io.cwd, join(dir, files[0]![0]))}\n`);
  return ExitCode.Success;
}
