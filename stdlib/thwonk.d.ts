// Generated from the stdlib declaration (stdlib/index.ts, version 0.4.0) by scripts/thwonk-dts.js.
// Do not edit: run `npm run build && node scripts/thwonk-dts.js`. See docs/typescript.md.

// The global types TypeScript needs under noLib, and no more: they have no values.
interface Boolean {}
interface Function {}
interface CallableFunction {}
interface NewableFunction {}
interface IArguments {}
interface Object {}
interface RegExp {}
interface SymbolConstructor {
  readonly iterator: unique symbol;
}
declare var Symbol: SymbolConstructor;
interface IteratorYieldResult<T> {
  done?: false;
  value: T;
}
interface IteratorReturnResult<T> {
  done: true;
  value: T;
}
type IteratorResult<T, R = undefined> = IteratorYieldResult<T> | IteratorReturnResult<R>;
interface Iterator<T, R = undefined, N = undefined> {
  next(...args: [] | [N]): IteratorResult<T, R>;
}
interface Iterable<T, R = undefined, N = undefined> {
  [Symbol.iterator](): Iterator<T, R, N>;
}
interface IterableIterator<T, R = undefined, N = undefined> extends Iterator<T, R, N> {
  [Symbol.iterator](): IterableIterator<T, R, N>;
}
interface TemplateStringsArray {}

/**
 * A whole number (a safe integer: at most 2^53 − 1 in size). `/` divides rounding toward zero; dividing by zero stops the trigger.
 */
interface Number {
  /**
   * The absolute value.
   */
  abs(): number;
}
/**
 * Unicode text. Every length and position counts characters (Unicode code points: an emoji is one, a lone surrogate is one); nothing splits a character.
 */
interface String {
  /**
   * The number of characters (code points): `"😀a".codePointLength` is 2.
   * Counts code points: JavaScript's `length` counts UTF-16 units (`"😀".length` is 2), so a `.ts` rule spells this `codePointLength`.
   */
  readonly codePointLength: number;
  /**
   * `true` when the string has no characters.
   */
  isEmpty(): boolean;
  /**
   * The first `n` code points of the string (all of it when it is shorter). Never splits a character.
   * @param n How many code points to keep.
   */
  truncate(n: number): string;
  /**
   * The code points from `start` up to (not including) `end`; `end` defaults to the end of the string. Negative positions count from the end.
   * Positions in code points: JavaScript's `slice` counts UTF-16 units, so a `.ts` rule spells this `codePointSlice`.
   */
  codePointSlice(start: number, end?: number): string;
  /**
   * `true` when `s` occurs in the string.
   */
  contains(s: string): boolean;
  /**
   * `true` when the string begins with `prefix`.
   */
  startsWith(prefix: string): boolean;
  /**
   * `true` when the string ends with `suffix`.
   */
  endsWith(suffix: string): boolean;
  /**
   * The string in lower case (Unicode default case mapping; `İ` becomes `i̇`, two characters).
   */
  lower(): string;
  /**
   * The string in upper case (Unicode default case mapping; `ß` becomes `SS`, `ﬃ` becomes `FFI`): up to three times as long.
   */
  upper(): string;
  /**
   * The string without white space at either end.
   */
  trim(): string;
  /**
   * The pieces of the string between occurrences of `sep`. An empty `sep` splits into code points.
   */
  split(sep: string): Array<string>;
  /**
   * The lines of the string (split at `\n`, `\r\n` or `\r`).
   */
  lines(): Array<string>;
  /**
   * The string with every occurrence of `old` replaced by `new`. An empty `old` replaces nothing.
   */
  replace(old: string, replacement: string): string;
  /**
   * The string with `&`, `<`, `>`, `"` and `'` written as HTML entities, safe to put in a page or an attribute: up to six times as long.
   */
  escapeHtml(): string;
  /**
   * The position (in characters, as `codePointSlice` counts them) of the first occurrence of `s`, or none.
   * A position in code points, and `undefined` when absent: JavaScript's `indexOf` counts UTF-16 units and gives -1, so a `.ts` rule spells this `codePointIndexOf`.
   */
  codePointIndexOf(s: string): number | undefined;
  /**
   * `true` when the whole string matches `pattern`, where `*` stands for any characters (none too) and `?` for exactly one; `\*`, `\?` and `\\` are a literal `*`, `?` and `\` (Sieve's `:matches`). With `ignoreCase: true`, characters are compared ignoring case (Unicode simple case folding: `É` matches `é`).
   * @param ignoreCase Compare ignoring case; default `false`.
   */
  matches(pattern: string, ignoreCase?: boolean): boolean;
  /**
   * The string as an int: decimal digits with an optional `+` or `-`, nothing else (no spaces). None when it is not such a number or is outside the int range (±(2^53 − 1)).
   */
  toInt(): number | undefined;
  /** The characters (code points) of the string, each a string: `s.split("")` in .thwonk (JavaScript's `split("")` splits into UTF-16 units, so a `.ts` rule spells this `codePoints()`). */
  codePoints(): Array<string>;
  /** The string with every occurrence of `old` replaced (the rule's `replace`, spelled as JavaScript spells it: `s.replace` is refused in a .ts rule, where JavaScript changes the first occurrence only). */
  replaceAll(old: string, replacement: string): string;
}
/**
 * An ordered list of values. `for x in list` walks its elements.
 */
interface Array<T> {
  /**
   * The number of elements.
   */
  readonly size: number;
  /**
   * `true` when the list has no elements.
   */
  isEmpty(): boolean;
  /**
   * `true` when an element equals `x`.
   */
  contains(x: T): boolean;
  /**
   * The element at position `i` (from 0), or none when there is none. `list[i]` is the same.
   */
  get(i: number): T | undefined;
  /**
   * The first element, or none when the list is empty.
   */
  first(): T | undefined;
  /**
   * The last element, or none when the list is empty.
   */
  last(): T | undefined;
  /**
   * The elements joined into one string with `sep` between them.
   */
  join(this: Array<string>, sep: string): string;
  /**
   * Adds `x` at the end of the list.
   */
  push(x: T): void;
  /**
   * A new list of the first `n` elements (all of them when the list is shorter; none when `n` ≤ 0). The elements themselves are not copied: a list or map inside is the same one (use `copy()` for a list that shares nothing).
   * @param n How many elements to keep.
   */
  take(n: number): Array<T>;
  /**
   * A deep copy: a new list whose lists, maps and records (at every depth) are new too, so changing one never changes the other.
   */
  copy(): Array<T>;
  /**
   * A new list of the same elements in ascending order (numbers and times from the smallest, earliest, durations from the shortest; strings by their UTF-16 units, as `<` compares them); equal elements keep their order (a stable sort). The list itself is not changed. On lists of `int`, `string`, `Address`, `Time` and `Duration`.
   * A new list: JavaScript's `sort()` sorts the array in place and compares as strings (`[10, 9]` stays `[10, 9]`), so a `.ts` rule spells this `sorted()`.
   */
  sorted(): Array<T>;
  /**
   * A new list of the same records in ascending order of the field named `field` (a string literal naming a field of type `int`, `string`, `Address`, `Time` or `Duration`, checked when the rule is); records with equal fields keep their order (a stable sort). The list itself is not changed.
   * A new list, as `sorted()`.
   * @param field The name of the field to sort by, as a literal: `sortedBy("joined")`.
   */
  sortedBy(field: string): Array<T>;
  /**
   * A new list of the elements from position `start` up to (not including) `end`; `end` defaults to the end of the list. Negative positions count from the end (`slice(-3)` is the last three). The elements themselves are not copied, as with `take`.
   */
  slice(start: number, end?: number): Array<T>;
  /**
   * Removes every element equal to `x` (as `contains` compares), keeping the others in their order; nothing when there is none. Changes the list, as `push` does.
   */
  remove(x: T): void;
  /**
   * The elements as they read in a string (`{x}`: an int as digits, a Time as `2026-11-25T09:00:00+01:00`, a Duration as `3d`, an Address as itself) joined into one string with `sep` between them. Written `join(sep)`, on lists of `int`, `bool`, `Address`, `Time` and `Duration`.
   */
  join(sep: string): string;
  [Symbol.iterator](): Iterator<T>;
}

declare module "thwonk" {
  /** An integer (a TypeScript `number`; division truncates toward zero). */
  export type int = number;
  /** `true` or `false`. */
  export type bool = boolean;
  /** A string of at most N characters (`string max N` in .thwonk). */
  export type Text<N extends number> = string & { readonly __max?: N };
  /** A list of at most N elements when N is given (`List<T> max N`). It is a TypeScript array with the stdlib's methods only. */
  export type List<T, N extends number = number> = Array<T> & { readonly __max?: N };
  /** An empty list, `new List<T, N>()` (`[]` in .thwonk, where the type says the rest). */
  export const List: { new <T, N extends number = number>(): List<T, N> };
  /** An empty map, `new Map<K, V, N>()`, or one with entries, `new Map([[k, v]])` (`{}`, `{ k: v }` in .thwonk). */
  export const Map: { new <K, V, N extends number = number>(entries?: [K, V][]): Map<K, V, N> };
  /** A duration literal: `days(1)` is `1d` in .thwonk. */
  export function weeks(n: int): Duration; // w
  export function days(n: int): Duration; // d
  export function hours(n: int): Duration; // h
  export function minutes(n: int): Duration; // m
  export function seconds(n: int): Duration; // s
  export function milliseconds(n: int): Duration; // ms
  /** A scheduled trigger: `every("day at 00:00", () => { ... })` is `every day at 00:00 { ... }` in .thwonk. */
  export function every(schedule: string, body: () => void): void;
  /** A time literal: `time("2026-11-25T09:00:00Z")` is `2026-11-25T09:00:00Z` in .thwonk. */
  export function time(iso: string): Time;
  /** An address literal, checked at compile time: `email("ann@example.org")` is `"ann@example.org"` where .thwonk expects an Address. */
  export function email(literal: string): Address;
  /**
   * An e-mail address such as `ann+news@example.org`. Two addresses are equal when their local parts are equal and their domains are equal ignoring case. A string literal is accepted where an Address is expected.
   */
  export interface Address {
    readonly __address?: never;
    /**
     * The part before `@` (with its `+tag`).
     */
    readonly local: string;
    /**
     * The part after `@`, in lower case.
     */
    readonly domain: string;
    /**
     * The `+tag` of the local part (`news` in `ann+news@example.org`), or none.
     */
    readonly tag: string | undefined;
  }
  /**
   * A moment in time. Its calendar fields are read in the rule's time zone (setting `timezone`). `Time - Time` is a Duration; `Time + Duration` and `Time - Duration` are Times. In a string it reads as `2026-11-25T09:00:00+01:00`.
   */
  export interface Time {
    readonly __time?: never;
    /**
     * The year, e.g. 2026.
     */
    readonly year: int;
    /**
     * The month, 1 (January) to 12.
     */
    readonly month: int;
    /**
     * The day of the month, 1 to 31.
     */
    readonly day: int;
    /**
     * The hour, 0 to 23.
     */
    readonly hour: int;
    /**
     * The minute, 0 to 59.
     */
    readonly minute: int;
    /**
     * The day of the week in lower case English: `monday` … `sunday`.
     */
    readonly weekday: string;
    /**
     * The calendar date as `YYYY-MM-DD`.
     */
    readonly date: string;
    /**
     * `true` when both times fall on the same calendar day in the rule's time zone.
     */
    sameDay(other: Time): boolean;
    /**
     * Midnight at the start of this time's day, in the rule's time zone.
     */
    startOfDay(): Time;
    /** The time a duration later (`t + d` in .thwonk). */
    plus(d: Duration): Time;
    /** The time a duration earlier (`t - d` in .thwonk). */
    minus(d: Duration): Time;
    /** The time between this time and an earlier one (`t - u` in .thwonk). */
    minus(t: Time): Duration;
  }
  /**
   * A length of time, such as `90m` or `1d`. Durations add and subtract, and multiply or divide by an int.
   */
  export interface Duration {
    readonly __duration?: never;
    /**
     * Whole days.
     */
    readonly days: int;
    /**
     * Whole hours.
     */
    readonly hours: int;
    /**
     * Whole minutes.
     */
    readonly minutes: int;
    /**
     * Whole seconds.
     */
    readonly seconds: int;
    /**
     * Milliseconds.
     */
    readonly ms: int;
    /** Adds two durations (`d + e` in .thwonk). */
    plus(d: Duration): Duration;
    /** Subtracts a duration (`d - e` in .thwonk). */
    minus(d: Duration): Duration;
    /** The duration times a number (`d * n` in .thwonk). */
    times(n: int): Duration;
    /** The duration divided by a number, rounding toward zero (`d / n` in .thwonk). */
    div(n: int): Duration;
  }
  /**
   * A map from keys to values. `for k in map` walks the keys; `for k, v in map` the keys and their values.
   */
  export interface Map<K, V, N extends number = number> {
    readonly __map?: N;
    /**
     * The number of entries.
     */
    readonly size: int;
    /**
     * `true` when the map has no entries.
     */
    isEmpty(): boolean;
    /**
     * The value for `k`, or none when there is none. `map[k]` is the same.
     */
    get(k: K): V | undefined;
    /**
     * `true` when the map has an entry for `k`.
     */
    has(k: K): boolean;
    /**
     * Sets the value for `k`.
     */
    set(k: K, v: V): void;
    /**
     * Removes the entry for `k`, if any.
     */
    remove(k: K): void;
    /**
     * The keys, in insertion order.
     */
    keys(): List<K>;
    /**
     * The values, in the order of their keys.
     */
    values(): List<V>;
    /**
     * A deep copy: a new map whose lists, maps and records (at every depth) are new too, so changing one never changes the other.
     */
    copy(): Map<K, V>;
    /** Only in `for (const [k, v] of map.entries())`, which is `for k, v in map` in .thwonk. */
    entries(): Iterable<[K, V]>;
    [Symbol.iterator](): Iterator<K>;
  }
  /**
   * A message's header fields. Names are matched ignoring case. In a test, a map literal such as `{ "List-Id": "<news.example.org>" }` gives them.
   */
  export interface Headers {
    readonly __headers?: never;
    /**
     * The value of the first header field called `name`, decoded (RFC 2047 encoded words such as `=?UTF-8?Q?Zo=C3=AB?=` read as `Zoë`, on one line), or none. `raw(name)` gives it as written.
     */
    get(name: string): string | undefined;
    /**
     * `true` when the message has a header field called `name`.
     */
    has(name: string): boolean;
    /**
     * The values of every header field called `name`, in order, decoded as `get` decodes them.
     */
    all(name: string): List<string>;
    /**
     * The value of the first header field called `name` as written (unfolded, encoded words left as they are), or none.
     */
    raw(name: string): string | undefined;
  }
  /**
   * A file attached to a message.
   */
  export interface Attachment {
    readonly __attachment?: never;
    /**
     * The file name the sender gave, or none.
     */
    readonly filename: string | undefined;
    /**
     * The MIME type, e.g. `application/pdf`.
     */
    readonly contentType: string;
    /**
     * The size in bytes.
     */
    readonly size: int;
  }
  /**
   * The SMTP envelope: who handed the message to the list, and which address they used.
   */
  export interface Envelope {
    readonly __envelope?: never;
    /**
     * The MAIL FROM address; none for bounces (`MAIL FROM:<>`).
     */
    readonly sender: Address | undefined;
    /**
     * The list address as used (with its `-request` or `+tag` form).
     */
    readonly recipient: Address;
    /**
     * `true` when the message was sent to the `-request` address. A rule that reads it answers that address itself; a rule that never does has thwonkd answer it (unsubscribe with a confirmation, help) and never sees that mail.
     */
    readonly isRequest: boolean;
    /**
     * The `+tag` of the address used, or none.
     */
    readonly tag: string | undefined;
  }
  /**
   * An incoming message. Its header fields are the sender's claims; `now` is when it arrived.
   */
  export interface Message {
    readonly __message?: never;
    /**
     * The author (the From header).
     */
    readonly from: Address;
    /**
     * The To addresses.
     */
    readonly to: List<Address>;
    /**
     * The Cc addresses.
     */
    readonly cc: List<Address>;
    /**
     * The subject (empty when there is none).
     */
    readonly subject: string;
    /**
     * The plain-text body (derived from the HTML part when there is no text part).
     */
    readonly text: string;
    /**
     * The HTML body, or none.
     */
    readonly html: string | undefined;
    /**
     * All header fields.
     */
    readonly headers: Headers;
    /**
     * The attached files.
     */
    readonly attachments: List<Attachment>;
    /**
     * The Date header: the sender's claim, not the clock (use `now` for the arrival time). None when absent or unreadable.
     */
    readonly date: Time | undefined;
    /**
     * The Message-ID (without angle brackets).
     */
    readonly messageId: string;
    /**
     * The SMTP envelope.
     */
    readonly envelope: Envelope;
    /**
     * `true` when a list owner approved this message after a `hold`: the daemon runs the rule again on it with `approved` true and `now` the approval time. `false` on arrival.
     */
    readonly approved: boolean;
    /**
     * The display name of the From header, decoded (`Zoë` for `=?UTF-8?Q?Zo=C3=AB?= <zoe@example.org>`); empty when it has none.
     */
    readonly fromName: string;
    /**
     * The first address of the Reply-To header, or none.
     */
    readonly replyTo: Address | undefined;
    /**
     * `true` for automatic mail that must not be answered automatically: an `Auto-Submitted` header other than `no` (RFC 3834), `Precedence: bulk`, `list`, `junk` or `auto_reply`, an `X-Autoreply` header other than `no`, an `X-Autorespond` header, an `X-Auto-Response-Suppress` header naming `All`, `OOF` or `AutoReply`, a `List-Id` header, or no envelope sender (a bounce).
     */
    isAutomated(): boolean;
  }
  /**
   * A member's role: `"member"`, `"moderator"` or `"owner"`.
   */
  export type Role = "member" | "moderator" | "owner";
  /**
   * A member of the list.
   */
  export interface Member {
    readonly __member?: never;
    /**
     * The member's address.
     */
    readonly address: Address;
    /**
     * The member's name (empty when unknown).
     */
    readonly name: string;
    /**
     * The member's role.
     */
    readonly role: Role;
    /**
     * When the member joined.
     */
    readonly joined: Time;
    /**
     * How many delivery failures (bounces: RFC 3464 reports of a permanent failure) were recorded for the member since they joined; 0 for a member added in this run.
     */
    readonly bounces: int;
  }
  /**
   * The members of the list (at most `limits.members`). `for m in members` walks them as Member records, in the order they joined.
   */
  export interface Members {
    readonly __members?: never;
    /**
     * The number of members.
     */
    readonly size: int;
    /**
     * `true` when `a` is a member.
     */
    has(a: Address): boolean;
    /**
     * The member with address `a`, or none.
     */
    get(a: Address): Member | undefined;
    /**
     * The members whose role is `owner`.
     */
    owners(): List<Member>;
    /**
     * Subscribes `a` (with an optional display name, kept to its first 256 UTF-16 code units). Does nothing when `a` is already a member; a list already at `limits.members` is an error.
     */
    add(a: Address, name?: string): void;
    /**
     * Unsubscribes `a`. Does nothing when `a` is not a member.
     */
    remove(a: Address): void;
    [Symbol.iterator](): Iterator<Member>;
  }
  /**
   * The list this rule runs for.
   */
  export interface ListInfo {
    readonly __listinfo?: never;
    /**
     * The list's address.
     */
    readonly address: Address;
    /**
     * The list's display name.
     */
    readonly name: string;
    /**
     * The addresses of the list's owners.
     */
    readonly owners: List<Address>;
    /**
     * A token for `text` that only this list can make, valid until `expires` (for a double opt-in: mail it, and `verify` the token that comes back). An HMAC-SHA256 over the list's address, the expiry and the text with a secret key of the list that rules never see; letters, digits, `.`, `-` and `_` only, at most 56 characters, so it fits in a subject or a link. `thwonkc run` and `thwonkc test` sign with a fixed, public test key.
     * @param text What the token vouches for, such as the address to subscribe.
     * @param expires Until when `verify` accepts it, such as `now + 3d`.
     */
    sign(text: string, expires: Time): string;
    /**
     * `true` when `token` is one this list made with `sign` for exactly this `text`, and its expiry is not before `now`; `false` for any other token (another list's or text's, altered, cut short, expired). Compared in constant time.
     */
    verify(token: string, text: string): boolean;
  }
  /**
   * Whom to send to: one address, a list of addresses, a member, a list of members, or `members` (everyone).
   */
  export type Recipients = Address | List<Address> | Member | List<Member> | Members;
  /**
   * On whose behalf a message goes out: `"list"` (the list's address) or `"sender"` (the author of the message being handled).
   */
  export type SendFrom = "list" | "sender";
  /**
   * An IANA time zone name such as `"Europe/Paris"` or `"UTC"`.
   */
  export type TimeZone = string;
  /**
   * The members of the list.
   */
  export const members: Members;
  /**
   * The list this rule runs for: its address, name and owners.
   */
  export const list: ListInfo;
  /**
   * The time the message arrived, or the time a scheduled trigger was due. Not the Date header (that is `m.date`, the sender's claim).
   */
  export const now: Time;
  /**
   * Sends a new message. By default it comes from the list's address; `from: "sender"` sends it on behalf of the author of the message being handled, and `replyTo` says where answers go.
   * @param to Whom to send to: an address, a member, a list of either, or `members`.
   * @param text The plain-text body.
   * @param html An HTML body, sent alongside the text.
   * @param from `"list"` (the default) or `"sender"`.
   * @param replyTo `"list"` or `"sender"`; no Reply-To when absent.
   * @param thread A message this one answers: it goes in that message's thread (In-Reply-To its Message-ID, References its thread and it).
   */
  export function send(to: Recipients, subject: string, text: string, html?: string, from?: SendFrom, replyTo?: SendFrom, thread?: Message): void;
  /**
   * Sends a new message. By default it comes from the list's address; `from: "sender"` sends it on behalf of the author of the message being handled, and `replyTo` says where answers go.
   * @param to Whom to send to: an address, a member, a list of either, or `members`.
   * @param text The plain-text body.
   * @param html An HTML body, sent alongside the text.
   * @param from `"list"` (the default) or `"sender"`.
   * @param replyTo `"list"` or `"sender"`; no Reply-To when absent.
   * @param thread A message this one answers: it goes in that message's thread (In-Reply-To its Message-ID, References its thread and it).
   */
  export function send(to: Recipients, subject: string, text: string, named?: { html?: string; from?: SendFrom; replyTo?: SendFrom; thread?: Message }): void;
  /**
   * Sends a new message. By default it comes from the list's address; `from: "sender"` sends it on behalf of the author of the message being handled, and `replyTo` says where answers go.
   * @param to Whom to send to: an address, a member, a list of either, or `members`.
   * @param text The plain-text body.
   * @param html An HTML body, sent alongside the text.
   * @param from `"list"` (the default) or `"sender"`.
   * @param replyTo `"list"` or `"sender"`; no Reply-To when absent.
   * @param thread A message this one answers: it goes in that message's thread (In-Reply-To its Message-ID, References its thread and it).
   */
  export function send(to: Recipients, subject: string, named: { text: string; html?: string; from?: SendFrom; replyTo?: SendFrom; thread?: Message }): void;
  /**
   * Sends a new message. By default it comes from the list's address; `from: "sender"` sends it on behalf of the author of the message being handled, and `replyTo` says where answers go.
   * @param to Whom to send to: an address, a member, a list of either, or `members`.
   * @param text The plain-text body.
   * @param html An HTML body, sent alongside the text.
   * @param from `"list"` (the default) or `"sender"`.
   * @param replyTo `"list"` or `"sender"`; no Reply-To when absent.
   * @param thread A message this one answers: it goes in that message's thread (In-Reply-To its Message-ID, References its thread and it).
   */
  export function send(to: Recipients, named: { subject: string; text: string; html?: string; from?: SendFrom; replyTo?: SendFrom; thread?: Message }): void;
  /**
   * Sends a new message. By default it comes from the list's address; `from: "sender"` sends it on behalf of the author of the message being handled, and `replyTo` says where answers go.
   * @param to Whom to send to: an address, a member, a list of either, or `members`.
   * @param text The plain-text body.
   * @param html An HTML body, sent alongside the text.
   * @param from `"list"` (the default) or `"sender"`.
   * @param replyTo `"list"` or `"sender"`; no Reply-To when absent.
   * @param thread A message this one answers: it goes in that message's thread (In-Reply-To its Message-ID, References its thread and it).
   */
  export function send(named: { to: Recipients; subject: string; text: string; html?: string; from?: SendFrom; replyTo?: SendFrom; thread?: Message }): void;
  /**
   * Replies to the author of `m`, from the list's address, with the subject `Re: …` unless one is given.
   * @param m The message to answer.
   */
  export function reply(m: Message, text: string, subject?: string): void;
  /**
   * Replies to the author of `m`, from the list's address, with the subject `Re: …` unless one is given.
   * @param m The message to answer.
   */
  export function reply(m: Message, text: string, named?: { subject?: string }): void;
  /**
   * Replies to the author of `m`, from the list's address, with the subject `Re: …` unless one is given.
   * @param m The message to answer.
   */
  export function reply(m: Message, named: { text: string; subject?: string }): void;
  /**
   * Replies to the author of `m`, from the list's address, with the subject `Re: …` unless one is given.
   * @param m The message to answer.
   */
  export function reply(named: { m: Message; text: string; subject?: string }): void;
  /**
   * Forwards `m` to `to` as it came (attachments, HTML, signatures and threading kept), on behalf of its author with the list's envelope; with a new `subject` and a `footer` added to its text and HTML when given.
   * @param subject A new subject (m's own when absent), e.g. `"[{list.name}] {m.subject}"`.
   * @param footer Text added after m's body: at the end of its text part and before `</body>` of its HTML part; a signed or encrypted message gets it as a part of its own, so its signature still verifies.
   */
  export function forward(m: Message, to: Recipients, subject?: string, footer?: string): void;
  /**
   * Forwards `m` to `to` as it came (attachments, HTML, signatures and threading kept), on behalf of its author with the list's envelope; with a new `subject` and a `footer` added to its text and HTML when given.
   * @param subject A new subject (m's own when absent), e.g. `"[{list.name}] {m.subject}"`.
   * @param footer Text added after m's body: at the end of its text part and before `</body>` of its HTML part; a signed or encrypted message gets it as a part of its own, so its signature still verifies.
   */
  export function forward(m: Message, to: Recipients, named?: { subject?: string; footer?: string }): void;
  /**
   * Forwards `m` to `to` as it came (attachments, HTML, signatures and threading kept), on behalf of its author with the list's envelope; with a new `subject` and a `footer` added to its text and HTML when given.
   * @param subject A new subject (m's own when absent), e.g. `"[{list.name}] {m.subject}"`.
   * @param footer Text added after m's body: at the end of its text part and before `</body>` of its HTML part; a signed or encrypted message gets it as a part of its own, so its signature still verifies.
   */
  export function forward(m: Message, named: { to: Recipients; subject?: string; footer?: string }): void;
  /**
   * Forwards `m` to `to` as it came (attachments, HTML, signatures and threading kept), on behalf of its author with the list's envelope; with a new `subject` and a `footer` added to its text and HTML when given.
   * @param subject A new subject (m's own when absent), e.g. `"[{list.name}] {m.subject}"`.
   * @param footer Text added after m's body: at the end of its text part and before `</body>` of its HTML part; a signed or encrypted message gets it as a part of its own, so its signature still verifies.
   */
  export function forward(named: { m: Message; to: Recipients; subject?: string; footer?: string }): void;
  /**
   * Refuses the message with `reason` (sent back to the sender) and ends the trigger.
   */
  export function reject(reason: string): void;
  /**
   * Holds the message for a moderator, with `reason`, and ends the trigger.
   */
  export function hold(reason: string): void;
  /**
   * Writes `html` to `path` in the list's public archive (served over HTTP). Writing a path again replaces it.
   * @param path A relative path such as `2026/11/25.html`.
   */
  export function publish(path: string, html: string): void;
  /**
   * Writes `html` to `path` in the list's public archive (served over HTTP). Writing a path again replaces it.
   * @param path A relative path such as `2026/11/25.html`.
   */
  export function publish(path: string, named: { html: string }): void;
  /**
   * Writes `html` to `path` in the list's public archive (served over HTTP). Writing a path again replaces it.
   * @param path A relative path such as `2026/11/25.html`.
   */
  export function publish(named: { path: string; html: string }): void;
  /**
   * Writes a line to the rule's log (shown by `thwonkc run` and the admin API).
   */
  export function log(text: string): void;
  /**
   * Reads `s` as an e-mail address; none when it is not one.
   */
  export function address(s: string): Address | undefined;
  /**
   * The smaller of two ints.
   */
  export function min(a: int, b: int): int;
  /**
   * The smaller of two ints.
   */
  export function min(a: int, named: { b: int }): int;
  /**
   * The smaller of two ints.
   */
  export function min(named: { a: int; b: int }): int;
  /**
   * The larger of two ints.
   */
  export function max(a: int, b: int): int;
  /**
   * The larger of two ints.
   */
  export function max(a: int, named: { b: int }): int;
  /**
   * The larger of two ints.
   */
  export function max(named: { a: int; b: int }): int;
}
