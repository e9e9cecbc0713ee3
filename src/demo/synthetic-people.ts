import { makeAfm } from '../common/identifiers/afm.js';
import { makeAmka } from '../common/identifiers/amka.js';
import { latinName, personKeys } from '../beneficiaries/person-keys.js';
import {
  FEMALE_GIVEN_NAMES,
  FOREIGN_NAMES,
  MALE_GIVEN_NAMES,
  OTHER_SURNAMES,
  STREETS,
  SURNAME_ENDINGS,
  SURNAME_STEMS,
  type ForeignNames,
  type SurnameForms,
} from './greek-names.js';

/**
 * Synthetic people and households for demo data and benchmarks: Greek names in their gendered
 * forms, families whose members' names agree (children carry their father's surname and his and
 * their mother's given names as father's and mother's names), an age pyramid that comes out of
 * household composition, valid identifiers, and group memberships in plausible proportions.
 *
 * Everything is drawn from a seeded PRNG, so a seed gives the same people on every run and machine.
 * Identifiers are unique by construction, never by checking a set, so a million people cost no
 * memory beyond one counter per birth date.
 */

export type Gender = 'FEMALE' | 'MALE';
export type GroupCode = 'ROMA' | 'DISABILITY' | 'HOMELESS' | 'DESTITUTE';
export type GroupBasis = 'SELF_DECLARED' | 'DOCUMENT' | 'FEED';
export type Relationship = 'REFERENCE_PERSON' | 'SPOUSE_OR_PARTNER' | 'CHILD' | 'PARENT';

export interface SyntheticGroup {
  code: GroupCode;
  basis: GroupBasis;
  validFrom: string;
}

/** One person, with every column the registry needs (keys computed with personKeys). */
export interface SyntheticPerson {
  id: string;
  givenName: string;
  surname: string;
  givenNameLatin: string;
  surnameLatin: string;
  fatherName: string | null;
  motherName: string | null;
  birthDate: string;
  gender: Gender;
  afm: string | null;
  amka: string | null;
  paaypa: string | null;
  citizenship: string;
  phone: string | null;
  email: string | null;
  address: string | null;
  municipalityCode: string;
  nameKey: string;
  phoneticKey: string;
  groups: SyntheticGroup[];
}

export interface SyntheticMember {
  person: SyntheticPerson;
  relationship: Relationship;
}

export type HouseholdKind = 'ONE_PERSON' | 'COUPLE' | 'COUPLE_WITH_CHILDREN' | 'SINGLE_PARENT' | 'EXTENDED';

export interface SyntheticHousehold {
  id: string;
  kind: HouseholdKind;
  municipalityCode: string;
  address: string | null;
  /** The reference person first, then spouse, children and a parent of the reference person. */
  members: SyntheticMember[];
  roma: boolean;
}

export interface WeightedMunicipality {
  code: string;
  /** Relative share of households, e.g. the 2021 census population. */
  weight: number;
}

export interface SyntheticOptions {
  seed: number;
  municipalities: WeightedMunicipality[];
  /** Municipalities with a Roma branch at their community centre: many more Roma households. */
  romaMunicipalities?: string[];
  /** Ages are counted at this date (YYYY-MM-DD), so a seed gives the same people on any day. */
  referenceDate?: string;
}

/** Indices at or above this are kept for hand-made demo people (see reservedAfm). */
export const RESERVED_INDEX_START = 19_000_000;
/** AMKA serials from here up are never generated, so hand-made demo people can use them. */
export const RESERVED_AMKA_SERIAL_START = 9800;

const AFM_SPACE = 20_000_000;
const AFM_MULTIPLIER = 7_368_787;

/**
 * The AFM of person number `index`: the first eight digits are index+1 multiplied by a number prime
 * to 2·10⁷, modulo 2·10⁷, a bijection, so different indices give different AFMs; they begin with 0
 * or 1 like the AFMs of individuals, and 000000000 never comes out because index+1 is never 0 modulo
 * 2·10⁷.
 */
export function syntheticAfm(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= AFM_SPACE - 1)
    throw new Error(`synthetic AFM index out of range: ${index}`);
  const first8 = Number((BigInt(AFM_MULTIPLIER) * BigInt(index + 1)) % BigInt(AFM_SPACE));
  return makeAfm(String(first8).padStart(8, '0'));
}

/** An AFM that generated people never get (index from RESERVED_INDEX_START), for hand-made people. */
export function reservedAfm(n: number): string {
  return syntheticAfm(RESERVED_INDEX_START + n);
}

/** A synthetic ΠΑΑΥΠΑ: 11 digits beginning with 99, unique per index. Not the real format's rules. */
export function syntheticPaaypa(index: number): string {
  return '99' + String((index * 7_919 + 104_729) % 1_000_000_000).padStart(9, '0');
}

/** Mulberry32: small, fast and good enough for synthetic data; the same seed gives the same stream. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A version-4-shaped UUID from this stream (deterministic, unlike crypto.randomUUID). */
  uuid(): string {
    const hex = Array.from({ length: 4 }, () =>
      Math.floor(this.next() * 4_294_967_296)
        .toString(16)
        .padStart(8, '0'),
    ).join('');
    const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/** Picks items with given weights in O(log n). */
export class WeightedTable<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(private readonly items: ReadonlyArray<[T, number]>) {
    let sum = 0;
    for (const [, weight] of items) this.cumulative.push((sum += weight));
    this.total = sum;
    if (!(sum > 0)) throw new Error('WeightedTable needs a positive total weight');
  }

  pick(random: Random): T {
    const x = random.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]![0];
  }
}

/** Weights that fall with rank (Zipf-like): the first names of a list are the common ones. */
function byRank<T>(items: readonly T[], exponent: number): WeightedTable<T> {
  return new WeightedTable(items.map((item, rank) => [item, 1 / (rank + 1) ** exponent]));
}

/** Age bands [from, to] with weights, one table per role in a household. */
function ageBands(bands: Array<[from: number, to: number, weight: number]>): WeightedTable<[number, number]> {
  return new WeightedTable(bands.map(([from, to, weight]) => [[from, to], weight]));
}

const AGES = {
  ONE_PERSON: ageBands([
    [18, 24, 4],
    [25, 34, 10],
    [35, 44, 8],
    [45, 54, 8],
    [55, 64, 11],
    [65, 74, 15],
    [75, 84, 17],
    [85, 99, 7],
  ]),
  COUPLE: ageBands([
    [22, 34, 8],
    [35, 44, 4],
    [45, 54, 6],
    [55, 64, 16],
    [65, 74, 22],
    [75, 84, 14],
    [85, 95, 3],
  ]),
  PARENT: ageBands([
    [22, 29, 5],
    [30, 39, 25],
    [40, 49, 36],
    [50, 59, 24],
    [60, 69, 8],
    [70, 80, 2],
  ]),
  ROMA_PARENT: ageBands([
    [18, 24, 20],
    [25, 34, 40],
    [35, 44, 25],
    [45, 59, 15],
  ]),
};

const HOUSEHOLD_KINDS = new WeightedTable<HouseholdKind>([
  ['ONE_PERSON', 28],
  ['COUPLE', 22],
  ['COUPLE_WITH_CHILDREN', 33],
  ['SINGLE_PARENT', 10],
  ['EXTENDED', 7],
]);

const ROMA_HOUSEHOLD_KINDS = new WeightedTable<HouseholdKind>([
  ['ONE_PERSON', 5],
  ['COUPLE', 8],
  ['COUPLE_WITH_CHILDREN', 52],
  ['SINGLE_PARENT', 15],
  ['EXTENDED', 20],
]);

const CHILD_COUNTS = new WeightedTable<number>([
  [1, 45],
  [2, 40],
  [3, 11],
  [4, 4],
]);

const ROMA_CHILD_COUNTS = new WeightedTable<number>([
  [1, 15],
  [2, 25],
  [3, 25],
  [4, 20],
  [5, 15],
]);

/** Citizenship of a household: Greek mostly, then the largest foreign communities. */
const CITIZENSHIPS = new WeightedTable<string>([
  ['GR', 915],
  ['AL', 45],
  ['BG', 8],
  ['GE', 6],
  ['UA', 6],
  ['SY', 8],
  ['AF', 8],
  ['PK', 4],
]);

/** Recent arrivals (asylum seekers) often have a ΠΑΑΥΠΑ and no AMKA yet. */
const AMKA_SHARE: Record<string, number> = {
  AL: 0.95,
  BG: 0.9,
  GE: 0.9,
  UA: 0.6,
  SY: 0.4,
  AF: 0.35,
  PK: 0.5,
};

const MALE_NAMES = byRank(MALE_GIVEN_NAMES, 0.8);
const FEMALE_NAMES = byRank(FEMALE_GIVEN_NAMES, 0.8);
const STEMS = byRank(SURNAME_STEMS, 0.5);
const OTHERS = byRank(OTHER_SURNAMES, 0.5);
const ENDING_WEIGHT: Record<string, number> = {
  opoulos: 3,
  akis: 2,
  idis: 2,
  iadis: 1.5,
  adis: 1,
  atos: 0.7,
  iou: 1.5,
};

const DAY_MS = 86_400_000;

/**
 * A population of synthetic households. Draw households one by one (`household()`) or as a stream
 * of a given number of people (`households(n)`); both advance the same seeded stream.
 */
export class SyntheticPopulation {
  private readonly random: Random;
  private readonly ids: Random;
  private readonly municipalities: WeightedTable<string>;
  private readonly roma: Set<string>;
  private readonly referenceMs: number;
  private nextIndex = 0;
  /** People born on one DDMMYY of one gender so far: the next AMKA serial (see allocateAmka). */
  private readonly amkaCounters = new Map<string, number>();
  private readonly keyCache = new Map<string, { nameKey: string; phoneticKey: string }>();
  private readonly latinCache = new Map<string, string>();

  constructor(private readonly options: SyntheticOptions) {
    this.random = new Random(options.seed);
    this.ids = new Random(options.seed ^ 0x5eed_1d5);
    this.municipalities = new WeightedTable(options.municipalities.map((m) => [m.code, m.weight]));
    this.roma = new Set(options.romaMunicipalities ?? []);
    this.referenceMs = Date.parse(`${options.referenceDate ?? '2026-01-01'}T00:00:00Z`);
  }

  /**
   * People made so far. Identifiers are unique within one population; two populations in one
   * database would repeat them.
   */
  get peopleMade(): number {
    return this.nextIndex;
  }

  /** Households until exactly `people` people are made (the last one is cut short if needed). */
  *households(people: number): Generator<SyntheticHousehold> {
    const end = this.peopleMade + people;
    while (this.peopleMade < end) {
      const before = this.peopleMade;
      const household = this.household();
      if (before + household.members.length > end) household.members.splice(end - before);
      yield household;
    }
  }

  /**
   * The next household, in a municipality drawn by weight or in the one given; `roma` forces
   * whether it is a Roma household (demo data that must show one), else it is drawn.
   */
  household(municipalityCode?: string, roma?: boolean): SyntheticHousehold {
    const r = this.random;
    const code = municipalityCode ?? this.municipalities.pick(r);
    const drawnRoma = r.chance(this.roma.has(code) ? 0.3 : 0.015);
    roma ??= drawnRoma;
    const citizenship = roma ? 'GR' : CITIZENSHIPS.pick(r);
    const kind = (roma ? ROMA_HOUSEHOLD_KINDS : HOUSEHOLD_KINDS).pick(r);
    const homeless = kind === 'ONE_PERSON' && r.chance(0.015);
    const address = homeless ? null : `${r.pick(STREETS)} ${r.int(1, 180)}`;
    const base = { municipalityCode: code, address, citizenship };
    const members: SyntheticMember[] = [];

    const refAge = this.age(
      kind === 'ONE_PERSON'
        ? AGES.ONE_PERSON
        : kind === 'COUPLE'
          ? AGES.COUPLE
          : roma
            ? AGES.ROMA_PARENT
            : AGES.PARENT,
    );
    const refGender: Gender =
      kind === 'ONE_PERSON'
        ? r.chance(refAge >= 70 ? 0.7 : 0.45)
          ? 'FEMALE'
          : 'MALE'
        : kind === 'SINGLE_PARENT'
          ? r.chance(0.85)
            ? 'FEMALE'
            : 'MALE'
          : r.chance(0.75)
            ? 'MALE'
            : 'FEMALE';
    const refFamily = this.surname(citizenship);
    const reference = this.person(base, refGender, refAge, refFamily, this.parentNames(citizenship));
    members.push({ person: reference, relationship: 'REFERENCE_PERSON' });

    let youngestParentAge = refAge;
    let father: SyntheticPerson | undefined = refGender === 'MALE' ? reference : undefined;
    let mother: SyntheticPerson | undefined = refGender === 'FEMALE' ? reference : undefined;
    let childFamily = refFamily;
    if (kind === 'COUPLE' || kind === 'COUPLE_WITH_CHILDREN' || kind === 'EXTENDED') {
      const gap = r.int(-2, 7);
      const spouseGender: Gender = refGender === 'MALE' ? 'FEMALE' : 'MALE';
      const spouseAge = Math.max(18, refGender === 'MALE' ? refAge - gap : refAge + gap);
      // Since 1983 a wife keeps her own surname in law; many still use their husband's.
      const spouseFamily =
        spouseGender === 'FEMALE' && r.chance(0.45) ? refFamily : this.surname(citizenship);
      const spouse = this.person(base, spouseGender, spouseAge, spouseFamily, this.parentNames(citizenship));
      members.push({ person: spouse, relationship: 'SPOUSE_OR_PARTNER' });
      youngestParentAge = Math.min(refAge, spouseAge);
      if (spouseGender === 'MALE') {
        father = spouse;
        childFamily = spouseFamily;
      } else mother = spouse;
    }

    if (kind === 'COUPLE_WITH_CHILDREN' || kind === 'SINGLE_PARENT' || kind === 'EXTENDED') {
      if (!father) childFamily = this.surname(citizenship);
      const fatherName = father?.givenName ?? this.givenName(citizenship, 'MALE');
      const motherName = mother?.givenName ?? this.givenName(citizenship, 'FEMALE');
      const children = (roma ? ROMA_CHILD_COUNTS : CHILD_COUNTS).pick(r);
      const minParentAge = roma ? 17 : 20;
      const oldest = Math.min(youngestParentAge - minParentAge, roma ? 25 : 34);
      const youngest = Math.max(0, youngestParentAge - (roma ? 40 : 45));
      let namedSon = false;
      let namedDaughter = false;
      for (let i = 0; i < children && oldest >= 0; i++) {
        const gender: Gender = r.chance(0.51) ? 'MALE' : 'FEMALE';
        const age = r.int(Math.min(youngest, oldest), oldest);
        const person = this.person(base, gender, age, childFamily, { fatherName, motherName });
        // Siblings do not share a given name.
        for (
          let tries = 0;
          tries < 5 && members.some((m) => m.person.givenName === person.givenName);
          tries++
        )
          this.rename(person, this.givenName(citizenship, gender));
        // Greek custom: the first son is named after the father's father, the first daughter after the father's mother.
        if (citizenship === 'GR' && father) {
          const grandparent = gender === 'MALE' ? father.fatherName : father.motherName;
          if (grandparent && (gender === 'MALE' ? !namedSon : !namedDaughter) && r.chance(0.5))
            this.rename(person, grandparent);
          if (gender === 'MALE') namedSon = true;
          else namedDaughter = true;
        }
        members.push({ person, relationship: 'CHILD' });
      }
    }

    if (kind === 'EXTENDED') {
      const gender: Gender = r.chance(0.65) ? 'FEMALE' : 'MALE';
      const age = Math.min(99, Math.max(60, refAge + r.int(22, 38)));
      const givenName =
        (gender === 'MALE' ? reference.fatherName : reference.motherName) ??
        this.givenName(citizenship, gender);
      const parent = this.person(base, gender, age, refFamily, this.parentNames(citizenship));
      this.rename(parent, givenName);
      members.push({ person: parent, relationship: 'PARENT' });
    }

    this.assignGroups(members, { roma, homeless, citizenship, kind });
    return { id: this.ids.uuid(), kind, municipalityCode: code, address, members, roma };
  }

  private age(bands: WeightedTable<[number, number]>): number {
    const [from, to] = bands.pick(this.random);
    return this.random.int(from, to);
  }

  private birthDate(age: number): string {
    const date = new Date(this.referenceMs);
    date.setUTCFullYear(date.getUTCFullYear() - age);
    return new Date(date.getTime() - this.random.int(0, 364) * DAY_MS).toISOString().slice(0, 10);
  }

  private givenName(citizenship: string, gender: Gender): string {
    const foreign = FOREIGN_NAMES[citizenship];
    if (foreign) return this.random.pick(gender === 'MALE' ? foreign.male : foreign.female)[0];
    return (gender === 'MALE' ? MALE_NAMES : FEMALE_NAMES).pick(this.random);
  }

  private parentNames(citizenship: string): { fatherName: string; motherName: string } {
    return {
      fatherName: this.givenName(citizenship, 'MALE'),
      motherName: this.givenName(citizenship, 'FEMALE'),
    };
  }

  /** A family name in both forms: from a stem and ending (maybe with a prefix), or from the list. */
  private surname(citizenship: string): SurnameForms {
    const r = this.random;
    const foreign = FOREIGN_NAMES[citizenship];
    if (foreign) {
      const [male, maleLatin, female, femaleLatin] = r.pick(foreign.surnames);
      return { male, female, maleLatin, femaleLatin };
    }
    if (r.chance(0.35)) {
      const [male, female] = OTHERS.pick(r);
      return { male, female };
    }
    const [stem, endings, prefixes] = STEMS.pick(r);
    const ending = new WeightedTable(endings.map((e) => [e, ENDING_WEIGHT[e] ?? 1])).pick(r);
    let body = stem;
    if (prefixes.length > 0 && r.chance(0.12)) {
      const prefix = r.pick(prefixes);
      const lower = stem.toLowerCase();
      body = prefix + (prefix === 'Παπα' && lower.startsWith('α') ? lower.slice(1) : lower);
    }
    const [maleEnding, femaleEnding] = SURNAME_ENDINGS[ending];
    return { male: body + maleEnding, female: body + femaleEnding };
  }

  private person(
    base: { municipalityCode: string; address: string | null; citizenship: string },
    gender: Gender,
    age: number,
    family: SurnameForms,
    parents: { fatherName: string; motherName: string },
  ): SyntheticPerson {
    const r = this.random;
    const index = this.nextIndex++;
    if (index >= RESERVED_INDEX_START) throw new Error('synthetic population too large for its index range');
    const foreign = FOREIGN_NAMES[base.citizenship];
    const givenName = this.givenName(base.citizenship, gender);
    const surname = gender === 'MALE' ? family.male : family.female;
    const birthDate = this.birthDate(age);
    const adult = age >= 18;
    const hasAmka = base.citizenship === 'GR' || r.chance(AMKA_SHARE[base.citizenship] ?? 0.8);
    const afmShare = !adult ? 0.25 : !foreign ? 0.97 : hasAmka ? 0.85 : 0.3;
    const person: SyntheticPerson = {
      id: this.ids.uuid(),
      givenName,
      surname,
      givenNameLatin: foreign ? this.foreignLatin(foreign, gender, givenName) : this.latin(givenName),
      surnameLatin: foreign
        ? ((gender === 'MALE' ? family.maleLatin : family.femaleLatin) ?? this.latin(surname))
        : this.latin(surname),
      fatherName: parents.fatherName,
      motherName: parents.motherName,
      birthDate,
      gender,
      afm: r.chance(afmShare) ? syntheticAfm(index) : null,
      amka: hasAmka ? this.allocateAmka(birthDate, gender) : null,
      paaypa: hasAmka ? null : syntheticPaaypa(index),
      citizenship: base.citizenship,
      phone: adult && r.chance(0.93) ? `69${r.int(0, 99_999_999).toString().padStart(8, '0')}` : null,
      email: null,
      address: base.address,
      municipalityCode: base.municipalityCode,
      nameKey: '',
      phoneticKey: '',
      groups: [],
    };
    if (adult && age < 65 && r.chance(0.3))
      person.email = `${person.givenNameLatin}.${person.surnameLatin}${r.int(1, 99)}@example.org`
        .toLowerCase()
        .replace(/ /g, '');
    this.computeKeys(person);
    return person;
  }

  /** Gives a person another given name (naming after a grandparent), keeping Latin form and keys in step. */
  private rename(person: SyntheticPerson, givenName: string): void {
    const foreign = FOREIGN_NAMES[person.citizenship];
    person.givenName = givenName;
    person.givenNameLatin = foreign
      ? this.foreignLatin(foreign, person.gender, givenName)
      : this.latin(givenName);
    this.computeKeys(person);
  }

  private foreignLatin(foreign: ForeignNames, gender: Gender, greek: string): string {
    return (
      (gender === 'MALE' ? foreign.male : foreign.female).find(([g]) => g === greek)?.[1] ?? this.latin(greek)
    );
  }

  private latin(greek: string): string {
    let latin = this.latinCache.get(greek);
    if (latin === undefined) this.latinCache.set(greek, (latin = latinName(greek)));
    return latin;
  }

  /** personKeys, cached per name combination: a million people share a few hundred thousand. */
  private computeKeys(person: SyntheticPerson): void {
    const cacheKey = `${person.givenName}|${person.surname}|${person.givenNameLatin}|${person.surnameLatin}`;
    let keys = this.keyCache.get(cacheKey);
    if (!keys) {
      keys = personKeys(person);
      if (this.keyCache.size < 2_000_000) this.keyCache.set(cacheKey, keys);
    }
    person.nameKey = keys.nameKey;
    person.phoneticKey = keys.phoneticKey;
  }

  /**
   * An AMKA for the birth date, unique because its serial comes from a counter per DDMMYY and
   * gender (the century is not written, so 1925 and 2025 share counters). The serial's last digit
   * is odd for men and even for women, as on issued AMKAs; a seed-dependent offset per date keeps
   * serials from all starting at 0000.
   */
  private allocateAmka(birthDate: string, gender: Gender): string {
    const key = `${birthDate.slice(5)}${birthDate.slice(2, 4)}${gender}`;
    let count = this.amkaCounters.get(key);
    if (count === undefined) count = hashString(key, this.options.seed) % 1000;
    const serial = count * 2 + (gender === 'MALE' ? 1 : 0);
    if (serial >= RESERVED_AMKA_SERIAL_START)
      throw new Error(`too many synthetic people born on ${birthDate.slice(5)} for unique AMKAs`);
    this.amkaCounters.set(key, count + 1);
    return makeAmka(birthDate, serial);
  }

  private assignGroups(
    members: SyntheticMember[],
    household: { roma: boolean; homeless: boolean; citizenship: string; kind: HouseholdKind },
  ): void {
    const r = this.random;
    const refugee = ['SY', 'AF', 'PK'].includes(household.citizenship);
    const destitute = r.chance(
      household.roma
        ? 0.4
        : household.kind === 'SINGLE_PARENT'
          ? 0.2
          : refugee
            ? 0.35
            : household.homeless
              ? 0.8
              : 0.07,
    );
    const since = this.registrationDate();
    for (const { person } of members) {
      const from = person.birthDate > since ? person.birthDate : since;
      if (household.roma) person.groups.push({ code: 'ROMA', basis: 'SELF_DECLARED', validFrom: from });
      if (household.homeless)
        person.groups.push({ code: 'HOMELESS', basis: 'SELF_DECLARED', validFrom: from });
      if (destitute)
        person.groups.push({
          code: 'DESTITUTE',
          basis: r.chance(0.6) ? 'FEED' : 'DOCUMENT',
          validFrom: from,
        });
      const age = this.ageOf(person.birthDate);
      if (r.chance(age < 18 ? 0.02 : age < 65 ? 0.06 : 0.15)) {
        const certified = this.registrationDate();
        person.groups.push({
          code: 'DISABILITY',
          basis: r.chance(0.8) ? 'DOCUMENT' : 'SELF_DECLARED',
          validFrom: person.birthDate > certified ? person.birthDate : certified,
        });
      }
    }
  }

  /** A day in the six years before the reference date (when a centre recorded something). */
  private registrationDate(): string {
    return new Date(this.referenceMs - this.random.int(1, 6 * 365) * DAY_MS).toISOString().slice(0, 10);
  }

  /** Age in whole years at the reference date. */
  ageOf(birthDate: string): number {
    const reference = new Date(this.referenceMs).toISOString().slice(0, 10);
    const years = Number(reference.slice(0, 4)) - Number(birthDate.slice(0, 4));
    return reference.slice(5) < birthDate.slice(5) ? years - 1 : years;
  }
}

/** FNV-1a of a string mixed with the seed: a stable small hash for per-key offsets. */
function hashString(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
