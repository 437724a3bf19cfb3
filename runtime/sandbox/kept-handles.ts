/**
 * What a kept context holds per list between runs (kept-members.ts, kept-input.ts): a QuickJS handle per list,
 * least recently used first, within a count and a number of characters (a share of the context's memory limit).
 */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import type { SandboxError } from "./types.js";

/** A handle made for a list's run, or why it could not be. */
export type Made = { ok: true; handle: QuickJSHandle } | { ok: false; error: SandboxError };

export interface Kept {
  chars: number;
  handle: QuickJSHandle;
}

export class KeptHandles<T extends Kept> {
  /** Key: the list, "" for runs that name none. */
  private readonly lists = new Map<string, T>();
  private chars = 0;

  constructor(private readonly maxLists: number) {}

  peek(listKey: string): T | undefined {
    return this.lists.get(listKey);
  }

  /** The list's entry, out of the kept ones until `put` back; the caller disposes it when it is not. */
  take(listKey: string): T | undefined {
    const kept = this.lists.get(listKey);
    if (kept) {
      this.lists.delete(listKey);
      this.chars -= kept.chars;
    }
    return kept;
  }

  /** Keeps an entry as the most recently used. */
  put(listKey: string, kept: T): void {
    this.lists.set(listKey, kept);
    this.chars += kept.chars;
  }

  /** Drops the least recently used entries beyond the count or the characters; the last run's stays. */
  trim(maxChars: number): void {
    for (const listKey of this.lists.keys()) {
      if (this.lists.size <= 1 || (this.lists.size <= this.maxLists && this.chars <= maxChars)) break;
      this.take(listKey)!.handle.dispose();
    }
  }

  /** Gives every kept handle back (the bundle is evicted from a context that stays). */
  dispose(): void {
    for (const kept of this.lists.values()) kept.handle.dispose();
    this.lists.clear();
    this.chars = 0;
  }
}
