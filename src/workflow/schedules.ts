// When an event handler's schedule fires (LUSID's ScheduleMatchingPattern): the dates its regularity selects
// from its start date (in the schedule's time zone), moved to a business day by its businessDayAdjustment,
// at each of its times of day, up to its end date. Pure: the caller gives the instant to search from.
//
//   Day{frequency}                        every `frequency` days from the start date
//   Week{frequency, daysOfWeek}           those weekdays, every `frequency` weeks from the start date's week (weeks
//                                         begin on Monday)
//   SpecificMonth{frequency, daysOfMonth} those days, every `frequency` months from the start date's month (a day
//                                         the month does not have is skipped)
//   RelativeMonth{frequency, daysOfWeek, index}  e.g. the Second Tuesday (First..Fourth, Last)
//   Year{dates[{month, day}]}             those dates every year
// Business days are Monday to Friday (Switchboard has no holiday calendars; a schedule naming one is refused).
// Adjustments: None, Following, Previous, ModifiedFollowing / ModifiedPrevious (unless that leaves the month,
// then the other way), HalfMonthModifiedFollowing (unless that crosses the 15th or the month's end), Nearest
// (Saturday -> Friday, Sunday -> Monday). Times are SpecifiedTime {hours, minutes}.
import type { ScheduleMatchingPattern, ScheduledTimeAdjustment } from '../core/workflowEntities.ts';

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export const ADJUSTMENTS = ['None', 'Previous', 'Following', 'ModifiedPrevious', 'ModifiedFollowing', 'HalfMonthModifiedFollowing', 'Nearest'] as const;
export const RELATIVE_INDEXES = ['First', 'Second', 'Third', 'Fourth', 'Last'] as const;

const DAY_MS = 86_400_000;
/** How far ahead a search looks for the next occurrence (a yearly schedule's dates are within it). */
const HORIZON_DAYS = 3 * 366;

/** A local calendar date as days since 1970-01-01 (the civil calendar, no time zone). */
type Day = number;

const dayOf = (iso: string): Day => Math.floor(Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY_MS);
const parts = (d: Day) => {
  const t = new Date(d * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, day: t.getUTCDate(), weekday: (t.getUTCDay() + 6) % 7 };
};
const monthLength = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const isBusinessDay = (d: Day) => parts(d).weekday < 5;

const formats = new Map<string, Intl.DateTimeFormat>();
function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    format(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local wall-clock time in the zone at a UTC instant, as if it were UTC (so its difference is the offset). */
function wallClock(timeZone: string, utcMs: number): number {
  const p = Object.fromEntries(format(timeZone).formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
}

/** The instant of a local date and time in the zone (a time skipped by a clock change resolves to after it). */
export function zonedInstant(timeZone: string, day: Day, hours: number, minutes: number): number {
  const local = day * DAY_MS + (hours * 60 + minutes) * 60_000;
  const first = local - (wallClock(timeZone, local) - local);
  const second = local - (wallClock(timeZone, first) - first);
  return second;
}

/** The local date in the zone at an instant. */
export function localDay(timeZone: string, utcMs: number): Day {
  return Math.floor(wallClock(timeZone, utcMs) / DAY_MS);
}

export function adjustToBusinessDay(d: Day, rule: string): Day {
  if (rule === 'None' || isBusinessDay(d)) return d;
  const step = (from: Day, by: 1 | -1) => {
    let x = from;
    while (!isBusinessDay(x)) x += by;
    return x;
  };
  const sameMonth = (a: Day, b: Day) => parts(a).m === parts(b).m;
  switch (rule) {
    case 'Following':
      return step(d, 1);
    case 'Previous':
      return step(d, -1);
    case 'ModifiedFollowing': {
      const f = step(d, 1);
      return sameMonth(f, d) ? f : step(d, -1);
    }
    case 'ModifiedPrevious': {
      const p = step(d, -1);
      return sameMonth(p, d) ? p : step(d, 1);
    }
    case 'HalfMonthModifiedFollowing': {
      const f = step(d, 1);
      const half = (x: Day) => (parts(x).day <= 15 ? 0 : 1);
      return sameMonth(f, d) && half(f) === half(d) ? f : step(d, -1);
    }
    case 'Nearest':
      return parts(d).weekday === 5 ? d - 1 : d + 1;
    default:
      return d;
  }
}

/** Whether the regularity selects this (unadjusted) date, counting from the start date. */
function selects(r: ScheduleMatchingPattern['recurrencePattern']['dateRegularity'], start: Day, d: Day): boolean {
  if (d < start) return false;
  const p = parts(d);
  const s = parts(start);
  const months = (p.y - s.y) * 12 + (p.m - s.m);
  switch (r.type) {
    case 'Day':
      return (d - start) % r.frequency === 0;
    case 'Week': {
      const weeks = Math.floor((d - p.weekday - (start - s.weekday)) / 7);
      return weeks % r.frequency === 0 && r.daysOfWeek.includes(WEEKDAYS[p.weekday]!);
    }
    case 'SpecificMonth':
      return months % r.frequency === 0 && r.daysOfMonth.includes(p.day);
    case 'RelativeMonth': {
      if (months % r.frequency !== 0 || !r.daysOfWeek.includes(WEEKDAYS[p.weekday]!)) return false;
      if (r.index === 'Last') return p.day + 7 > monthLength(p.y, p.m);
      return Math.ceil(p.day / 7) === RELATIVE_INDEXES.indexOf(r.index as (typeof RELATIVE_INDEXES)[number]) + 1;
    }
    case 'Year':
      return r.dates.some((x) => x.month === p.m && x.day === p.day);
  }
}

/** The scheduled instants in [fromMs, toMs], in order (searching at most HORIZON_DAYS ahead of fromMs). */
export function occurrencesBetween(pattern: ScheduleMatchingPattern, fromMs: number, toMs: number): number[] {
  const tz = pattern.context.timeZone;
  const rp = pattern.recurrencePattern;
  const start = dayOf(rp.timeConstraints.startDate);
  const end = rp.timeConstraints.endDate ? dayOf(rp.timeConstraints.endDate) : Infinity;
  const first = Math.max(start, localDay(tz, fromMs) - 7);
  const last = Math.min(localDay(tz, Math.min(toMs, fromMs + HORIZON_DAYS * DAY_MS)) + 7, end + 7);
  const out: number[] = [];
  for (let d = first; d <= last; d++) {
    if (!selects(rp.dateRegularity, start, d)) continue;
    const adjusted = adjustToBusinessDay(d, rp.businessDayAdjustment);
    if (adjusted > end) continue;
    for (const t of rp.timeConstraints.timesOfDay) {
      const at = zonedInstant(tz, adjusted, t.hours, t.minutes);
      if (at >= fromMs && at <= toMs) out.push(at);
    }
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** The first scheduled instant strictly after `afterMs`, or null when the schedule has ended. */
export function nextOccurrence(pattern: ScheduleMatchingPattern, afterMs: number): number | null {
  return occurrencesBetween(pattern, afterMs + 1, afterMs + HORIZON_DAYS * DAY_MS)[0] ?? null;
}

/** A schedule-dependent task field: the scheduled date moved by deltaDays (then to a business day), at the
 *  given time, in the schedule's zone; as an ISO-8601 UTC date-time. */
export function scheduledFieldValue(adjustment: ScheduledTimeAdjustment, scheduledMs: number, timeZone: string): string {
  const day = adjustToBusinessDay(localDay(timeZone, scheduledMs) + adjustment.dateAdjustment.deltaDays, adjustment.dateAdjustment.businessDayAdjustment);
  return new Date(zonedInstant(timeZone, day, adjustment.timeAdjustment.setTo.hours, adjustment.timeAdjustment.setTo.minutes)).toISOString();
}
