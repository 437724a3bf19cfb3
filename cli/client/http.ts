/**
 * The client side of thwonkd's API (runtime/daemon/api.ts): where the server
 * is, which token to send, and one request with the exit code its answer
 * means (3 when the server cannot be reached or fails, 1 when it refuses).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { safe } from "./print.js";
import { refusal, type Shape } from "./shape.js";

export const DEFAULT_SERVER = "http://127.0.0.1:8025";

export interface ServerOptions {
  server?: string;
  token?: string;
  /** thwonkd's data directory: its admin.token is read when no token is given. */
  data?: string;
  json?: boolean;
}

export interface Connection {
  server: string;
  token: string | undefined;
}

/** A problem that ends the command: its message (printed on stderr) and exit code. */
export class ClientError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The server and token: flags, then THWONK_SERVER / THWONK_TOKEN, then (for the token) DIR/admin.token with --data or THWONKD_DATA. */
export function connection(o: ServerOptions, io: CliIo): Connection {
  const server = (o.server ?? io.env["THWONK_SERVER"] ?? DEFAULT_SERVER).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+$/.test(server) || !URL.canParse(server)) throw new ClientError(`thwonkc: --server must be the API's base URL, e.g. ${DEFAULT_SERVER} (got ${JSON.stringify(server)})`, ExitCode.Usage);
  // No token has white space (the server takes `Bearer \S+`): a CR or a space around one pasted or read from a file is dropped.
  let token = (o.token ?? io.env["THWONK_TOKEN"])?.trim();
  const data = o.data ?? (token === undefined ? io.env["THWONKD_DATA"] : undefined);
  if (token === undefined && data !== undefined) {
    const file = join(resolve(io.cwd, data), "admin.token");
    try {
      token = readFileSync(file, "utf8").trim();
    } catch (e) {
      throw new ClientError(`thwonkc: cannot read the admin token ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}); give --token or THWONK_TOKEN`, ExitCode.Usage);
    }
  }
  // Otherwise fetch refuses the header, and that would be told as a server that cannot be reached.
  if (token !== undefined && !/^[\x21-\x7e]*$/.test(token)) {
    throw new ClientError("thwonkc: the token has a character no token has (white space, a control or a non-ASCII character); give the one in DATA/admin.token with --token or THWONK_TOKEN", ExitCode.Usage);
  }
  return { server, token };
}

export interface ApiErrorBody {
  error: { code: string; message: string };
  result?: unknown;
}

/** One API request; resolves to the answer's JSON when it has `shape`, or throws a ClientError with the server's reason. */
export async function request<T>(c: Connection, method: string, path: string, shape: Shape, body?: unknown): Promise<T> {
  // Written before the request, not inside its try: a body that cannot be written (a state file nested deeper than
  // JSON.stringify goes) is the file's fault, not a server that cannot be reached.
  let payload: string | undefined;
  try {
    payload = body === undefined ? undefined : JSON.stringify(body);
  } catch (e) {
    throw new ClientError(`thwonkc: what ${method} /v1/${path} would send cannot be written as JSON (${e instanceof Error ? e.message : String(e)}): is a file given nested too deeply?`, ExitCode.Usage);
  }
  let res: Response;
  try {
    res = await fetch(`${c.server}/v1/${path}`, {
      method,
      // Not followed: thwonkd never redirects, and fetch would follow to another origin without the token (answered
      // "no token was sent") and with the body (the rule's source) all the same.
      redirect: "manual",
      headers: {
        ...(c.token !== undefined ? { authorization: `Bearer ${c.token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(payload !== undefined ? { body: payload } : {}),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new ClientError(`thwonkc: cannot reach the server at ${c.server} (${cause?.code ?? cause?.message ?? String(e)}). Is thwonkd running there? (--server URL or THWONK_SERVER)`, ExitCode.Server);
  }
  if (res.status >= 300 && res.status < 400) {
    const to = res.headers.get("location") ?? "";
    const base = URL.canParse(to, c.server) ? new URL(to, c.server).origin : "";
    throw new ClientError(`thwonkc: ${c.server} redirects ${method} /v1/${path} to ${safe(to, 200) || "another place"}; thwonkd does not redirect, so give the API's own URL with --server${base ? ` (${base}?)` : ""}`, ExitCode.Usage);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new ClientError(`thwonkc: ${c.server} answered ${res.status}, then the connection broke before the whole answer came (${cause?.code ?? cause?.message ?? String(e)}); try again`, ExitCode.Server);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ClientError(`thwonkc: ${c.server} answered ${res.status} with something other than JSON; is it a thwonkd API? (${safe(text, 200)})`, ExitCode.Server);
  }
  if (res.ok) {
    if (shape(data)) return data as T;
    throw new ClientError(`thwonkc: ${c.server} answered ${method} /v1/${path} with JSON that is not thwonkd's answer to it; is it a thwonkd API of this version? (${safe(text, 200)})`, ExitCode.Server);
  }
  const why = refusal(data) ? safe((data as ApiErrorBody).error.message, 4000) : `HTTP ${res.status}`;
  throw Object.assign(new ClientError(`thwonkc: the server refused: ${why}`, res.status >= 500 ? ExitCode.Server : ExitCode.Findings), { body: data, status: res.status });
}

/** Runs a client command: a ClientError is printed with its exit code. */
export async function client(io: CliIo, work: () => Promise<void>): Promise<number> {
  try {
    await work();
    return ExitCode.Success;
  } catch (e) {
    if (!(e instanceof ClientError)) throw e;
    io.stderr.write(`${e.message}\n`);
    return e.exitCode;
  }
}

export const enc = (address: string): string => encodeURIComponent(address);
