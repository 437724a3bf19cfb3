/**
 * The host side of a run's input: real mail, member lists, time zones and
 * limits → the JSON the compiled code reads; runtime errors → words.
 *
 *   const { message, size, problems } = await parseEml(raw, { listAddress, envelope });
 *   const inputJson = buildInput({ now, timeZone, list, members, state, limits, message, messageSize: size });
 *   // ... run __thwonk_run("message", inputJson) in the sandbox ...
 *   if (out.error) formatRuntimeError(out.error, "rule.thwonk");
 */
export { buildInput, assembleInput, encodeInput, type BuildInputOptions } from "./build.js";
export { formatRuntimeError, InputRefused, type FormattedRuntimeError, type RuntimeErrorLike } from "./errors.js";
export { parseEml, DEFAULT_LIST_ADDRESS, type EmlOptions, type ParsedEml } from "./eml.js";
export { addressForm, type EnvelopeGiven } from "./envelope.js";
export { parseMailDate } from "./maildate.js";
export { readMembers, parseMembersText, parseMembersJson, type MembersOptions, type MembersResult, type MemberProblem } from "./members.js";
export { offsetTransitions, offsetAt, isKnownTimeZone } from "./timezone.js";
export {
  checkMessage,
  checkHeaderFields,
  checkMembers,
  checkList,
  memberFieldProblem,
  resolveLimits,
  runtimeLimits,
  ruleLimitsOf,
  type RuleLimit,
  type RuleLimits,
} from "./limits.js";
export type * from "./types.js";
export { ROLES } from "./types.js";
export { isKept, keepJson, keptJson } from "./json-parts.js";
