/**
 * docs/architecture.md's code map keeps up with the code: every folder that
 * holds source is named there (as `path/` or, under its parent's heading, as
 * `name/`), and every file at the top of the compiler core is named. A new
 * folder or core file without a line in the map fails here.
 *
 * And the docs (README.md, docs/*.md) stay true to the repository: their
 * links and the sections they name resolve, the TW codes they cite are in a
 * catalog, the paths they name exist, and every ```thwonk block checks clean
 * (a piece of a rule is marked ```thwonk fragment).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { repoRoot, sourceFiles } from "./helpers/repo.js";

const doc = readFileSync(join(repoRoot, "docs", "architecture.md"), "utf8");
const ROOTS = ["compiler", "contract", "cli", "runtime", "stdlib", "lsp"];

test("every folder of source is in the architecture's code map", () => {
  const dirs = new Set<string>();
  for (const root of ROOTS) {
    for (const f of sourceFiles(join(repoRoot, root))) dirs.add(relative(repoRoot, dirname(f)).split("\\").join("/"));
  }
  assert.ok(dirs.size > 10);
  const missing = [...dirs].filter((d) => !doc.includes(`${d}/`) && !doc.includes(`\`${basename(d)}/\``)).sort();
  assert.deepEqual(missing, [], "add these folders to docs/architecture.md's code map");
});

test("every file at the top of the compiler core is in the code map", () => {
  const files = readdirSync(join(repoRoot, "compiler")).filter((f) => f.endsWith(".ts"));
  assert.ok(files.includes("index.ts"));
  const missing = files.filter((f) => !doc.includes(f));
  assert.deepEqual(missing, [], "add these files to docs/architecture.md's code map");
});

// ---------------------------------------------------------------- the docs' own truth

const DOCS = ["README.md", ...readdirSync(join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const textOf = (file: string): string => readFileSync(join(repoRoot, file), "utf8");

/** GitHub's anchor of a heading: lower case, punctuation but `-` and `_` dropped, spaces as `-`. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** The headings of a Markdown file (outside code blocks). */
function headings(text: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    else if (!fenced && /^#{1,6} /.test(line)) out.push(line.replace(/^#+\s*/, "").trim());
  }
  return out;
}

test("every link between the docs resolves, to a file and to a heading in it", () => {
  const broken: string[] = [];
  for (const file of DOCS) {
    const text = textOf(file);
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const href = m[1]!;
      if (/^[a-z]+:/.test(href)) continue; // http:, https:, mailto:
      const [path, anchor] = href.split("#") as [string, string | undefined];
      const target = path === "" ? file : join(dirname(file), path);
      if (!existsSync(join(repoRoot, target))) {
        broken.push(`${file}: ${href} (no ${target})`);
        continue;
      }
      if (anchor !== undefined && !headings(textOf(target)).some((h) => slug(h) === anchor)) broken.push(`${file}: ${href} (no such heading)`);
    }
  }
  assert.deepEqual(broken, []);
});

test("a section a doc names in another doc (`docs/daemon.md, \"Moderation\"`) is there", () => {
  const broken: string[] = [];
  for (const file of DOCS) {
    const text = textOf(file).replace(/\s+/g, " ");
    for (const m of text.matchAll(/\b((?:docs\/|bench\/)?[A-Za-z-]+\.md),? \(?"([^"]{2,80})"/g)) {
      const named = m[1]!;
      const target = [named, `docs/${named}`].find((t) => existsSync(join(repoRoot, t)));
      if (target === undefined) {
        broken.push(`${file}: ${named} does not exist`);
        continue;
      }
      const section = m[2]!;
      const doc = textOf(target);
      // A heading, or a paragraph's bold lead (`**Addresses.**`).
      const found = headings(doc).some((h) => h.startsWith(section)) || doc.includes(`**${section}`);
      if (!found) broken.push(`${file}: ${named}, "${section}"`);
    }
  }
  assert.deepEqual(broken, []);
});

test("every TWnnnn code the docs cite is in a catalog", async () => {
  const { allMessages } = await import("../compiler/index.js");
  const { daemonMessages } = await import("../runtime/daemon/messages.js");
  const codes = new Set<string>([...allMessages.map((m) => m.code), ...Object.values(daemonMessages).map((m) => m.code)]);
  assert.ok(codes.has("TW1003") && codes.has("TW5010") && codes.has("TW6001"));
  const unknown: string[] = [];
  for (const file of DOCS) {
    // A range (`TW6001–TW6049`) names a band, not two codes.
    const text = textOf(file).replace(/TW\d{4}\s*[–-]\s*TW\d{4}/g, "");
    for (const m of text.matchAll(/\bTW\d{4}\b/g)) if (!codes.has(m[0])) unknown.push(`${file}: ${m[0]}`);
  }
  assert.deepEqual([...new Set(unknown)], []);
});

/**
 * A ```thwonk block is a whole rule, or tests of the last whole rule above it
 * in the same doc: it must check with no error and no warning, as a reader
 * who copies it would run it. A piece of a rule is marked ```thwonk fragment.
 */
test("every ```thwonk block of the docs checks clean (pieces are marked `thwonk fragment`)", async () => {
  const { checkSources } = await import("../compiler/index.js");
  const problems: string[] = [];
  let blocks = 0;
  for (const file of [...DOCS, ...readdirSync(join(repoRoot, "examples")).map((d) => `examples/${d}/README.md`).filter((f) => existsSync(join(repoRoot, f)))]) {
    const lines = textOf(file).split("\n");
    let rule: string | undefined;
    for (let i = 0; i < lines.length; i++) {
      const open = /^```(\S*)\s*(.*)$/.exec(lines[i]!);
      if (!open) continue;
      let end = i + 1;
      while (end < lines.length && !lines[end]!.startsWith("```")) end++;
      const body = `${lines.slice(i + 1, end).join("\n")}\n`;
      const at = `${file}:${i + 1}`;
      i = end;
      if (open[1] === "thwonk" && open[2] === "") {
        blocks++;
        const code = body.replace(/^(\s*\/\/.*\n|\s*\n)*/, "");
        let sources;
        if (code.startsWith("rule ")) {
          rule = body;
          sources = [{ fileName: "doc.thwonk", text: body }];
        } else if (code.startsWith("test ") && rule !== undefined) {
          sources = [{ fileName: "doc.thwonk", text: rule }, { fileName: "doc.test.thwonk", text: body }];
        } else {
          problems.push(`${at}: neither a rule nor tests of the rule above it: mark it \`\`\`thwonk fragment`);
          continue;
        }
        for (const d of checkSources(sources).diagnostics) problems.push(`${at} (+${d.span.line}): ${d.severity} ${d.code}: ${d.message}`);
      } else if (open[1] === "thwonk" && open[2] !== "fragment") {
        problems.push(`${at}: unknown block kind \`thwonk ${open[2]}\``);
      }
    }
  }
  assert.ok(blocks >= 2, `only ${blocks} thwonk blocks found`);
  assert.deepEqual(problems, []);
});

test("every file or folder of the repository the docs name is there", () => {
  const missing: string[] = [];
  const root = /(?<![\w./-])((?:compiler|runtime|contract|cli|stdlib|lsp|test|bench|scripts|examples|native|vscode-extension)\/[\w./-]*\w)(?![\w/*-]|\.\w)/g; // a glob (`thwonk-*.vsix`) is not a path
  for (const file of DOCS) {
    for (const m of textOf(file).matchAll(root)) {
      const path = m[1]!;
      if (path.endsWith(".vsix")) continue; // made by `npm run vsix`
      // A test is often named without its extension (test/daemon/outbox-syncfs).
      if (![path, `${path}.ts`, `${path}.test.ts`].some((p) => existsSync(join(repoRoot, p)))) missing.push(`${file}: ${path}`);
    }
  }
  assert.deepEqual([...new Set(missing)], []);
});

/**
 * What a doc shows a command printing is what it prints: each `$ npx thwonkc ...` in a README code block whose files
 * are in the repository (an example, not a `rules/` of the reader's) and whose output is shown whole (no line `...`) is
 * run in-process and its output compared, so a change to the cost model or the output's format that leaves the doc
 * behind fails here.
 */
test("the output the README shows for a command on the examples is the command's output", async () => {
  const { main } = await import("../cli/main.js");
  const { BufferStream } = await import("../cli/io.js");
  const lines = textOf("README.md").split("\n");
  const differ: string[] = [];
  let ran = 0;
  for (let i = 0; i < lines.length; i++) {
    const cmd = /^\$ npx thwonkc (.*)$/.exec(lines[i]!);
    if (!cmd) continue;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.startsWith("$ ") && !lines[end]!.startsWith("```")) end++;
    const shown = lines.slice(i + 1, end).join("\n").trim();
    const args = cmd[1]!.split(/\s+/);
    const files = args.filter((a) => !a.startsWith("-") && /[/.]/.test(a));
    const elided = shown.split("\n").some((l) => l.trim() === "...");
    if (elided || files.length === 0 || !files.every((f) => existsSync(join(repoRoot, f)))) continue;
    const out = new BufferStream();
    const err = new BufferStream();
    await main(args, { cwd: repoRoot, env: {}, stdout: out, stderr: err });
    ran++;
    if (out.text().trim() !== shown) differ.push(`README.md:${i + 1}: $ thwonkc ${cmd[1]}\n--- shown\n${shown}\n--- printed\n${out.text().trim()}${err.text()}`);
  }
  assert.ok(ran >= 3, `only ${ran} commands compared`);
  assert.deepEqual(differ, []);
});
