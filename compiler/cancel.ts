/**
 * Cancelling a check that is no longer wanted (the editor's document changed
 * again). Phases poll `isCancelled` where they loop; a cancelled check throws
 * `CheckCancelled`, which every phase's internal-error guard lets through.
 */
export type IsCancelled = () => boolean;

export class CheckCancelled extends Error {
  constructor() {
    super("the check was cancelled");
    this.name = "CheckCancelled";
  }
}

export function throwIfCancelled(isCancelled: IsCancelled | undefined): void {
  if (isCancelled?.()) throw new CheckCancelled();
}
