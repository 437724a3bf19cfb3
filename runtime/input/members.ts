/**
 * Members files: the list's members as the CLI (`thwonkc run --members`)
 * and the admin API take them.
 *
 *  - text: one member a line, `ann@example.org` or `Ann Lee <ann@example.org>`
 *    (the name may be quoted), `#` starts a comment, blank lines are skipped;
 *  - JSON: an array of addresses or of `{ address, name?, role?, joined?, bounces? }`
 *    (`joined` as epoch ms or an ISO 8601 date).
 *
 * Order is kept: it is the order the rule walks members in. A bad entry is
 * reported with where it is and left out; the rest is still read.
 */
import { runtimeMessages } from "../../contract/messages.js";
import { mailboxAddress } from "./decode.js";
import { memberFieldProblem } from "./limits.js";
import { ROLES, type InputProblem, type MemberJson, type Role } from "./types.js";

export interface MembersOptions {
  /** When members without a `joined` time joined; default 0 (the epoch). Pass the run's `now` for "just now". */
  joined?: number;
  /** The file's name, for messages (`members.txt:3`). */
  source?: string;
}

export interface MemberProblem extends InputProblem {
  /** The 1-based line (text form) or entry (JSON form). */
  line: number;
}

export interface MembersResult {
  members: MemberJson[];
  problems: MemberProblem[];
}

/** Reads either form: JSON when the text starts with `[`, lines otherwise. */
export function readMembers(text: string, options: MembersOptions = {}): MembersResult {
  return text.trimStart().startsWith("[") ? parseMembersJson(text, options) : parseMembersText(text, options);
}

export function parseMembersText(text: string, options: MembersOptions = {}): MembersResult {
  const out = new Collector(options, "line");
  text.split(/\r\n|\n|\r/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, "").trim(); // `#` after white space: `a#b@x.org` is an address
    if (line === "") return;
    const m = /^(.*?)\s*<([^<>]*)>$/.exec(line);
    const name = m ? unquote(m[1]!) : "";
    const address = m ? m[2]! : line;
    out.add(i + 1, { address, name });
  });
  return out.result();
}

export function parseMembersJson(json: string | unknown, options: MembersOptions = {}): MembersResult {
  const out = new Collector(options, "entry");
  let data: unknown = json;
  if (typeof json === "string") {
    try {
      data = JSON.parse(json);
    } catch (e) {
      out.problem(1, `the file is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
      return out.result();
    }
  }
  if (!Array.isArray(data)) {
    out.problem(1, "the JSON form is an array of addresses or of { address, name, role, joined } objects");
    return out.result();
  }
  data.forEach((e: unknown, i) => {
    if (typeof e === "string") out.add(i + 1, { address: e, name: "" });
    else if (e !== null && typeof e === "object" && typeof (e as { address?: unknown }).address === "string") out.add(i + 1, e as Entry);
    else out.problem(i + 1, "an entry is an address or an object with an `address` string");
  });
  return out.result();
}

interface Entry {
  address: string;
  name?: unknown;
  role?: unknown;
  joined?: unknown;
  /** For a dry run: the member's bounce count (the daemon counts them itself). */
  bounces?: unknown;
}

class Collector {
  private readonly members: MemberJson[] = [];
  private readonly problems: MemberProblem[] = [];
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly options: MembersOptions,
    private readonly unit: "line" | "entry",
  ) {}

  problem(line: number, reason: string): void {
    const where = this.options.source ? `${this.options.source}:${line}` : `${this.unit} ${line}`;
    const m = runtimeMessages.badMember;
    this.problems.push({ code: m.code, message: m.format(where, reason), line });
  }

  add(line: number, e: Entry): void {
    // As people write it: a domain in Unicode is that domain in ASCII (`用户@例子.广告`), as ingress reads it.
    const address = mailboxAddress(e.address);
    if (address === undefined) return this.problem(line, `${JSON.stringify(e.address)} is not an e-mail address`);
    const first = this.seen.get(address);
    if (first !== undefined) return this.problem(line, `${address} is already listed (${this.unit} ${first})`);
    if (e.name !== undefined && typeof e.name !== "string") return this.problem(line, "`name` must be a string");
    if (e.role !== undefined && !ROLES.includes(e.role as Role)) {
      return this.problem(line, `the role ${JSON.stringify(e.role)} is not one of ${ROLES.join(", ")}`);
    }
    const joined = readJoined(e.joined, this.options.joined ?? 0);
    if (joined === undefined) return this.problem(line, `\`joined\` ${JSON.stringify(e.joined)} is not a time (epoch ms or ISO 8601)`);
    const member: MemberJson = { address, name: e.name ?? "", role: (e.role as Role | undefined) ?? "member", joined };
    if (e.bounces !== undefined) member.bounces = e.bounces as number;
    const bad = memberFieldProblem(member);
    if (bad) return this.problem(line, bad);
    this.seen.set(address, line);
    this.members.push(member);
  }

  result(): MembersResult {
    return { members: this.members, problems: this.problems };
  }
}

/** `"Lee, Ann"` → `Lee, Ann`; backslash escapes as in RFC 5322 quoted strings. */
function unquote(s: string): string {
  const t = s.trim();
  return /^".*"$/.test(t) ? t.slice(1, -1).replace(/\\(.)/g, "$1") : t;
}

function readJoined(v: unknown, fallback: number): number | undefined {
  if (v === undefined || v === null) return fallback;
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v)) {
    const t = Date.parse(/T.*(Z|[+-]\d{2}:?\d{2})$|^\d{4}-\d{2}-\d{2}$/i.test(v) ? v : v + "Z");
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
