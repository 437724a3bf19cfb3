/**
 * thwonkc's moderation commands for a running thwonkd (runtime/daemon/api-held.ts):
 * `held ADDRESS` lists a list's held messages, `held ID` shows one, `approve ID`
 * runs the rule again on it approved, `reject ID [--note TEXT]` records a
 * rejection. Exit codes as the other client commands: 1 when the server
 * refuses (no such message, decided already, expired) or the approved run
 * failed, 3 when it cannot be reached.
 */
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import type { HeldRecord } from "../../runtime/daemon/store/types.js";
import { client, ClientError, connection, enc, request, type ServerOptions } from "./http.js";
import { json, safe, time } from "./print.js";
import * as S from "./shape.js";

/** A held message as the API shows it: the record and when it will expire. */
type Held = HeldRecord & { expiresAt: number | null };
interface HeldMessage extends Held {
  message: { from: string | null; to: string[]; subject: string; date: number | null; text: string; textCut: boolean; attachments: { filename: string | null; contentType: string; size: number }[]; size: number };
}
interface Approval {
  held: Held;
  answer: { code: number; message: string; runId?: number; outcome?: string };
  run: { id: number; outcome: string; gasUsed: number; gasBound: number; error: { code: string; message: string } | null; actions: { kind: string; to: string[] }[] } | null;
}

/** The answers' shapes (shape.ts): what the printing below reads. */
const held = S.fields({
  id: S.number,
  address: S.text,
  status: S.text,
  heldAt: S.epochMs,
  expiresAt: S.nullable(S.epochMs),
  decidedAt: S.nullable(S.epochMs),
  from: S.nullable(S.text),
  mailFrom: S.nullable(S.text),
  subject: S.text,
  reason: S.text,
  note: S.nullable(S.text),
  runId: S.number,
});
const heldList = S.fields({ address: S.text, held: S.listOf(held) });
const heldMessage = (v: unknown): boolean =>
  held(v) &&
  S.fields({
    message: S.fields({
      from: S.nullable(S.text),
      to: S.listOf(S.text),
      subject: S.text,
      text: S.text,
      textCut: S.flag,
      attachments: S.listOf(S.fields({ filename: S.nullable(S.text), contentType: S.text, size: S.number })),
    }),
  })(v);
const approval = S.fields({
  held,
  answer: S.fields({ code: S.number, message: S.text, outcome: S.optional(S.text) }),
  run: S.nullable(S.fields({ id: S.number, outcome: S.text, error: S.nullable(S.fields({ code: S.text, message: S.text })), actions: S.listOf(S.fields({ kind: S.text, to: S.listOf(S.text) })) })),
});

function heldLine(h: Held): string {
  const who = h.from ?? h.mailFrom ?? "<>";
  const when = h.status === "held" ? `held ${time(h.heldAt)}${h.expiresAt !== null ? `, expires ${time(h.expiresAt)}` : ""}` : `${h.status} ${h.decidedAt !== null ? time(h.decidedAt) : ""}`;
  return `#${h.id}  ${when}  from ${safe(who, 80)}  "${safe(h.subject, 80)}"  ${h.status === "held" ? `reason: ${safe(h.reason)}` : h.note ? `note: ${safe(h.note)}` : ""}`.trimEnd();
}

/** `thwonkc held ADDRESS [--all]`, or `thwonkc held ID`: one held message with its text. */
export function runHeld(target: string, o: ServerOptions & { all?: boolean }, io: CliIo): Promise<number> {
  return client(io, async () => {
    const c = connection(o, io);
    if (/^\d+$/.test(target)) {
      const h = await request<HeldMessage>(c, "GET", `held/${target}`, heldMessage);
      if (o.json) return json(io, h);
      io.stdout.write(`${heldLine(h)}\n  list ${h.address}, envelope sender ${safe(h.mailFrom ?? "<>", 254)}, run #${h.runId}\n`);
      io.stdout.write(`  From: ${safe(h.message.from ?? "")}\n  To: ${safe(h.message.to.join(", "))}\n  Subject: ${safe(h.message.subject)}\n`);
      for (const a of h.message.attachments) io.stdout.write(`  attachment: ${safe(a.filename ?? "(no name)", 80)} (${safe(a.contentType, 80)}, ${a.size} bytes)\n`);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
      const body = h.message.text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "");
      io.stdout.write(`\n${body}${body.endsWith("\n") ? "" : "\n"}${h.message.textCut ? "[the text goes on: see it whole with --json]\n" : ""}`);
      if (h.status === "held") io.stdout.write(`\nthwonkc approve ${h.id}   or   thwonkc reject ${h.id} --note TEXT\n`);
      return;
    }
    const r = await request<{ address: string; held: Held[] }>(c, "GET", `lists/${enc(target)}/held${o.all ? "?status=all" : ""}`, heldList);
    if (o.json) return json(io, r);
    for (const h of r.held) io.stdout.write(`${heldLine(h)}\n`);
    const n = r.held.length;
    io.stdout.write(`${n} ${o.all ? "" : "held "}message${n === 1 ? "" : "s"} on ${r.address}${n && !o.all ? "; read one with thwonkc held ID, then approve ID or reject ID" : ""}\n`);
  });
}

function heldId(id: string, command: string): void {
  if (!/^\d+$/.test(id)) throw new ClientError(`thwonkc: ${command} takes a held message's number (thwonkc held ADDRESS lists them), got ${JSON.stringify(id)}`, ExitCode.Usage);
}

export function runApprove(id: string, o: ServerOptions, io: CliIo): Promise<number> {
  return client(io, async () => {
    heldId(id, "approve");
    const r = await request<Approval>(connection(o, io), "POST", `held/${id}/approve`, approval);
    if (o.json) json(io, r);
    else {
      const run = r.run;
      const sent = run ? run.actions.filter((a) => a.kind === "send" || a.kind === "forward" || a.kind === "reply") : [];
      const recipients = sent.reduce((n, a) => n + a.to.length, 0);
      io.stdout.write(`approved #${id}: run #${run?.id ?? "?"} ${run?.outcome ?? r.answer.outcome ?? ""}`);
      io.stdout.write(run?.outcome === "ok" ? `, ${sent.length} message${sent.length === 1 ? "" : "s"} to ${recipients} recipient${recipients === 1 ? "" : "s"}\n` : "\n");
      if (r.held.status === "held") io.stdout.write(`the rule held it again: ${safe(r.held.reason)}\n`);
      if (run?.error) io.stdout.write(`${run.error.code} ${run.error.message}\n`);
    }
    if (r.run?.outcome === "failed") throw new ClientError("thwonkc: the rule failed on the approved message; it stays held (fix the rule, deploy it and approve again)", ExitCode.Findings);
  });
}

export function runReject(id: string, o: ServerOptions & { note?: string }, io: CliIo): Promise<number> {
  return client(io, async () => {
    heldId(id, "reject");
    const r = await request<{ held: Held; runId: number }>(connection(o, io), "POST", `held/${id}/reject`, S.fields({ held, runId: S.number }), o.note !== undefined ? { note: o.note } : {});
    if (o.json) return json(io, r);
    io.stdout.write(`rejected #${id} (record run #${r.runId}); nothing was sent to its sender\n`);
  });
}
