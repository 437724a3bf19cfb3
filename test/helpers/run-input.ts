/**
 * A run's input written by hand, for tests that run a compiled rule directly
 * (runBundle): one member, a short message, every field the driver reads.
 * `over` replaces top-level fields, `message` fields of the message.
 */
export const ruleErrorWords = {
  describeRuleError: (e: { code: string; args: unknown[]; line: number; column: number }) => ({ code: e.code, message: JSON.stringify(e.args), line: e.line, column: e.column }),
};

export function handInput(over: Record<string, unknown> = {}, message: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    now: Date.UTC(2026, 10, 25, 12),
    tz: [],
    list: { address: "news@example.org", name: "News", owners: ["owner@example.org"] },
    members: [{ address: "ann@example.org", name: "Ann", role: "owner", joined: Date.UTC(2026, 0, 1) }],
    state: null,
    limits: { members: 2, logs: 3, page: 20 },
    message: {
      from: "ann@example.org", to: ["news@example.org"], cc: [], subject: "Hello", text: "Some text", html: null,
      headers: [["From", "ann@example.org"]], attachments: [], date: null, messageId: "m1@example.org",
      envelope: { sender: "ann@example.org", recipient: "news@example.org", isRequest: false, tag: null },
      ...message,
    },
    ...over,
  };
}
