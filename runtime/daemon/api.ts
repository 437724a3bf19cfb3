/**
 * The administration API under /v1 (JSON), a plain node:http handler that
 * main.ts mounts beside the health check and the published files. Every
 * route but /v1/health asks the `Authorizer` (auth.ts) first. Errors are
 * `{ error: { code, message } }` with the HTTP status that fits: 400 a
 * request not understood, 401 no or a wrong token, 404 no such list, run or
 * route, 405 a route's path with a method it does not take (with `Allow`),
 * 409 a conflict with what is stored (state, member limit, a run that
 * cannot be replayed), 413 a body over the limit, 422 content refused (a
 * rule that does not compile, a tampered bundle, a bad address, state that
 * does not fit the rule). A fault of
 * the server's own is 500 with an id its log line carries, never its text.
 *
 *   GET    /v1/lists                           the lists: address, rule, bundle hash, deployedAt, members, held (counts), addressRefused?, schedulesHeld?
 *   POST   /v1/deploy                          { source | bundle, fileName?, addresses: [], allowDataLoss? }
 *   GET    /v1/lists/ADDR                      the list and its deployment history
 *   DELETE /v1/lists/ADDR                      removes the list (below)
 *   GET    /v1/lists/ADDR/members              { version, members }
 *   POST   /v1/lists/ADDR/members              { members: ["a@x" | { address, name?, role? }] }: add
 *   DELETE /v1/lists/ADDR/members              { addresses: [] }: remove
 *   PUT    /v1/lists/ADDR/members              { text }: replace with a members file's (text or JSON form)
 *   GET    /v1/lists/ADDR/state                { "thwonk-state": 1, address, state, hash, initial, note? } (stateAnswer)
 *   PUT    /v1/lists/ADDR/state                { state }: replace it (checked against the rule's state; 422 with the problems); null: as DELETE
 *   DELETE /v1/lists/ADDR/state                back to the rule's initial state (null stored: the next run starts from it)
 *   GET    /v1/lists/ADDR/runs?failed=&limit=&after=&last=   runs, newest last, without their actions; `more`, `next` (last=N: the newest N)
 *   GET    /v1/lists/ADDR/failed?limit=&after=&schedulesAfter=  the messages whose run failed and were not replayed, oldest first;
 *                                              `more`, `next`; `schedules`: failed scheduled runs not replayed, the same way
 *   GET    /v1/runs?failed=&limit=&after=&last=   runs of every list
 *   GET    /v1/failed?removed=                 failed messages of every list; with removed=1 those of lists removed since too,
 *                                              marked `listRemoved` (not replayable, TW6047)
 *   GET    /v1/runs/ID                         one run with its actions, gas and error
 *   POST   /v1/runs/ID/replay                  runs a failed run again with the version deployed now (its message, or its schedule at its due time)
 *   ...    /v1/lists/ADDR/held, /v1/held/ID    moderation (api-held.ts)
 *
 * Removing a list (DELETE /v1/lists/ADDR; thwonkc lists remove ADDR --yes) happens in the list's turn, as a deploy's
 * swap does: the messages, schedules and changes queued before it run and commit first (a message answered 250 is
 * never lost), then the list is gone. From the answer on, RCPT TO the address and its -request, -bounces and +tag forms
 * gets 550 (a message whose DATA was still coming gets 550 too, and was not run), its schedules never run again,
 * and its members, state, schedule times, signing key and published pages are dropped and its held messages expire
 * (a later deploy at the address starts a new list: no members, the rule's initial state, schedules from that deploy).
 * Kept, for audit and readable: its deployments and bundles, runs (GET /v1/lists/ADDR/runs, /failed and /v1/runs/ID
 * still answer for it), messages and outbox rows; its outgoing mail already committed is still delivered. A replay of
 * its runs is refused (409 TW6047), and the list's other routes answer 404 TW6045 (removed, when). Answer: { removed,
 * address, hash, rule, removedAt, members, held, lastRun, message (TW6046) }; 404 TW6015 for an address with no list
 * (a second removal of the same list: TW6045); 503 TW6136 when the store refused the removal, which changed nothing. A list at an address a list can no longer have (TW6044) is removed the
 * same way, and no later start installs or reports it.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { bearerToken, type Access, type Authorizer } from "./auth.js";
import { Refusal, StateRefusal, type Daemon, type DeployResult, type ListState } from "./daemon.js";
import { ListGone } from "./runner.js";
import { diskFull } from "./disk-full.js";
import { heldRoutes } from "./api-held.js";
import type { Logger } from "./log.js";
import { decoded } from "./publish.js";
import { daemonMessages as M, say } from "./messages.js";
import type { MessageRecord, RunRecord } from "./store/types.js";
import { ADDRESS_MAX, STATE_ANSWER_KEY, STATE_ANSWER_VERSION, type StateFieldSchema, type StateType } from "../../contract/index.js";

export const API_PREFIX = "/v1/";
/** Bodies over this many bytes get 413 (a large rule's bundle is ~100 KB; a members file of 100,000 lines a few MB). */
export const DEFAULT_MAX_BODY = 8 * 1024 * 1024;
/** Runs or failed messages in one answer without `limit` (or `last`); `more` and `next` say when others wait behind them. */
export const PAGE = 1000;

export interface ApiOptions {
  daemon: Daemon;
  authorize: Authorizer;
  log: Logger;
  maxBody?: number;
}

/** A refusal with its HTTP status and message code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

const codeOf = (message: string): string => /^(TW\d{4})\b/.exec(message)?.[1] ?? "TW6021";

/** The status of a daemon's refusal, by its message code. */
function statusOf(code: string): number {
  switch (code) {
    case M.unknownList.code:
    case M.listRemoved.code:
      return 404;
    case M.incompatibleState.code:
    case M.membersOverLimit.code:
    case M.notReplayable.code:
    case M.replayRemoved.code:
      return 409;
    case M.payloadPruned.code:
      return 410; // Gone: its bytes were removed by retention, for good
    // The store refused the removal, which changed nothing: a retry is safe.
    case M.removalFailed.code:
      return 503;
    default:
      return 422;
  }
}

/** A query's yes/no parameter: `1` or `true`. */
const flag = (q: URLSearchParams, name: string): boolean => q.get(name) === "true" || q.get(name) === "1";

function fromRefusal(message: string, details?: unknown): ApiError {
  const code = codeOf(message);
  return new ApiError(statusOf(code), code, message, details);
}

/** `body(max)`: the JSON body, refused (413) past `max` bytes (default: the API's limit). */
export type Params = { address?: string; id?: string; query: URLSearchParams; body: (max?: number) => Promise<unknown> };
export interface Route {
  method: string;
  pattern: RegExp;
  access: Access["action"];
  handle: (p: Params) => Promise<unknown>;
  /** For a route whose match is a number (`id`), not a list's address: the list it belongs to, which the token is asked about (undefined: none such). */
  listOf?: (id: string) => Promise<string | undefined>;
}

export function apiHandler(o: ApiOptions) {
  const { daemon } = o;
  const maxBody = o.maxBody ?? DEFAULT_MAX_BODY;

  const summary = (r: RunRecord) => {
    const { actions, ...rest } = r;
    return { ...rest, actionCount: r.prunedAt !== undefined ? (r.actionCount ?? 0) : actions.length, ...(r.prunedAt !== undefined ? { pruned: true } : {}) };
  };
  /** A run as GET /v1/runs/ID shows it: one whose actions retention removed says so (`pruned`, TW6056), not an empty run. */
  const whole = (r: RunRecord) =>
    r.prunedAt === undefined ? r : { ...r, pruned: true, note: say(M.runPruned, r.id, r.actionCount ?? 0, new Date(r.prunedAt).toISOString().replace(/\.\d{3}Z$/, "Z")) };
  const runFilter = (q: URLSearchParams, address?: string) => ({
    ...(address ? { address } : {}),
    ...(flag(q, "failed") ? { failed: true } : {}),
    ...(q.has("limit") ? { limit: pageSize(q.get("limit")!) } : {}),
    ...(q.has("after") ? { after: wholeNumber(q.get("after")!, "after") } : {}),
    ...(q.has("last") ? { last: wholeNumber(q.get("last")!, "last") } : {}),
  });
  /** Each message with the run that failed on it (what `replay` takes). */
  const withRuns = async (messages: MessageRecord[]) => {
    if (messages.length === 0) return [];
    // The runs of these messages, not the list's first 1,000 failed runs: after that many (replayed since), a new
    // failure's run would not be among them, and the message would be listed without a run to replay.
    const runOf = new Map<number, RunRecord>();
    for (const r of await daemon.store.failedRunsOf(messages.map((m) => m.id))) runOf.set(r.messageId!, r); // the latest wins
    return messages.map((m) => ({ ...m, runId: runOf.get(m.id)?.id ?? null, error: runOf.get(m.id)?.error ?? null, ...(m.prunedAt !== undefined ? { pruned: true } : {}) }));
  };
  /**
   * A page of failed messages, oldest first, with whether more wait behind it and the `after` that reads them; and
   * a page of the failed scheduled runs not replayed (`schedules`, paged by `schedulesAfter`), which have no message.
   */
  const failed = async (q: URLSearchParams, address?: string) => {
    const limit = q.has("limit") ? pageSize(q.get("limit")!) : PAGE;
    const after = q.has("after") ? wholeNumber(q.get("after")!, "after") : undefined;
    const schedulesAfter = q.has("schedulesAfter") ? wholeNumber(q.get("schedulesAfter")!, "schedulesAfter") : undefined;
    // Every list's: those of the lists removed since (which no replay runs, TW6047) only with `removed=1`, marked
    // `listRemoved`. A list's own: all of them, marked (its history, also once it is removed).
    const removedLists = address !== undefined || flag(q, "removed") ? {} : { removedLists: false };
    const read: MessageRecord[] = await daemon.failedMessages(address, { limit: limit + 1, ...(after !== undefined ? { after } : {}), ...removedLists });
    const { page: messages, more, next } = paged(read, limit, after);
    const due = paged(await daemon.failedSchedules(address, { limit: limit + 1, ...(schedulesAfter !== undefined ? { after: schedulesAfter } : {}), ...removedLists }), limit, schedulesAfter);
    return { messages: await withRuns(messages), more, next, schedules: { runs: due.page.map(summary), more: due.more, next: due.next } };
  };
  /** A page of runs without `last`: the first `limit` with an id above `after`, and `more`/`next` as failed() has them. */
  const runsPage = async (q: URLSearchParams, address?: string) => {
    const filter = runFilter(q, address);
    if (filter.last !== undefined) return { runs: (await daemon.runs(filter)).map(summary) };
    const limit = filter.limit ?? PAGE;
    const { page, more, next } = paged(await daemon.runs({ ...filter, limit: limit + 1 }), limit, filter.after);
    return { runs: page.map(summary), more, next };
  };

  const routes: Route[] = [
    { method: "GET", pattern: /^lists$/, access: "read", handle: async () => ({ lists: await daemon.listsView() }) },
    {
      method: "POST",
      pattern: /^deploy$/,
      access: "write",
      handle: async (p) => {
        const body = object(await p.body());
        const addresses = body["addresses"];
        if (!Array.isArray(addresses) || addresses.length === 0 || !addresses.every((a) => typeof a === "string")) throw badRequest("`addresses` must be a non-empty list of list addresses");
        const source = body["source"];
        let bundle = body["bundle"];
        if (bundle !== undefined && typeof bundle !== "string") bundle = bundleText(bundle);
        if ((source === undefined) === (bundle === undefined)) throw badRequest("give exactly one of `source` (a .thwonk rule's text) and `bundle` (a .thwb file's text)");
        if (source !== undefined && typeof source !== "string") throw badRequest("`source` must be the rule's text");
        const fileName = typeof body["fileName"] === "string" ? body["fileName"] : undefined;
        const allowDataLoss = body["allowDataLoss"];
        if (allowDataLoss !== undefined && typeof allowDataLoss !== "boolean") throw badRequest("`allowDataLoss` must be true or false");
        const result = await daemon.deploy({
          ...(source !== undefined ? { source } : { bundle: bundle as string }),
          ...(fileName ? { fileName } : {}),
          addresses: addresses as string[],
          ...(allowDataLoss ? { allowDataLoss } : {}),
        });
        return deployAnswer(result);
      },
    },
    {
      method: "GET",
      pattern: /^lists\/([^/]+)$/,
      access: "read",
      handle: async (p) => {
        await daemon.members(p.address!); // refuses a list that is not there
        const at = daemon.listAt(p.address!)!;
        const list = (await daemon.listsView()).find((l) => l.address === at)!;
        // Every version deployed at the address, and the lists removed from it (a list deployed there since is a new one).
        return { ...list, deployments: await daemon.store.deploymentHistory(at), removals: (await daemon.store.removals(at)).map(({ id: _id, ...r }) => r) };
      },
    },
    { method: "DELETE", pattern: /^lists\/([^/]+)$/, access: "write", handle: async (p) => daemon.removeList(p.address!) },
    { method: "GET", pattern: /^lists\/([^/]+)\/members$/, access: "read", handle: async (p) => daemon.members(p.address!) },
    {
      method: "POST",
      pattern: /^lists\/([^/]+)\/members$/,
      access: "write",
      handle: async (p) => {
        const members = object(await p.body())["members"];
        if (!Array.isArray(members)) throw badRequest('`members` must be a list of addresses or of { "address", "name"?, "role"? }');
        const list = members.map((m, i) => {
          if (typeof m === "string") return { address: m };
          if (typeof m === "object" && m !== null && typeof (m as { address?: unknown }).address === "string") {
            const { address, name, role } = m as { address: string; name?: unknown; role?: unknown };
            if (name !== undefined && typeof name !== "string") throw badRequest(`members[${i}].name must be a string`);
            if (role !== undefined && role !== "member" && role !== "owner" && role !== "moderator") throw badRequest(`members[${i}].role must be "member", "owner" or "moderator"`);
            return { address, ...(name !== undefined ? { name } : {}), ...(role !== undefined ? { role: role as "member" } : {}) };
          }
          throw badRequest(`members[${i}] is neither an address nor { "address": ... }`);
        });
        return daemon.addMembers(p.address!, list);
      },
    },
    {
      method: "DELETE",
      pattern: /^lists\/([^/]+)\/members$/,
      access: "write",
      handle: async (p) => {
        const addresses = object(await p.body())["addresses"];
        if (!Array.isArray(addresses) || !addresses.every((a) => typeof a === "string")) throw badRequest("`addresses` must be a list of member addresses");
        return daemon.removeMembers(p.address!, addresses as string[]);
      },
    },
    {
      method: "PUT",
      pattern: /^lists\/([^/]+)\/members$/,
      access: "write",
      handle: async (p) => {
        const text = object(await p.body())["text"];
        if (typeof text !== "string") throw badRequest("`text` must be a members file's text (one address a line, or a JSON array)");
        return daemon.importMembers(p.address!, text);
      },
    },
    {
      method: "GET",
      pattern: /^lists\/([^/]+)\/state$/,
      access: "read",
      handle: async (p) => stateAnswer(daemon.listAt(p.address!) ?? p.address!, await daemon.stateAsDeployed(p.address!)),
    },
    {
      method: "PUT",
      pattern: /^lists\/([^/]+)\/state$/,
      access: "write",
      handle: async (p) => {
        // Any state the rule can hold, as GET shows it: a rule's bounds may pass the API's limit (3,000 notes of 2,000
        // characters are 12 MB of JSON, more escaped), so the limit is that much, twice over for a file's white space.
        const bundle = daemon.runner.bundleAt(daemon.listAt(p.address!) ?? p.address!);
        const body = object(await p.body(bundle ? 2 * stateJsonBytes(bundle.manifest.state) : undefined));
        if (!Object.hasOwn(body, "state")) throw badRequest("`state` must be the list's new state: a JSON object of the rule's state fields, as GET .../state shows it");
        try {
          // null is what GET answers when none is stored: put back, it means that again (DELETE's reset).
          const set = body["state"] === null ? await daemon.resetState(p.address!) : await daemon.setState(p.address!, body["state"]);
          return stateAnswer(daemon.listAt(p.address!) ?? p.address!, set);
        } catch (err) {
          // Each value that does not fit, with its place, for a client to show or fix one by one.
          if (err instanceof StateRefusal) throw new ApiError(422, codeOf(err.message), err.message, { problems: err.problems });
          throw err;
        }
      },
    },
    {
      method: "DELETE",
      pattern: /^lists\/([^/]+)\/state$/,
      access: "write",
      handle: async (p) => stateAnswer(daemon.listAt(p.address!) ?? p.address!, await daemon.resetState(p.address!)),
    },
    { method: "GET", pattern: /^lists\/([^/]+)\/runs$/, access: "read", handle: async (p) => runsPage(p.query, p.address) },
    { method: "GET", pattern: /^lists\/([^/]+)\/failed$/, access: "read", handle: async (p) => failed(p.query, p.address) },
    { method: "GET", pattern: /^runs$/, access: "read", handle: async (p) => runsPage(p.query) },
    { method: "GET", pattern: /^failed$/, access: "read", handle: async (p) => failed(p.query) },
    ...heldRoutes(daemon),
  ];

  /** Routes about one run: the run's list is known only after it is read, and is what the token is asked about. */
  const runRoutes: { method: string; pattern: RegExp; access: Access["action"]; handle: (run: RunRecord) => Promise<unknown> }[] = [
    { method: "GET", pattern: /^runs\/(\d+)$/, access: "read", handle: async (run) => whole(run) },
    {
      method: "POST",
      pattern: /^runs\/(\d+)\/replay$/,
      access: "write",
      handle: async (run) => {
        const answer = await daemon.replay(run.id);
        const again = answer.runId !== undefined ? await daemon.run(answer.runId) : undefined;
        return { replayed: run.id, answer, run: again ? whole(again) : null };
      },
    },
  ];

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith(API_PREFIX) || url.pathname === "/v1/health") return false;
    const path = url.pathname.slice(API_PREFIX.length).replace(/\/$/, "");
    const method = req.method ?? "GET";
    const token = bearerToken(req.headers.authorization);
    try {
      const allow = (access: Access): void => {
        const r = o.authorize(token, access);
        if (!r.ok) throw new ApiError(401, M.unauthorized.code, say(M.unauthorized, r.why));
      };
      for (const route of routes) {
        const m = route.pattern.exec(path);
        if (!m || route.method !== method) continue;
        const id = route.listOf && m[1] !== undefined ? m[1] : undefined;
        // The token before the store is read for the id's list: without one, an existing id and a missing one look alike.
        if (id !== undefined) allow({ action: route.access, someList: true });
        const address = m[1] === undefined ? undefined : id !== undefined ? await route.listOf!(id) : decoded(m[1]);
        allow({ action: route.access, ...(address !== undefined ? { address } : {}) });
        // Asked about no list, so a token scoped to lists is refused before it learns the path was bad.
        if (m[1] !== undefined && id === undefined && address === undefined) throw badRequest(`the address in the path (${JSON.stringify(m[1].slice(0, 80))}) is not valid URL encoding`);
        const body = await route.handle({ ...(address !== undefined ? { address } : {}), ...(id !== undefined ? { id } : {}), query: url.searchParams, body: (max) => readJson(req, Math.max(maxBody, max ?? 0)) });
        send(res, 200, body);
        return true;
      }
      for (const route of runRoutes) {
        const m = route.pattern.exec(path);
        if (!m || route.method !== method) continue;
        allow({ action: route.access, someList: true }); // before the run is read, as above
        const run = await daemon.run(Number(m[1]));
        allow({ action: route.access, ...(run ? { address: run.address } : {}) });
        if (!run) throw new ApiError(404, M.noRun.code, say(M.noRun, m[1]!));
        send(res, 200, await route.handle(run));
        return true;
      }
      allow({ action: "read" });
      // A path the API has, asked with a method it does not take: 405 with the methods it does (RFC 9110 15.5.6).
      const methods = [...new Set([...routes, ...runRoutes].filter((r) => r.pattern.test(path)).map((r) => r.method))].sort();
      if (methods.length) throw new ApiError(405, M.wrongMethod.code, say(M.wrongMethod, method, url.pathname, methods.join(", ")), undefined, { allow: methods.join(", ") });
      throw new ApiError(404, M.noRoute.code, say(M.noRoute, method, url.pathname));
    } catch (err) {
      // ListGone: the list was removed while the request waited for its turn (404, as a list that is not there).
      const e = err instanceof ApiError ? err : err instanceof Refusal || err instanceof ListGone ? fromRefusal(err.message) : undefined;
      if (e) {
        send(res, e.status, { error: { code: e.code, message: e.message }, ...(e.details !== undefined ? { result: e.details } : {}) }, e.headers);
        if (e.status === 401) o.log.warn({ method, path: url.pathname }, "API request refused: not authorized");
        return true;
      }
      // A full disk is the server's state, not a bug: 507 (RFC 4918's Insufficient Storage), nothing changed (each
      // change is one transaction), and said once a minute in the log, with the mail's (runner.ts).
      if (diskFull(err)) {
        send(res, 507, { error: { code: M.diskFullApi.code, message: say(M.diskFullApi) } });
        o.log.warn({ err: err instanceof Error ? err.message : String(err), method, path: url.pathname }, say(M.diskFullApi));
        return true;
      }
      // The error's text stays in the log (it can name files, SQL, the store's insides); the answer has only the id to find it by.
      const errorId = randomUUID();
      o.log.error({ err, errorId, method, path: url.pathname }, "API request failed");
      send(res, 500, { error: { code: M.serverFailed.code, message: say(M.serverFailed, errorId), id: errorId } });
      return true;
    }
  };
}

/** A deploy's answer: 200 when deployed everywhere; otherwise the refusal (422 content, 409 a list's stored data) with the per-address result. */
function deployAnswer(r: DeployResult): DeployResult {
  if (r.ok) return r;
  if (r.problems.length) throw fromRefusal(r.problems.join(" "), r);
  const refused = r.addresses.filter((a) => !a.deployed);
  const problems = refused.flatMap((a) => a.problems);
  const conflict = problems.some((p) => statusOf(codeOf(p)) === 409);
  const message = `${say(M.deployRefused, refused.map((a) => a.address).join(", "))} ${problems.join(" ")}`;
  throw new ApiError(conflict ? 409 : 422, problems.length ? codeOf(problems[0]!) : M.deployRefused.code, message, r);
}

/**
 * `read` (one more than `limit`, ids ascending) as a page: whether others wait behind it, without counting them all,
 * and then the `after` that reads them (null when none wait).
 */
function paged<T extends { id: number }>(read: T[], limit: number, after: number | undefined): { page: T[]; more: boolean; next: number | null } {
  const more = read.length > limit;
  const page = more ? read.slice(0, limit) : read;
  return { page, more, next: more ? (page.at(-1)?.id ?? after ?? 0) : null };
}

/**
 * A list's state as GET, PUT and DELETE .../state answer it (what `thwonkc state --json` prints, and `thwonkc state
 * set` takes back whole): marked by its first key (contract/state.ts STATE_ANSWER_KEY), `initial` the fields the next
 * run starts at their initial values, and when no state is stored a note saying so, not a bare null.
 */
function stateAnswer(address: string, s: ListState): Record<string, unknown> {
  return {
    [STATE_ANSWER_KEY]: STATE_ANSWER_VERSION,
    address,
    state: s.state,
    hash: s.hash,
    initial: s.initial,
    // Entries at a refused address, left out of the state shown as runs leave them out (Daemon.stateAsDeployed).
    ...(s.left?.length ? { left: s.left, note: say(M.stateLeftOut, address, s.left.length, s.left.join(", ")) } : {}),
    ...(s.state === null ? { note: say(M.noStateStored, address) } : {}),
  };
}

/**
 * The most bytes a state of these fields takes as JSON without white space, each character written at its longest
 * (`\uXXXX`, and two of them for one beyond the BMP, as a client that escapes all but ASCII writes it).
 */
function stateJsonBytes(fields: readonly StateFieldSchema[]): number {
  const of = (t: StateType): number => {
    switch (t.kind) {
      case "int":
      case "duration":
      case "time":
      case "bool":
        return 40;
      case "address":
        return 2 + 6 * ADDRESS_MAX;
      case "string":
        return 2 + 12 * (t.max ?? 0);
      case "list":
        return 2 + (t.max ?? 0) * (of(t.of) + 1);
      case "map":
        return 2 + (t.max ?? 0) * (of(t.key) + of(t.value) + 2);
      case "opt":
        return Math.max(4, of(t.of));
      case "rec":
        return 2 + Object.entries(t.fields).reduce((n, [k, f]) => n + 12 * k.length + 4 + of(f), 0);
    }
  };
  return 16 + fields.reduce((n, f) => n + 12 * f.name.length + 4 + of(f.schema), 0);
}

function badRequest(why: string): ApiError {
  return new ApiError(400, M.badRequest.code, say(M.badRequest, why));
}

/** A bundle sent as JSON rather than as its text; JSON.parse takes any depth, but JSON.stringify overflows the stack on a deep one. */
function bundleText(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    throw badRequest("`bundle` nests too deeply to be a bundle; send the .thwb file's text");
  }
}

function object(v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw badRequest("the body must be a JSON object");
  return v as Record<string, unknown>;
}

function wholeNumber(text: string, name: string): number {
  if (!/^\d{1,15}$/.test(text)) throw badRequest(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** A page's `limit`: 0 would give an empty page that says more wait, with the same `next`, to a client that follows it for ever. */
function pageSize(text: string): number {
  const n = wholeNumber(text, "limit");
  if (n === 0) throw badRequest("limit must be at least 1 (or leave it out for the default page)");
  return n;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "cache-control": "no-store" }).end(text);
}

/** The body as JSON, refused (413) as soon as it passes `max` bytes: announced or streamed. */
function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): void => {
      // The rest is read and dropped so the client sees the 413 rather than a broken upload; up to a bound, then the connection goes.
      let dropped = 0;
      req.on("data", (c: Buffer) => {
        dropped += c.length;
        if (dropped > 8 * max) req.destroy();
      });
      reject(new ApiError(413, M.bodyTooLarge.code, say(M.bodyTooLarge, max)));
    };
    if (Number(req.headers["content-length"] ?? 0) > max) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        tooLarge();
        return;
      }
      chunks.push(c);
    });
    req.on("error", reject);
    req.on("end", () => {
      if (over) return;
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() === "") return reject(badRequest("the body is empty; send a JSON object"));
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(badRequest(`the body is not JSON (${e instanceof Error ? e.message : String(e)})`));
      }
    });
  });
}
