/**
 * thwonkd's mail-out settings made into the per-recipient preparation of
 * delivery (personal.ts): each list's VERP and one-click switches (the
 * list's own, else the daemon's `oneClick`), the one-click URLs under the
 * public URL, and the DKIM keys.
 */
import type { DaemonConfig } from "./config.js";
import type { Daemon } from "./daemon.js";
import type { DkimKeys } from "./dkim.js";
import { Personal } from "./personal.js";
import { UNSUBSCRIBE_PATH, unsubscribeToken } from "./unsubscribe.js";

/** Whether a list's mail leaves with VERP senders (its `verp` setting). */
export function verpOf(cfg: Pick<DaemonConfig, "lists">): (list: string) => boolean {
  const lists = new Map(Object.entries(cfg.lists).map(([a, s]) => [a.toLowerCase(), s]));
  return (list) => lists.get(list.toLowerCase())?.verp === true;
}

export function personalFrom(cfg: Pick<DaemonConfig, "lists" | "oneClick">, dkim: DkimKeys, key: Buffer, publicUrl: () => string, daemon: Daemon): Personal {
  const lists = new Map(Object.entries(cfg.lists).map(([a, s]) => [a.toLowerCase(), s]));
  return new Personal({
    dkim,
    verp: verpOf(cfg),
    oneClick: (list) => lists.get(list.toLowerCase())?.oneClick ?? cfg.oneClick,
    unsubscribeUrl: (list, member, joined) => `${publicUrl()}${UNSUBSCRIBE_PATH}${unsubscribeToken(key, list, member, joined)}`,
    // A removed list's mail, still delivered, has no key to be tagged under (its key was dropped with it).
    // (A list not installed at this start, its bundle missing, still has its key: its mail leaves tagged as before.)
    listKey: async (list) => (daemon.removalOf(list) !== undefined ? undefined : daemon.store.tokenKey(list)),
    member: (list, address) => daemon.store.member(list, address),
  });
}
