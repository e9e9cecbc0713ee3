import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DateTimeScalar } from '../common/graphql/scalars.js';
import { StatisticsMeasure } from './statistics-cube.js';
import { MapIndicator } from './statistics-map.service.js';
import { StatisticsArea } from './statistics.model.js';

registerEnumType(MapIndicator, {
  name: 'MapIndicator',
  description: 'What a map colours its municipalities by',
});

@ObjectType({
  description:
    'A choropleth map of one measure per municipality of an area (docs/statistics.md, "Maps"): the same cells as municipalityStatistics',
})
export class StatisticsMap {
  @Field(() => StatisticsArea)
  area: StatisticsArea;

  @Field(() => StatisticsMeasure)
  measure: StatisticsMeasure;

  @Field(() => MapIndicator)
  indicator: MapIndicator;

  @Field()
  period: string;

  @Field(() => DateTimeScalar, { description: 'When the figures were computed' })
  asOf: Date;

  @Field({ description: 'True when small counts are suppressed for this caller (below national level)' })
  smallCellsSuppressed: boolean;

  @Field(() => GraphQLJSONObject, {
    description:
      'GeoJSON FeatureCollection (RFC 7946): one feature per shape, a suppressed cell as `count: null, suppressed: true`',
  })
  geojson: Record<string, unknown>;

  @Field({
    description: 'The map drawn as SVG (title, legend, as-of date, attribution), `width` pixels wide',
  })
  svg: string;
}
