/**
 * The runs of test/daemon/adversary-commit-layout.test.ts, for the test and for the processes it starts (each
 * rebuilds a run from its number).
 */
import type { RunAction } from "../../contract/index.js";
import type { RunCommit } from "../../runtime/daemon/store/types.js";

export const LIST = "layout@example.org";

/** A run that logs, publishes and sends: its outgoing message's action is the third of its actions. */
export function commit(n: number, tag = "t"): RunCommit {
  const send: RunAction = { kind: "send", to: [`m${n}@example.org`], subject: `n ${n} ☕ "q" \\`, text: `body ${n}\n`, headers: JSON.parse('{"__proto__":"x","In-Reply-To":"<a@b>"}') as Record<string, string>, at: { line: 3, column: 1 } };
  const body = `${n} ✉ ${"x".repeat(40)}\r\n`.repeat(5 + ((n * 37) % 200));
  const raw = Buffer.from(`From: ${LIST}\r\nTo: m${n}@example.org\r\nSubject: ${tag} ${n}\r\nMessage-ID: <${tag}.${n}@example.org>\r\n\r\n${body}`);
  return {
    address: LIST,
    message: { raw: Buffer.from(`Subject: in ${n}\r\n\r\nhello\r\n`), mailFrom: "ann@example.org", rcptTo: LIST, receivedAt: n, status: "accepted", problems: [] },
    run: {
      trigger: "message", now: 1_700_000_000_000 + n, bundleHash: "h", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 9,
      actions: [{ kind: "log", to: [], text: "a", at: { line: 1, column: 1 } }, { kind: "publish", to: [], path: "p", html: "<p>", at: { line: 2, column: 1 } }, send],
    },
    state: { n },
    members: [],
    published: [],
    outbox: [{ file: `1700000000000.T${tag}${n}_1.test`, messageId: `${tag}.${n}@example.org`, recipients: [`m${n}@example.org`, "ünï.😀@exämple.org"], action: send, raw }],
  };
}

