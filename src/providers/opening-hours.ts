import Holidays from 'date-holidays';
import type { FieldProblem } from '../common/domain-error.js';

/**
 * Opening hours, decided once for the whole registry:
 * - An interval is a weekday (ISO 1 Monday .. 7 Sunday) with `opensAt` < `closesAt` in Europe/Athens
 *   wall-clock time, half-open [opensAt, closesAt). `24:00` closes at the end of the day.
 * - An interval never crosses midnight: 22:00–02:00 is refused with a message saying to enter
 *   22:00–24:00 and 00:00–02:00 of the next day. Wall-clock intervals inside one day keep "open at"
 *   a plain comparison and make DST nights unambiguous (02:30 on the last Sunday of March does not exist).
 * - Shifts are several intervals on one day; intervals of one location, weekday and validity must not
 *   overlap (touching, 14:00–14:00, is fine).
 * - A provider is closed on its closure days and, unless it says otherwise, on Greek public holidays.
 */

export const CLOCK = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export interface IntervalInput {
  weekday: number;
  opensAt: string;
  closesAt: string;
  validFrom?: string | null;
  validTo?: string | null;
}

export function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return h! * 60 + m!;
}

export type HoursProblemCode = 'HOURS_CROSS_MIDNIGHT' | 'EMPTY_INTERVAL' | 'OVERLAPPING_HOURS';

export interface HoursProblem extends FieldProblem {
  code: HoursProblemCode;
}

const DAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Problems of one location's weekly intervals; `field` is the path to report (e.g. locations.0.openingHours). */
export function checkIntervals(intervals: IntervalInput[], field: string): HoursProblem[] {
  const problems: HoursProblem[] = [];
  intervals.forEach((iv, i) => {
    const opens = minutesOf(iv.opensAt);
    const closes = minutesOf(iv.closesAt);
    if (closes < opens) {
      problems.push({
        code: 'HOURS_CROSS_MIDNIGHT',
        field: `${field}.${i}`,
        reason: `${DAY_NAMES[iv.weekday]} ${iv.opensAt}–${iv.closesAt} crosses midnight: enter it as ${iv.opensAt}–24:00 on ${DAY_NAMES[iv.weekday]} and 00:00–${iv.closesAt} on ${DAY_NAMES[(iv.weekday % 7) + 1]}`,
      });
    } else if (closes === opens) {
      problems.push({
        code: 'EMPTY_INTERVAL',
        field: `${field}.${i}`,
        reason: `${DAY_NAMES[iv.weekday]} ${iv.opensAt}–${iv.closesAt} is empty: closesAt must be after opensAt`,
      });
    }
  });
  if (problems.length) return problems;
  for (let i = 0; i < intervals.length; i++) {
    for (let j = i + 1; j < intervals.length; j++) {
      const a = intervals[i]!;
      const b = intervals[j]!;
      if (a.weekday !== b.weekday || !datesOverlap(a, b)) continue;
      if (minutesOf(a.opensAt) < minutesOf(b.closesAt) && minutesOf(b.opensAt) < minutesOf(a.closesAt)) {
        problems.push({
          code: 'OVERLAPPING_HOURS',
          field: `${field}.${j}`,
          reason: `${DAY_NAMES[b.weekday]} ${b.opensAt}–${b.closesAt} overlaps ${a.opensAt}–${a.closesAt} (interval ${i})`,
        });
      }
    }
  }
  return problems;
}

function datesOverlap(a: IntervalInput, b: IntervalInput): boolean {
  const aFrom = a.validFrom ?? '0000-01-01';
  const aTo = a.validTo ?? '9999-12-31';
  const bFrom = b.validFrom ?? '0000-01-01';
  const bTo = b.validTo ?? '9999-12-31';
  return aFrom <= bTo && bFrom <= aTo;
}

const greekHolidays = new Holidays('GR');

/**
 * Whether a date (YYYY-MM-DD) is a Greek public holiday: the fixed ones and those that move with
 * Orthodox Easter (Clean Monday, Good Friday, Easter Monday, Whit Monday), from date-holidays.
 * Observances (Mother's Day) are not holidays.
 */
export function isGreekPublicHoliday(date: string): boolean {
  const year = Number(date.slice(0, 4));
  let days = holidaysByYear.get(year);
  if (!days) {
    days = new Set(
      greekHolidays
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    holidaysByYear.set(year, days);
  }
  return days.has(date);
}

const holidaysByYear = new Map<number, Set<string>>();

/** One location's opening times as stored, for finding when it is open next. */
export interface LocationHours {
  intervals: IntervalInput[];
  /** Closure periods of the provider (inclusive days). */
  closures: Array<{ startsOn: string; endsOn: string }>;
  closedOnPublicHolidays: boolean;
}

/** The next time a location is open: now (openNow) or the next interval that starts later. */
export interface NextOpening {
  date: string;
  opensAt: string;
  closesAt: string;
  openNow: boolean;
}

/** A day (YYYY-MM-DD) plus `days`, on the calendar (no time zone involved). */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** ISO weekday (1 Monday .. 7 Sunday) of a calendar day. */
export function weekdayOf(day: string): number {
  return ((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

/**
 * When a location is open next, from a wall-clock moment in Athens (`date`, `time` HH:MM[:SS]):
 * the interval it is in now, else the first one that opens later, looking `horizonDays` ahead.
 * Closure days and (unless the provider says otherwise) Greek public holidays are skipped.
 * Undefined when it opens on none of those days (no hours recorded, or closed for longer).
 */
export function nextOpening(
  hours: LocationHours,
  now: { date: string; time: string },
  horizonDays = 14,
): NextOpening | undefined {
  const nowMinutes = minutesOf(now.time.slice(0, 5));
  for (let offset = 0; offset <= horizonDays; offset++) {
    const day = addDays(now.date, offset);
    if (hours.closures.some((c) => c.startsOn <= day && day <= c.endsOn)) continue;
    if (hours.closedOnPublicHolidays && isGreekPublicHoliday(day)) continue;
    const weekday = weekdayOf(day);
    const today = hours.intervals
      .filter(
        (iv) =>
          iv.weekday === weekday &&
          (iv.validFrom ?? '0000-01-01') <= day &&
          day <= (iv.validTo ?? '9999-12-31'),
      )
      .sort((a, b) => minutesOf(a.opensAt) - minutesOf(b.opensAt));
    for (const iv of today) {
      if (offset === 0 && minutesOf(iv.closesAt) <= nowMinutes) continue;
      const openNow = offset === 0 && minutesOf(iv.opensAt) <= nowMinutes;
      return { date: day, opensAt: iv.opensAt, closesAt: iv.closesAt, openNow };
    }
  }
  return undefined;
}
