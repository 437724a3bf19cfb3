/**
 * Whether a rule answers its list's -request address is decided once, in the compiler core: reading
 * `m.envelope.isRequest` (through any alias, in a fn the trigger calls, in a .thwonk or a .ts rule) is the
 * capability "requests" of the trigger and the bundle. thwonkd reads the
 * decision with ruleAnswersRequests (runtime/daemon/requests.ts answers the address for the others).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { compileSource, ruleAnswersRequests, type Bundle } from "../../compiler/index.js";
import { repoRoot } from "../helpers/repo.js";

function bundleOf(fileName: string, text: string): Bundle {
  const r = compileSource(fileName, text);
  assert.ok(r.bundle, JSON.stringify(r.diagnostics.filter((d) => d.severity === "error")));
  return r.bundle;
}

const example = (name: string, ext = "thwonk"): Bundle => bundleOf(`${name}.${ext}`, readFileSync(join(repoRoot, "examples", name, `${name}.${ext}`), "utf8"));
const onMessage = (b: Bundle): string[] => b.manifest.triggers.find((t) => t.name === "message")!.capabilities;

test("the examples that read m.envelope.isRequest answer their -request address; the others do not", () => {
  for (const name of ["subscribe", "optin", "tagged", "bumplist"]) {
    const b = example(name);
    assert.ok(onMessage(b).includes("requests"), name);
    assert.ok(b.manifest.capabilities.includes("requests"), name);
    assert.equal(ruleAnswersRequests(b.manifest), true, name);
  }
  for (const name of ["trim140", "once_a_day", "archive", "moderated", "auto_reply", "digest"]) {
    const b = example(name);
    assert.ok(!b.manifest.capabilities.includes("requests"), name);
    assert.equal(ruleAnswersRequests(b.manifest), false, name);
  }
});

test("a TypeScript rule goes through the same checker and verifier: bumplist.ts and trim140.ts as their twins", () => {
  assert.equal(ruleAnswersRequests(example("bumplist", "ts").manifest), true);
  assert.equal(ruleAnswersRequests(example("trim140", "ts").manifest), false);
});

test("an alias, a fn the trigger calls, the tag and recipient (not the decision), a .ts alias", () => {
  const head = "rule r\n\nlimits { members: 10, fanout: 10 }\n\n";
  const alias = bundleOf("a.thwonk", `${head}on message(m: Message) {\n  let e = m.envelope\n  if e.isRequest {\n    return\n  }\n  log("post")\n}\n`);
  assert.equal(ruleAnswersRequests(alias.manifest), true);
  const viaFn = bundleOf("b.thwonk", `${head}on message(m: Message) {\n  if isReq(m) {\n    return\n  }\n  log("post")\n}\n\nfn isReq(m: Message): bool {\n  return m.envelope.isRequest\n}\n`);
  assert.equal(ruleAnswersRequests(viaFn.manifest), true);
  // The recipient and the tag are not the decision: only isRequest says the rule tells the -request address apart.
  const tag = bundleOf("c.thwonk", `${head}on message(m: Message) {\n  if m.envelope.tag == "x" {\n    return\n  }\n  log("{m.envelope.recipient}")\n}\n`);
  assert.equal(ruleAnswersRequests(tag.manifest), false);
  const ts = bundleOf(
    "e.ts",
    `import { type Message, log } from "thwonk";\nexport const rule = "e";\nexport function onMessage(m: Message) {\n  const e = m.envelope;\n  if (e.isRequest) {\n    return;\n  }\n  log("post");\n}\n`,
  );
  assert.equal(ruleAnswersRequests(ts.manifest), true);
});

test("a bundle from before the capability (stdlib 0.2.0) keeps its -request mail, whatever it reads", () => {
  const trim = example("trim140");
  assert.equal(ruleAnswersRequests({ ...trim.manifest, stdlib: "0.2.0" }), true);
  assert.equal(ruleAnswersRequests({ ...trim.manifest, stdlib: "0.3.0" }), false);
});
