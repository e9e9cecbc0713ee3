import { ApiProperty } from '@nestjs/swagger';
import {
  OfferedService,
  OpeningHours,
  Provider,
  ProviderClosure,
  ProviderLocation,
} from './provider.entity.js';

export class LocationDetail extends ProviderLocation {
  @ApiProperty({ type: [OpeningHours] })
  openingHours: OpeningHours[];
}

/** A provider with everything it holds, as REST returns it (GraphQL asks for the parts it needs). */
export class ProviderDetail extends Provider {
  @ApiProperty({
    type: [String],
    description: 'Every municipality it serves, its home first',
    example: ['4912', '4904'],
  })
  serviceArea: string[];

  @ApiProperty({ type: [LocationDetail] })
  locations: LocationDetail[];

  @ApiProperty({ type: [ProviderClosure] })
  closures: ProviderClosure[];

  @ApiProperty({ type: [OfferedService] })
  services: OfferedService[];
}

export class ProviderPage {
  @ApiProperty({ type: [Provider] })
  items: Provider[];

  @ApiProperty()
  total: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as cursor for the next page; null on the last page',
  })
  nextCursor: string | null;
}
