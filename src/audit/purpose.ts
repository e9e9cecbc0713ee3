import { registerEnumType } from '@nestjs/graphql';

/**
 * Why personal data is being read. A read of a person's data must declare one of these; people have
 * a right to the dates and purposes of every look-up (GDPR Art. 15). The list is fixed on purpose:
 * free text would make the answers to data subjects unreadable.
 */
export enum AccessPurpose {
  CASE_MANAGEMENT = 'CASE_MANAGEMENT',
  REGISTRATION = 'REGISTRATION',
  ELIGIBILITY_ASSESSMENT = 'ELIGIBILITY_ASSESSMENT',
  REFERRAL = 'REFERRAL',
  DUPLICATE_REVIEW = 'DUPLICATE_REVIEW',
  DATA_SUBJECT_REQUEST = 'DATA_SUBJECT_REQUEST',
  DATA_QUALITY = 'DATA_QUALITY',
  AUDIT_REVIEW = 'AUDIT_REVIEW',
  STATISTICS = 'STATISTICS',
  FEED_IMPORT = 'FEED_IMPORT',
}

export const PURPOSE_DESCRIPTIONS: Record<AccessPurpose, string> = {
  [AccessPurpose.CASE_MANAGEMENT]: 'Supporting the person at a community centre',
  [AccessPurpose.REGISTRATION]: 'Registering or updating the person',
  [AccessPurpose.ELIGIBILITY_ASSESSMENT]: 'Checking what the person is entitled to',
  [AccessPurpose.REFERRAL]: 'Referring the person to a provider',
  [AccessPurpose.DUPLICATE_REVIEW]: 'Reviewing possible duplicate records',
  [AccessPurpose.DATA_SUBJECT_REQUEST]: "Answering the person's own request for their data",
  [AccessPurpose.DATA_QUALITY]: 'Correcting the registry',
  [AccessPurpose.AUDIT_REVIEW]: 'Reviewing the audit trail',
  [AccessPurpose.STATISTICS]: 'Producing figures that single out no one',
  [AccessPurpose.FEED_IMPORT]: 'Importing a feed from a national body',
};

/** The purposes, as named in a refusal, so that a caller learns them there rather than from the source. */
export const ACCESS_PURPOSES_LISTED = Object.values(AccessPurpose).join(', ');

export function isAccessPurpose(value: unknown): value is AccessPurpose {
  return typeof value === 'string' && (Object.values(AccessPurpose) as string[]).includes(value);
}

registerEnumType(AccessPurpose, {
  name: 'AccessPurpose',
  description: 'Why personal data is read; recorded in the audit trail with every look-up',
});
