/**
 * A send's and a forward's list headers, added by the host (runtime/run/list-headers.ts) instead of written by the
 * sandbox into each action. What must hold: the actions read exactly as the prelude wrote them (the texts of its
 * `__listHeaders`, which a reply's headers still start from, so each run checks itself; `headers` just before `at`),
 * the run's output carries none (the bytes the sandbox no longer writes), and the composed messages are the same
 * bytes whatever the action's headers. Real compiled bundles on real QuickJS, real compose.ts, parsed back by mailparser.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { simpleParser } from "mailparser";
import { compileSource, type Bundle } from "../../compiler/emit/bundle.js";
import type { RunAction } from "../../contract/index.js";
import { assembleInput } from "../../runtime/input/build.js";
import { composeRun } from "../../runtime/mail/compose.js";
import { encodeRun, runBundle } from "../../runtime/run/run-rule.js";
import { withListHeaders } from "../../runtime/run/list-headers.js";
import { listHeaderTexts } from "../../contract/list-fields.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";
import { assertOk } from "./harness.js";

const NOW = Date.UTC(2026, 11, 6, 12);
const SOURCE = `rule heads

limits { members: 10, fanout: 20 }

on message(m: Message) {
  send(to: members, subject: "[x] {m.subject}", text: m.text, from: "sender", replyTo: "list", thread: m)
  forward(m, to: ["ann@example.org"], footer: "bye")
  send(to: "bob@example.org", subject: "plain", text: "t")
  if m.isAutomated() { return }
  reply(m, text: "thanks")
}
`;

function compiled(): Bundle {
  const r = compileSource("heads.thwonk", SOURCE);
  assert.ok(r.bundle, JSON.stringify(r.diagnostics));
  return r.bundle;
}

function input(list: { address: string; name: string }) {
  const from = "ann@example.org";
  return assembleInput({
    now: NOW,
    list,
    members: [{ address: from, name: "Ann", role: "member", joined: NOW - 1000 }],
    message: { from, to: [list.address], cc: [], subject: "Hi 😀", text: "body", html: null, headers: [["From", from], ["Message-ID", "<m1@example.org>"]], attachments: [], date: NOW, messageId: "m1@example.org", envelope: { sender: from, recipient: list.address, isRequest: false, tag: null } },
  });
}

const LISTS = [
  { address: "news@example.org", name: "News" },
  { address: "News.Letter@Example.org", name: "Line\r\nbreaks\n\nand 😀 \"quotes\" <b>" },
  { address: "__proto__@example.org", name: "__proto__" },
  { address: "x@example.org", name: "" },
  // The prelude's copy of contract/list-fields.ts in the real sandbox: mailto URLs percent-encoded (RFC 6068), a
  // non-ASCII list's in UTF-8 percent-encoded, URL fields that cannot fit a line left out.
  { address: "a?b#c&d=e%f/g@example.org", name: "Specials\t and  blanks" },
  { address: "ännä.😀@example.org", name: "Ünïcode" },
  { address: `${"%".repeat(316)}@a.b`, name: "Percent" },
  { address: `${"ä".repeat(316)}@a.b`, name: "" },
];

test("a send's and a forward's headers are the prelude's own texts, just before `at`; a reply's are as before", async () => {
  const bundle = compiled();
  for (const list of LISTS) {
    const r = await runBundle(bundle, { trigger: "message", input: input(list) }, { describeRuleError: (e) => ({ ...e, message: e.code, line: null, column: null }) });
    assert.equal(r.error, null, JSON.stringify(r.error));
    const reply = r.actions.find((a) => a.kind === "reply")!;
    // The reply's headers are __listHeaders() with three more fields: what the sandbox wrote into every send before.
    const { "Auto-Submitted": _a, "In-Reply-To": _i, References: _r, ...prelude } = reply["headers"] as Record<string, string>;
    assert.deepEqual(prelude, listHeaderTexts(list.address.toLowerCase(), list.name), "the prelude's texts are contract/list-fields.ts's");
    const long = list.address.startsWith("ää");
    assert.deepEqual(Object.keys(prelude), long ? ["List-Id", "X-Thwonk-Loop"] : ["List-Id", "List-Post", "List-Unsubscribe", "X-Thwonk-Loop"]);
    const mail = r.actions.filter((a) => a.kind === "send" || a.kind === "forward");
    assert.equal(mail.length, 3);
    for (const a of mail) {
      assert.deepEqual(a["headers"], prelude, list.name);
      const keys = Object.keys(a);
      assert.equal(keys.indexOf("headers"), keys.indexOf("at") - 1, `headers just before at: ${keys.join(",")}`);
    }
    assert.notEqual(mail[0]!["headers"], mail[1]!["headers"], "each action its own object");
  }
});

test("the sandbox's output carries no send or forward headers: the host's only", async () => {
  const bundle = compiled();
  const run = encodeRun(bundle, "message", input(LISTS[0]!));
  const raw = JSON.parse(assertOk((await new Engine({ limits: resolveLimits(), strategy: "reuse" }).run(bundle.code.text, bundle.sha256, "message", run.inputJson, run.members)).result)) as { actions: RunAction[] };
  for (const a of raw.actions) assert.equal("headers" in a, a.kind === "reply", a.kind);
  // Headers a hand-written output gives are its own: the host adds to none that has them.
  const given = [{ kind: "send", to: [], headers: { "List-Id": "mine" }, at: { line: 1, column: 1 } }];
  assert.equal(withListHeaders(given, LISTS[0])[0], given[0]);
  // No list in the input (a hand-made one): nothing to add.
  assert.equal(withListHeaders([{ kind: "send", to: [], at: { line: 1, column: 1 } }], undefined)[0]!["headers"], undefined);
});

test("composed messages are the same bytes with the host's headers, none, or any others", async () => {
  const bundle = compiled();
  for (const list of LISTS) {
    const r = await runBundle(bundle, { trigger: "message", input: input(list) }, { describeRuleError: (e) => ({ ...e, message: e.code, line: null, column: null }) });
    const ctx = { list: list.address.toLowerCase(), listName: list.name, now: NOW, runKey: "k1", incoming: { from: "ann@example.org", headers: [["From", "ann@example.org"], ["Message-ID", "<m1@example.org>"]] as [string, string][] } };
    const mail = r.actions.filter((a) => a.kind === "send" || a.kind === "forward");
    const variants = [mail, mail.map(({ headers: _, ...rest }) => rest as RunAction), mail.map((a) => ({ ...a, headers: { "List-Id": "evil\r\nBcc: x@evil.org", "X-Thwonk-Loop": "other@example.org" } }))];
    const composed = await Promise.all(variants.map((v) => composeRun(v, ctx)));
    assert.equal(composed[0]!.length, 3);
    for (const c of composed.slice(1)) for (let k = 0; k < 3; k++) assert.ok(c[k]!.raw.equals(composed[0]![k]!.raw), `${list.name}: message ${k}`);
    const p = await simpleParser(composed[0]![0]!.raw);
    assert.equal(p.headers.get("x-thwonk-loop"), list.address.toLowerCase());
  }
});

test("a test's actions (thwonkc test) carry the same headers as a run's", async () => {
  const { runRuleTests } = await import("../../runtime/testing/run-tests.js");
  const { NodeHost } = await import("../../runtime/host/node-host.js");
  const tests = `test "t" {
  members = ["ann@example.org"]
  message = { from: "ann@example.org", subject: "s", text: "t", messageId: "m1@example.org" }
  expect send(subject: "[x] s")
}
`;
  const r = await runRuleTests({ fileName: "heads.thwonk", text: SOURCE }, [{ fileName: "heads.test.thwonk", text: tests }], new NodeHost());
  const o = r.outcomes[0]!;
  assert.ok(o.ok, JSON.stringify(o.failures));
  const actions = o.actions as RunAction[];
  const reply = actions.find((a) => a.kind === "reply")!;
  const { "Auto-Submitted": _a, "In-Reply-To": _i, References: _r, ...prelude } = reply["headers"] as Record<string, string>;
  for (const a of actions.filter((x) => x.kind === "send" || x.kind === "forward")) assert.deepEqual(a["headers"], prelude);
});

test("withListHeaders gives each list its own texts when lists' runs interleave, and a list renamed its new name", () => {
  const action = (): RunAction => ({ kind: "send", to: ["a@example.org"], at: { line: 1, column: 1 } });
  const lists = [
    { address: "one@example.org", name: "One" },
    { address: "two@example.org", name: "Two\r\nLines" },
    { address: "one@example.org", name: "One renamed" },
    { address: "two@example.org", name: undefined },
  ];
  for (let round = 0; round < 3; round++) {
    for (const list of lists) {
      const [a] = withListHeaders([action()], list);
      const at = list.address.indexOf("@");
      assert.deepEqual(a!["headers"], {
        // The name on one line; no name: the local part (as the From shows it).
        "List-Id": `${list.name === undefined ? list.address.slice(0, at) : list.name.replace(/[\r\n]+/g, " ")} <${list.address.slice(0, at)}.${list.address.slice(at + 1)}>`,
        "List-Post": `<mailto:${list.address}>`,
        "List-Unsubscribe": `<mailto:${list.address.slice(0, at)}-request@${list.address.slice(at + 1)}?subject=unsubscribe>`,
        "X-Thwonk-Loop": list.address,
      });
      // Each action its own object: changing one run's headers changes no other's.
      (a!["headers"] as Record<string, string>)["List-Id"] = "changed";
    }
  }
});
