import { registerEnumType } from '@nestjs/graphql';
import { EligibilityOutcome } from '../contracts.js';

// Registered once here; every GraphQL type that shows an outcome imports this module.
registerEnumType(EligibilityOutcome, {
  name: 'EligibilityOutcome',
  description: 'ELIGIBLE, NOT_ELIGIBLE, or CANNOT_TELL while facts are missing',
});
