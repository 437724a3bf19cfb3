/**
 * What the in-process API adversaries (adversary-api-deploy, -flow,
 * -replay) share: a daemon's administration API served on real HTTP, and a
 * JSON request to it with the admin token.
 */
import type { AddressInfo } from "node:net";
import { apiHandler } from "../../runtime/daemon/api.js";
import { adminAuthorizer } from "../../runtime/daemon/auth.js";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { createHttp } from "../../runtime/daemon/main.js";

export interface ServedApi {
  /** The API's base URL, `http://127.0.0.1:PORT/v1`. */
  api: string;
  /** Stops the HTTP server (the daemon is the caller's to close). */
  close(): Promise<void>;
}

/** Serves `daemon`'s API on a free local port behind `token`, so the tests' requests go through real HTTP. */
export async function serveApi(daemon: Daemon, token: string): Promise<ServedApi> {
  const log = createLogger({ level: "silent", pretty: false });
  const http = createHttp([apiHandler({ daemon, authorize: adminAuthorizer(token), log })], log);
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  return {
    api: `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1`,
    close: () => new Promise<void>((r) => http.close(() => r())),
  };
}

/** A request to `api`/`path` as the admin, always marked JSON, `body` sent as JSON when given; its status and JSON answer. */
export async function callApi(api: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${api}/${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
