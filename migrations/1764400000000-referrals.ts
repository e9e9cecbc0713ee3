import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Referrals (issue 12): a centre refers a person to a provider (and one of its services), to a
 * programme (whose administering provider receives it) or, for a hand-over, to the centre of the
 * municipality that holds the person. Every change of status, every overdue flag and every
 * reminder is a row of referral_history.
 *
 * Row-level security (rule 20), keyed like the other personal tables: a referral is visible to the
 * referring area (`from_municipality_code`), to the receiving centre of a hand-over
 * (`to_municipality_code`) and to the staff of the receiving provider (`mitroa.provider`, set by
 * TransactionService for provider staff). Its history follows it.
 *
 * A provider's staff have no area, so row security hides the person from them: what a referral
 * shares is read through referral_shared_person, a definer function that returns only the declared
 * fields, and nothing once the consent it relied on is withdrawn.
 */
export class Referrals1764400000000 implements MigrationInterface {
  name = 'Referrals1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION mitroa_provider() RETURNS uuid
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
          SELECT nullif(current_setting('mitroa.provider', true), '')::uuid
        $$`);
    await q.query(`
      CREATE TABLE referral (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid NOT NULL REFERENCES person (id),
        kind text NOT NULL CHECK (kind IN ('PROVIDER', 'PROGRAMME', 'HANDOVER')),
        from_municipality_code text NOT NULL REFERENCES municipality (code),
        referred_by text NOT NULL,
        provider_id uuid REFERENCES provider (id),
        provider_service_id uuid REFERENCES provider_service (id),
        programme_id uuid REFERENCES programme (id),
        to_municipality_code text REFERENCES municipality (code),
        category_code text REFERENCES service_category (code),
        notes text,
        urgency text NOT NULL DEFAULT 'ROUTINE' CHECK (urgency IN ('ROUTINE', 'URGENT')),
        due_on date NOT NULL,
        shared_fields text[] NOT NULL DEFAULT '{}'
          CHECK (shared_fields <@ ARRAY['NAME', 'CONTACT', 'BIRTH_DATE', 'IDENTIFIERS', 'HOUSEHOLD', 'NOTES']),
        legal_basis text CHECK (legal_basis IN ('LEGAL_OBLIGATION', 'VITAL_INTERESTS', 'PUBLIC_TASK')),
        legal_basis_note text,
        special_category boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'DRAFT'
          CHECK (status IN ('DRAFT', 'SENT', 'ACCEPTED', 'REJECTED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'EXPIRED')),
        rejection_reason text CHECK (rejection_reason IN ('NOT_ELIGIBLE', 'NO_CAPACITY', 'OUTSIDE_AREA', 'DUPLICATE', 'OTHER')),
        outcome text CHECK (outcome IN ('GOT_HELP', 'REFERRED_ELSEWHERE', 'COULD_NOT_CONTACT', 'NOT_ELIGIBLE', 'NO_LONGER_INTERESTED', 'COULD_NOT_GET_HELP')),
        overdue boolean NOT NULL DEFAULT false,
        reminders integer NOT NULL DEFAULT 0,
        last_reminded_at timestamptz,
        enrolment_id uuid REFERENCES enrolment (id),
        sent_at timestamptz,
        accepted_at timestamptz,
        completed_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((legal_basis IS NULL) = (legal_basis_note IS NULL)),
        CHECK (CASE kind
                 WHEN 'PROVIDER' THEN provider_id IS NOT NULL AND programme_id IS NULL AND to_municipality_code IS NULL
                 WHEN 'PROGRAMME' THEN programme_id IS NOT NULL AND provider_service_id IS NULL AND to_municipality_code IS NULL
                 ELSE to_municipality_code IS NOT NULL AND provider_id IS NULL AND programme_id IS NULL
               END)
      )`);
    await q.query(
      `CREATE INDEX referral_from_idx ON referral (from_municipality_code, updated_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX referral_provider_idx ON referral (provider_id, updated_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX referral_to_idx ON referral (to_municipality_code) WHERE to_municipality_code IS NOT NULL`,
    );
    await q.query(`CREATE INDEX referral_person_idx ON referral (person_id)`);
    // The schedule's scans: SENT referrals by due date.
    await q.query(`CREATE INDEX referral_sent_due_idx ON referral (due_on) WHERE status = 'SENT'`);
    // One open hand-over per person: two centres asking at once would move the person twice.
    await q.query(
      `CREATE UNIQUE INDEX referral_open_handover_uq ON referral (person_id) WHERE kind = 'HANDOVER' AND status IN ('DRAFT', 'SENT')`,
    );

    await q.query(`
      CREATE TABLE referral_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        referral_id uuid NOT NULL REFERENCES referral (id),
        event text NOT NULL CHECK (event IN ('STATUS', 'OVERDUE', 'REMINDER')),
        from_status text,
        to_status text,
        actor text NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        note text
      )`);
    await q.query(`CREATE INDEX referral_history_referral_idx ON referral_history (referral_id, id)`);

    const visible = `mitroa_in_area(from_municipality_code) OR mitroa_in_area(to_municipality_code) OR provider_id = mitroa_provider()`;
    await q.query(`ALTER TABLE referral ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY area_read ON referral FOR SELECT USING (${visible})`);
    await q.query(
      `CREATE POLICY area_insert ON referral FOR INSERT WITH CHECK (mitroa_in_area(from_municipality_code))`,
    );
    await q.query(`CREATE POLICY area_update ON referral FOR UPDATE USING (${visible}) WITH CHECK (true)`);
    await q.query(
      `CREATE POLICY area_delete ON referral FOR DELETE USING (mitroa_in_area(from_municipality_code))`,
    );
    const follows = `EXISTS (SELECT 1 FROM referral r WHERE r.id = referral_id)`;
    await q.query(`ALTER TABLE referral_history ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY area_read ON referral_history FOR SELECT USING (${follows})`);
    await q.query(`CREATE POLICY area_insert ON referral_history FOR INSERT WITH CHECK (${follows})`);
    await q.query(
      `CREATE POLICY area_update ON referral_history FOR UPDATE USING (${follows}) WITH CHECK (true)`,
    );
    await q.query(`CREATE POLICY area_delete ON referral_history FOR DELETE USING (${follows})`);

    // What a referral shares, for whoever may see the referral (its own row security applies to
    // the first SELECT, as the function runs with the caller's settings): only the declared fields,
    // and none while neither a standing consent nor a recorded legal basis covers the sharing.
    await q.query(`
      CREATE FUNCTION referral_shared_person(p_referral uuid)
        RETURNS jsonb
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE r referral; p person; out jsonb := '{}'::jsonb;
        BEGIN
          SELECT * INTO r FROM referral
           WHERE id = p_referral
             AND (mitroa_in_area(from_municipality_code) OR mitroa_in_area(to_municipality_code)
                  OR provider_id = mitroa_provider());
          IF NOT FOUND OR cardinality(r.shared_fields) = 0 THEN RETURN NULL; END IF;
          IF r.legal_basis IS NULL AND NOT EXISTS (
               SELECT 1 FROM consent c WHERE c.person_id = r.person_id
                  AND c.purpose = 'REFERRAL_TO_PROVIDERS' AND c.withdrawn_at IS NULL) THEN
            RETURN NULL;
          END IF;
          SELECT * INTO p FROM person WHERE id = r.person_id;
          IF 'NAME' = ANY (r.shared_fields) THEN
            out := out || jsonb_build_object('givenName', p.given_name, 'surname', p.surname);
          END IF;
          IF 'BIRTH_DATE' = ANY (r.shared_fields) THEN
            out := out || jsonb_build_object('birthDate', to_char(p.birth_date, 'YYYY-MM-DD'));
          END IF;
          IF 'CONTACT' = ANY (r.shared_fields) THEN
            out := out || jsonb_build_object('phone', p.phone, 'email', p.email, 'address', p.address);
          END IF;
          IF 'IDENTIFIERS' = ANY (r.shared_fields) THEN
            out := out || jsonb_build_object('afm', p.afm, 'amka', p.amka);
          END IF;
          IF 'HOUSEHOLD' = ANY (r.shared_fields) THEN
            out := out || jsonb_build_object('householdSize', (
              SELECT count(*)::int FROM household_member m
               WHERE m.left_on IS NULL AND m.household_id = (
                 SELECT household_id FROM household_member WHERE person_id = p.id AND left_on IS NULL)));
          END IF;
          IF 'NOTES' = ANY (r.shared_fields) THEN
            out := out || jsonb_build_object('notes', r.notes);
          END IF;
          RETURN out;
        END
        $$`);
    await q.query(`REVOKE ALL ON FUNCTION referral_shared_person(uuid) FROM PUBLIC`);

    // A programme referral accepted becomes the person's application. The receiver (a provider's
    // staff) has no area, so under row security it could not read the new enrolment back: this
    // definer function writes it and links it, and only for a referral the caller may see.
    await q.query(`
      CREATE FUNCTION apply_from_referral(p_referral uuid, p_on date, p_actor text)
        RETURNS uuid
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE r referral; created uuid;
        BEGIN
          SELECT * INTO r FROM referral
           WHERE id = p_referral AND kind = 'PROGRAMME' AND status = 'ACCEPTED'
             AND (mitroa_in_area(from_municipality_code) OR provider_id = mitroa_provider());
          IF NOT FOUND THEN RETURN NULL; END IF;
          INSERT INTO enrolment (person_id, programme_id, status, applied_on, source, source_reference, created_by, updated_by)
          VALUES (r.person_id, r.programme_id, 'APPLIED', p_on, 'REFERRAL', r.id::text, p_actor, p_actor)
          ON CONFLICT (person_id, programme_id) WHERE status <> 'ENDED' DO NOTHING
          RETURNING id INTO created;
          UPDATE referral SET enrolment_id = created WHERE id = r.id;
          RETURN created;
        END
        $$`);
    await q.query(`REVOKE ALL ON FUNCTION apply_from_referral(uuid, date, text) FROM PUBLIC`);

    // The national look-up of a hand-over: whether an active person holds this exact AFM or AMKA,
    // and in which municipality; nothing else leaves the function.
    await q.query(`
      CREATE FUNCTION person_registration(p_afm text, p_amka text)
        RETURNS TABLE (id uuid, municipality_code text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
          SELECT p.id, p.municipality_code FROM person p
           WHERE p.status = 'ACTIVE'
             AND ((p.afm = p_afm AND p_afm IS NOT NULL) OR (p.amka = p_amka AND p_amka IS NOT NULL))
           LIMIT 1
        $$`);
    await q.query(`REVOKE ALL ON FUNCTION person_registration(text, text) FROM PUBLIC`);
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mitroa_app') THEN
          GRANT EXECUTE ON FUNCTION referral_shared_person(uuid) TO mitroa_app;
          GRANT EXECUTE ON FUNCTION apply_from_referral(uuid, date, text) TO mitroa_app;
          GRANT EXECUTE ON FUNCTION person_registration(text, text) TO mitroa_app;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION person_registration(text, text)`);
    await q.query(`DROP FUNCTION apply_from_referral(uuid, date, text)`);
    await q.query(`DROP FUNCTION referral_shared_person(uuid)`);
    await q.query(`DROP TABLE referral_history`);
    await q.query(`DROP TABLE referral`);
    await q.query(`DROP FUNCTION mitroa_provider()`);
  }
}
