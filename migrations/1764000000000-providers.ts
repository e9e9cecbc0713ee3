import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The provider registry (μητρώο φορέων): who helps, where and when. Kinds, service categories and
 * target groups are reference tables, so a new kind is a row, not a code change. Opening hours are
 * weekly intervals per location in Europe/Athens local time that never cross midnight (a night
 * shift is two intervals; `24:00` closes at the end of the day); closures are date ranges.
 */
export class Providers1764000000000 implements MigrationInterface {
  name = 'Providers1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE provider_kind (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,49}$'),
        name text NOT NULL,
        name_en text NOT NULL,
        sort_order integer NOT NULL DEFAULT 100
      )`);
    await q.query(`
      CREATE TABLE service_category (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,49}$'),
        name text NOT NULL,
        name_en text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE target_group (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,49}$'),
        name text NOT NULL,
        name_en text NOT NULL
      )`);
    await q.query(
      `INSERT INTO provider_kind (code, name, name_en, sort_order) SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS k(code text, name text, name_en text, sort_order integer)`,
      [
        JSON.stringify(
          PROVIDER_KINDS.map(([code, name, name_en], i) => ({ code, name, name_en, sort_order: i })),
        ),
      ],
    );
    await q.query(
      `INSERT INTO service_category (code, name, name_en) SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS k(code text, name text, name_en text)`,
      [JSON.stringify(SERVICE_CATEGORIES.map(([code, name, name_en]) => ({ code, name, name_en })))],
    );
    await q.query(
      `INSERT INTO target_group (code, name, name_en) SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS k(code text, name text, name_en text)`,
      [JSON.stringify(TARGET_GROUPS.map(([code, name, name_en]) => ({ code, name, name_en })))],
    );

    await q.query(`
      CREATE TABLE provider (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind_code text NOT NULL REFERENCES provider_kind (code),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
        search_key text NOT NULL,
        organisation text,
        description text,
        parent_id uuid REFERENCES provider (id),
        municipality_code text NOT NULL REFERENCES municipality (code),
        languages text[] NOT NULL DEFAULT '{}',
        staff_roles jsonb NOT NULL DEFAULT '[]',
        phone text,
        email text,
        website text,
        closed_on_public_holidays boolean NOT NULL DEFAULT true,
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'TEMPORARILY_CLOSED', 'INACTIVE')),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL,
        CHECK (parent_id IS NULL OR parent_id <> id)
      )`);
    await q.query(`CREATE INDEX provider_search_key_trgm ON provider USING gin (search_key gin_trgm_ops)`);
    await q.query(`CREATE INDEX provider_municipality_idx ON provider (municipality_code)`);
    await q.query(`CREATE INDEX provider_parent_idx ON provider (parent_id)`);
    await q.query(`CREATE INDEX provider_kind_idx ON provider (kind_code)`);
    await q.query(`CREATE INDEX provider_updated_idx ON provider (updated_at, id)`);

    // The municipalities a provider serves besides its home (a Roma branch serving a neighbour).
    await q.query(`
      CREATE TABLE provider_service_area (
        provider_id uuid NOT NULL REFERENCES provider (id) ON DELETE CASCADE,
        municipality_code text NOT NULL REFERENCES municipality (code),
        PRIMARY KEY (provider_id, municipality_code)
      )`);
    await q.query(
      `CREATE INDEX provider_service_area_municipality_idx ON provider_service_area (municipality_code)`,
    );

    await q.query(`
      CREATE TABLE provider_location (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider_id uuid NOT NULL REFERENCES provider (id) ON DELETE CASCADE,
        name text,
        address text NOT NULL,
        postal_code text CHECK (postal_code ~ '^[0-9]{3} ?[0-9]{2}$'),
        municipality_code text NOT NULL REFERENCES municipality (code),
        latitude double precision CHECK (latitude BETWEEN -90 AND 90),
        longitude double precision CHECK (longitude BETWEEN -180 AND 180),
        accessibility text[] NOT NULL DEFAULT '{}',
        position integer NOT NULL DEFAULT 0,
        CHECK ((latitude IS NULL) = (longitude IS NULL))
      )`);
    await q.query(`CREATE INDEX provider_location_provider_idx ON provider_location (provider_id)`);
    await q.query(`CREATE INDEX provider_location_lat_lon_idx ON provider_location (latitude, longitude)`);

    // ISO weekday 1 (Monday) .. 7 (Sunday); closes_at may be 24:00:00 (end of the day).
    await q.query(`
      CREATE TABLE opening_hours (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        location_id uuid NOT NULL REFERENCES provider_location (id) ON DELETE CASCADE,
        weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
        opens_at time NOT NULL,
        closes_at time NOT NULL,
        valid_from date,
        valid_to date,
        CHECK (closes_at > opens_at),
        CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from)
      )`);
    await q.query(`CREATE INDEX opening_hours_location_idx ON opening_hours (location_id, weekday)`);

    await q.query(`
      CREATE TABLE provider_closure (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider_id uuid NOT NULL REFERENCES provider (id) ON DELETE CASCADE,
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        reason text,
        CHECK (ends_on >= starts_on)
      )`);
    await q.query(`CREATE INDEX provider_closure_provider_idx ON provider_closure (provider_id, starts_on)`);

    await q.query(`
      CREATE TABLE provider_service (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider_id uuid NOT NULL REFERENCES provider (id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
        description text,
        category_code text NOT NULL REFERENCES service_category (code),
        target_groups text[] NOT NULL DEFAULT '{}',
        min_age integer CHECK (min_age BETWEEN 0 AND 130),
        max_age integer CHECK (max_age BETWEEN 0 AND 130),
        eligibility text,
        required_documents text[] NOT NULL DEFAULT '{}',
        cost_amount numeric(14, 2) CHECK (cost_amount >= 0),
        cost_description text,
        position integer NOT NULL DEFAULT 0,
        CHECK (min_age IS NULL OR max_age IS NULL OR min_age <= max_age)
      )`);
    await q.query(`CREATE INDEX provider_service_provider_idx ON provider_service (provider_id)`);
    await q.query(`CREATE INDEX provider_service_category_idx ON provider_service (category_code)`);
    await q.query(`CREATE INDEX provider_service_groups_idx ON provider_service USING gin (target_groups)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE IF EXISTS provider_service, provider_closure, opening_hours, provider_location, provider_service_area, provider`,
    );
    await q.query(`DROP TABLE IF EXISTS target_group, service_category, provider_kind`);
  }
}

const PROVIDER_KINDS: Array<[string, string, string]> = [
  ['COMMUNITY_CENTRE', 'Κέντρο Κοινότητας', 'Community centre'],
  ['CENTRE_BRANCH_ROMA', 'Παράρτημα Ρομά Κέντρου Κοινότητας', 'Community centre branch for Roma'],
  ['CENTRE_BRANCH_MIGRANTS', 'Κέντρο Ένταξης Μεταναστών', 'Community centre branch for migrants'],
  ['MOBILE_UNIT', 'Κινητή Μονάδα', 'Mobile unit'],
  ['MUNICIPAL_SOCIAL_SERVICE', 'Κοινωνική Υπηρεσία Δήμου', 'Municipal social service'],
  ['SOCIAL_GROCERY', 'Κοινωνικό Παντοπωλείο', 'Social grocery'],
  ['SOCIAL_PHARMACY', 'Κοινωνικό Φαρμακείο', 'Social pharmacy'],
  ['SOUP_KITCHEN', 'Συσσίτιο', 'Soup kitchen'],
  ['KDAP', 'Κέντρο Δημιουργικής Απασχόλησης Παιδιών (ΚΔΑΠ)', 'Creative activity centre for children'],
  ['KAPI', 'Κέντρο Ανοιχτής Προστασίας Ηλικιωμένων (ΚΑΠΗ)', 'Open care centre for the elderly'],
  ['HOME_HELP', 'Βοήθεια στο Σπίτι', 'Home help'],
  ['EMPLOYMENT_OFFICE', 'Κέντρο Προώθησης Απασχόλησης ΔΥΠΑ', 'Employment office (DYPA)'],
  ['PUBLIC_SERVICE', 'Δημόσια Υπηρεσία', 'Public service'],
  ['HEALTH_UNIT', 'Μονάδα Υγείας', 'Health unit'],
  ['NGO', 'Μη Κυβερνητική Οργάνωση', 'NGO'],
  ['CHURCH_OR_VOLUNTEER', 'Εκκλησιαστικός ή Εθελοντικός Φορέας', 'Church or volunteer organisation'],
];

const SERVICE_CATEGORIES: Array<[string, string, string]> = [
  ['INFORMATION_AND_REFERRAL', 'Ενημέρωση και παραπομπή', 'Information and referral'],
  ['SOCIAL_SUPPORT', 'Κοινωνική υποστήριξη', 'Social support'],
  ['PSYCHOSOCIAL_COUNSELLING', 'Ψυχοκοινωνική συμβουλευτική', 'Psychosocial counselling'],
  ['BENEFIT_APPLICATIONS', 'Υποβολή αιτήσεων επιδομάτων', 'Help with benefit applications'],
  ['FOOD_AID', 'Επισιτιστική βοήθεια', 'Food aid'],
  ['BASIC_GOODS', 'Βασικά αγαθά', 'Basic goods'],
  ['MEDICINES', 'Φάρμακα', 'Medicines'],
  ['EMPLOYMENT', 'Απασχόληση', 'Employment'],
  ['TRAINING', 'Κατάρτιση και εκπαίδευση', 'Training and education'],
  ['CHILD_CARE', 'Φροντίδα παιδιών', 'Child care'],
  ['ELDERLY_CARE', 'Φροντίδα ηλικιωμένων', 'Elderly care'],
  ['HOME_CARE', 'Φροντίδα στο σπίτι', 'Home care'],
  ['HEALTH', 'Υγεία', 'Health'],
  ['HOUSING', 'Στέγαση', 'Housing'],
  ['LEGAL_AID', 'Νομική συνδρομή', 'Legal aid'],
  ['COMMUNITY_ACTIVITIES', 'Δράσεις κοινότητας', 'Community activities'],
];

const TARGET_GROUPS: Array<[string, string, string]> = [
  ['ALL_RESIDENTS', 'Όλοι οι κάτοικοι', 'All residents'],
  ['CHILDREN', 'Παιδιά', 'Children'],
  ['YOUTH', 'Νέοι', 'Young people'],
  ['ELDERLY', 'Ηλικιωμένοι', 'Elderly'],
  ['DISABILITY', 'Άτομα με αναπηρία (ΑμεΑ)', 'People with disabilities'],
  ['ROMA', 'Ρομά', 'Roma'],
  ['HOMELESS', 'Άστεγοι', 'Homeless'],
  ['DESTITUTE', 'Άποροι', 'Destitute'],
  ['MIGRANTS', 'Μετανάστες και πρόσφυγες', 'Migrants and refugees'],
  ['FAMILIES', 'Οικογένειες', 'Families'],
  ['UNEMPLOYED', 'Άνεργοι', 'Unemployed'],
  ['LOW_INCOME', 'Χαμηλό εισόδημα', 'Low income'],
];
