/**
 * A loop over a collection of `state` (or `members`) whose body calls a
 * function that changes that collection: JavaScript's `for … of` sees the
 * change as it walks (an element pushed is walked too, a key removed is
 * not), the rule walks what the collection held when the loop began. Such
 * a loop is refused (TW7027) at the call, through any depth of calls; a
 * loop whose calls change something else runs as JavaScript runs it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { HEAD, refusedAt, same } from "./adversary-harness.js";

const STATE = `export const state = { m: new Map<Text<5>, int, 10>(), xs: new List<int, 10>(), r: { tags: [] } as R, other: new List<int, 10>() };
type R = { tags: List<int, 10> };
function put(k: Text<5>) {
  if (state.m.size < 10) {
    state.m.set(k, 9);
  }
}
function drop(k: Text<5>) {
  state.m.remove(k);
}
function grow() {
  if (state.xs.size < 10) {
    state.xs.push(1);
  }
}
function growLater() {
  grow();
}
function tag() {
  if (state.r.tags.size < 10) {
    state.r.tags.push(1);
  }
}
function elsewhere() {
  if (state.other.size < 10) {
    state.other.push(2);
  }
}
`;

const rule = (body: string): string => `${HEAD}${STATE}export function onMessage(_m: Message) {\n${body}\n}\n`;

test("a map walked while a called function removes and sets keys is refused at each call", () => {
  const src = rule(`  put("a");\n  put("b");\n  let ks = "";\n  for (const k of state.m) {\n    ks += k;\n    drop("b"); // one\n    put("z"); // two\n  }\n  log(ks);`);
  const d = refusedAt(src, "TW7027", "// one");
  assert.match(d.message, /`drop\("b"\)` changes `state\.m` while this loop walks `state\.m`/);
  refusedAt(src, "TW7027", "// two");
});

test("a list walked while a function called through another pushes to it, in a where, is refused", () => {
  refusedAt(rule(`  grow();\n  let n = 0;\n  for (const x of state.xs) if (x > 0) {\n    n += x;\n    growLater(); // here\n  }\n  log(\`\${n}\`);`), "TW7027", "// here");
});

test("walking a map's keys, values or entries, or a list inside a record of state, is walking it", () => {
  refusedAt(rule(`  for (const v of state.m.values()) {\n    drop("a"); // here\n    log(\`\${v}\`);\n  }`), "TW7027", "// here");
  refusedAt(rule(`  for (const [k, v] of state.m.entries()) {\n    put("q"); // here\n    log(\`\${k}\${v}\`);\n  }`), "TW7027", "// here");
  refusedAt(rule(`  for (const t of state.r.tags) {\n    tag(); // here\n    log(\`\${t}\`);\n  }`), "TW7027", "// here");
  refusedAt(rule(`  for (const t of state.r.tags) {\n    log(\`\${t}\`);\n  }\n  every_one();`).replace("export function onMessage", `function every_one() {\n  for (const x of state.xs) {\n    grow(); // here\n    log(\`\${x}\`);\n  }\n}\nexport function onMessage`), "TW7027", "// here");
});

test("a loop whose calls change another collection runs as JavaScript runs it", async () => {
  await same(
    `  grow();\n  grow();\n  put("a");\n  let n = 0;\n  for (const x of state.xs) {\n    n += x;\n    elsewhere();\n    tag();\n  }\n  for (const k of state.m) {\n    grow();\n    log(k);\n  }\n  for (const t of state.r.tags) {\n    put("t");\n    n += t;\n  }\n  log(\`\${n} \${state.xs.size} \${state.other.size} \${state.r.tags.size} \${state.m.size}\`);`,
    STATE,
  );
});

test("members walked while a called function adds a member is refused", () => {
  const src = `import { log, members, email, type Message } from "thwonk";
export const rule = "adv";
export const limits = { members: 10 };
function addOne() {
  if (members.size < 10) {
    members.add(email("zed@example.org"));
  }
}
export function onMessage(_m: Message) {
  for (const mm of members) {
    addOne(); // here
    log(mm.name);
  }
}
`;
  refusedAt(src, "TW7027", "// here");
});

test("a map changed in a loop over its keys() or values() is refused at the change, a local map too", () => {
  refusedAt(rule(`  for (const k of state.m.keys()) {\n    state.m.remove(k); // here\n  }`), "TW7027", "// here");
  refusedAt(rule(`  for (const v of state.m.values()) {\n    if (state.m.size < 10) {\n      state.m.set("new", v); // here\n    }\n  }`), "TW7027", "// here");
  refusedAt(rule(`  const loc = new Map<string, int>([["x", 1], ["y", 2]]);\n  for (const k of loc.keys()) {\n    loc.remove("y"); // here\n    log(k);\n  }`), "TW7027", "// here");
});

test("a loop over a map's keys() that changes another map runs as JavaScript runs it", async () => {
  await same(
    `  const a = new Map<string, int>([["x", 1], ["y", 2]]);\n  const b = new Map<string, int>();\n  for (const k of a.keys()) {\n    b.set(k, 1);\n  }\n  for (const v of a.values()) {\n    b.remove("x");\n    log(\`\${v} \${b.size}\`);\n  }`,
  );
});
