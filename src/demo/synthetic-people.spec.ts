import { personKeys } from '../beneficiaries/person-keys.js';
import { isValidAfm } from '../common/identifiers/afm.js';
import { amkaMatchesBirthDate } from '../common/identifiers/amka.js';
import { OTHER_SURNAMES, SURNAME_ENDINGS } from './greek-names.js';
import {
  RESERVED_INDEX_START,
  reservedAfm,
  SyntheticPopulation,
  syntheticAfm,
  type SyntheticHousehold,
  type SyntheticPerson,
} from './synthetic-people.js';

const MUNICIPALITIES = [
  { code: '4912', weight: 3 },
  { code: '0802', weight: 2 },
  { code: '1405', weight: 1 },
];

function population(seed: number): SyntheticPopulation {
  return new SyntheticPopulation({ seed, municipalities: MUNICIPALITIES, romaMunicipalities: ['0802'] });
}

function people(households: Iterable<SyntheticHousehold>): SyntheticPerson[] {
  return [...households].flatMap((h) => h.members.map((m) => m.person));
}

describe('synthetic people', () => {
  const large = [...population(11).households(100_000)];
  const everyone = people(large);

  it('gives the same people for the same seed and different people for another', () => {
    const a = [...population(7).households(500)];
    const b = [...population(7).households(500)];
    const c = [...population(8).households(500)];
    expect(b).toEqual(a);
    expect(people(c).map((p) => p.givenName + p.surname + p.birthDate)).not.toEqual(
      people(a).map((p) => p.givenName + p.surname + p.birthDate),
    );
  });

  it('makes exactly the number of people asked for', () => {
    expect(everyone).toHaveLength(100_000);
  });

  it('gives valid, unique AFMs and AMKAs, the AMKA agreeing with the birth date', () => {
    const afms = everyone.flatMap((p) => (p.afm ? [p.afm] : []));
    const amkas = everyone.flatMap((p) => (p.amka ? [p.amka] : []));
    expect(new Set(afms).size).toBe(afms.length);
    expect(new Set(amkas).size).toBe(amkas.length);
    expect(afms.every(isValidAfm)).toBe(true);
    expect(everyone.filter((p) => p.amka && !amkaMatchesBirthDate(p.amka, p.birthDate))).toEqual([]);
    // Most people have both; those without an AMKA have a ΠΑΑΥΠΑ instead.
    expect(afms.length / everyone.length).toBeGreaterThan(0.6);
    expect(everyone.filter((p) => !p.amka && !p.paaypa)).toEqual([]);
    expect(new Set(everyone.flatMap((p) => (p.paaypa ? [p.paaypa] : []))).size).toBe(
      everyone.filter((p) => p.paaypa).length,
    );
  });

  it('keeps generated AFMs out of the reserved range and unique across the index space', () => {
    const reserved = new Set(Array.from({ length: 20 }, (_, n) => reservedAfm(n)));
    expect(everyone.filter((p) => p.afm && reserved.has(p.afm))).toEqual([]);
    const sampled = Array.from({ length: 50_000 }, (_, i) => syntheticAfm(i * 379));
    expect(new Set(sampled).size).toBe(sampled.length);
    expect(() => syntheticAfm(RESERVED_INDEX_START * 2)).toThrow(/out of range/);
  });

  it('writes men and women with the gendered forms of one family surname', () => {
    const femaleEndings = Object.values(SURNAME_ENDINGS).map(([, female]) => female);
    const femaleForms = new Set<string>(OTHER_SURNAMES.map(([, female]) => female));
    const greekWomen = everyone.filter((p) => p.gender === 'FEMALE' && p.citizenship === 'GR');
    expect(
      greekWomen.filter(
        (p) => !femaleForms.has(p.surname) && !femaleEndings.some((e) => p.surname.endsWith(e)),
      ),
    ).toEqual([]);
    // A Greek female surname is a genitive: it never ends in ς.
    expect(greekWomen.filter((p) => p.surname.endsWith('ς'))).toEqual([]);
    // Παπαδόπουλος / Παπαδοπούλου: both forms occur, with the accent moved.
    expect(everyone.some((p) => p.surname === 'Παπαδόπουλος' && p.gender === 'MALE')).toBe(true);
    expect(everyone.some((p) => p.surname === 'Παπαδοπούλου' && p.gender === 'FEMALE')).toBe(true);
  });

  it('names children after their parents: surname of the father, his and the mother’s given names', () => {
    const families = large.filter(
      (h) => h.kind === 'COUPLE_WITH_CHILDREN' && h.members[0]!.person.citizenship === 'GR',
    );
    expect(families.length).toBeGreaterThan(1000);
    for (const household of families.slice(0, 2000)) {
      const parents = household.members.filter((m) => m.relationship !== 'CHILD').map((m) => m.person);
      const father = parents.find((p) => p.gender === 'MALE')!;
      const mother = parents.find((p) => p.gender === 'FEMALE')!;
      for (const { person: child } of household.members.filter((m) => m.relationship === 'CHILD')) {
        expect(child.fatherName).toBe(father.givenName);
        expect(child.motherName).toBe(mother.givenName);
        if (child.gender === 'MALE') expect(child.surname).toBe(father.surname);
        expect(child.birthDate > mother.birthDate && child.birthDate > father.birthDate).toBe(true);
      }
    }
  });

  it('computes the name keys with personKeys', () => {
    for (const p of everyone.filter((_, i) => i % 97 === 0)) {
      expect({ nameKey: p.nameKey, phoneticKey: p.phoneticKey }).toEqual(personKeys(p));
    }
  });

  it('gives every household one reference person, first, and members in its municipality', () => {
    for (const household of large) {
      expect(household.members.filter((m) => m.relationship === 'REFERENCE_PERSON')).toHaveLength(1);
      expect(household.members[0]!.relationship).toBe('REFERENCE_PERSON');
      expect(household.members.every((m) => m.person.municipalityCode === household.municipalityCode)).toBe(
        true,
      );
    }
    expect(large.some((h) => h.kind === 'ONE_PERSON')).toBe(true);
    expect(
      large.some((h) => h.kind === 'EXTENDED' && h.members.some((m) => m.relationship === 'PARENT')),
    ).toBe(true);
  });

  it('draws groups and ages in plausible proportions', () => {
    const share = (pred: (p: SyntheticPerson) => boolean) => everyone.filter(pred).length / everyone.length;
    const inGroup = (code: string) => (p: SyntheticPerson) => p.groups.some((g) => g.code === code);
    expect(share(inGroup('ROMA'))).toBeGreaterThan(0.05);
    expect(share(inGroup('ROMA'))).toBeLessThan(0.3);
    expect(share(inGroup('DISABILITY'))).toBeGreaterThan(0.04);
    expect(share(inGroup('DISABILITY'))).toBeLessThan(0.15);
    expect(share(inGroup('HOMELESS'))).toBeGreaterThan(0);
    expect(share(inGroup('HOMELESS'))).toBeLessThan(0.02);
    expect(share(inGroup('DESTITUTE'))).toBeGreaterThan(0.05);
    expect(share(inGroup('DESTITUTE'))).toBeLessThan(0.3);
    const pop = population(11);
    const minors = share((p) => pop.ageOf(p.birthDate) < 18);
    const elderly = share((p) => pop.ageOf(p.birthDate) >= 65);
    expect(minors).toBeGreaterThan(0.1);
    expect(minors).toBeLessThan(0.3);
    expect(elderly).toBeGreaterThan(0.15);
    expect(elderly).toBeLessThan(0.35);
    // Roma households are more frequent where a centre has a Roma branch.
    const roma = (code: string) => {
      const inMunicipality = large.filter((h) => h.municipalityCode === code);
      return inMunicipality.filter((h) => h.roma).length / inMunicipality.length;
    };
    expect(roma('0802')).toBeGreaterThan(5 * roma('4912'));
    // Group memberships never start before the person was born.
    expect(everyone.filter((p) => p.groups.some((g) => g.validFrom < p.birthDate))).toEqual([]);
  });
});
