/**
 * Signed tokens (`list.sign(text, expires)`, `list.verify(token, text)`):
 * an HMAC-SHA256 computed here, in the host, with the list's secret key,
 * which never enters the sandbox. The sandbox gets two host functions,
 * `__host_sign(list, expires, text)` and `__host_verify(list, expires, text,
 * mac)`, that read the key of the run in progress from a host-side slot
 * (set by execute.ts for the run, cleared after it): rule code can ask for a
 * MAC of what it could sign anyway, never for the key.
 *
 * The MAC covers the list's address, the expiry and the text (the prelude
 * passes the text as JSON, which writes a lone surrogate as an escape, so
 * two texts never become one). Comparison is constant-time.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";

/**
 * The key of `thwonkc run` and `thwonkc test` (and runOnce) when none is given: fixed and public, so that
 * tokens in tests are the same on every machine. It signs nothing the daemon accepts: the daemon gives each
 * list its own random key (runtime/daemon/store, created at the list's first deployment).
 */
export const TEST_TOKEN_KEY = "thwonk test signing key (public: for thwonkc run and test only)";

/** The key of the run in progress, or null between runs and for a run given none (its sign and verify then fail: TW5050). */
export interface TokenSlot {
  key: string | null;
}

/** What is signed: a version, the list, the expiry (ms since 1970) and the text, one per line (only the text may hold a newline, and it is last). */
function signed(list: string, expires: number, textJson: string): string {
  return `thwonk-token-1\n${list}\n${expires}\n${textJson}`;
}

/** The MAC, base64url (43 characters, no padding). */
export function tokenMac(key: string, list: string, expires: number, textJson: string): string {
  return createHmac("sha256", key).update(signed(list, expires, textJson), "utf8").digest("base64url");
}

/** Whether `mac` is the MAC of these parts, compared in constant time (a MAC of another length is false at once: its length is no secret). */
export function tokenMacMatches(key: string, list: string, expires: number, textJson: string, mac: string): boolean {
  const want = Buffer.from(tokenMac(key, list, expires, textJson), "utf8");
  const got = Buffer.from(mac, "utf8");
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Installs the two host functions on a context, reading the run's key from `slot`. */
export function installTokenHost(ctx: QuickJSContext, slot: TokenSlot): void {
  const str = (h: QuickJSHandle | undefined): string | undefined => (h !== undefined && ctx.typeof(h) === "string" ? ctx.getString(h) : undefined);
  const num = (h: QuickJSHandle | undefined): number | undefined => {
    const n = h !== undefined && ctx.typeof(h) === "number" ? ctx.getNumber(h) : undefined;
    return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
  };
  const sign = ctx.newFunction("__host_sign", (l, e, t) => {
    const list = str(l);
    const expires = num(e);
    const text = str(t);
    if (slot.key === null || list === undefined || expires === undefined || text === undefined) return ctx.null;
    return ctx.newString(tokenMac(slot.key, list, expires, text));
  });
  const verify = ctx.newFunction("__host_verify", (l, e, t, m) => {
    const list = str(l);
    const expires = num(e);
    const text = str(t);
    const mac = str(m);
    if (slot.key === null || list === undefined || expires === undefined || text === undefined || mac === undefined) return ctx.null;
    return tokenMacMatches(slot.key, list, expires, text, mac) ? ctx.true : ctx.false;
  });
  for (const [name, h] of [["__host_sign", sign], ["__host_verify", verify]] as const) {
    ctx.defineProp(ctx.global, name, { value: h, configurable: false, enumerable: false });
    h.dispose();
  }
}
