import { latinName, personKeys } from '../beneficiaries/person-keys.js';
import type { RequestContext } from '../auth/request-context.js';
import { ConsentPurpose } from '../beneficiaries/beneficiary.model.js';
import { DuplicateService } from '../beneficiaries/duplicate.service.js';
import { makeAmka } from '../common/identifiers/amka.js';
import { writeHouseholds, writePeople } from './bulk-people.js';
import type { DemoSeeder } from './seed-demo.js';
import {
  Random,
  RESERVED_AMKA_SERIAL_START,
  reservedAfm,
  SyntheticPopulation,
  WeightedTable,
  type Gender,
  type SyntheticHousehold,
  type SyntheticPerson,
} from './synthetic-people.js';

/** The municipalities of the seed documents and how many demo households each gets (60 in all). */
export const DEMO_MUNICIPALITIES: Array<[code: string, households: number]> = [
  ['4912', 12], // Σπάτων – Αρτέμιδος, with a Roma branch
  ['4904', 8], // Κρωπίας, served by the Roma branch of Spata–Artemida
  ['1405', 7], // Σερβίων
  ['1402', 5], // Βελβεντού
  ['4908', 9], // Παιανίας
  ['5002', 10], // Ασπροπύργου, with a Roma branch
  ['0802', 9], // Αλεξάνδρειας, with a Roma branch
];

/** Municipalities whose community centre has (or is served by) a Roma branch. */
export const ROMA_BRANCH_MUNICIPALITIES = ['4912', '4904', '5002', '0802'];

/** Centres funded by the ESF, which report participant data (Spata–Artemida runs on its own means). */
const ESF_MUNICIPALITIES = new Set(['1405', '1402', '4908', '5002', '0802']);
const RURAL = new Map([
  ['1405', 1],
  ['1402', 1],
  ['0802', 0.5],
]);

const SEED = 743;
const REFERENCE_DATE = '2026-01-01';

/**
 * A fixed demo person for README examples and manual testing: Μαρία Παπαδοπούλου, born 1984-03-15,
 * in Σπάτων – Αρτέμιδος (4912), wife of Ιωάννης Παπαδόπουλος and mother of two. Her AMKA and AFM
 * come from ranges the generator never uses, so they are the same in every demo database.
 */
export const DEMO_PERSON = {
  givenName: 'Μαρία',
  surname: 'Παπαδοπούλου',
  birthDate: '1984-03-15',
  municipalityCode: '4912',
  amka: makeAmka('1984-03-15', RESERVED_AMKA_SERIAL_START + 2),
  afm: reservedAfm(2),
} as const;

/** The people, households, ESF answers, consents, facts and one likely duplicate of the demo. */
export const beneficiariesDemoSeeder: DemoSeeder = {
  name: 'beneficiaries',
  async seed(ctx: RequestContext): Promise<string> {
    const present = await ctx.em.query(`SELECT 1 FROM person WHERE amka = $1`, [DEMO_PERSON.amka]);
    if (present.length > 0) return 'already present';
    const random = new Random(SEED + 1);
    const population = new SyntheticPopulation({
      seed: SEED,
      municipalities: DEMO_MUNICIPALITIES.map(([code, weight]) => ({ code, weight })),
      romaMunicipalities: ROMA_BRANCH_MUNICIPALITIES,
      referenceDate: REFERENCE_DATE,
    });
    const households: SyntheticHousehold[] = [demoFamily(random)];
    for (const [code, count] of DEMO_MUNICIPALITIES) {
      // Each centre with a Roma branch shows at least one Roma household; the rest are drawn.
      const firstIsRoma = ROMA_BRANCH_MUNICIPALITIES.includes(code) ? true : undefined;
      for (let i = 0; i < count - (code === DEMO_PERSON.municipalityCode ? 1 : 0); i++)
        households.push(population.household(code, i === 0 ? firstIsRoma : undefined));
    }
    const totals = await writeHouseholds(ctx.em, households, { actorId: ctx.actor.id });
    const duplicate = likelyDuplicate(households, random);
    await writePeople(ctx.em, [duplicate.copy], ctx.actor.id);
    // Queued by the registry's own detection, as a registration through the API would be.
    await new DuplicateService().queueLikelyDuplicates(ctx, duplicate.copy.id);
    const esf = await writeEsfAnswers(ctx, households, random);
    const consents = await writeConsents(ctx, households, random);
    const facts = await writeFacts(ctx, households, random);
    return (
      `${totals.people + 1} people in ${totals.households} households, ${totals.groups} group memberships, ` +
      `${esf} ESF answers, ${consents} consents, ${facts} facts, 1 likely duplicate for review`
    );
  },
};

/** The household of DEMO_PERSON: her husband is the reference person, their children are 15 and 11. */
function demoFamily(random: Random): SyntheticHousehold {
  const base = { municipalityCode: DEMO_PERSON.municipalityCode, address: 'Ελευθερίου Βενιζέλου 12' };
  const father = handMade(random, base, {
    givenName: 'Ιωάννης',
    surname: 'Παπαδόπουλος',
    fatherName: 'Γεώργιος',
    motherName: 'Ελένη',
    birthDate: '1980-06-02',
    gender: 'MALE',
    serial: 1,
  });
  const mother = handMade(random, base, {
    givenName: DEMO_PERSON.givenName,
    surname: DEMO_PERSON.surname,
    fatherName: 'Νικόλαος',
    motherName: 'Αικατερίνη',
    birthDate: DEMO_PERSON.birthDate,
    gender: 'FEMALE',
    serial: 2,
  });
  const children = [
    {
      givenName: 'Γεώργιος',
      surname: 'Παπαδόπουλος',
      birthDate: '2010-09-21',
      gender: 'MALE' as const,
      serial: 3,
    },
    {
      givenName: 'Ελένη',
      surname: 'Παπαδοπούλου',
      birthDate: '2014-04-07',
      gender: 'FEMALE' as const,
      serial: 4,
    },
  ].map((child) =>
    handMade(random, base, { ...child, fatherName: 'Ιωάννης', motherName: 'Μαρία', noAfm: true }),
  );
  return {
    id: random.uuid(),
    kind: 'COUPLE_WITH_CHILDREN',
    municipalityCode: base.municipalityCode,
    address: base.address,
    roma: false,
    members: [
      { person: father, relationship: 'REFERENCE_PERSON' },
      { person: mother, relationship: 'SPOUSE_OR_PARTNER' },
      ...children.map((person) => ({ person, relationship: 'CHILD' as const })),
    ],
  };
}

/** A person of the demo family, with identifiers from the reserved ranges (serial n). */
function handMade(
  random: Random,
  base: { municipalityCode: string; address: string },
  p: {
    givenName: string;
    surname: string;
    fatherName: string;
    motherName: string;
    birthDate: string;
    gender: Gender;
    serial: number;
    noAfm?: boolean;
  },
): SyntheticPerson {
  const names = {
    givenName: p.givenName,
    surname: p.surname,
    givenNameLatin: latinName(p.givenName),
    surnameLatin: latinName(p.surname),
  };
  const keys = personKeys(names);
  // Odd AMKA serials for men and even for women, as the generator does.
  const serial = RESERVED_AMKA_SERIAL_START + 2 * (p.serial - 1) + (p.gender === 'MALE' ? 1 : 0);
  return {
    id: random.uuid(),
    ...names,
    fatherName: p.fatherName,
    motherName: p.motherName,
    birthDate: p.birthDate,
    gender: p.gender,
    afm: p.noAfm ? null : reservedAfm(p.serial),
    amka: makeAmka(p.birthDate, serial),
    paaypa: null,
    citizenship: 'GR',
    phone: p.noAfm ? null : `69${String(10_000_000 + p.serial).padStart(8, '0')}`,
    email: null,
    address: base.address,
    municipalityCode: base.municipalityCode,
    nameKey: keys.nameKey,
    phoneticKey: keys.phoneticKey,
    groups: [],
  };
}

/**
 * The same adult registered a second time by a clerk who typed the names in Latin letters: same
 * names (transliterated) and birth date, a different AFM and AMKA (both valid), no household. What
 * duplicate review must catch.
 */
function likelyDuplicate(
  households: SyntheticHousehold[],
  random: Random,
): { original: SyntheticPerson; copy: SyntheticPerson } {
  const original = households
    .filter((h) => h.municipalityCode === '4908')
    .flatMap((h) => h.members.map((m) => m.person))
    .find((p) => p.citizenship === 'GR' && p.amka && p.afm && p.birthDate < '2000-01-01');
  if (!original) throw new Error('demo data has no adult in 4908 to duplicate');
  const names = {
    givenName: original.givenNameLatin,
    surname: original.surnameLatin,
    givenNameLatin: original.givenNameLatin,
    surnameLatin: original.surnameLatin,
  };
  const keys = personKeys(names);
  return {
    original,
    copy: {
      ...original,
      ...names,
      id: random.uuid(),
      fatherName: original.fatherName && latinName(original.fatherName),
      motherName: original.motherName && latinName(original.motherName),
      afm: reservedAfm(10),
      amka: makeAmka(
        original.birthDate,
        RESERVED_AMKA_SERIAL_START + 20 + (original.gender === 'MALE' ? 1 : 0),
      ),
      phone: null,
      email: null,
      nameKey: keys.nameKey,
      phoneticKey: keys.phoneticKey,
      groups: [],
    },
  };
}

type Answer = 'YES' | 'NO' | 'PREFER_NOT_TO_ANSWER';

/** ESF participant answers for most adults of the ESF-funded centres, consistent with their records. */
async function writeEsfAnswers(
  ctx: RequestContext,
  households: SyntheticHousehold[],
  random: Random,
): Promise<number> {
  const employment = new WeightedTable<string>([
    ['UNEMPLOYED', 30],
    ['LONG_TERM_UNEMPLOYED', 25],
    ['INACTIVE', 20],
    ['EMPLOYED', 20],
    ['PREFER_NOT_TO_ANSWER', 5],
  ]);
  const education = new WeightedTable<string>([
    ['ISCED_0_2', 40],
    ['ISCED_3_4', 40],
    ['ISCED_5_8', 15],
    ['PREFER_NOT_TO_ANSWER', 5],
  ]);
  const yesNo = (yes: boolean): Answer => (random.chance(0.04) ? 'PREFER_NOT_TO_ANSWER' : yes ? 'YES' : 'NO');
  const rows: Array<Record<string, string>> = [];
  for (const household of households) {
    if (!ESF_MUNICIPALITIES.has(household.municipalityCode)) continue;
    for (const { person } of household.members) {
      const age = ageAt(person.birthDate, REFERENCE_DATE);
      if (age < 16 || !random.chance(0.7)) continue;
      const has = (code: string) => person.groups.some((g) => g.code === code);
      rows.push({
        person_id: person.id,
        employment_status: age >= 67 ? 'INACTIVE' : employment.pick(random),
        education_level: has('ROMA') && random.chance(0.8) ? 'ISCED_0_2' : education.pick(random),
        migrant_or_foreign_background: yesNo(person.citizenship !== 'GR'),
        // Roma origin is special-category data: some prefer not to say it even when it is recorded.
        minority: has('ROMA') && random.chance(0.2) ? 'PREFER_NOT_TO_ANSWER' : yesNo(has('ROMA')),
        disability: yesNo(has('DISABILITY')),
        homeless_or_housing_exclusion: yesNo(has('HOMELESS')),
        rural_area: yesNo(random.chance(RURAL.get(household.municipalityCode) ?? 0)),
      });
    }
  }
  await ctx.em.query(
    `INSERT INTO esf_participant (person_id, employment_status, education_level, migrant_or_foreign_background,
       minority, disability, homeless_or_housing_exclusion, rural_area, recorded_by)
     SELECT r.*, $2 FROM jsonb_to_recordset($1::jsonb) AS r(person_id uuid, employment_status text,
       education_level text, migrant_or_foreign_background text, minority text, disability text,
       homeless_or_housing_exclusion text, rural_area text)`,
    [JSON.stringify(rows), ctx.actor.id],
  );
  return rows.length;
}

/** Consents of a few reference persons: sharing data with providers, contact by phone or e-mail; one withdrawn. */
async function writeConsents(
  ctx: RequestContext,
  households: SyntheticHousehold[],
  random: Random,
): Promise<number> {
  const references = households.map((h) => h.members[0]!.person).filter((_, i) => i % 6 === 0);
  const rows = references.map((person, i) => ({
    person_id: person.id,
    purpose:
      i % 2 === 0 ? ConsentPurpose.DATA_SHARING_WITH_PROVIDERS : ConsentPurpose.CONTACT_BY_PHONE_OR_EMAIL,
    given_at: `${Number(REFERENCE_DATE.slice(0, 4)) - 1}-0${1 + (i % 9)}-1${random.int(0, 9)}T10:00:00Z`,
    withdrawn: i === 1,
  }));
  await ctx.em.query(
    `INSERT INTO consent (person_id, purpose, given_at, given_by, withdrawn_at, withdrawn_by)
     SELECT r.person_id, r.purpose, r.given_at, $2, CASE WHEN r.withdrawn THEN r.given_at + interval '60 days' END,
       CASE WHEN r.withdrawn THEN $2 END
     FROM jsonb_to_recordset($1::jsonb) AS r(person_id uuid, purpose text, given_at timestamptz, withdrawn boolean)`,
    [JSON.stringify(rows), ctx.actor.id],
  );
  return rows.length;
}

/**
 * Facts as feeds would bring them: declared household income of the reference person for two tax
 * years (TAXIS, known after each July's filing deadline), and the disability percentage of people
 * with a disability certificate (KEPA, valid three years or, from 65, indefinitely).
 */
async function writeFacts(
  ctx: RequestContext,
  households: SyntheticHousehold[],
  random: Random,
): Promise<number> {
  const rows: Array<Record<string, unknown>> = [];
  for (const household of households) {
    const reference = household.members[0]!.person;
    if (reference.afm) {
      const poor = reference.groups.some((g) => g.code === 'DESTITUTE');
      let income = poor ? random.int(1_500, 5_500) : random.int(6_000, 32_000);
      for (const taxYear of [2023, 2024]) {
        rows.push({
          person_id: reference.id,
          kind: 'household_income_annual',
          tax_year: taxYear,
          value_numeric: income + random.int(0, 99) / 100,
          source: 'TAXIS',
          as_of: `${taxYear + 1}-07-31`,
        });
        income = Math.round(income * (0.95 + random.next() * 0.15));
      }
    }
    for (const { person } of household.members) {
      const certificate = person.groups.find((g) => g.code === 'DISABILITY' && g.basis === 'DOCUMENT');
      if (!certificate) continue;
      const validTo =
        ageAt(person.birthDate, certificate.validFrom) >= 65
          ? null
          : `${Number(certificate.validFrom.slice(0, 4)) + 3}${certificate.validFrom.slice(4)}`;
      rows.push({
        person_id: person.id,
        kind: 'disability_percentage',
        value_numeric: random.pick([50, 60, 67, 67, 70, 80, 80, 95]),
        valid_from: certificate.validFrom,
        valid_to: validTo,
        source: 'KEPA',
        as_of: certificate.validFrom,
      });
    }
  }
  await ctx.em.query(
    `INSERT INTO person_fact (person_id, kind, tax_year, value_numeric, valid_from, valid_to, source, as_of,
       basis, recorded_by)
     SELECT r.*, 'FEED', $2 FROM jsonb_to_recordset($1::jsonb) AS r(person_id uuid, kind text, tax_year integer,
       value_numeric numeric, valid_from date, valid_to date, source text, as_of date)`,
    [JSON.stringify(rows), ctx.actor.id],
  );
  return rows.length;
}

function ageAt(birthDate: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return date.slice(5) < birthDate.slice(5) ? years - 1 : years;
}
