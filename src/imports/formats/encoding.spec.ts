import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { FeedEncoding } from '../contracts.js';
import { decodeSample, detectEncoding, isUtf8Sample, peek, PIECE_BYTES } from './encoding.js';

const w1253 = (text: string) => iconv.encode(text, 'windows-1253');
const iso = (text: string) => iconv.encode(text, 'iso-8859-7');

describe('the windows-1253 and ISO-8859-7 tables (iconv-lite)', () => {
  it('differ exactly at the bytes the detection rule names', () => {
    const differing: number[] = [];
    for (let b = 0x80; b <= 0xff; b++) {
      const byte = Buffer.from([b]);
      if (iconv.decode(byte, 'windows-1253') !== iconv.decode(byte, 'iso-8859-7')) differing.push(b);
    }
    const expected = [
      ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
      0xa1, 0xa2, 0xa4, 0xa5, 0xaa, 0xae, 0xb5, 0xb6,
    ]; // prettier-ignore
    expect(differing).toEqual(expected);
    // Ά is 0xA2 in one and 0xB6 in the other; 0xA2 in ISO-8859-7 is a closing quote.
    expect([...w1253('Ά')]).toEqual([0xa2]);
    expect([...iso('Ά')]).toEqual([0xb6]);
    expect(iconv.decode(Buffer.from([0xa2]), 'iso-8859-7')).toBe('’');
    expect(iconv.decode(Buffer.from([0xb6]), 'windows-1253')).toBe('¶');
  });
});

describe('detectEncoding', () => {
  it('takes valid UTF-8 (and plain ASCII) as UTF-8', () => {
    expect(detectEncoding(Buffer.from('Άννα;Παπαδοπούλου\n', 'utf8')).encoding).toBe(FeedEncoding.UTF8);
    expect(detectEncoding(Buffer.from('afm;tax_year\n', 'ascii')).encoding).toBe(FeedEncoding.UTF8);
  });

  it('allows a UTF-8 sequence cut by the end of the sample, not one cut inside it', () => {
    const text = Buffer.from('αβγ', 'utf8');
    const cut = text.subarray(0, text.length - 1);
    expect(isUtf8Sample(cut, false)).toBe(true);
    expect(isUtf8Sample(cut, true)).toBe(false);
    expect(isUtf8Sample(Buffer.concat([cut, Buffer.from('x')]), false)).toBe(false);
  });

  it('falls into neither side of the Ά trap', () => {
    // The same names in both encodings: Ά is the only Greek letter the two write differently.
    const names = 'Άννα;Άγγελος;Άρτεμις;Παπαδοπούλου\n';
    const windows = detectEncoding(w1253(names));
    expect(windows).toEqual({ encoding: FeedEncoding.WINDOWS_1253, windows1253Votes: 3, iso88597Votes: 0 });
    const latin = detectEncoding(iso(names));
    expect(latin).toEqual({ encoding: FeedEncoding.ISO_8859_7, windows1253Votes: 0, iso88597Votes: 3 });
    // Read the wrong way, the names would lose their first letter to a quote or a pilcrow.
    expect(iconv.decode(w1253('Άννα'), 'iso-8859-7')).toBe('’ννα');
    expect(iconv.decode(iso('Άννα'), 'windows-1253')).toBe('¶ννα');
    expect(decodeSample(w1253(names), windows.encoding)).toBe(names);
    expect(decodeSample(iso(names), latin.encoding)).toBe(names);
  });

  it('counts the other differing bytes by which reading is plausible text', () => {
    // Typographic quotes and dashes: 0x91–0x97 in windows-1253, control codes in ISO-8859-7.
    expect(detectEncoding(w1253('Οδός “Ηρώων” – 3\n')).encoding).toBe(FeedEncoding.WINDOWS_1253);
    // ISO-8859-7 quotes ‘ ’ (0xA1, 0xA2 not before a letter) and € (0xA4).
    expect(detectEncoding(iso('‘Ηρώων’ 5 €\n'))).toEqual({
      encoding: FeedEncoding.ISO_8859_7,
      windows1253Votes: 0,
      iso88597Votes: 3,
    });
    // The pilcrow of windows-1253 (0xB6 not before a letter) and its ’ (0x92).
    expect(detectEncoding(w1253('§ 3 ¶ 2, Παρ’ Όχθη\n')).encoding).toBe(FeedEncoding.WINDOWS_1253);
  });

  it('reads a sample without differing bytes as windows-1253 (both give the same text)', () => {
    const text = 'Ελένη;Ωραιοπούλου;Όχθη\n';
    expect(detectEncoding(iso(text))).toEqual({
      encoding: FeedEncoding.WINDOWS_1253,
      windows1253Votes: 0,
      iso88597Votes: 0,
    });
    expect(decodeSample(iso(text), FeedEncoding.WINDOWS_1253)).toBe(text);
  });

  it('drops a UTF-8 byte-order mark when decoding', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('ΑΦΜ;ΕΤΟΣ', 'utf8')]);
    expect(detectEncoding(withBom).encoding).toBe(FeedEncoding.UTF8);
    expect(decodeSample(withBom, FeedEncoding.UTF8)).toBe('ΑΦΜ;ΕΤΟΣ');
  });
});

describe('peek', () => {
  it('returns the first bytes and a stream of the whole input', async () => {
    const chunks = Array.from({ length: 10 }, (_, i) => Buffer.alloc(1000, 65 + i));
    const { head, complete, stream } = await peek(Readable.from(chunks), 2500);
    expect(head.length).toBe(2500);
    expect(complete).toBe(false);
    const all: Buffer[] = [];
    for await (const chunk of stream) all.push(chunk as Buffer);
    expect(Buffer.concat(all)).toEqual(Buffer.concat(chunks));
  });

  it('hands on large chunks of the source in pieces of at most PIECE_BYTES', async () => {
    const chunks = Array.from({ length: 3 }, (_, i) => Buffer.alloc(1024 * 1024 + 7, 65 + i));
    const { stream } = await peek(Readable.from(chunks));
    const sizes: number[] = [];
    const all: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      sizes.push(chunk.length);
      all.push(chunk);
    });
    await new Promise((resolve) => stream.on('end', resolve));
    expect(Math.max(...sizes)).toBe(PIECE_BYTES);
    expect(Buffer.concat(all).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('says when the sample is the whole file', async () => {
    const { head, complete } = await peek(Readable.from([Buffer.from('short')]), 2500);
    expect([head.toString(), complete]).toEqual(['short', true]);
  });
});
