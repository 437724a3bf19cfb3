/**
 * Who may call the API. Today one admin token, made at the first start in
 * DIR/admin.token (mode 0600, 32 random bytes as hex). Every request asks
 * an `Authorizer` with what it wants to do and, for a list's routes, the
 * list's address, so tokens scoped to addresses can come later as another
 * authorizer without touching the routes. It is asked before anything is
 * read from the store (`someList`), so a request without a valid token
 * cannot tell an existing run or list from a missing one.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const ADMIN_TOKEN_FILE = "admin.token";

/** What a request wants: to read or change, and (for a list's routes) which list. */
export interface Access {
  action: "read" | "write";
  /** The list's address; undefined for routes about the server as a whole. */
  address?: string;
  /**
   * Asked before a run's or a held message's list is read from the store: whether the token may do `action` on some
   * list (it is asked again with the list once read), so a request without a valid token reads nothing and learns
   * nothing of what exists.
   */
  someList?: true;
}

/** Whether the bearer of `token` (undefined: none was sent) may do `access`; the reason when not. */
export type Authorizer = (token: string | undefined, access: Access) => { ok: true } | { ok: false; why: string };

/** Reads DIR/admin.token, making it (0600) at the first start. */
export function ensureAdminToken(dataDir: string): { token: string; file: string; created: boolean } {
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(file)) {
    const token = readFileSync(file, "utf8").trim();
    if (!/^[0-9a-f]{64}$/.test(token)) throw new Error(`${file} does not hold an admin token (64 hex digits); delete it and start again to make a new one`);
    // Someone may have copied it in with a looser mode: it grants everything, so keep it to its owner.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return { token, file, created: false };
  }
  const token = randomBytes(32).toString("hex");
  // `wx`: two daemons started at once on one directory must not make two tokens.
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: "wx" });
  return { token, file, created: true };
}

/** Compares in time independent of where the texts differ (both are hashed first, so their lengths do not show either). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** The admin token: everything, on every list. */
export function adminAuthorizer(adminToken: string): Authorizer {
  return (token) => {
    if (token === undefined) return { ok: false, why: "No token was sent" };
    return sameSecret(token, adminToken) ? { ok: true } : { ok: false, why: "The token is not valid on this server" };
  };
}

/** The token an `Authorization: Bearer TOKEN` header carries. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m ? m[1] : undefined;
}
