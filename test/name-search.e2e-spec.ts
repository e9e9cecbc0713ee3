import { makeAfm } from '../src/common/identifiers/afm.js';
import { makeAmka } from '../src/common/identifiers/amka.js';
import { Role } from '../src/auth/roles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The name-search cases, published: each person below is registered as written (Greek, or Latin
 * where the surname is in Latin capitals), and each query beside them must find that person.
 * docs/beneficiaries.md, "Finding people", describes the folds these cases exercise.
 */
const PEOPLE: Array<[given: string, surname: string, queries: string[]]> = [
  [
    'Ευάγγελος',
    'Ευαγγέλου',
    [
      'EVAGGELOU',
      'Evangelou',
      'Euaggelou',
      'ευαγγελου',
      'ΕΥΑΓΓΕΛΟΥ',
      'Vaggelis Evaggelou',
      'Evagelou',
      'Evaggelos',
    ],
  ],
  [
    'Γεώργιος',
    'Λαμπράκης',
    [
      'Lambrakis',
      'Lamprakis',
      'LABRAKIS',
      'Λαμπρακης',
      'Giorgos Lambrakis',
      'Γιώργος Λαμπράκης',
      'Yiorgos Labrakis',
      'Lambrakis Georgios',
    ],
  ],
  [
    'Άγγελος',
    'Αγγελόπουλος',
    [
      'Aggelopoulos',
      'Angelopoulos',
      'Agkelopoulos',
      'AGGELOPOULOS',
      'αγγελοπουλος',
      'Aggelopoulos Aggelos',
      'Angelos Angelopoulos',
      'Agelopoulos',
    ],
  ],
  [
    'Δημήτριος',
    'Παπαδόπουλος',
    [
      'Papadopoulos',
      'Papadopulos',
      'PAPADOPOYLOS',
      'Παπαδοπουλος',
      'ΠΑΠΑΔΟΠΟΥΛΟΣ',
      'Dimitris Papadopoulos',
      'Δημήτρης Παπαδόπουλος',
      'Papadoplos',
      'Παπαδ',
    ],
  ],
  [
    'Νικόλαος',
    'Παπαδόπουλος',
    ['Papadopoulos', 'Papadoplos', 'Nikos Papadopoulos', 'Νίκος Παπαδόπουλος', 'Nikolaos Papadopoulos'],
  ],
  [
    'Θεόδωρος',
    'Παπαδόπουλος',
    ['Papadopoulos', 'Papadoplos', 'Thodoris Papadopoulos', 'Θοδωρής Παπαδόπουλος', 'Theodoros Papadopulos'],
  ],
  [
    'Κωνσταντίνος',
    'Αντωνίου',
    [
      'Antoniou',
      'Andoniou',
      'ANTONIOU',
      'Kostas Antoniou',
      'Κώστας Αντωνίου',
      'Konstantinos Antoniou',
      'Constantinos Antoniou',
      'Ντίνος Αντωνίου',
    ],
  ],
  [
    'Ιωάννης',
    'Μπακογιάννης',
    [
      'Bakogiannis',
      'Bakoyannis',
      'Mpakogiannis',
      'MPAKOGIANNIS',
      'Giannis Bakogiannis',
      'Γιάννης Μπακογιάννης',
      'Yannis Bakoyannis',
      'Ioannis Mpakogiannis',
    ],
  ],
  [
    'Χρήστος',
    'Χατζηδάκης',
    [
      'Chatzidakis',
      'Hatzidakis',
      'Xatzidakis',
      'Khatzidakis',
      'CHATZIDAKIS',
      'Xristos Xatzidakis',
      'Hristos Hatzidakis',
      'Christos Chatzidakis',
    ],
  ],
  [
    'Αλέξανδρος',
    'Ξανθόπουλος',
    [
      'Xanthopoulos',
      'Ksanthopoulos',
      'XANTHOPOULOS',
      'Aleksandros Xanthopoulos',
      'Alexandros Ksanthopoulos',
      'Αλέκος Ξανθόπουλος',
      'Alexis Xanthopoulos',
    ],
  ],
  [
    'Σταύρος',
    'Ευστρατίου',
    [
      'Efstratiou',
      'Eustratiou',
      'Evstratiou',
      'EFSTRATIOU',
      'Stavros Efstratiou',
      'Stauros Eustratiou',
      'Σταυρος Ευστρατιου',
    ],
  ],
  [
    'Παναγιώτης',
    'Τζαβέλας',
    [
      'Tzavelas',
      'Djavelas',
      'Dzavelas',
      'TZAVELAS',
      'Takis Tzavelas',
      'Τάκης Τζαβέλας',
      'Panos Tzavelas',
      'Panagiotis Djavelas',
    ],
  ],
  [
    'Μαρία',
    'Ψυχογιού',
    [
      'Psychogiou',
      'Psihogiou',
      'Psyxogiou',
      'PSYCHOGIOU',
      'Mairi Psychogiou',
      'Μαίρη Ψυχογιού',
      'Maria Psihogiou',
      'Ψυχογιου Μαρια',
    ],
  ],
  [
    'Αθανασία',
    'Οικονόμου',
    [
      'Oikonomou',
      'Ikonomou',
      'Oikonomoy',
      'OIKONOMOU',
      'Soula Oikonomou',
      'Σούλα Οικονόμου',
      'Athanasia Ikonomou',
      'Θανασία Οικονόμου',
    ],
  ],
  [
    'Αικατερίνη',
    'Ντόκου',
    [
      'Ntokou',
      'Dokou',
      'Ndokou',
      'NTOKOU',
      'Katerina Ntokou',
      'Κατερίνα Ντόκου',
      'Aikaterini Dokou',
      'Katina Dokou',
    ],
  ],
  [
    'Ευθύμιος',
    'Καλαμπόκης',
    [
      'Kalampokis',
      'Kalambokis',
      'Kalabokis',
      'KALAMPOKIS',
      'Thymios Kalampokis',
      'Θύμιος Καλαμπόκης',
      'Efthymios Kalambokis',
      'Eftimios Kalabokis',
    ],
  ],
  ['Ελένη', 'Γκίκα', ['Gkika', 'Gika', 'GKIKA', 'Eleni Gkika', 'Lena Gika', 'Λένα Γκίκα', 'ΕΛΕΝΗ ΓΚΙΚΑ']],
  [
    'Βασίλειος',
    'Αυγερινός',
    [
      'Avgerinos',
      'Augerinos',
      'Afgerinos',
      'AVGERINOS',
      'Vasilis Avgerinos',
      'Βασίλης Αυγερινός',
      'Vasileios Augerinos',
    ],
  ],
  [
    'Ευαγγελία',
    'Ζαφειρίου',
    [
      'Zafeiriou',
      'Zafiriou',
      'Zafeiriu',
      'ZAFEIRIOU',
      'Litsa Zafeiriou',
      'Λίτσα Ζαφειρίου',
      'Evangelia Zafiriou',
      'Vaggelio Zafeiriou',
    ],
  ],
  [
    'Εμμανουήλ',
    'Φραγκιαδάκης',
    [
      'Fragkiadakis',
      'Fragiadakis',
      'Frangiadakis',
      'Fraggiadakis',
      'Manolis Fragkiadakis',
      'Μανώλης Φραγκιαδάκης',
      'Emmanouil Frangiadakis',
      'Emmanuil Fragiadakis',
    ],
  ],
  [
    'Σπυρίδων',
    'Κουτσούκος',
    [
      'Koutsoukos',
      'Kutsukos',
      'Koytsoykos',
      'KOUTSOUKOS',
      'Spyros Koutsoukos',
      'Σπύρος Κουτσούκος',
      'Spiros Kutsukos',
      'Spyridon Koutsoukos',
    ],
  ],
  [
    'Παρασκευή',
    'Θεοχάρη',
    [
      'Theochari',
      'Theohari',
      'Theoxari',
      'Teohari',
      'Voula Theochari',
      'Βούλα Θεοχάρη',
      'Paraskevi Theohari',
      'Evi Theoxari',
    ],
  ],
  [
    'Στυλιανός',
    'Ρήγας',
    ['Rigas', 'RIGAS', 'Stelios Rigas', 'Στέλιος Ρήγας', 'Stylianos Rigas', 'Stilianos Rigas'],
  ],
  [
    'Αναστασία',
    'Σταματοπούλου',
    [
      'Stamatopoulou',
      'Stamatopulu',
      'STAMATOPOULOU',
      'Tasoula Stamatopoulou',
      'Τασούλα Σταματοπούλου',
      'Natasa Stamatopoulou',
      'Σταματοπ',
    ],
  ],
  ['Anna', 'AGGELOPOULOS', ['Aggelopoulos', 'AGGELOPOULOS', 'Angelopoulos', 'ΑΓΓΕΛΟΠΟΥΛΟΣ']],
];

/** Near spellings that must NOT find the person: other names, not other spellings of one name. */
const NOT_FOUND: Array<[query: string, given: string, surname: string]> = [
  ['Papadakis', 'Δημήτριος', 'Παπαδόπουλος'],
  ['Lamprou', 'Γεώργιος', 'Λαμπράκης'],
  ['Giorgos Papadopoulos', 'Δημήτριος', 'Παπαδόπουλος'],
  ['Maria Antoniou', 'Κωνσταντίνος', 'Αντωνίου'],
  ['Nikos Papadopoulos', 'Θεόδωρος', 'Παπαδόπουλος'],
  ['Zafeiropoulos', 'Ευαγγελία', 'Ζαφειρίου'],
  ['Stamatiou', 'Αναστασία', 'Σταματοπούλου'],
  ['Rigopoulos', 'Στυλιανός', 'Ρήγας'],
  ['Koutras', 'Σπυρίδων', 'Κουτσούκος'],
  ['Theodorou', 'Παρασκευή', 'Θεοχάρη'],
];

describe('name search: the published table', () => {
  let t: TestApp;
  let staff: string;
  const ids = new Map<string, string>();
  const purpose = { 'X-Purpose': 'CASE_MANAGEMENT' };

  const search = async (text: string): Promise<string[]> => {
    const res = await t.gql(
      staff,
      `query($s: String!) { beneficiaries(search: $s, first: 100) { edges { node { id } } } }`,
      { s: text },
      purpose,
    );
    expect(res.body.errors).toBeUndefined();
    return res.body.data.beneficiaries.edges.map((e: { node: { id: string } }) => e.node.id);
  };

  beforeAll(async () => {
    t = await startTestApp();
    staff = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'names-1');
    let serial = 200;
    for (const [given, surname] of PEOPLE) {
      serial += 1;
      const birthDate = `19${50 + (serial % 40)}-0${1 + (serial % 9)}-1${serial % 10}`;
      const latin = /^[A-Z]+$/i.test(surname);
      const res = await t.gql(
        staff,
        `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) {
           ... on PersonRegistered { beneficiary { id } } } }`,
        {
          input: {
            givenName: latin ? 'Άννα' : given,
            surname: latin ? 'Αγγελοπούλου' : surname,
            ...(latin ? { givenNameLatin: given.toUpperCase(), surnameLatin: surname } : {}),
            birthDate,
            gender: 'FEMALE',
            municipalityCode: '4912',
            afm: makeAfm(String(20000000 + serial * 41)),
            amka: makeAmka(birthDate, serial * 2),
          },
        },
        { 'X-Purpose': 'REGISTRATION' },
      );
      expect(res.body.errors).toBeUndefined();
      ids.set(`${given} ${surname}`, res.body.data.registerPerson.beneficiary.id);
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  const cases = PEOPLE.flatMap(([given, surname, queries]) =>
    queries.map((q) => [q, given, surname] as const),
  );

  it('publishes at least 150 query/stored pairs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  it.each(cases)('"%s" finds %s %s', async (query, given, surname) => {
    expect(await search(query)).toContain(ids.get(`${given} ${surname}`));
  });

  it.each(NOT_FOUND)('"%s" does not find %s %s', async (query, given, surname) => {
    expect(await search(query)).not.toContain(ids.get(`${given} ${surname}`));
  });

  it('gives exact matches first, then near ones, in one answer', async () => {
    const found = await search('Aggelopoulos');
    const latin = ids.get('Anna AGGELOPOULOS')!;
    const greek = ids.get('Άγγελος Αγγελόπουλος')!;
    expect(found).toEqual(expect.arrayContaining([latin, greek]));
    const near = await search('Aggelopoylou');
    // Αγγελοπούλου (the Latin-registered Anna) is exact; Αγγελόπουλος is a near spelling after her.
    expect(near.indexOf(latin)).toBeGreaterThanOrEqual(0);
    expect(near.indexOf(greek)).toBeGreaterThan(near.indexOf(latin));
  });

  it('finds a surname typed alone with a typo whatever the given names', async () => {
    const found = await search('Papadoplos');
    for (const given of ['Δημήτριος', 'Νικόλαος', 'Θεόδωρος'])
      expect(found).toContain(ids.get(`${given} Παπαδόπουλος`));
  });
});
