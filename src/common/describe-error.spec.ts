import { describeError } from './describe-error.js';

describe('describeError', () => {
  it('gives an Error its message, and its code and cause when they add something', () => {
    expect(describeError(new Error('disk full'))).toBe('disk full');
    const refused = Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' });
    expect(describeError(refused)).toBe('connect failed (ECONNREFUSED)');
    expect(describeError(new Error('outer', { cause: new Error('inner') }))).toBe('outer (cause: inner)');
    expect(describeError(new TypeError(''))).toBe('TypeError');
    const inner = new Error('socket closed');
    expect(describeError(new Error(`open failed: ${inner.message}`, { cause: inner }))).toBe(
      'open failed: socket closed',
    );
  });

  it('lists the errors of an AggregateError, even when its own message is empty', () => {
    const error = new AggregateError([
      Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ]);
    expect(describeError(error)).toBe(
      '2 errors: connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432',
    );
    expect(describeError(new AggregateError([], 'nothing worked'))).toBe('nothing worked');
  });

  it('prints objects JSON-ish, strings as they are, and a sentence for nothing', () => {
    expect(describeError({ status: 3, reason: 'locked' })).toBe('{"status":3,"reason":"locked"}');
    expect(describeError({ message: 'from a plain object' })).toBe('from a plain object');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeError(circular)).toBe('an error of type Object with no message');
    expect(describeError('plain text')).toBe('plain text');
    expect(describeError(42)).toBe('42');
    for (const nothing of [undefined, null, '', {}]) {
      const text = describeError(nothing);
      expect(text).not.toMatch(/undefined|null|^$/);
      expect(text.length).toBeGreaterThan(10);
    }
  });
});
