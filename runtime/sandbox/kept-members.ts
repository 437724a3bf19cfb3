/**
 * The members lists a kept context holds for the bundle loaded in it (engine.ts, reuse strategy): each list's
 * members made into frozen columns once and passed to each run while they stay the same, kept by the store's
 * members version when the run names one, else compared in full.
 */
import type { MemberColumns } from "../../contract/input.js";
import { type Kept, KeptHandles, type Made } from "./kept-handles.js";

/** Member lists kept per context, and their characters (a share of the context's memory limit). */
const MAX_KEPT_MEMBERS = 1024;
export const KEPT_MEMBERS_SHARE = 1 / 32;

interface KeptMembers extends Kept {
  version?: string;
  text?: MemberColumns;
}

/** The members kept for each list (KeptHandles: least recently used first, within a count and characters). */
export class MemberLists extends KeptHandles<KeptMembers> {
  constructor() {
    super(MAX_KEPT_MEMBERS);
  }

  /** The members version kept for this list, if any. */
  version(listKey: string): string | undefined {
    return this.peek(listKey)?.version;
  }

  /**
   * The list's columns for a run: the kept ones while the same (by `version` when given, else compared with
   * `members` in full), else made from `members` by `make` and kept. `reused`: kept ones matched by version.
   */
  keep(listKey: string, version: string | undefined, members: MemberColumns | undefined, make: (m: MemberColumns) => Made): Made & { reused?: boolean } {
    const kept = this.take(listKey);
    const byVersion = version !== undefined;
    const same = kept && (byVersion ? kept.version === version : members !== undefined && kept.text !== undefined && sameColumns(kept.text, members));
    if (same) {
      this.put(listKey, kept!);
      return { ok: true, handle: kept!.handle, reused: byVersion };
    }
    kept?.handle.dispose();
    const made = make(members!);
    if (!made.ok) return made;
    const chars = members!.address.length + members!.name.length + members!.role.length + members!.joined.length + (members!.bounces?.length ?? 0);
    this.put(listKey, { ...(byVersion ? { version } : { text: members! }), chars, handle: made.handle });
    return made;
  }
}

/** Compared in full: equal strings compare in microseconds, and a members list that changed must never pass for the old one. */
function sameColumns(a: MemberColumns, b: MemberColumns): boolean {
  return a.address === b.address && a.name === b.name && a.role === b.role && a.joined === b.joined && (a.bounces ?? "") === (b.bounces ?? "");
}
