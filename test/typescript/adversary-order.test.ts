/**
 * The order a stdlib call's named arguments are evaluated in: JavaScript
 * evaluates an object literal's properties as written, so
 * `reply(m, { subject: s("a"), text: s("b") })` runs `s("a")` first. The
 * emitter once evaluated them in the order of the declaration's parameters
 * (`text` before `subject`), so effects (a log line, a state change) came
 * in another order than the TypeScript says.
 */
import { test } from "node:test";
import { sameSource } from "./adversary-harness.js";

const noop = (): void => {};

test("named arguments written out of the parameters' order run as written, as JavaScript runs them", async () => {
  await sameSource(
    `import { forward, log, reply, send, type Message } from "thwonk";
export const rule = "order";
export const limits = { logs: 40 };
export const state = { n: 0 };
function s(w: string): string {
  state.n += 1;
  log(\`\${w} \${state.n}\`);
  return w;
}
export function onMessage(m: Message) {
  reply(m, { subject: s("subject"), text: s("text") });
  send({ text: s("t2"), subject: s("s2"), to: m.from });
  send({ to: m.from, text: s("t3"), subject: s("s3") });
  forward(m, m.from, { footer: s("footer"), subject: s("fsubject") });
  send(m.from, s("positional"), { thread: m, text: s("named") });
  log(\`\${state.n}\`);
}
`,
    { reply: noop, send: noop, forward: noop },
  );
});
