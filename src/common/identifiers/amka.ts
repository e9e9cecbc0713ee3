/**
 * AMKA, the social security number: 11 digits; the first six are the birth date DDMMYY (century not
 * written: 19YY or 20YY), and the whole number passes the Luhn check.
 */
export type AmkaProblem = 'FORMAT' | 'DATE' | 'CHECKSUM';

export type AmkaCheck =
  { valid: true; birthDateCandidates: string[] } | { valid: false; problem: AmkaProblem; message: string };

export function luhnCheckDigit(digitsWithoutCheck: string): number {
  let sum = 0;
  for (let i = 0; i < digitsWithoutCheck.length; i++) {
    let d = Number(digitsWithoutCheck[digitsWithoutCheck.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Birth dates the first six digits can stand for, as YYYY-MM-DD; a 20YY date in the future is dropped. */
export function amkaBirthDates(amka: string, today = new Date()): string[] {
  const day = Number(amka.slice(0, 2));
  const month = Number(amka.slice(2, 4));
  const yy = Number(amka.slice(4, 6));
  const todayIso = today.toISOString().slice(0, 10);
  return [1900 + yy, 2000 + yy]
    .filter((year) => isCalendarDate(year, month, day))
    .map((year) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`)
    .filter((iso) => iso <= todayIso);
}

export function checkAmka(value: string, today = new Date()): AmkaCheck {
  if (!/^\d{11}$/.test(value)) return { valid: false, problem: 'FORMAT', message: 'AMKA must be 11 digits.' };
  const birthDateCandidates = amkaBirthDates(value, today);
  if (birthDateCandidates.length === 0) {
    return {
      valid: false,
      problem: 'DATE',
      message: `The first six digits of an AMKA are the birth date DDMMYY; ${value.slice(0, 6)} is not a date.`,
    };
  }
  if (luhnCheckDigit(value.slice(0, 10)) !== Number(value[10])) {
    return {
      valid: false,
      problem: 'CHECKSUM',
      message: 'The AMKA check digit is wrong: check for a mistyped digit.',
    };
  }
  return { valid: true, birthDateCandidates };
}

export function isValidAmka(value: string): boolean {
  return checkAmka(value).valid;
}

export function amkaMatchesBirthDate(amka: string, birthDate: string): boolean {
  const check = checkAmka(amka);
  return check.valid && check.birthDateCandidates.includes(birthDate);
}

/** DDMMYY of the birth date, a 4-digit serial (0..9999) and the Luhn digit (synthetic data). */
export function makeAmka(birthDate: string, serial: number): string {
  const [year, month, day] = birthDate.split('-');
  const first10 = `${day}${month}${year!.slice(2)}${String(serial).padStart(4, '0')}`;
  return first10 + luhnCheckDigit(first10);
}
