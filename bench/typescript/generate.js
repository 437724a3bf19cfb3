// A generated TypeScript rule of about `lines` lines, for bench/typescript/run.js.
/** About `lines` lines: helper functions of a dozen lines each, all called from onMessage. */
export function generate(lines) {
  const fns = [];
  const calls = [];
  for (let i = 0; fns.length * 12 < lines - 20; i++) {
    fns.push(`function part${i}(m: Message, n: int): string {
  let out = "";
  if (m.subject.contains("x${i}")) {
    out = \`\${m.subject.truncate(40)} \${n}\`;
  } else if (n > ${i}) {
    out = m.from.domain;
  }
  for (const member of members) if (member.name === out) {
    out = member.name.truncate(20);
  }
  return out.truncate(80);
}
`);
    calls.push(`  state.last = part${i}(m, ${i}).truncate(80);`);
  }
  return `import { members, send, type int, type Message, type Text } from "thwonk";

export const rule = "big";
export const limits = { members: 100, text: 1000 };
export const state = { count: 0 };

${fns.join("\n")}
export function onMessage(m: Message) {
${calls.map((c) => c.replace("state.last = ", "const x = ").replace(/const x = (.*);/, "send({ to: m.from, subject: \"x\", text: $1 });")).slice(0, 3).join("\n")}
  state.count += 1;
}
`.replace(/function part(\d+)/g, (s) => s);
}
