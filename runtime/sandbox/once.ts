/**
 * One run in the calling thread, without a worker: for the CLI's dry run and
 * rule tests. Same engine and limits as the pool (fresh context), except that
 * nothing can stop a built-in that never polls the interrupt handler: the
 * pool's watchdog lives in the main thread, and here there is none.
 */
import { Engine } from "./engine.js";
import { TEST_TOKEN_KEY } from "./tokens.js";
import { resolveLimits, type MemberColumns, type SandboxLimits, type SandboxResult } from "./types.js";

/** `tokenKey`: the signing key of `list.sign` and `list.verify` (tokens.ts), by default the public test key. */
export async function runOnce(code: string, trigger: string, inputJson: string, limits: Partial<SandboxLimits> = {}, members?: MemberColumns, tokenKey = TEST_TOKEN_KEY): Promise<SandboxResult> {
  const engine = new Engine({ limits: resolveLimits(limits), strategy: "fresh" });
  return (await engine.run(code, "", trigger, inputJson, members, { tokenKey })).result;
}
