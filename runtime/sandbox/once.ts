/**
 * One run in the calling thread, without a worker: for the CLI's dry run and
 * rule tests. Same engine and limits as the pool (fresh context), except that
 * nothing can stop a built-in that never polls the interrupt handler: the
 * pool's watchdog lives in the main thread, and here there is none.
 */
import { Engine } from "./engine.js";
import { resolveLimits, type MemberColumns, type SandboxLimits, type SandboxResult } from "./types.js";

export async function runOnce(code: string, trigger: string, inputJson: string, limits: Partial<SandboxLimits> = {}, members?: MemberColumns): Promise<SandboxResult> {
  const engine = new Engine({ limits: resolveLimits(limits), strategy: "fresh" });
  return (await engine.run(code, "", trigger, inputJson, members)).result;
}
