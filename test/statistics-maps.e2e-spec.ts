import { readFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { Ajv } from 'ajv';
import { Role } from '../src/auth/roles.js';
import { HATCH_COLOURS } from '../src/statistics/map-render.js';
import { StatisticsService } from '../src/statistics/statistics.service.js';
import { decodePng, PNG_SIGNATURE, pixelHex } from './support/png.js';
import { insertStatisticsFixture } from './support/statistics-fixture.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Feature {
  type: 'Feature';
  id: string;
  properties: {
    codes: string[];
    name: string;
    kallikratis2011Code: string;
    drawnWithParentShape: boolean;
    count: number | null;
    suppressed: boolean;
    population: number | null;
    per1000Residents: number | null;
    value: number | null;
    fill: string | null;
    parts?: Array<{ code: string; count: number | null; suppressed: boolean }>;
  };
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] };
}
interface Collection {
  type: 'FeatureCollection';
  area: { level: string; code: string; name: string };
  asOf: string;
  smallCellsSuppressed: boolean;
  attribution: string;
  features: Feature[];
}
interface TableRow {
  area: { code: string };
  total: { count: number | null; suppressed: boolean };
  per1000Residents: number | null;
}

/**
 * Maps (issue 14): the GeoJSON against the GeoJSON schema, the map against the table (the same
 * cell, the same value or the same suppression), scope, the 2019 splits drawn with their 2011
 * shape, the SVG well formed and the PNG rendered with the right colour in a known municipality.
 * Figures: test/support/statistics-fixture.ts, plus people in Velventos (1402, 3) and Servia
 * (1405, 8), the two halves of the 2011 Servia-Velventos (9069) split in 2019.
 */
describe('statistics maps (issue 14)', () => {
  let t: TestApp;
  let admin: string;
  let attica: string;
  let westMacedonia: string;
  let spata: string;
  let servia: string;

  const get = (token: string, path: string) =>
    t.http
      .get(`/api/v1/statistics/${path}`)
      .set('Authorization', `Bearer ${token}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
  const geojson = async (token: string, path: string): Promise<Collection> => {
    const res = await get(token, path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    return JSON.parse((res.body as Buffer).toString('utf8')) as Collection;
  };
  const table = async (token: string, level: string, code: string, period = 'ALL') => {
    const res = await t.http
      .get(`/api/v1/statistics/${level}/${code}/municipalities?measure=PEOPLE&period=${period}`)
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    return new Map((res.body.municipalities as TableRow[]).map((m) => [m.area.code, m]));
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'maps-admin');
    attica = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '9' }, 'maps-attica');
    westMacedonia = await t.token({ roles: [Role.REGIONAL_OFFICER], region: '3' }, 'maps-west-macedonia');
    spata = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'maps-spata');
    servia = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['1405'] }, 'maps-servia');
    await insertStatisticsFixture(t.db);
    for (const [code, n] of [
      ['1402', 3],
      ['1405', 8],
    ] as const)
      await t.db.query(
        `INSERT INTO person (municipality_code, given_name, surname, given_name_latin, surname_latin, birth_date,
                             gender, name_key, phonetic_key, created_at)
         SELECT $1, 'Χάρτης', 'Δοκιμή', 'Chartis', 'Dokimi', '1970-01-01', 'FEMALE', 'chartis dokimi', 'chartis dokimi',
                '2024-04-10 12:00+03' FROM generate_series(1, $2::int)`,
        [code, n],
      );
    await t.app.get(StatisticsService).refresh();
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('GeoJSON', () => {
    it('is a FeatureCollection valid against the GeoJSON schema, with closed rings wound as RFC 7946 asks', async () => {
      const schema = JSON.parse(
        readFileSync(new URL('./fixtures/geojson/feature-collection.schema.json', import.meta.url), 'utf8'),
      ) as object;
      const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
      const country = await geojson(admin, 'COUNTRY/EL/map.geojson?measure=PEOPLE&indicator=COUNT');
      expect(validate(country)).toBe(true);
      expect(validate.errors ?? []).toEqual([]);
      // every 2011 shape but Mount Athos (no municipality): 332 municipalities on 325 shapes
      expect(country.features).toHaveLength(325);
      expect(country.features.flatMap((f) => f.properties.codes)).toHaveLength(332);
      const rings = country.features.flatMap((f) =>
        f.geometry.type === 'Polygon'
          ? (f.geometry.coordinates as number[][][])
          : (f.geometry.coordinates as number[][][][]).flat(),
      );
      for (const ring of rings) expect(ring[0]).toEqual(ring[ring.length - 1]);
      // the exterior ring of a polygon runs counter-clockwise (RFC 7946, 3.1.6): positive shoelace area
      const exterior = country.features.map((f) =>
        f.geometry.type === 'Polygon'
          ? (f.geometry.coordinates as number[][][])[0]!
          : (f.geometry.coordinates as number[][][][])[0]![0]!,
      );
      const shoelace = (ring: number[][]) =>
        ring.slice(1).reduce((sum, p, i) => sum + (ring[i]![0]! * p[1]! - p[0]! * ring[i]![1]!), 0);
      expect(exterior.filter((r) => shoelace(r) <= 0)).toEqual([]);
      expect(country.attribution).toMatch(/geodata\.gov\.gr/);
      // whole figures for a national role: Kropia's 15 people as a number
      const kropia = country.features.find((f) => f.properties.codes.includes('4904'))!;
      expect(kropia.properties).toMatchObject({ count: 15, suppressed: false, value: 15 });
      // and a document that is not GeoJSON fails the same schema (the test can fail)
      expect(validate({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: null }] })).toBe(
        false,
      );
    });

    it('the map against the table: every cell the same value, or suppressed in both, never a number on the map', async () => {
      for (const [token, level, code, period] of [
        [attica, 'REGION', '9', 'ALL'],
        [attica, 'REGIONAL_UNIT', '0907', '2024-02'],
        [westMacedonia, 'REGION', '3', '2024'],
        [admin, 'REGION', '9', '2024'],
      ] as const) {
        const rows = await table(token, level, code, period);
        for (const indicator of ['COUNT', 'PER_1000_RESIDENTS']) {
          const map = await geojson(
            token,
            `${level}/${code}/map.geojson?measure=PEOPLE&period=${period}&indicator=${indicator}`,
          );
          expect(map.smallCellsSuppressed).toBe(token !== admin);
          const mapped = map.features.flatMap((f) =>
            f.properties.parts ? f.properties.parts.map((p) => p.code) : f.properties.codes,
          );
          expect(mapped.sort()).toEqual([...rows.keys()].sort());
          for (const f of map.features) {
            const p = f.properties;
            if (p.suppressed) {
              expect([p.count, p.per1000Residents, p.value, p.fill]).toEqual([null, null, null, null]);
            } else {
              expect(typeof p.count).toBe('number');
              expect(p.value).toBe(indicator === 'COUNT' ? p.count : p.per1000Residents);
            }
            if (!p.parts) {
              const row = rows.get(p.codes[0]!)!;
              expect([p.count, p.suppressed, p.per1000Residents]).toEqual([
                row.total.count,
                row.total.suppressed,
                row.per1000Residents,
              ]);
            } else {
              for (const part of p.parts)
                expect([part.count, part.suppressed]).toEqual([
                  rows.get(part.code)!.total.count,
                  rows.get(part.code)!.total.suppressed,
                ]);
              const anyHidden = p.parts.some((x) => x.suppressed);
              expect(p.suppressed).toBe(anyHidden);
              if (!anyHidden) expect(p.count).toBe(p.parts.reduce((s, x) => s + x.count!, 0));
            }
          }
        }
      }
    });

    it('a regional officer: Marathon 3 people hidden on the map as in the table; the map has its region only', async () => {
      const map = await geojson(attica, 'REGION/9/map.geojson?measure=PEOPLE&indicator=COUNT');
      const marathon = map.features.find((f) => f.properties.codes.includes('4906'))!;
      expect(marathon.properties).toMatchObject({ count: null, suppressed: true });
      const [{ n }] = (await t.db.query<{ n: number }>(
        `SELECT count(DISTINCT predecessor_2011_code)::int AS n FROM municipality WHERE region_code = '9'`,
      )) as [{ n: number }];
      expect(map.features).toHaveLength(n);
      const region9 = new Set(
        (await t.db.query<{ code: string }>(`SELECT code FROM municipality WHERE region_code = '9'`)).map(
          (r) => r.code,
        ),
      );
      expect(map.features.flatMap((f) => f.properties.codes).every((c) => region9.has(c))).toBe(true);
    });

    it('GraphQL gives a centre the same GeoJSON for its own municipality, and the SVG', async () => {
      const query = `query($area: StatisticsAreaInput!) { statisticsMap(area: $area, measure: PEOPLE, indicator: COUNT, width: 400) {
        area { code } asOf smallCellsSuppressed geojson svg } }`;
      const res = await t.gql(spata, query, { area: { level: 'MUNICIPALITY', code: '4912' } });
      expect(res.body.errors).toBeUndefined();
      const map = res.body.data.statisticsMap;
      const rest = await geojson(spata, 'MUNICIPALITY/4912/map.geojson?measure=PEOPLE&indicator=COUNT');
      expect(map.geojson).toEqual(rest);
      expect(map.geojson.features).toHaveLength(1);
      expect(map.svg).toMatch(/^<svg [^>]*width="400"/);
    });
  });

  describe('scope', () => {
    it("another region's map is refused (GeoJSON, SVG, PNG, GraphQL) with OUTSIDE_YOUR_AREA, and audited", async () => {
      for (const path of ['REGION/2/map.geojson', 'MUNICIPALITY/0802/map.svg', 'COUNTRY/EL/map.png']) {
        const res = await t.http.get(`/api/v1/statistics/${path}`).set('Authorization', `Bearer ${attica}`);
        expect(res.status).toBe(403);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.code).toBe('OUTSIDE_YOUR_AREA');
      }
      for (const [token, level, code] of [
        [spata, 'REGION', '9'],
        [spata, 'MUNICIPALITY', '4904'],
        [servia, 'MUNICIPALITY', '1402'],
      ] as const) {
        const res = await t.gql(
          token,
          `query($area: StatisticsAreaInput!) { statisticsMap(area: $area) { asOf } }`,
          { area: { level, code } },
        );
        expect(res.body.errors?.[0]?.extensions.code).toBe('OUTSIDE_YOUR_AREA');
      }
      const [denied] = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_event
          WHERE action = 'statistics.read' AND outcome = 'denied' AND subject_id IN ('REGION:2', 'MUNICIPALITY:1402')`,
      );
      expect(denied!.n).toBeGreaterThanOrEqual(2);
    });
  });

  describe('municipalities split in 2019', () => {
    it('are drawn with their 2011 shape, showing their sum, flagged, with each part as the table has it', async () => {
      const map = await geojson(admin, 'REGIONAL_UNIT/0303/map.geojson?measure=PEOPLE&indicator=COUNT');
      const shared = map.features.find((f) => f.properties.kallikratis2011Code === '9069')!;
      expect(shared.id).toBe('1402+1405');
      expect(shared.properties).toMatchObject({
        codes: ['1402', '1405'],
        drawnWithParentShape: true,
        count: 11,
        suppressed: false,
        population: 3060 + 9486,
        per1000Residents: Math.round((11 / (3060 + 9486)) * 1000 * 100) / 100,
        parts: [
          { code: '1402', count: 3, suppressed: false },
          { code: '1405', count: 8, suppressed: false },
        ],
      });
      expect(map.features.filter((f) => f.properties.drawnWithParentShape)).toHaveLength(1);
    });

    it('the sum is suppressed when a part is (Velventos 3: its sum with Servia would give it away)', async () => {
      const map = await geojson(
        westMacedonia,
        'REGIONAL_UNIT/0303/map.geojson?measure=PEOPLE&indicator=COUNT',
      );
      const shared = map.features.find((f) => f.properties.kallikratis2011Code === '9069')!;
      expect(shared.properties).toMatchObject({ count: null, suppressed: true, value: null });
      expect(shared.properties.parts![0]).toMatchObject({ code: '1402', count: null, suppressed: true });
    });

    it('a centre of one half sees the 2011 shape with its own figure only', async () => {
      const res = await t.gql(
        servia,
        `query($area: StatisticsAreaInput!) { statisticsMap(area: $area, indicator: COUNT) { geojson } }`,
        { area: { level: 'MUNICIPALITY', code: '1405' } },
      );
      expect(res.body.errors).toBeUndefined();
      const [feature] = res.body.data.statisticsMap.geojson.features as Feature[];
      expect(feature!.properties).toMatchObject({
        codes: ['1405'],
        kallikratis2011Code: '9069',
        drawnWithParentShape: true,
        parts: [{ code: '1405' }],
      });
    });
  });

  describe('SVG and PNG', () => {
    it('the SVG is well formed, with title, legend, as-of date, attribution, and suppressed shapes hatched', async () => {
      const res = await get(attica, 'REGION/9/map.svg?measure=PEOPLE&indicator=COUNT&width=600');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
      const svg = (res.body as Buffer).toString('utf8');
      // resvg parses it as XML (roxmltree): a malformed document throws
      const parsed = new Resvg(svg);
      expect(parsed.width).toBe(600);
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).toContain('People registered: ΑΤΤΙΚΗΣ');
      expect(svg).toMatch(/as of \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(Athens\)/);
      expect(svg).toContain('geodata.gov.gr (CC BY 3.0)');
      expect(svg).toContain('suppressed (small count)');
      expect(svg).toMatch(/<path id="m-4906" fill="url\(#suppressed\)"/);
      const map = await geojson(attica, 'REGION/9/map.geojson?measure=PEOPLE&indicator=COUNT');
      for (const f of map.features) {
        const fill = new RegExp(`<path id="m-${f.id}" fill="([^"]+)"`).exec(svg)?.[1];
        expect(fill).toBe(f.properties.suppressed ? 'url(#suppressed)' : (f.properties.fill ?? '#ffffff'));
      }
    });

    it('the PNG is a PNG of the asked width, and a known municipality has its class colour', async () => {
      const png = await pngOf(admin);
      expect(png.width).toBe(700);
      const svg = await svgOf(admin);
      expect(png.height).toBe(Number(/height="(\d+)"/.exec(svg)![1]));
      const map = await geojson(admin, `${KROPIA_MAP}.geojson?${KROPIA_QUERY}`);
      const fill = (code: string) =>
        map.features.find((f) => f.properties.codes.includes(code))!.properties.fill;
      // Kropia 15 people, Marathon 3: different classes, each painted its own colour inside its shape
      expect(fill('4904')).not.toBe(fill('4906'));
      for (const code of ['4904', '4906']) {
        const [x, y] = interiorPoint(svg, code);
        expect(pixelHex(png, x, y)).toBe(fill(code));
      }
    });

    it('a suppressed municipality is hatched in the PNG', async () => {
      const png = await pngOf(attica);
      const [x, y] = interiorPoint(await svgOf(attica), '4906');
      // a 7 x 7 block inside Marathon: only greys between the hatching's two (antialiased stripes), several of them
      const [light, dark] = HATCH_COLOURS.map((h) => parseInt(h.slice(1, 3), 16));
      const seen = new Set<string>();
      for (let dx = -3; dx <= 3; dx++)
        for (let dy = -3; dy <= 3; dy++) seen.add(pixelHex(png, x + dx, y + dy));
      for (const hex of seen) {
        const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        expect(r === g && g === b && r! >= dark! - 8 && r! <= light! + 8).toBe(true);
      }
      expect(seen.size).toBeGreaterThan(2);
    });

    it('refuses a width out of range', async () => {
      const res = await t.http
        .get('/api/v1/statistics/REGION/9/map.png?width=99999')
        .set('Authorization', `Bearer ${admin}`);
      expect(res.status).toBe(400);
    });
  });

  const KROPIA_MAP = 'REGIONAL_UNIT/0907/map';
  const KROPIA_QUERY = 'measure=PEOPLE&indicator=COUNT&width=700';
  async function pngOf(token: string) {
    const res = await get(token, `${KROPIA_MAP}.png?${KROPIA_QUERY}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const body = res.body as Buffer;
    expect(body.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    return decodePng(body);
  }
  async function svgOf(token: string) {
    return ((await get(token, `${KROPIA_MAP}.svg?${KROPIA_QUERY}`)).body as Buffer).toString('utf8');
  }
});

/**
 * A point well inside a municipality's largest ring in the SVG (its path, offset by the map's
 * translate): on the horizontal line through the ring's middle, the middle of the widest inside run.
 */
function interiorPoint(svg: string, code: string): [number, number] {
  const d = new RegExp(`<path id="m-${code}" [^>]*d="([^"]+)"`).exec(svg)![1]!;
  const top = Number(/<g transform="translate\(0,(\d+)\)"/.exec(svg)![1]);
  const rings = [...d.matchAll(/M([-\d.]+),([-\d.]+)l([^z]*)z/g)].map((m) => {
    let x = Number(m[1]);
    let y = Number(m[2]);
    const ring: Array<[number, number]> = [[x, y]];
    for (const step of m[3]!.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)) {
      x += Number(step[1]);
      y += Number(step[2]);
      ring.push([x, y]);
    }
    return ring;
  });
  const area = (r: Array<[number, number]>) =>
    Math.abs(
      r.reduce((s, p, i) => s + p[0] * r[(i + 1) % r.length]![1] - r[(i + 1) % r.length]![0] * p[1], 0),
    );
  const ring = rings.sort((a, b) => area(b) - area(a))[0]!;
  const ys = ring.map((p) => p[1]);
  const y = Math.floor((Math.min(...ys) + Math.max(...ys)) / 2) + 0.5;
  const xs: number[] = [];
  ring.forEach(([x1, y1], i) => {
    const [x2, y2] = ring[(i + 1) % ring.length]!;
    if (y1 <= y !== y2 <= y) xs.push(x1 + ((y - y1) * (x2 - x1)) / (y2 - y1));
  });
  xs.sort((a, b) => a - b);
  let best: [number, number] = [xs[0]!, xs[1]!];
  for (let i = 0; i + 1 < xs.length; i += 2)
    if (xs[i + 1]! - xs[i]! > best[1] - best[0]) best = [xs[i]!, xs[i + 1]!];
  expect(best[1] - best[0]).toBeGreaterThan(8);
  return [Math.floor((best[0] + best[1]) / 2), Math.floor(y + top)];
}
