/**
 * The members lists a kept context holds for the bundle loaded in it (engine.ts, reuse strategy): each list's
 * members made into frozen columns once and passed to each run while they stay the same, kept by the store's
 * members version when the run names one, else compared in full.
 */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import type { MemberColumns } from "../../contract/input.js";
import type { SandboxError } from "./types.js";

/** Member lists kept per context, and their characters (a share of the context's memory limit). */
const MAX_KEPT_MEMBERS = 1024;
export const KEPT_MEMBERS_SHARE = 1 / 32;

interface KeptMembers {
  version?: string;
  text?: MemberColumns;
  chars: number;
  handle: QuickJSHandle;
}

type Made = { ok: true; handle: QuickJSHandle } | { ok: false; error: SandboxError };

export class MemberLists {
  /** Each list's members (key: the list, "" for runs that name none), least recently used first. */
  private readonly lists = new Map<string, KeptMembers>();
  private chars = 0;

  /** The members version kept for this list, if any. */
  version(listKey: string): string | undefined {
    return this.lists.get(listKey)?.version;
  }

  /**
   * The list's columns for a run: the kept ones while the same (by `version` when given, else compared with
   * `members` in full), else made from `members` by `make` and kept. `reused`: kept ones matched by version.
   */
  take(listKey: string, version: string | undefined, members: MemberColumns | undefined, make: (m: MemberColumns) => Made): Made & { reused?: boolean } {
    let kept = this.lists.get(listKey);
    this.lists.delete(listKey);
    const byVersion = version !== undefined;
    const same = kept && (byVersion ? kept.version === version : members !== undefined && kept.text !== undefined && sameColumns(kept.text, members));
    if (same) {
      this.lists.set(listKey, kept!);
      return { ok: true, handle: kept!.handle, reused: byVersion };
    }
    if (kept) this.drop(kept);
    const made = make(members!);
    if (!made.ok) return made;
    const chars = members!.address.length + members!.name.length + members!.role.length + members!.joined.length + (members!.bounces?.length ?? 0);
    kept = { ...(byVersion ? { version } : { text: members! }), chars, handle: made.handle };
    this.chars += chars;
    this.lists.set(listKey, kept);
    return made;
  }

  /** Drops the least recently used lists' members beyond the count or the characters; the last run's stay. */
  trim(maxChars: number): void {
    for (const [list, kept] of this.lists) {
      if (this.lists.size <= 1 || (this.lists.size <= MAX_KEPT_MEMBERS && this.chars <= maxChars)) break;
      this.lists.delete(list);
      this.drop(kept);
    }
  }

  /** Gives every kept list's handle back (the bundle is evicted from a context that stays). */
  dispose(): void {
    for (const kept of this.lists.values()) kept.handle.dispose();
    this.lists.clear();
    this.chars = 0;
  }

  private drop(kept: KeptMembers): void {
    kept.handle.dispose();
    this.chars -= kept.chars;
  }
}

/** Compared in full: equal strings compare in microseconds, and a members list that changed must never pass for the old one. */
function sameColumns(a: MemberColumns, b: MemberColumns): boolean {
  return a.address === b.address && a.name === b.name && a.role === b.role && a.joined === b.joined && (a.bounces ?? "") === (b.bounces ?? "");
}
