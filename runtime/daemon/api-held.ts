/**
 * The moderation routes of the API (api.ts mounts them; holds.ts decides):
 *
 *   GET    /v1/lists/ADDR/held?status=&limit=   the list's held messages (status held, the default; approved, rejected, expired or all)
 *   GET    /v1/held/ID                           one held message: its record, and the message as parsed (From, Subject, text, ...)
 *   POST   /v1/held/ID/approve                   runs the rule again on it with m.approved true; { held, answer, run }
 *   POST   /v1/held/ID/reject                    { note? }: records the rejection and the note; nothing is sent
 *
 * A held message's ID is its message's. 404 for no such held message, 409
 * when it was decided already, expired, or could not be run.
 */
import { simpleParser } from "mailparser";
import { ApiError, type Route } from "./api.js";
import type { Daemon } from "./daemon.js";
import { HeldRefusal, MAX_NOTE } from "./holds.js";
import { daemonMessages as M, say } from "./messages.js";
import { prunedMessage } from "./retention.js";
import type { HeldRecord, HeldStatus } from "./store/types.js";

const STATUSES: readonly (HeldStatus | "all")[] = ["held", "approved", "rejected", "expired", "all"];
/** The text of a message shown to an owner is cut here (the raw message is whole with ?raw=1). */
const MAX_TEXT = 100_000;

export function heldRoutes(daemon: Daemon): Route[] {
  const holds = daemon.holds;
  const view = (h: HeldRecord) => holds.view(h);
  const listOf = async (id: string): Promise<string | undefined> => (/^\d{1,15}$/.test(id) ? (await daemon.store.heldMessage(Number(id)))?.address : undefined);
  /** HeldRefusal as the API's errors. */
  const refusing = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof HeldRefusal)) throw err;
      throw new ApiError(err.kind === "missing" ? 404 : 409, /^(TW\d{4})/.exec(err.message)?.[1] ?? M.noHeld.code, err.message);
    }
  };

  return [
    {
      method: "GET",
      pattern: /^lists\/([^/]+)\/held$/,
      access: "read",
      handle: async (p) => {
        await daemon.members(p.address!); // refuses a list that is not there
        const at = daemon.listAt(p.address!)!;
        const status = p.query.get("status") ?? "held";
        if (!STATUSES.includes(status as HeldStatus)) throw badRequest(`status must be one of ${STATUSES.join(", ")}, got ${JSON.stringify(status)}`);
        const limit = p.query.get("limit");
        if (limit !== null && !/^\d{1,9}$/.test(limit)) throw badRequest(`limit must be a whole number, got ${JSON.stringify(limit)}`);
        const held = await holds.list(at, status as HeldStatus, limit === null ? undefined : Number(limit));
        return { address: at, expiry: holds.expiry, held: held.map(view) };
      },
    },
    {
      method: "GET",
      pattern: /^held\/([^/]+)$/,
      access: "read",
      listOf,
      handle: (p) =>
        refusing(async () => {
          const h = await holds.get(heldId(p.id!));
          const stored = await daemon.store.message(h.id);
          // Its bytes removed by retention: 410, with the record (which is kept) in `result`.
          if (stored?.prunedAt !== undefined) throw new ApiError(410, M.payloadPruned.code, prunedMessage(h.id, stored.prunedAt), { ...view(h), pruned: true, prunedAt: stored.prunedAt });
          const raw = stored?.raw ?? Buffer.alloc(0);
          const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
          const text = mail.text ?? "";
          return {
            ...view(h),
            message: {
              from: mail.from?.text ?? null,
              to: mail.to ? [mail.to].flat().map((a) => a.text) : [],
              subject: mail.subject ?? "",
              date: mail.date ? mail.date.getTime() : null,
              messageId: mail.messageId ?? null,
              text: text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text,
              textCut: text.length > MAX_TEXT,
              attachments: mail.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, size: a.size })),
              size: raw.length,
            },
            ...(p.query.get("raw") === "1" || p.query.get("raw") === "true" ? { raw: raw.toString("utf8") } : {}),
          };
        }),
    },
    {
      method: "POST",
      pattern: /^held\/([^/]+)\/approve$/,
      access: "write",
      listOf,
      handle: (p) =>
        refusing(async () => {
          const a = await holds.approve(heldId(p.id!));
          return { held: view(a.held), answer: a.answer, run: a.run };
        }),
    },
    {
      method: "POST",
      pattern: /^held\/([^/]+)\/reject$/,
      access: "write",
      listOf,
      handle: (p) =>
        refusing(async () => {
          const id = heldId(p.id!);
          const body = await p.body();
          if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest('the body must be a JSON object: { "note"?: "..." }');
          const note = (body as { note?: unknown }).note;
          if (note !== undefined && typeof note !== "string") throw badRequest("`note` must be a string");
          if (typeof note === "string" && note.length > MAX_NOTE) throw badRequest(`\`note\` is ${note.length} characters, over the limit of ${MAX_NOTE}`);
          const r = await holds.reject(id, note ?? "");
          return { held: view(r.held), runId: r.runId };
        }),
    },
  ];
}

/** A held message's number; anything else is no held message (404), never a lookup of text. */
function heldId(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new HeldRefusal("missing", say(M.noHeld, text.slice(0, 40)));
  return Number(text);
}

function badRequest(why: string): ApiError {
  return new ApiError(400, M.badRequest.code, say(M.badRequest, why));
}
