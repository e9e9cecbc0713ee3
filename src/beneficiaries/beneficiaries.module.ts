import { Module } from '@nestjs/common';
import { BeneficiaryController } from './beneficiary.controller.js';
import { BeneficiaryLoaders } from './beneficiary.loaders.js';
import {
  BeneficiaryResolver,
  DuplicateReviewResolver,
  EnrolmentPersonResolver,
  HouseholdMemberResolver,
  HouseholdResolver,
} from './beneficiary.resolver.js';
import { BeneficiaryService } from './beneficiary.service.js';
import { DuplicateService } from './duplicate.service.js';
import { HouseholdService } from './household.service.js';
import { PersonExportService } from './person-export.service.js';
import { PersonRecordsService } from './person-records.service.js';

/** The beneficiary registry: people, groups, households, ESF data, consents, facts, duplicates. */
@Module({
  providers: [
    BeneficiaryService,
    PersonRecordsService,
    HouseholdService,
    DuplicateService,
    PersonExportService,
    BeneficiaryLoaders,
    BeneficiaryResolver,
    HouseholdResolver,
    HouseholdMemberResolver,
    DuplicateReviewResolver,
    EnrolmentPersonResolver,
  ],
  controllers: [BeneficiaryController],
  exports: [BeneficiaryService, PersonRecordsService, HouseholdService],
})
export class BeneficiariesModule {}
