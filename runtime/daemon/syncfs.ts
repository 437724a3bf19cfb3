/**
 * syncfs(2): one call writes out every file of a file system and waits for it. The outbox writer
 * (outbox-writer.ts) writes a batch of files and then syncs their file system once, where fdatasync would write out
 * and flush the disk for each file: on the disks measured (bench/daemon/outbox.js, bench/RESULTS.md) a batch of 40
 * files cost 0.12-0.15 ms of CPU a file with fdatasync each, against 0.04 with one syncfs, about what writing them
 * without any sync costs. It also writes out what other programs left unwritten on that file system: a longer wait on
 * a busy disk, off the path of any answer (the files are written after their messages were answered).
 *
 * Node has no syncfs: native/syncfs.c is built at install (scripts/build-native.js) where a C compiler is. Without it,
 * or on a kernel before Linux 5.8, whose syncfs returns success even when a write failed, the writer syncs each file.
 */
import { createRequire } from "node:module";
import { release } from "node:os";

export interface SyncFs {
  /** syncfs(2) on the file system of `fd`; throws (with `errno`) when a write failed. */
  syncfs?: (fd: number) => void;
  /** Why syncfs is not used, when it is not. */
  why?: string;
}

const ADDON = "../../../native/build/Release/thwonk_syncfs.node";

/** Linux's version as [major, minor], or undefined elsewhere. */
function linuxVersion(text = release()): [number, number] | undefined {
  if (process.platform !== "linux") return undefined;
  const m = /^(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Whether this kernel's syncfs reports a failed write (Linux 5.8 and later). */
export function reportsErrors(text = release()): boolean {
  const v = linuxVersion(text);
  return v !== undefined && (v[0] > 5 || (v[0] === 5 && v[1] >= 8));
}

let loaded: SyncFs | undefined;

/** The addon when it was built and this kernel reports failed writes; else why not. `addon`: another file (tests). */
export function loadSyncFs(addon?: string): SyncFs {
  if (loaded && addon === undefined) return loaded;
  let found: SyncFs;
  if (!reportsErrors()) found = { why: `syncfs needs Linux 5.8 or later to report a failed write; this is ${process.platform} ${release()}` };
  else {
    try {
      found = { syncfs: (createRequire(import.meta.url)(addon ?? ADDON) as { syncfs: (fd: number) => void }).syncfs };
    } catch (err) {
      found = { why: `native/ was not built (npm install builds it where a C compiler is): ${err instanceof Error ? err.message.split("\n")[0] : String(err)}` };
    }
  }
  if (addon === undefined) loaded = found;
  return found;
}
