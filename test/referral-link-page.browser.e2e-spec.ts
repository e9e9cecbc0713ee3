import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Role } from '../src/auth/roles.js';
import { makeAfm } from '../src/common/identifiers/afm.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The page of a referral link in a real browser: Debian's Chromium, headless, with JavaScript
 * switched off, against the service listening on a local port. It is not skipped when Chromium is
 * missing: it fails, saying how to install it (.ci/run installs it).
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const P = { 'X-Purpose': 'REFERRAL' };

describe('the referral link page in headless Chromium without JavaScript (issue 12)', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let admin: string;
  let spata: string;
  let provider: string;
  let afm = 44000000;

  const ok = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const body = (await t.gql(token, query, variables, P)).body;
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  /** A referral sent to the provider, sharing the name, and its link's path. */
  const linkedReferral = async (givenName: string) => {
    const data = await ok(
      admin,
      `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { ... on PersonRegistered { beneficiary { id } } } }`,
      {
        input: {
          givenName,
          surname: 'Περιηγήτρια',
          birthDate: '1980-05-05',
          gender: 'FEMALE',
          municipalityCode: '4912',
          afm: makeAfm(String(++afm)),
        },
      },
    );
    const personId = data.registerPerson.beneficiary.id;
    await ok(
      admin,
      `mutation($id: UUID!) { giveConsent(input: { personId: $id, purpose: REFERRAL_TO_PROVIDERS }) { id } }`,
      {
        id: personId,
      },
    );
    const referral = await ok(
      spata,
      `mutation($input: ReferralInput!) { createReferral(input: $input) { id } }`,
      {
        input: {
          personId,
          providerId: provider,
          dueOn: '2030-01-01',
          sharedFields: ['NAME', 'NOTES'],
          notes: 'Χρειάζεται ρούχα <b>επειγόντως</b>',
          send: true,
        },
      },
    );
    const id = referral.createReferral.id as string;
    const link = await ok(spata, `mutation($r: UUID!) { createReferralLink(referralId: $r) { url token } }`, {
      r: id,
    });
    return {
      id,
      path: link.createReferralLink.url as string,
      token: link.createReferralLink.token as string,
    };
  };
  const statusOn = (page: Page) => page.locator('#status').getAttribute('data-status');
  /** Submits a form by its button and waits for the page it lands on to show `status`. */
  const submit = async (page: Page, button: RegExp, status: string) => {
    await page.getByRole('button', { name: button }).click();
    await page.locator(`#status[data-status="${status}"]`).waitFor();
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: this test needs Debian's Chromium (apt-get install -y --no-install-recommends chromium); .ci/run installs it`,
      );
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    admin = await t.token({ roles: [Role.NATIONAL_ADMIN] }, 'admin-browser');
    spata = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] }, 'spata-browser');
    const res = await t.http
      .post('/api/v1/providers')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        kindCode: 'NGO',
        name: 'Ιματιοθήκη Σπάτων',
        municipalityCode: '4912',
        services: [{ name: 'Ρουχισμός', categoryCode: 'FOOD_AID', targetGroups: ['ALL_RESIDENTS'] }],
      });
    provider = res.body.id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    context = await browser.newContext({ javaScriptEnabled: false, locale: 'el-GR' });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    // The browser's keep-alive sockets would hold the server open until they time out.
    (t?.app.getHttpServer() as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.();
    await t?.close();
  }, 120_000);

  it('shows the shared data, and takes Accept, In progress and Complete by plain form posts', async () => {
    const { id, path } = await linkedReferral('Αθηνά');
    const page = await context.newPage();
    const response = await page.goto(base + path);
    expect(response!.status()).toBe(200);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    expect(headers['referrer-policy']).toBe('no-referrer');
    // Nothing on the page needs a script: there is none, and JavaScript is off.
    expect(await page.locator('script').count()).toBe(0);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Referral');
    expect(await page.locator('main').textContent()).toContain('Αθηνά');
    expect(await page.locator('main').textContent()).toContain('Χρειάζεται ρούχα <b>επειγόντως</b>');
    expect(await statusOn(page)).toBe('SENT');

    await page
      .getByLabel(/Note \(optional\)/)
      .first()
      .fill('Θα την καλέσουμε αύριο');
    await submit(page, /Accept/, 'ACCEPTED');
    expect(page.url()).toBe(base + path);
    expect(await page.getByRole('button', { name: /Accept/ }).count()).toBe(0);

    await submit(page, /Mark in progress/, 'IN_PROGRESS');

    // The outcome is required by the form itself (HTML validation, no script).
    expect(await page.getByLabel(/Outcome/).getAttribute('required')).not.toBeNull();
    await page.getByLabel(/Outcome/).selectOption('GOT_HELP');
    await submit(page, /Complete/, 'COMPLETED');
    expect(page.url()).toBe(`${base}${path}?answered=COMPLETED`);
    expect(await page.locator('main').textContent()).toContain('The link is now closed');

    const [row] = await t.db.query(`SELECT status, outcome FROM referral WHERE id = $1`, [id]);
    expect(row).toEqual({ status: 'COMPLETED', outcome: 'GOT_HELP' });
    const history = await t.db.query<{ to_status: string; note: string | null; actor: string }>(
      `SELECT to_status, note, actor FROM referral_history WHERE referral_id = $1 AND actor LIKE 'referral-link:%' ORDER BY id`,
      [id],
    );
    expect(history.map((h) => [h.to_status, h.note])).toEqual([
      ['ACCEPTED', 'Θα την καλέσουμε αύριο'],
      ['IN_PROGRESS', null],
      ['COMPLETED', null],
    ]);
    // The link is closed now: the page says so, without saying more.
    const again = await page.goto(base + path);
    expect(again!.status()).toBe(404);
    expect(await page.locator('main').textContent()).toContain('Link not valid');
    await page.close();
  });

  it('rejects with a reason, and shows a clear message when an answer is no longer possible', async () => {
    const { id, path, token } = await linkedReferral('Ιφιγένεια');
    const page = await context.newPage();
    await page.goto(base + path);
    expect(await statusOn(page)).toBe('SENT');
    // Meanwhile the provider answers through the API: the page in the browser is stale.
    const accepted = await t.http.post(`/api/v1/referral-links/${token}/answer`).send({ status: 'ACCEPTED' });
    expect(accepted.status).toBe(200);
    await page.getByLabel(/Reason/).selectOption('NO_CAPACITY');
    await submit(page, /Reject/, 'ACCEPTED');
    expect(page.url()).toBe(`${base}${path}?error=VERSION_CONFLICT`);
    expect(await page.getByRole('alert').textContent()).toContain('The referral changed meanwhile');

    const second = await linkedReferral('Πηνελόπη');
    await page.goto(base + second.path);
    await page.getByLabel(/Reason/).selectOption('OUTSIDE_AREA');
    await page
      .getByLabel(/Note \(optional\)/)
      .nth(1)
      .fill('Εκτός της περιοχής μας');
    await submit(page, /Reject/, 'REJECTED');
    const [row] = await t.db.query(`SELECT status, rejection_reason FROM referral WHERE id = $1`, [
      second.id,
    ]);
    expect(row).toEqual({ status: 'REJECTED', rejection_reason: 'OUTSIDE_AREA' });
    const [first] = await t.db.query(`SELECT status FROM referral WHERE id = $1`, [id]);
    expect(first).toEqual({ status: 'ACCEPTED' });
    await page.close();
  });
});
