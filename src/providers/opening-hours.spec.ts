import { athensTime } from '../common/athens-time.js';
import { checkIntervals, isGreekPublicHoliday, nextOpening, weekdayOf } from './opening-hours.js';

describe('opening hours', () => {
  describe('checkIntervals', () => {
    it('accepts two shifts on one day (Alexandreia, 09:00–21:00 in two shifts) and touching intervals', () => {
      expect(
        checkIntervals(
          [
            { weekday: 1, opensAt: '09:00', closesAt: '15:00' },
            { weekday: 1, opensAt: '15:00', closesAt: '21:00' },
            { weekday: 2, opensAt: '09:00', closesAt: '15:00' },
          ],
          'h',
        ),
      ).toEqual([]);
    });

    it('refuses overlapping intervals on the same weekday, naming the later one', () => {
      const problems = checkIntervals(
        [
          { weekday: 3, opensAt: '08:00', closesAt: '16:00' },
          { weekday: 3, opensAt: '15:00', closesAt: '21:00' },
        ],
        'locations.0.openingHours',
      );
      expect(problems).toEqual([
        expect.objectContaining({ code: 'OVERLAPPING_HOURS', field: 'locations.0.openingHours.1' }),
      ]);
      expect(problems[0]!.reason).toMatch(/Wednesday 15:00–21:00 overlaps 08:00–16:00/);
    });

    it('lets intervals of different validity periods overlap in time (summer and winter hours)', () => {
      expect(
        checkIntervals(
          [
            { weekday: 1, opensAt: '08:00', closesAt: '16:00', validTo: '2026-06-14' },
            {
              weekday: 1,
              opensAt: '07:00',
              closesAt: '14:00',
              validFrom: '2026-06-15',
              validTo: '2026-09-15',
            },
          ],
          'h',
        ),
      ).toEqual([]);
      expect(
        checkIntervals(
          [
            { weekday: 1, opensAt: '08:00', closesAt: '16:00', validTo: '2026-06-20' },
            { weekday: 1, opensAt: '07:00', closesAt: '14:00', validFrom: '2026-06-15' },
          ],
          'h',
        ).map((p) => p.code),
      ).toEqual(['OVERLAPPING_HOURS']);
    });

    it('refuses an interval crossing midnight and says how to enter it; 24:00 closes at the end of the day', () => {
      const [problem] = checkIntervals([{ weekday: 5, opensAt: '22:00', closesAt: '02:00' }], 'h');
      expect(problem!.code).toBe('HOURS_CROSS_MIDNIGHT');
      expect(problem!.reason).toMatch(/22:00–24:00 on Friday and 00:00–02:00 on Saturday/);
      const [sunday] = checkIntervals([{ weekday: 7, opensAt: '20:00', closesAt: '01:00' }], 'h');
      expect(sunday!.reason).toMatch(/00:00–01:00 on Monday/);
      expect(
        checkIntervals(
          [
            { weekday: 5, opensAt: '22:00', closesAt: '24:00' },
            { weekday: 6, opensAt: '00:00', closesAt: '02:00' },
          ],
          'h',
        ),
      ).toEqual([]);
    });

    it('refuses an empty interval', () => {
      expect(checkIntervals([{ weekday: 1, opensAt: '09:00', closesAt: '09:00' }], 'h')[0]!.code).toBe(
        'EMPTY_INTERVAL',
      );
    });
  });

  describe('athensTime', () => {
    it('reads winter instants at UTC+2 and summer ones at UTC+3', () => {
      expect(athensTime(new Date('2026-01-15T06:30:00Z'))).toEqual({
        date: '2026-01-15',
        weekday: 4,
        time: '08:30:00',
      });
      expect(athensTime(new Date('2026-07-15T06:30:00Z'))).toEqual({
        date: '2026-07-15',
        weekday: 3,
        time: '09:30:00',
      });
    });

    it('crosses the spring-forward gap (29 March 2026, 03:00 EET becomes 04:00 EEST)', () => {
      expect(athensTime(new Date('2026-03-29T00:59:59Z')).time).toBe('02:59:59');
      expect(athensTime(new Date('2026-03-29T01:00:00Z')).time).toBe('04:00:00');
    });

    it('gives the Athens date, not the UTC date, around midnight', () => {
      expect(athensTime(new Date('2026-11-22T22:30:00Z'))).toEqual({
        date: '2026-11-23',
        weekday: 1,
        time: '00:30:00',
      });
    });
  });

  describe('isGreekPublicHoliday', () => {
    it('knows fixed holidays and those that move with Orthodox Easter', () => {
      expect(isGreekPublicHoliday('2026-03-25')).toBe(true);
      expect(isGreekPublicHoliday('2026-10-28')).toBe(true);
      expect(isGreekPublicHoliday('2026-04-13')).toBe(true); // Easter Monday 2026
      expect(isGreekPublicHoliday('2025-04-21')).toBe(true); // Easter Monday 2025
      expect(isGreekPublicHoliday('2026-02-23')).toBe(true); // Clean Monday 2026
      expect(isGreekPublicHoliday('2026-06-01')).toBe(true); // Whit Monday 2026
    });

    it('does not count ordinary days or observances', () => {
      expect(isGreekPublicHoliday('2026-04-14')).toBe(false);
      expect(isGreekPublicHoliday('2026-05-10')).toBe(false); // Mother's Day
    });
  });

  describe('nextOpening', () => {
    const weekdays = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opensAt: '08:00', closesAt: '16:00' }));
    const hours = { intervals: weekdays, closures: [], closedOnPublicHolidays: true };

    it('is open now inside an interval, and opens later the same day before it', () => {
      // 2026-12-01 is a Tuesday
      expect(weekdayOf('2026-12-01')).toBe(2);
      expect(nextOpening(hours, { date: '2026-12-01', time: '10:00:00' })).toEqual({
        date: '2026-12-01',
        opensAt: '08:00',
        closesAt: '16:00',
        openNow: true,
      });
      expect(nextOpening(hours, { date: '2026-12-01', time: '07:30' })?.openNow).toBe(false);
    });

    it('skips the closing time itself, weekends, public holidays and closures', () => {
      expect(nextOpening(hours, { date: '2026-12-04', time: '16:00' })?.date).toBe('2026-12-07');
      // 25 and 26 December 2026 are public holidays (a Friday and a Saturday)
      expect(nextOpening(hours, { date: '2026-12-24', time: '17:00' })?.date).toBe('2026-12-28');
      expect(
        nextOpening({ ...hours, closedOnPublicHolidays: false }, { date: '2026-12-24', time: '17:00' })?.date,
      ).toBe('2026-12-25');
      const closed = { ...hours, closures: [{ startsOn: '2026-12-07', endsOn: '2026-12-09' }] };
      expect(nextOpening(closed, { date: '2026-12-05', time: '09:00' })?.date).toBe('2026-12-10');
    });

    it('takes the next shift of a day with two, and answers nothing without hours', () => {
      const shifts = {
        ...hours,
        intervals: [
          { weekday: 2, opensAt: '17:00', closesAt: '21:00' },
          { weekday: 2, opensAt: '09:00', closesAt: '14:00' },
        ],
      };
      expect(nextOpening(shifts, { date: '2026-12-01', time: '15:00' })).toMatchObject({
        opensAt: '17:00',
        openNow: false,
      });
      expect(nextOpening({ ...hours, intervals: [] }, { date: '2026-12-01', time: '10:00' })).toBeUndefined();
    });
  });
});
