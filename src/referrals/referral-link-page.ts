import type { Response } from 'express';
import { LINK_ANSWERS } from './dto/referral-link.input.js';
import {
  ReferralOutcome,
  ReferralStatus,
  RejectionReason,
  type ReferralView,
  type SharedPerson,
} from './referral.model.js';

/**
 * The page a provider without an account opens from a referral link: plain server-rendered HTML
 * in Greek and English, no script, one <form method=post> per answer. Every value is escaped.
 */

/**
 * Headers of every answer to a link (page, JSON and errors alike). The token is in the URL: no
 * Referer may carry it to another site, no cache or search engine may keep it.
 */
export const LINK_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Robots-Tag': 'noindex, nofollow',
  'X-Content-Type-Options': 'nosniff',
};

export function setLinkHeaders(res: Response): void {
  for (const [name, value] of Object.entries(LINK_HEADERS)) res.setHeader(name, value);
}

const STATUS: Record<ReferralStatus, [el: string, en: string]> = {
  DRAFT: ['Πρόχειρη', 'Draft'],
  SENT: ['Εστάλη, περιμένει απάντηση', 'Sent, awaiting your answer'],
  ACCEPTED: ['Έγινε αποδεκτή', 'Accepted'],
  REJECTED: ['Απορρίφθηκε', 'Rejected'],
  IN_PROGRESS: ['Σε εξέλιξη', 'In progress'],
  COMPLETED: ['Ολοκληρώθηκε', 'Completed'],
  CANCELLED: ['Ακυρώθηκε', 'Cancelled'],
  EXPIRED: ['Έληξε', 'Expired'],
};

const REASONS: Record<RejectionReason, [string, string]> = {
  NOT_ELIGIBLE: ['Δεν πληροί τις προϋποθέσεις', 'Not eligible'],
  NO_CAPACITY: ['Δεν υπάρχει διαθεσιμότητα', 'No capacity'],
  OUTSIDE_AREA: ['Εκτός περιοχής', 'Outside our area'],
  DUPLICATE: ['Διπλή παραπομπή', 'Duplicate'],
  OTHER: ['Άλλο', 'Other'],
};

const OUTCOMES: Record<ReferralOutcome, [string, string]> = {
  GOT_HELP: ['Έλαβε βοήθεια', 'Got help'],
  REFERRED_ELSEWHERE: ['Παραπέμφθηκε αλλού', 'Referred elsewhere'],
  COULD_NOT_CONTACT: ['Δεν ήταν δυνατή η επικοινωνία', 'Could not contact'],
  NOT_ELIGIBLE: ['Δεν πληροί τις προϋποθέσεις', 'Not eligible'],
  NO_LONGER_INTERESTED: ['Δεν ενδιαφέρεται πλέον', 'No longer interested'],
  COULD_NOT_GET_HELP: ['Δεν ήταν δυνατό να βοηθηθεί', 'Could not get help'],
};

/** What a failed answer says, by the error's code; any other code gets the last line. */
const ERRORS: Record<string, [string, string]> = {
  REFERRAL_TRANSITION_NOT_ALLOWED: [
    'Αυτή η απάντηση δεν επιτρέπεται στην τρέχουσα κατάσταση της παραπομπής.',
    "This answer is not allowed in the referral's current status.",
  ],
  REASON_REQUIRED: [
    'Επιλέξτε τον λόγο της απόρριψης ή την έκβαση της ολοκλήρωσης.',
    'Choose the reason of a rejection, or the outcome of a completion.',
  ],
  VERSION_CONFLICT: [
    'Η παραπομπή άλλαξε στο μεταξύ: δείτε την τρέχουσα κατάσταση και απαντήστε ξανά.',
    'The referral changed meanwhile: check its current status and answer again.',
  ],
  BAD_USER_INPUT: ['Η φόρμα δεν συμπληρώθηκε σωστά.', 'The form was not filled in correctly.'],
  RATE_LIMITED: ['Πάρα πολλές προσπάθειες: δοκιμάστε ξανά σε λίγο.', 'Too many attempts: try again shortly.'],
  OTHER: ['Η απάντησή σας δεν καταχωρίστηκε.', 'Your answer was not recorded.'],
};

/** The error codes a page may be asked to show (?error=...); anything else shows OTHER. */
export function errorMessageCode(code: unknown): string | undefined {
  if (typeof code !== 'string' || code === '') return undefined;
  return code in ERRORS ? code : 'OTHER';
}

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const both = ([el, en]: [string, string]) => `${escapeHtml(el)} <span lang="en">/ ${escapeHtml(en)}</span>`;

function page(title: [string, string], body: string): string {
  return `<!doctype html>
<html lang="el">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title[0])} / ${escapeHtml(title[1])}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;line-height:1.5;color:#111}
dt{font-weight:bold}dd{margin:0 0 .5rem 0}
fieldset{margin:1rem 0;border:1px solid #888;padding:.5rem 1rem}
button{font-size:1rem;padding:.4rem 1rem;margin-top:.5rem}
textarea,select{font-size:1rem;width:100%;box-sizing:border-box}
.status{font-size:1.2rem;font-weight:bold}
.alert{border:2px solid #a00;padding:.5rem;color:#a00}
[lang=en]{color:#444}
</style>
</head>
<body>
<main>
<h1>${both(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

function personList(person: SharedPerson | null): string {
  if (!person)
    return `<p>${both(['Η παραπομπή δεν κοινοποιεί προσωπικά στοιχεία.', 'The referral shares no personal data.'])}</p>`;
  const rows: Array<[[string, string], string | number | null]> = [
    [['Όνομα', 'Given name'], person.givenName],
    [['Επώνυμο', 'Surname'], person.surname],
    [['Ημερομηνία γέννησης', 'Birth date'], person.birthDate],
    [['Τηλέφωνο', 'Phone'], person.phone],
    [['Email', 'Email'], person.email],
    [['Διεύθυνση', 'Address'], person.address],
    [['ΑΦΜ', 'Tax number (AFM)'], person.afm],
    [['ΑΜΚΑ', 'Social security number (AMKA)'], person.amka],
    [['Μέλη νοικοκυριού', 'Household members'], person.householdSize],
  ];
  const shown = rows.filter(([, value]) => value !== null && value !== undefined);
  return `<dl>${shown.map(([label, value]) => `<dt>${both(label)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>`;
}

function options(values: Record<string, [string, string]>): string {
  return Object.entries(values)
    .map(
      ([value, label]) =>
        `<option value="${escapeHtml(value)}">${escapeHtml(label[0])} / ${escapeHtml(label[1])}</option>`,
    )
    .join('');
}

/** One answer's form; `extra` are its own fields. */
function answerForm(
  token: string,
  version: number,
  status: (typeof LINK_ANSWERS)[number],
  legend: [string, string],
  button: [string, string],
  extra = '',
): string {
  const id = status.toLowerCase();
  return `<form method="post" action="/r/${escapeHtml(token)}">
<fieldset>
<legend>${both(legend)}</legend>
<input type="hidden" name="status" value="${status}">
<input type="hidden" name="expectedVersion" value="${escapeHtml(version)}">
${extra}
<label for="note-${id}">${both(['Σημείωση (προαιρετικά)', 'Note (optional)'])}</label>
<textarea id="note-${id}" name="note" rows="2" maxlength="2000"></textarea>
<button type="submit">${both(button)}</button>
</fieldset>
</form>`;
}

/** The page of a referral seen through a link, with the answers its status allows. */
export function referralPage(token: string, view: ReferralView, errorCode?: string): string {
  const status = STATUS[view.status];
  const error = errorCode ? (ERRORS[errorCode] ?? ERRORS.OTHER!) : undefined;
  const forms: string[] = [];
  if (view.status === ReferralStatus.SENT) {
    forms.push(
      answerForm(token, view.version, ReferralStatus.ACCEPTED, ['Αποδοχή', 'Accept'], ['Αποδοχή', 'Accept']),
    );
    forms.push(
      answerForm(
        token,
        view.version,
        ReferralStatus.REJECTED,
        ['Απόρριψη', 'Reject'],
        ['Απόρριψη', 'Reject'],
        `<label for="rejectionReason">${both(['Λόγος', 'Reason'])}</label>
<select id="rejectionReason" name="rejectionReason" required><option value="">—</option>${options(REASONS)}</select>`,
      ),
    );
  }
  if (view.status === ReferralStatus.ACCEPTED)
    forms.push(
      answerForm(
        token,
        view.version,
        ReferralStatus.IN_PROGRESS,
        ['Σε εξέλιξη', 'In progress'],
        ['Σε εξέλιξη', 'Mark in progress'],
      ),
    );
  if (view.status === ReferralStatus.ACCEPTED || view.status === ReferralStatus.IN_PROGRESS)
    forms.push(
      answerForm(
        token,
        view.version,
        ReferralStatus.COMPLETED,
        ['Ολοκλήρωση', 'Complete'],
        ['Ολοκλήρωση', 'Complete'],
        `<label for="outcome">${both(['Έκβαση', 'Outcome'])}</label>
<select id="outcome" name="outcome" required><option value="">—</option>${options(OUTCOMES)}</select>`,
      ),
    );
  const details: Array<[[string, string], string | null]> = [
    [['Ανάγκη', 'Need'], view.categoryCode],
    [['Επείγουσα', 'Urgent'], view.urgency === 'URGENT' ? 'ΝΑΙ / YES' : 'ΟΧΙ / NO'],
    [['Απάντηση έως', 'Answer by'], view.dueOn],
    [['Σημειώσεις του κέντρου', "The centre's notes"], view.notes],
  ];
  return page(
    ['Παραπομπή', 'Referral'],
    `${error ? `<p class="alert" role="alert">${both(error)}</p>` : ''}
<p class="status" id="status" data-status="${escapeHtml(view.status)}">${both(['Κατάσταση', 'Status'])}: ${both(status)}</p>
<h2>${both(['Στοιχεία παραπομπής', 'Referral'])}</h2>
<dl>${details
      .filter(([, value]) => value !== null)
      .map(([label, value]) => `<dt>${both(label)}</dt><dd>${escapeHtml(value)}</dd>`)
      .join('')}</dl>
<h2>${both(['Ο άνθρωπος', 'The person'])}</h2>
${personList(view.person)}
${forms.length ? `<h2>${both(['Η απάντησή σας', 'Your answer'])}</h2>\n${forms.join('\n')}` : ''}
<p><small>${both([
      'Ο σύνδεσμος είναι προσωπικός: μην τον προωθείτε. Κάθε προβολή καταγράφεται.',
      'This link is personal: do not forward it. Every view is recorded.',
    ])}</small></p>`,
  );
}

/** A link that cannot be used (whatever the reason: the page does not say). */
export function invalidLinkPage(): string {
  return page(
    ['Μη έγκυρος σύνδεσμος', 'Link not valid'],
    `<p>${both([
      'Ο σύνδεσμος δεν ισχύει (πλέον). Ζητήστε νέο από το κέντρο κοινότητας που σας τον έστειλε.',
      'This link is not valid (any more). Ask the community centre that sent it for a new one.',
    ])}</p>`,
  );
}

/**
 * After a final answer (rejected, completed) the link closes; the page it is sent back to says so.
 * `answered` comes from the redirect's query string, so this page reveals nothing a client did not send.
 */
export function closedLinkPage(answered: ReferralStatus.REJECTED | ReferralStatus.COMPLETED): string {
  return page(
    ['Η απάντηση καταχωρίστηκε', 'Answer recorded'],
    `<p class="status" id="status" data-status="${answered}">${both(['Κατάσταση', 'Status'])}: ${both(STATUS[answered])}</p>
<p>${both([
      'Ευχαριστούμε. Ο σύνδεσμος έκλεισε: η παραπομπή δεν χρειάζεται άλλη απάντηση.',
      'Thank you. The link is now closed: the referral needs no further answer.',
    ])}</p>`,
  );
}

export function tooManyAttemptsPage(): string {
  return page(['Πάρα πολλές προσπάθειες', 'Too many attempts'], `<p>${both(ERRORS.RATE_LIMITED!)}</p>`);
}

export function failurePage(): string {
  return page(['Σφάλμα', 'Error'], `<p role="alert">${both(ERRORS.OTHER!)}</p>`);
}
