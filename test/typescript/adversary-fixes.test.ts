/**
 * The core's quick fixes on code they must not break: each case is a rule
 * with one of the mistakes a fix is offered for, written where the fix's
 * edit would not hold (an address built by interpolation, an `if` that is
 * the body of another statement without braces, a name the rule declares
 * later in the same block). Every fix `thwonkc check --format json` offers,
 * applied, must leave a rule that checks without an error; where no edit
 * does that, no fix is offered and the error stays.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { runCli, tempDir, type TempDir } from "../helpers/cli.js";
import { applyEdits as apply, type JsonDiagnostic } from "../helpers/json-fixes.js";


const TS_HEAD = `import { log, members, Map, type Address, type Message, type Time } from "thwonk";
export const rule = "adv";
export const state = { lastPost: new Map<Address, Time, 100>() };
`;

const CASES: Record<string, { text: string; error: string | string[]; fixed?: string }> = {
  // `email(…)` takes a literal only: an interpolated string is no address literal.
  "interpolated.ts": {
    text: `${TS_HEAD}export function onMessage(m: Message) {
  const d = "example.org";
  const to = \`ann@\${d}\`;
  if (members.has(to)) {
    log(m.subject);
  }
}
`,
    error: ["TS2345", "TW2021"],
  },
  // Nor is it one in a .thwonk rule, where `: Address` makes the literal one.
  "interpolated.thwonk": {
    text: `rule adv

on message(m: Message) {
  let d = "example.org"
  let to = "ann@{d}"
  if members.has(to) {
    log(m.subject)
  }
}
`,
    error: "TW2021",
  },
  // A name \`email\` of the rule's own: \`email("…")\` would call it (and importing \`email\` would clash with it).
  "email-taken.ts": {
    text: `import { log, members, type Message } from "thwonk";
export const rule = "adv";
export function onMessage(m: Message) {
  const email = "x";
  const to = "ann@example.org";
  if (members.has(to)) {
    log(\`\${m.subject} \${email}\`);
  }
}
`,
    error: ["TS2345", "TW2021"],
  },
  // \`email\` imported as a type only: the fix's \`email("…")\` is no value (TS1361), and a second import of it clashes.
  "email-type.ts": {
    text: `import { log, members, type email, type Message } from "thwonk";
export const rule = "adv";
export function onMessage(m: Message) {
  const to = "ann@example.org";
  if (members.has(to)) {
    log(m.subject);
  }
}
`,
    error: ["TS2345", "TW2021"],
  },
  // Nor a \`SendFrom\` literal: no fix writes the interpolated text (\`"..."\` in its words), nor declares it a \`SendFrom\`.
  "sendfrom.ts": {
    text: `import { send, members, type Message } from "thwonk";
export const rule = "adv";
export function onMessage(m: Message) {
  const who = "send";
  const f = \`\${who}er\`;
  send({ to: members, subject: m.subject, text: "t", from: f });
}
`,
    error: ["TS2322", "TW2021"],
  },
  "sendfrom.thwonk": {
    text: `rule adv

on message(m: Message) {
  let who = "send"
  var f = "{who}er"
  send(to: members, subject: m.subject, text: "t", from: f)
}
`,
    error: ["TW2021", "TW2020"],
  },
  // Checked, then used again in the rest of the condition: that use is renamed too, or it stays an error.
  "and-chain.ts": {
    text: `${TS_HEAD}export function onMessage(m: Message) {
  if (state.lastPost.get(m.from) !== undefined && state.lastPost.get(m.from).day > 1) {
    log(\`\${state.lastPost.get(m.from).day}\`);
  }
}
`,
    error: "TW2023",
  },
  "and-chain.thwonk": {
    text: `rule adv

state {
  lastPost: Map<Address, Time> max 100 = {}
}

on message(m: Message) {
  if state.lastPost.get(m.from) != none and state.lastPost.get(m.from).day > 1 {
    log("{state.lastPost.get(m.from).day}")
  }
}
`,
    error: "TW2023",
  },
  // What a fix appends to a value (\`.truncate(20)\`, \`.copy()\`) goes after the field of a shorthand property.
  "shorthand-fit.ts": {
    text: `import { log, List, type Message, type Text } from "thwonk";
export const rule = "adv";
export const state = { items: new List<{ subject: Text<20>, n: number }, 10>() };
export function onMessage(m: Message) {
  const subject = m.subject;
  const n = 1;
  if (state.items.size < 10) {
    state.items.push({ subject, n });
  }
  log("x");
}
`,
    error: [],
    fixed: "state.items.push({ subject: subject.truncate(20), n });",
  },
  "shorthand-copy.ts": {
    text: `import { log, List, type Message, type Text } from "thwonk";
export const rule = "adv";
export const state = { items: new List<{ tags: List<Text<20>, 5> }, 10>() };
export function onMessage(m: Message) {
  const tags = new List<Text<20>, 5>();
  for (const _x of [1, 2]) {
    if (state.items.size < 10) {
      state.items.push({ tags });
    }
  }
  log(m.subject);
}
`,
    error: "TW2110",
    fixed: "state.items.push({ tags: tags.copy() });",
  },
  // Appended to an operator's expression, in parentheses: \`(m.subject + "!").truncate(20)\`.
  "operator-fit.ts": {
    text: `import { log, List, type Message, type Text } from "thwonk";
export const rule = "adv";
export const state = { items: new List<{ subject: Text<20> }, 10>() };
export function onMessage(m: Message) {
  if (state.items.size < 10) {
    state.items.push({ subject: m.subject + "!" });
  }
  log("x");
}
`,
    error: [],
    fixed: 'state.items.push({ subject: (m.subject + "!").truncate(20) });',
  },
  "operator-fit.thwonk": {
    text: `rule adv

state {
  items: List<{ subject: string max 20 }> max 10 = []
}

on message(m: Message) {
  if state.items.size < 10 {
    state.items.push({ subject: m.subject + "!" })
  }
}
`,
    error: [],
    fixed: 'state.items.push({ subject: (m.subject + "!").truncate(20) })',
  },
  // A schedule's word written with an escape: the fix replaces that word's source, not the whole literal by a bare word.
  "schedule-escaped.ts": {
    text: `import { every, log } from "thwonk";
export const rule = "adv";
every("\\x64ya at 06:00", () => {
  log("tick");
});
`,
    error: "TW2093",
    fixed: 'every("day at 06:00", () => {',
  },
  // A field named by a reserved word: no \`const default\`, the value is named \`value\`, as the message names it.
  "reserved.ts": {
    text: `import { log, Map, type Address, type Message, type Time } from "thwonk";
export const rule = "adv";
export const state = { default: new Map<Address, Time, 100>() };
export function onMessage(m: Message) {
  if (state.default.get(m.from) !== undefined) {
    log(\`\${state.default.get(m.from).day}\`);
  }
}
`,
    error: "TW2023",
    fixed: "const value = state.default.get(m.from);",
  },
  // A `const` cannot be the body of an `if` without braces (TS1156).
  "braceless.ts": {
    text: `${TS_HEAD}export function onMessage(m: Message) {
  if (m.subject === "x") if (state.lastPost.get(m.from) !== undefined) log(\`\${state.lastPost.get(m.from).day}\`);
}
`,
    error: "TW2023",
  },
  // `lastPost` is declared later in the block: a second `const lastPost` there is TS2451.
  "taken-later.ts": {
    text: `${TS_HEAD}export function onMessage(m: Message) {
  if (state.lastPost.get(m.from) !== undefined) {
    log(\`\${state.lastPost.get(m.from).day}\`);
  }
  const lastPost = 3;
  log(\`\${lastPost}\`);
}
`,
    error: "TW2023",
  },
  // Declared inside the \`if\`'s block, after the use: the use the fix renames would be that one, before its declaration.
  "taken-inside.ts": {
    text: `${TS_HEAD}export function onMessage(m: Message) {
  if (state.lastPost.get(m.from) !== undefined) {
    log(\`\${state.lastPost.get(m.from).day}\`);
    const lastPost = "x";
    log(lastPost);
  }
}
`,
    error: "TW2023",
  },
};

let dir: TempDir;
before(() => {
  dir = tempDir(Object.fromEntries(Object.entries(CASES).map(([f, c]) => [f, c.text])));
});
after(() => dir.remove());

const check = async (file: string): Promise<JsonDiagnostic[]> => {
  const r = await runCli(["check", file, "--format", "json"], { cwd: dir.dir });
  return JSON.parse(r.stdout) as JsonDiagnostic[];
};

for (const [file, c] of Object.entries(CASES)) {
  test(`${file}: every fix offered leaves a rule that checks`, async () => {
    const found = await check(file);
    // `error: []`: a warning's fix (the verifier's), no error.
    assert.ok(
      [c.error].flat().length === 0 || found.some((d) => [c.error].flat().includes(d.code)),
      `no ${[c.error].flat().join(" or ")}: ${JSON.stringify(found, null, 2)}`,
    );
    const text = readFileSync(dir.path(file), "utf8");
    const fixes = found.filter((x) => x.fix);
    // Where a fix is wanted, it is offered and writes this.
    if (c.fixed !== undefined) assert.ok(fixes.some((d) => apply(text, d.fix!.edits).includes(c.fixed!)), JSON.stringify(fixes, null, 2));
    for (const d of fixes) {
      const fixed = apply(text, d.fix!.edits);
      const copy = file.replace(/\.(ts|thwonk)$/, ".fixed.$1");
      dir.write(copy, fixed);
      const errors = (await check(copy)).filter((x) => x.severity === "error");
      assert.deepEqual(errors, [], `${d.code}'s fix "${d.fix!.description}" gives:\n${fixed}`);
    }
  });
}
