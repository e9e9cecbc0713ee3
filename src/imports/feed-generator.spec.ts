import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { SyntheticPopulation } from '../demo/synthetic-people.js';
import { FeedEncoding, FeedKind, RowProblemCode, type FeedRow } from './contracts.js';
import { geographyMunicipalities, generateFeed, type GenerateFeedOptions } from './feed-generator.js';
import { FEEDS } from './feeds.js';
import { parseFeed } from './formats/index.js';

/** Counts the lines written through it. */
class LineCounter extends Transform {
  lines = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) this.lines++;
    callback(null, chunk);
  }
}

function countProblems(rows: Iterable<FeedRow>): Partial<Record<RowProblemCode, number>> {
  const counts: Partial<Record<RowProblemCode, number>> = {};
  for (const row of rows) for (const p of row.problems) counts[p.code] = (counts[p.code] ?? 0) + 1;
  return counts;
}

async function generateAndParse(options: GenerateFeedOptions, encoding?: FeedEncoding) {
  const pipe = new PassThrough();
  const generated = generateFeed(options, pipe).then((summary) => {
    pipe.end();
    return summary;
  });
  const parsed = await parseFeed(pipe, { feed: options.feed, encoding });
  const rows: FeedRow[] = [];
  for await (const batch of parsed.batches) rows.push(...batch);
  return { parsed, rows, summary: await generated };
}

describe('generateFeed', () => {
  it.each(
    Object.values(FeedKind).flatMap((feed) => FEEDS[feed].formats.map((format) => [feed, format] as const)),
  )(
    'writes %s as %s whose bad rows the parser finds, each with the problem it was made to have',
    async (feed, format) => {
      const { parsed, rows, summary } = await generateAndParse({
        feed,
        format,
        rows: 3000,
        badShare: 0.05,
        seed: 11,
        people: 20_000,
      });
      expect(parsed.format).toBe(format);
      expect(rows).toHaveLength(3000);
      expect(summary.rows).toBe(3000);
      expect(summary.badRows).toBeGreaterThan(60);
      // One problem per bad row, of the code the generator meant; good rows have none.
      expect(rows.filter((r) => r.problems.length > 0)).toHaveLength(summary.badRows);
      expect(countProblems(rows)).toEqual(summary.problems);
      expect(new Set(rows.map((r) => r.line)).size).toBe(3000);
    },
    120_000,
  );

  it.each([FeedEncoding.WINDOWS_1253, FeedEncoding.ISO_8859_7])(
    'writes Greek names in %s that detection reads back',
    async (encoding) => {
      const { parsed, rows } = await generateAndParse({
        feed: FeedKind.REGISTRY,
        rows: 2000,
        encoding,
        seed: 3,
        people: 2000,
      });
      expect([parsed.encoding, parsed.encodingDetected]).toEqual([encoding, true]);
      expect(rows.every((r) => r.problems.length === 0)).toBe(true);
      expect(rows.some((r) => /^Ά/.test(r.values.given_name ?? ''))).toBe(true);
      expect(rows.every((r) => /^[\p{Script=Greek}\s-]+$/u.test(r.values.surname!))).toBe(true);
    },
    60_000,
  );

  it('names the people of the synthetic population with the same seed (those the benchmarks load)', async () => {
    const { rows } = await generateAndParse({
      feed: FeedKind.REGISTRY,
      rows: 500,
      peopleSeed: 99,
      people: 500,
    });
    const population = new SyntheticPopulation({ seed: 99, municipalities: geographyMunicipalities() });
    const people = [...population.households(500)].flatMap((h) => h.members.map((m) => m.person));
    expect(rows.map((r) => [r.values.afm, r.values.amka, r.values.birth_date, r.values.surname])).toEqual(
      people.map((p) => [p.afm, p.amka, p.birthDate, p.surname]),
    );
  });

  it('parses a 200,000-row TAXIS stream batch by batch while it is being written, with bounded lead', async () => {
    const ROWS = 200_000;
    const counter = new LineCounter({ highWaterMark: 16 * 1024 });
    let generatorDone = false;
    const generated = generateFeed(
      { feed: FeedKind.TAXIS, rows: ROWS, badShare: 0.02, seed: 5, people: 60_000 },
      counter,
    ).then((summary) => {
      generatorDone = true;
      counter.end();
      return summary;
    });
    const parsed = await parseFeed(counter, { feed: FeedKind.TAXIS, batchSize: 5000 });
    let rows = 0;
    let batches = 0;
    let batchesWhileWriting = 0;
    let maxLead = 0;
    const problems: Partial<Record<RowProblemCode, number>> = {};
    for await (const batch of parsed.batches) {
      batches++;
      if (!generatorDone) batchesWhileWriting++;
      rows += batch.length;
      // Lines the generator has written (the header included) that the parser has not yet returned.
      maxLead = Math.max(maxLead, counter.lines - 1 - rows);
      for (const [code, n] of Object.entries(countProblems(batch)))
        problems[code as RowProblemCode] = (problems[code as RowProblemCode] ?? 0) + n;
    }
    const summary = await generated;
    expect(rows).toBe(ROWS);
    expect(batches).toBe(ROWS / 5000);
    expect(problems).toEqual(summary.problems);
    // The generator waits for the parser (backpressure): batches arrive while it is still writing,
    // and it is never more than a few batches ahead, so memory does not grow with the file.
    expect(batchesWhileWriting).toBeGreaterThanOrEqual(30);
    expect(maxLead).toBeLessThan(25_000);
  }, 600_000);
});
