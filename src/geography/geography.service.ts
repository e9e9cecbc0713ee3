import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { RequestContext } from '../auth/request-context.js';
import { DataSource } from 'typeorm';
import { searchKey } from '../common/greek/search-key.js';
import { Municipality, Region, RegionalUnit } from './geography.entity.js';
import { GeographyError, GeographyErrorCode } from './geography.errors.js';

export interface MunicipalityFilter {
  search?: string;
  regionCode?: string;
  regionalUnitCode?: string;
}

/**
 * The country's geography: 13 regions, 74 regional units, 332 municipalities. It is reference data
 * that changes only by migration, so it is read once at start-up and answered from memory; name
 * search goes to the database, where the trigram index ranks near matches.
 */
@Injectable()
export class GeographyService implements OnApplicationBootstrap {
  private regions = new Map<string, Region>();
  private units = new Map<string, RegionalUnit>();
  private municipalities = new Map<string, Municipality>();

  constructor(private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.load();
  }

  async load(): Promise<void> {
    // One after another: at most one pool connection, like a request (rule 15).
    const regions = await this.dataSource.getRepository(Region).find({ order: { code: 'ASC' } });
    const units = await this.dataSource.getRepository(RegionalUnit).find({ order: { code: 'ASC' } });
    const municipalities = await this.dataSource.getRepository(Municipality).find({ order: { code: 'ASC' } });
    this.regions = new Map(regions.map((r) => [r.code, r]));
    this.units = new Map(units.map((u) => [u.code, u]));
    this.municipalities = new Map(municipalities.map((m) => [m.code, m]));
  }

  listRegions(): Region[] {
    return [...this.regions.values()].sort((a, b) => Number(a.code) - Number(b.code));
  }

  findRegion(code: string): Region | undefined {
    return this.regions.get(code);
  }

  getRegion(code: string): Region {
    const region = this.regions.get(code);
    if (!region)
      throw new GeographyError(
        GeographyErrorCode.UNKNOWN_REGION,
        `There is no region with code ${code} (codes are 1 to 13).`,
      );
    return region;
  }

  listRegionalUnits(regionCode?: string): RegionalUnit[] {
    if (regionCode) this.getRegion(regionCode);
    return [...this.units.values()].filter((u) => !regionCode || u.regionCode === regionCode);
  }

  getRegionalUnit(code: string): RegionalUnit {
    const unit = this.units.get(code);
    if (!unit)
      throw new GeographyError(
        GeographyErrorCode.UNKNOWN_REGIONAL_UNIT,
        `There is no regional unit with code ${code}.`,
      );
    return unit;
  }

  findMunicipality(code: string): Municipality | undefined {
    return this.municipalities.get(code);
  }

  getMunicipality(code: string): Municipality {
    const municipality = this.municipalities.get(code);
    if (!municipality) {
      throw new GeographyError(
        GeographyErrorCode.UNKNOWN_MUNICIPALITY,
        `There is no municipality with code ${code}: use the 4-digit ELSTAT 2021 code (e.g. 4912 for Σπάτων - Αρτέμιδος).`,
      );
    }
    return municipality;
  }

  /** Municipality codes of a region, for resolving a regional officer's scope. */
  municipalityCodesOfRegion(regionCode: string): string[] {
    return [...this.municipalities.values()].filter((m) => m.regionCode === regionCode).map((m) => m.code);
  }

  /**
   * Municipalities by code, or by a name typed in any accent, case or script: "Σπάτων",
   * "ΣΠΑΤΩΝ - ΑΡΤΕΜΙΔΟΣ" and "spaton" find the same one; so do its 2011 predecessor's name and
   * code ("Καλαμπάκας" finds Μετεώρων, 9069 Σερβίων and Βελβεντού) and English names ("Athens").
   * Every word typed must begin a word of a name; when nothing matches that way, near spellings
   * (trigram similarity) are offered instead.
   * Results are ordered by how well they match, then by code.
   */
  async searchMunicipalities(ctx: RequestContext, filter: MunicipalityFilter): Promise<Municipality[]> {
    if (filter.regionCode) this.getRegion(filter.regionCode);
    if (filter.regionalUnitCode) this.getRegionalUnit(filter.regionalUnitCode);
    const inArea = (m: Municipality) =>
      (!filter.regionCode || m.regionCode === filter.regionCode) &&
      (!filter.regionalUnitCode || m.regionalUnitCode === filter.regionalUnitCode);
    const text = filter.search?.trim() ?? '';
    if (!text) return [...this.municipalities.values()].filter(inArea);
    if (/^\d{4}$/.test(text)) {
      const current = this.municipalities.get(text);
      if (current) return [current].filter(inArea);
      const successors: Array<{ code: string }> = await ctx.em.query(
        `SELECT municipality_code AS code FROM municipality_alias WHERE kind = 'PREDECESSOR_CODE' AND alias = $1
          ORDER BY municipality_code`,
        [text],
      );
      return successors.map((r) => this.municipalities.get(r.code)!).filter(inArea);
    }

    const key = searchKey(text);
    if (!key) return [];
    const words = key.split(' ');
    // A municipality answers to its name and to its aliases (2011 predecessor, English names).
    const names = `(SELECT m.code, m.search_key FROM municipality m
                    UNION ALL SELECT a.municipality_code, a.search_key FROM municipality_alias a
                     WHERE a.kind <> 'PREDECESSOR_CODE')`;
    const rows: Array<{ code: string }> = await ctx.em.query(
      `SELECT code FROM ${names} n
        WHERE (SELECT bool_and(' ' || search_key LIKE '% ' || w || '%') FROM unnest($1::text[]) AS w)
        GROUP BY code
        ORDER BY max((search_key = $2)::int) DESC, max(similarity(search_key, $2)) DESC, code`,
      [words, key],
    );
    let codes = rows.map((r) => r.code);
    if (codes.length === 0) {
      const near: Array<{ code: string }> = await ctx.em.query(
        `SELECT code FROM ${names} n WHERE search_key % $1 OR word_similarity($1, search_key) > 0.5
          GROUP BY code
          ORDER BY max(greatest(similarity(search_key, $1), word_similarity($1, search_key))) DESC, code LIMIT 20`,
        [key],
      );
      codes = near.map((r) => r.code);
    }
    return codes.map((c) => this.municipalities.get(c)!).filter(inArea);
  }
}
