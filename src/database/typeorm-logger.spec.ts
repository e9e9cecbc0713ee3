import { queryFingerprint } from './typeorm-logger.js';

describe('queryFingerprint', () => {
  it('blanks every literal and keeps placeholders, so the same query always has the same id', () => {
    const a = queryFingerprint(
      `SELECT * FROM person WHERE surname = 'Παπαδοπούλου' AND amka = '01017112345' LIMIT 10`,
    );
    const b = queryFingerprint(
      `SELECT *   FROM person\n WHERE surname = 'Άλλη' AND amka = '99999999999' LIMIT 20`,
    );
    expect(a.sql).toBe('SELECT * FROM person WHERE surname = ? AND amka = ? LIMIT ?');
    expect(a.id).toBe(b.id);
    expect(queryFingerprint(`UPDATE person SET surname = $2 WHERE id = $1`).sql).toBe(
      'UPDATE person SET surname = $2 WHERE id = $1',
    );
    expect(queryFingerprint(`SELECT E'O''Brien', $$body$$, $tag$x$tag$`).sql).toBe('SELECT ?, ?, ?');
  });
});
