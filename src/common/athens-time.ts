/** Greece's time zone: every date and time of day the registry reasons about is read in it. */
export const ATHENS = 'Europe/Athens';

/** An instant as seen on a wall clock in Athens: the local date, ISO weekday and time of day. */
export interface AthensTime {
  date: string;
  weekday: number;
  time: string;
}

const athensFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: ATHENS,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  weekday: 'short',
  hourCycle: 'h23',
});
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The Athens wall-clock reading of an instant; the IANA database decides EET/EEST, so DST needs no code. */
export function athensTime(instant: Date): AthensTime {
  const parts = Object.fromEntries(athensFormat.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS[parts.weekday!]!,
    time: `${parts.hour}:${parts.minute}:${parts.second}`,
  };
}

/** Today in Greece, as YYYY-MM-DD: ages, memberships and opening days change at Athens midnight. */
export function todayInAthens(now = new Date()): string {
  // Asked for every person a read returns: the formatter runs once per second of the clock.
  const second = Math.floor(now.getTime() / 1000);
  if (second !== today.second) today = { second, date: athensTime(now).date };
  return today.date;
}
let today = { second: Number.NaN, date: '' };
