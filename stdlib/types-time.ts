/**
 * The declaration's time types: `Time`, `Duration` and `TimeZone`
 * (stdlib/index.ts assembles the declaration).
 */
import type { TypeDeclSpec } from "./decl.js";

export const timeTypes: Record<string, TypeDeclSpec> = {
  Time: {
    doc: "A moment in time. Its calendar fields are read in the rule's time zone (setting `timezone`). `Time - Time` is a Duration; `Time + Duration` and `Time - Duration` are Times. In a string it reads as `2026-11-25T09:00:00+01:00`.",
    maxLength: 32,
    equatable: true,
    ordered: true,
    interpolates: true,
    fields: {
      year: { type: "int", doc: "The year, e.g. 2026.", cost: 2 },
      month: { type: "int", doc: "The month, 1 (January) to 12.", cost: 2 },
      day: { type: "int", doc: "The day of the month, 1 to 31.", cost: 2 },
      hour: { type: "int", doc: "The hour, 0 to 23.", cost: 2 },
      minute: { type: "int", doc: "The minute, 0 to 59.", cost: 2 },
      weekday: { type: "string", doc: "The day of the week in lower case English: `monday` … `sunday`.", cost: 2, bound: 9 },
      date: { type: "string", doc: "The calendar date as `YYYY-MM-DD`.", cost: 2, bound: 10 },
    },
    methods: {
      sameDay: {
        doc: "`true` when both times fall on the same calendar day in the rule's time zone.",
        params: [{ name: "other", type: "Time" }],
        returns: "bool",
        walks: [],
        cost: 4,
      },
      startOfDay: {
        doc: "Midnight at the start of this time's day, in the rule's time zone.",
        params: [],
        returns: "Time",
        walks: [],
        cost: 3,
      },
    },
  },
  Duration: {
    doc: "A length of time, such as `90m` or `1d`. Durations add and subtract, and multiply or divide by an int.",
    maxLength: 32,
    equatable: true,
    ordered: true,
    interpolates: true,
    fields: {
      days: { type: "int", doc: "Whole days." },
      hours: { type: "int", doc: "Whole hours." },
      minutes: { type: "int", doc: "Whole minutes." },
      seconds: { type: "int", doc: "Whole seconds." },
      ms: { type: "int", doc: "Milliseconds." },
    },
  },
};

/** Separate: it comes after the others in the declaration's order of types. */
export const timeZoneType: TypeDeclSpec = {
  doc: "An IANA time zone name such as `\"Europe/Paris\"` or `\"UTC\"`.",
  fromStringLiteral: "timezone",
  maxLength: 64,
  equatable: true,
  interpolates: true,
};
