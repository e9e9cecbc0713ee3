import type { RequestContext } from '../auth/request-context.js';
import type { ProgrammeInput } from '../programmes/dto/programme.input.js';
import { AreaLevel, FundingSource, ProgrammeKind } from '../programmes/programme.entity.js';
import { ProgrammesService } from '../programmes/programmes.service.js';
import type { OpeningHoursInput, ProviderInput } from '../providers/dto/provider.input.js';
import { ProvidersService } from '../providers/providers.service.js';
import { SEEDED_RULES } from './programme-rules.seed.js';
import type { DemoSeeder } from './seed-demo.js';

/**
 * Demo data of the provider and programme registries: the five community centres of the seed
 * documents with their published facts (docs/providers-and-programmes.md), a few typical local providers, and
 * the national programmes with their amounts as dated parameters and their eligibility rules with
 * test cases (programme-rules.seed.ts). Where a fact is not published
 * (a street address, where Alexandreia's two shifts meet) the data says so or stays empty:
 * coordinates are the municipality's centroid, addresses name only the town.
 */
const ESF_AXIS = 'Προώθηση της κοινωνικής ένταξης και καταπολέμηση της φτώχειας';
const WEEK = [1, 2, 3, 4, 5];
const weekdays = (...shifts: Array<[string, string]>): OpeningHoursInput[] =>
  WEEK.flatMap((weekday) => shifts.map(([opensAt, closesAt]) => ({ weekday, opensAt, closesAt })));

type Seeded = Omit<ProviderInput, 'parentId'> & { key: string; parentKey?: string };

const PROVIDERS: Seeded[] = [
  {
    key: 'spata',
    kindCode: 'COMMUNITY_CENTRE',
    name: 'Διευρυμένο Κέντρο Κοινότητας Δήμου Σπάτων - Αρτέμιδος',
    organisation: 'Δήμος Σπάτων - Αρτέμιδος, Διεύθυνση Κοινωνικής Πολιτικής',
    description:
      'Extended Community Centre (central unit and Roma branch) of the Directorate of Social Policy, run with the municipality’s own means; serves all residents.',
    municipalityCode: '4912',
    languages: ['el'],
    staffRoles: [
      { role: 'SOCIAL_WORKER', count: 1 },
      { role: 'PSYCHOLOGIST', count: 1 },
    ],
    locations: [
      {
        name: 'Κεντρική μονάδα',
        address: 'Σπάτα, Αττική (demo: town only)',
        municipalityCode: '4912',
        latitude: 37.96779,
        longitude: 23.95978,
        openingHours: weekdays(['08:00', '16:00']),
      },
    ],
    services: [
      {
        name: 'Υποδοχή – ενημέρωση – υποστήριξη πολιτών',
        categoryCode: 'INFORMATION_AND_REFERRAL',
        targetGroups: ['ALL_RESIDENTS'],
        costAmount: '0.00',
      },
      {
        name: 'Υποστήριξη αιτήσεων προνοιακών επιδομάτων',
        categoryCode: 'BENEFIT_APPLICATIONS',
        targetGroups: ['ALL_RESIDENTS'],
        costAmount: '0.00',
      },
    ],
  },
  {
    key: 'spata-roma',
    parentKey: 'spata',
    kindCode: 'CENTRE_BRANCH_ROMA',
    name: 'Παράρτημα Ρομά Κέντρου Κοινότητας Σπάτων - Αρτέμιδος',
    organisation: 'Δήμος Σπάτων - Αρτέμιδος',
    description: 'Roma branch of the extended centre; also serves the municipality of Κρωπία.',
    municipalityCode: '4912',
    serviceArea: ['4904'],
    languages: ['el', 'rom'],
    locations: [
      {
        address: 'Σπάτα, Αττική (demo: town only)',
        municipalityCode: '4912',
        latitude: 37.96779,
        longitude: 23.95978,
        openingHours: weekdays(['08:00', '16:00']),
      },
    ],
    services: [
      {
        name: 'Συμβουλευτική κοινωνικής ένταξης Ρομά',
        categoryCode: 'SOCIAL_SUPPORT',
        targetGroups: ['ROMA'],
        costAmount: '0.00',
      },
    ],
  },
  {
    key: 'servia',
    kindCode: 'COMMUNITY_CENTRE',
    name: 'Κέντρο Κοινότητας Δήμου Σερβίων - Βελβεντού',
    organisation: 'Δήμος Σερβίων, Τμήμα Κοινωνικής Προστασίας, Παιδείας και Πολιτισμού',
    description:
      'Approved 09.01.2017 for the then municipality of Σερβίων - Βελβεντού (split in 2019 into Σερβίων and Βελβεντού); housed in the municipal building with step-free access. Opening hours not published.',
    municipalityCode: '1405',
    serviceArea: ['1402'],
    staffRoles: [
      { role: 'SOCIAL_WORKER', count: 1 },
      { role: 'PSYCHOLOGIST', count: 1 },
    ],
    locations: [
      {
        name: 'Δημοτικό κατάστημα',
        address: 'Σέρβια, Κοζάνη (demo: town only)',
        municipalityCode: '1405',
        latitude: 40.15922,
        longitude: 21.97578,
        accessibility: ['STEP_FREE_ACCESS'],
      },
    ],
    services: [
      {
        name: 'Υποδοχή – ενημέρωση – υποστήριξη πολιτών',
        categoryCode: 'INFORMATION_AND_REFERRAL',
        targetGroups: ['ALL_RESIDENTS'],
      },
      {
        name: 'Ψυχοκοινωνική υποστήριξη',
        categoryCode: 'PSYCHOSOCIAL_COUNSELLING',
        targetGroups: ['ALL_RESIDENTS'],
      },
    ],
  },
  {
    key: 'paiania',
    kindCode: 'COMMUNITY_CENTRE',
    name: 'Κέντρο Κοινότητας Δήμου Παιανίας',
    organisation: 'Δήμος Παιανίας',
    description:
      'One-stop shop for all residents, with emphasis on the most vulnerable; refers through an electronic system connected to partner bodies; links with ΤΕΒΑ, ΟΑΕΔ and lifelong-learning programmes.',
    municipalityCode: '4908',
    locations: [
      {
        address: 'Παιανία, Αττική (demo: town only)',
        municipalityCode: '4908',
        latitude: 37.95797,
        longitude: 23.86818,
        openingHours: weekdays(['09:00', '17:00']),
      },
    ],
    services: [
      {
        name: 'Υποδοχή – ενημέρωση – υποστήριξη πολιτών',
        categoryCode: 'INFORMATION_AND_REFERRAL',
        targetGroups: ['ALL_RESIDENTS'],
      },
      {
        name: 'Διασύνδεση με ΤΕΒΑ, ΟΑΕΔ και προγράμματα δια βίου μάθησης',
        categoryCode: 'EMPLOYMENT',
        targetGroups: ['UNEMPLOYED', 'DESTITUTE'],
      },
    ],
  },
  {
    key: 'aspropyrgos',
    kindCode: 'COMMUNITY_CENTRE',
    name: 'Κέντρο Κοινότητας Δήμου Ασπροπύργου',
    organisation: 'Δήμος Ασπροπύργου',
    description: 'Extended with a Roma branch, funded by the Region of Attica. Opening hours not published.',
    municipalityCode: '5002',
    locations: [
      {
        address: 'Ασπρόπυργος, Αττική (demo: town only)',
        municipalityCode: '5002',
        latitude: 38.0929,
        longitude: 23.59847,
      },
    ],
    services: [
      {
        name: 'Υποδοχή – ενημέρωση – υποστήριξη πολιτών',
        categoryCode: 'INFORMATION_AND_REFERRAL',
        targetGroups: ['ALL_RESIDENTS'],
      },
    ],
  },
  {
    key: 'aspropyrgos-roma',
    parentKey: 'aspropyrgos',
    kindCode: 'CENTRE_BRANCH_ROMA',
    name: 'Παράρτημα Ρομά Κέντρου Κοινότητας Ασπροπύργου',
    organisation: 'Δήμος Ασπροπύργου',
    municipalityCode: '5002',
    languages: ['el', 'rom'],
    services: [
      { name: 'Συμβουλευτική κοινωνικής ένταξης', categoryCode: 'SOCIAL_SUPPORT', targetGroups: ['ROMA'] },
      { name: 'Προώθηση στην απασχόληση', categoryCode: 'EMPLOYMENT', targetGroups: ['ROMA'] },
      { name: 'Ευαισθητοποίηση και ενημέρωση', categoryCode: 'COMMUNITY_ACTIVITIES', targetGroups: ['ROMA'] },
    ],
  },
  {
    key: 'alexandreia',
    kindCode: 'COMMUNITY_CENTRE',
    name: 'Διευρυμένο Κέντρο Κοινότητας Δήμου Αλεξάνδρειας',
    organisation: 'Δήμος Αλεξάνδρειας',
    description:
      'Extended centre with a Roma branch; supports over 300 families. Mon–Fri 09:00–21:00 in two shifts (where the shifts meet is not published: 15:00 in this demo). Refers to ΟΑΕΔ, ΑμεΑ structures, tutoring centres and nurseries.',
    municipalityCode: '0802',
    locations: [
      {
        address: 'Αλεξάνδρεια, Ημαθία (demo: town only)',
        municipalityCode: '0802',
        latitude: 40.59423,
        longitude: 22.46335,
        openingHours: weekdays(['09:00', '15:00'], ['15:00', '21:00']),
      },
    ],
    services: [
      {
        name: 'Ψυχοκοινωνική συμβουλευτική παιδιών, ενηλίκων και οικογενειών',
        categoryCode: 'PSYCHOSOCIAL_COUNSELLING',
        targetGroups: ['CHILDREN', 'FAMILIES', 'ALL_RESIDENTS'],
      },
      { name: 'Ευκαιρίες για νέους', categoryCode: 'COMMUNITY_ACTIVITIES', targetGroups: ['YOUTH'] },
      { name: 'Ομάδες γειτονιάς', categoryCode: 'COMMUNITY_ACTIVITIES', targetGroups: ['ALL_RESIDENTS'] },
      {
        name: 'Μικτές δράσεις για παιδιά με αναπηρία, μαθησιακές δυσκολίες, Ρομά και μετανάστες',
        categoryCode: 'CHILD_CARE',
        targetGroups: ['CHILDREN', 'DISABILITY', 'ROMA', 'MIGRANTS'],
      },
      {
        name: 'Συλλογή και διανομή βασικών αγαθών (με το Κοινωνικό Παντοπωλείο και Φαρμακείο)',
        categoryCode: 'BASIC_GOODS',
        targetGroups: ['DESTITUTE'],
      },
      { name: 'Δίκτυο εθελοντών', categoryCode: 'COMMUNITY_ACTIVITIES', targetGroups: ['ALL_RESIDENTS'] },
    ],
  },
  {
    key: 'alexandreia-roma',
    parentKey: 'alexandreia',
    kindCode: 'CENTRE_BRANCH_ROMA',
    name: 'Παράρτημα Ρομά Κέντρου Κοινότητας Αλεξάνδρειας',
    organisation: 'Δήμος Αλεξάνδρειας',
    description: 'The former “Roma and Vulnerable Groups Support Centre”, now the branch of the centre.',
    municipalityCode: '0802',
    languages: ['el', 'rom'],
    services: [
      { name: 'Υποστήριξη Ρομά και ευπαθών ομάδων', categoryCode: 'SOCIAL_SUPPORT', targetGroups: ['ROMA'] },
    ],
  },
  {
    key: 'alexandreia-grocery',
    kindCode: 'SOCIAL_GROCERY',
    name: 'Κοινωνικό Παντοπωλείο Δήμου Αλεξάνδρειας',
    organisation: 'Δήμος Αλεξάνδρειας',
    municipalityCode: '0802',
    services: [
      {
        name: 'Διανομή τροφίμων και ειδών πρώτης ανάγκης',
        categoryCode: 'FOOD_AID',
        targetGroups: ['DESTITUTE', 'LOW_INCOME'],
        costAmount: '0.00',
      },
    ],
  },
  {
    key: 'alexandreia-pharmacy',
    kindCode: 'SOCIAL_PHARMACY',
    name: 'Κοινωνικό Φαρμακείο Δήμου Αλεξάνδρειας',
    organisation: 'Δήμος Αλεξάνδρειας',
    municipalityCode: '0802',
    services: [
      {
        name: 'Δωρεάν φάρμακα',
        categoryCode: 'MEDICINES',
        targetGroups: ['DESTITUTE', 'LOW_INCOME'],
        requiredDocuments: ['Ιατρική συνταγή', 'ΑΜΚΑ'],
        costAmount: '0.00',
      },
    ],
  },
  {
    key: 'spata-kapi',
    kindCode: 'KAPI',
    name: 'ΚΑΠΗ Δήμου Σπάτων - Αρτέμιδος',
    organisation: 'Δήμος Σπάτων - Αρτέμιδος',
    description: 'Demo data: a typical open-care centre for the elderly; details illustrative.',
    municipalityCode: '4912',
    services: [
      {
        name: 'Δραστηριότητες και φροντίδα ηλικιωμένων',
        categoryCode: 'ELDERLY_CARE',
        targetGroups: ['ELDERLY'],
        minAge: 60,
      },
    ],
  },
  {
    key: 'aspropyrgos-grocery',
    kindCode: 'SOCIAL_GROCERY',
    name: 'Κοινωνικό Παντοπωλείο Δήμου Ασπροπύργου',
    organisation: 'Δήμος Ασπροπύργου',
    description: 'Demo data: a typical social grocery; details illustrative.',
    municipalityCode: '5002',
    services: [
      { name: 'Διανομή τροφίμων', categoryCode: 'FOOD_AID', targetGroups: ['DESTITUTE'], costAmount: '0.00' },
    ],
  },
  {
    key: 'dypa-east-attica',
    kindCode: 'EMPLOYMENT_OFFICE',
    name: 'Κέντρο Προώθησης Απασχόλησης ΔΥΠΑ Ανατολικής Αττικής (demo)',
    organisation: 'ΔΥΠΑ',
    description: 'Demo data: a typical employment office serving the seed municipalities of East Attica.',
    municipalityCode: '4908',
    serviceArea: ['4912', '4904'],
    services: [
      {
        name: 'Εγγραφή ανεργίας και κάρτα ανεργίας',
        categoryCode: 'EMPLOYMENT',
        targetGroups: ['UNEMPLOYED'],
        requiredDocuments: ['Ταυτότητα', 'ΑΜΚΑ', 'ΑΦΜ'],
      },
    ],
  },
];

type SeededProgramme = ProgrammeInput & { deliveredBy?: string[] };

const CENTRE_PROGRAMMES: SeededProgramme[] = [
  {
    code: 'KK-SPATA-ARTEMIDA',
    title: 'Διευρυμένο Κέντρο Κοινότητας Σπάτων - Αρτέμιδος',
    kind: ProgrammeKind.SERVICE,
    administeringBody: 'Δήμος Σπάτων - Αρτέμιδος',
    fundingSource: FundingSource.MUNICIPAL,
    description: 'Run with the municipality’s own means; the Roma branch also serves Κρωπία.',
    targetGroups: ['ALL_RESIDENTS', 'ROMA'],
    coverage: [
      { areaLevel: AreaLevel.MUNICIPALITY, areaCode: '4912' },
      { areaLevel: AreaLevel.MUNICIPALITY, areaCode: '4904' },
    ],
    ownerRegionCode: '9',
    deliveredBy: ['spata', 'spata-roma'],
  },
  {
    code: 'KK-SERVIA-VELVENTOS',
    title: 'Κέντρο Κοινότητας Δήμου Σερβίων - Βελβεντού',
    kind: ProgrammeKind.SERVICE,
    administeringBody: 'Δήμος Σερβίων',
    fundingSource: FundingSource.ESF,
    operationalProgramme: 'Δυτική Μακεδονία 2014-2020',
    priorityAxis: ESF_AXIS,
    startsOn: '2017-01-09',
    description:
      'Approved 09.01.2017; staffed by a social worker and a psychologist for at least three years.',
    targetGroups: ['ALL_RESIDENTS'],
    coverage: [
      { areaLevel: AreaLevel.MUNICIPALITY, areaCode: '1405' },
      { areaLevel: AreaLevel.MUNICIPALITY, areaCode: '1402' },
    ],
    ownerRegionCode: '3',
    deliveredBy: ['servia'],
  },
  {
    code: 'KK-PAIANIA',
    title: 'Κέντρο Κοινότητας Δήμου Παιανίας',
    kind: ProgrammeKind.SERVICE,
    administeringBody: 'Δήμος Παιανίας',
    fundingSource: FundingSource.ESF,
    operationalProgramme: 'Αττική 2014-2020',
    priorityAxis: ESF_AXIS,
    description: 'A three-year programme.',
    targetGroups: ['ALL_RESIDENTS'],
    coverage: [{ areaLevel: AreaLevel.MUNICIPALITY, areaCode: '4908' }],
    ownerRegionCode: '9',
    deliveredBy: ['paiania'],
  },
  {
    code: 'KK-ASPROPYRGOS-ROMA',
    title: 'Επέκταση Κέντρου Κοινότητας Ασπροπύργου με Παράρτημα Ρομά',
    kind: ProgrammeKind.COUNSELLING,
    administeringBody: 'Δήμος Ασπροπύργου',
    fundingSource: FundingSource.ESF,
    operationalProgramme: 'Αττική 2014-2020',
    priorityAxis: ESF_AXIS,
    budget: '317307.17',
    description:
      'Funded by the Region of Attica, ESF co-financed: counselling for social inclusion, employment promotion, awareness and information. With it, 8 centres in Attica have a Roma branch.',
    targetGroups: ['ROMA'],
    coverage: [{ areaLevel: AreaLevel.MUNICIPALITY, areaCode: '5002' }],
    ownerRegionCode: '9',
    deliveredBy: ['aspropyrgos', 'aspropyrgos-roma'],
  },
  {
    code: 'KK-ALEXANDREIA-ROMA',
    title: 'Διευρυμένο Κέντρο Κοινότητας Αλεξάνδρειας με Παράρτημα Ρομά',
    kind: ProgrammeKind.SERVICE,
    administeringBody: 'Δήμος Αλεξάνδρειας',
    fundingSource: FundingSource.ESF,
    operationalProgramme: 'Κεντρική Μακεδονία',
    budget: '371520.00',
    description: 'Over 300 families supported.',
    targetGroups: ['ALL_RESIDENTS', 'ROMA', 'CHILDREN', 'FAMILIES'],
    coverage: [{ areaLevel: AreaLevel.MUNICIPALITY, areaCode: '0802' }],
    ownerRegionCode: '2',
    deliveredBy: ['alexandreia', 'alexandreia-roma'],
  },
  {
    code: 'SOCIAL-GROCERY-0802',
    title: 'Κοινωνικό Παντοπωλείο Αλεξάνδρειας',
    kind: ProgrammeKind.IN_KIND_AID,
    administeringBody: 'Δήμος Αλεξάνδρειας',
    fundingSource: FundingSource.MUNICIPAL,
    targetGroups: ['DESTITUTE', 'LOW_INCOME'],
    coverage: [{ areaLevel: AreaLevel.MUNICIPALITY, areaCode: '0802' }],
    ownerRegionCode: '2',
    deliveredBy: ['alexandreia-grocery'],
  },
  {
    code: 'SOCIAL-PHARMACY-0802',
    title: 'Κοινωνικό Φαρμακείο Αλεξάνδρειας',
    kind: ProgrammeKind.IN_KIND_AID,
    administeringBody: 'Δήμος Αλεξάνδρειας',
    fundingSource: FundingSource.MUNICIPAL,
    targetGroups: ['DESTITUTE', 'LOW_INCOME'],
    coverage: [{ areaLevel: AreaLevel.MUNICIPALITY, areaCode: '0802' }],
    ownerRegionCode: '2',
    deliveredBy: ['alexandreia-pharmacy'],
  },
  {
    code: 'KAPI-4912',
    title: 'ΚΑΠΗ Δήμου Σπάτων - Αρτέμιδος',
    description: 'Open care centre for older people; the rule is illustrative.',
    kind: ProgrammeKind.SERVICE,
    administeringBody: 'Δήμος Σπάτων - Αρτέμιδος',
    fundingSource: FundingSource.MUNICIPAL,
    targetGroups: ['ELDERLY'],
    coverage: [{ areaLevel: AreaLevel.MUNICIPALITY, areaCode: '4912' }],
    ownerRegionCode: '9',
    deliveredBy: ['spata-kapi'],
  },
  {
    code: 'KDAP-0802',
    title: 'ΚΔΑΠ Δήμου Αλεξάνδρειας',
    description: 'Creative activities for school-age children; the rule is illustrative.',
    kind: ProgrammeKind.SERVICE,
    administeringBody: 'Δήμος Αλεξάνδρειας',
    fundingSource: FundingSource.MUNICIPAL,
    targetGroups: ['CHILDREN'],
    coverage: [{ areaLevel: AreaLevel.MUNICIPALITY, areaCode: '0802' }],
    ownerRegionCode: '2',
  },
];

const NATIONAL_PROGRAMMES: SeededProgramme[] = [
  {
    code: 'GMI',
    title: 'Ελάχιστο Εγγυημένο Εισόδημα',
    description:
      'Guaranteed minimum income (ex ΚΕΑ): the guaranteed amount less the household’s average monthly income of the last 6 months.',
    kind: ProgrammeKind.CASH_BENEFIT,
    administeringBody: 'ΟΠΕΚΑ',
    fundingSource: FundingSource.NATIONAL_BUDGET,
    national: true,
    targetGroups: ['DESTITUTE', 'LOW_INCOME'],
    howToApply: 'Ηλεκτρονική αίτηση (gmi.gov.gr), με τη βοήθεια του Κέντρου Κοινότητας όπου χρειάζεται',
    whereToApply: 'Κέντρο Κοινότητας ή ΚΕΠ',
    requiredDocuments: ['ΑΦΜ και κωδικοί TAXISnet', 'ΑΜΚΑ', 'IBAN'],
  },
  {
    code: 'TEBA',
    title: 'ΤΕΒΑ – Επισιτιστική βοήθεια και βασική υλική συνδρομή',
    description: 'Food and basic material aid; recipients of the guaranteed minimum income can join.',
    kind: ProgrammeKind.IN_KIND_AID,
    administeringBody: 'Υπουργείο Κοινωνικής Συνοχής και Οικογένειας',
    fundingSource: FundingSource.EU_OTHER,
    national: true,
    targetGroups: ['DESTITUTE'],
    deliveredBy: ['alexandreia-grocery', 'aspropyrgos-grocery'],
  },
  {
    code: 'CHILD-BENEFIT',
    title: 'Επίδομα παιδιού',
    kind: ProgrammeKind.CASH_BENEFIT,
    administeringBody: 'ΟΠΕΚΑ',
    fundingSource: FundingSource.NATIONAL_BUDGET,
    national: true,
    targetGroups: ['CHILDREN', 'FAMILIES'],
  },
  {
    code: 'HOUSING-BENEFIT',
    title: 'Στεγαστικό επίδομα',
    kind: ProgrammeKind.CASH_BENEFIT,
    administeringBody: 'ΟΠΕΚΑ',
    fundingSource: FundingSource.NATIONAL_BUDGET,
    national: true,
    targetGroups: ['LOW_INCOME', 'FAMILIES'],
    requiredDocuments: ['Ενεργό μισθωτήριο συμβόλαιο'],
  },
  {
    code: 'UNINSURED-ELDERLY',
    title: 'Επίδομα ανασφάλιστων υπερηλίκων',
    kind: ProgrammeKind.CASH_BENEFIT,
    administeringBody: 'ΟΠΕΚΑ',
    fundingSource: FundingSource.NATIONAL_BUDGET,
    national: true,
    targetGroups: ['ELDERLY'],
    whereToApply: 'Κέντρο Κοινότητας',
  },
  {
    code: 'HOME-HELP',
    title: 'Βοήθεια στο Σπίτι',
    description:
      'Home help for people aged 65+ or disabled, not self-sufficient, living alone, with low means.',
    kind: ProgrammeKind.SERVICE,
    administeringBody: 'Δήμοι',
    fundingSource: FundingSource.NATIONAL_BUDGET,
    national: true,
    targetGroups: ['ELDERLY', 'DISABILITY'],
  },
  {
    code: 'DISABILITY-ALLOWANCE',
    title: 'Προνοιακά επιδόματα αναπηρίας',
    description:
      'Needs a ΚΕΠΑ certification with a disability percentage (e.g. at least 67% or 80%, by allowance).',
    kind: ProgrammeKind.CASH_BENEFIT,
    administeringBody: 'ΟΠΕΚΑ',
    fundingSource: FundingSource.NATIONAL_BUDGET,
    national: true,
    targetGroups: ['DISABILITY'],
    requiredDocuments: ['Γνωμάτευση ΚΕΠΑ'],
  },
];

/**
 * Idempotent: a provider already there (same name and municipality) or a programme already there
 * (same code) is left as it is, so a restart never duplicates or overwrites what users changed.
 */
export const providersAndProgrammesSeeder: DemoSeeder = {
  name: 'providers and programmes',
  async seed(ctx: RequestContext): Promise<string> {
    const providers = new ProvidersService();
    const programmes = new ProgrammesService();
    const ids = new Map<string, string>();
    let addedProviders = 0;
    for (const { key, parentKey, ...input } of PROVIDERS) {
      const [existing]: Array<{ id: string }> = await ctx.em.query(
        `SELECT id FROM provider WHERE name = $1 AND municipality_code = $2`,
        [input.name, input.municipalityCode],
      );
      if (existing) {
        ids.set(key, existing.id);
        continue;
      }
      const created = await providers.create(ctx, {
        ...input,
        parentId: parentKey ? ids.get(parentKey) : undefined,
      });
      ids.set(key, created.id);
      addedProviders++;
    }
    let addedProgrammes = 0;
    for (const { deliveredBy, ...input } of [...CENTRE_PROGRAMMES, ...NATIONAL_PROGRAMMES]) {
      const [existing] = await ctx.em.query(`SELECT 1 FROM programme WHERE code = $1`, [input.code]);
      if (existing) continue;
      const seeded = SEEDED_RULES[input.code];
      await programmes.create(ctx, {
        ...input,
        ...(seeded && {
          eligibilityRule: seeded.rule as unknown as Record<string, unknown>,
          ruleCases: seeded.ruleCases.map((c) => ({
            ...c,
            expectedAmount:
              c.expectedAmount === undefined || c.expectedAmount === null
                ? null
                : Number(c.expectedAmount).toFixed(2),
          })),
          parameters: seeded.parameters,
        }),
        deliveringProviderIds: deliveredBy?.map((k) => ids.get(k)!).filter(Boolean),
      });
      addedProgrammes++;
    }
    return `${addedProviders} providers and ${addedProgrammes} programmes added`;
  },
};
