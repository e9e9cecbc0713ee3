import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@ObjectType({ description: 'Περιφέρεια: one of the 13 regions' })
@Entity('region')
export class Region {
  @Field({ description: 'Kallikratis region code, 1 to 13' })
  @ApiProperty({ example: '9' })
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Field({ description: 'NUTS-2 code' })
  @ApiProperty({ example: 'EL30' })
  @Column({ type: 'text' })
  nuts2: string;

  @Field()
  @ApiProperty({ example: 'ΑΤΤΙΚΗΣ' })
  @Column({ type: 'text' })
  name: string;

  @Field({ description: 'The name in Latin script (ELOT 743)' })
  @ApiProperty({ example: 'ATTIKIS' })
  @Column({ name: 'name_latin', type: 'text' })
  nameLatin: string;

  @Column({ name: 'search_key', type: 'text', select: false })
  searchKey: string;
}

@ObjectType({ description: 'Περιφερειακή Ενότητα: one of the 74 regional units' })
@Entity('regional_unit')
export class RegionalUnit {
  @Field({ description: 'Kallikratis 4-digit code' })
  @ApiProperty({ example: '4501' })
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Field()
  @ApiProperty()
  @Column({ type: 'text' })
  name: string;

  @Field()
  @ApiProperty()
  @Column({ name: 'name_latin', type: 'text' })
  nameLatin: string;

  @Field()
  @ApiProperty()
  @Column({ name: 'region_code', type: 'text' })
  regionCode: string;

  @Field({ description: 'The old prefecture (νομός) kept for reporting' })
  @ApiProperty()
  @Column({ name: 'old_prefecture', type: 'text' })
  oldPrefecture: string;

  @Column({ name: 'search_key', type: 'text', select: false })
  searchKey: string;
}

@ObjectType({ description: 'Δήμος: one of the 332 municipalities (after the 2019 splits)' })
@Entity('municipality')
export class Municipality {
  @Field({ description: 'ELSTAT 2021 4-digit code; never reused' })
  @ApiProperty({ example: '4912' })
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Field()
  @ApiProperty({ example: 'ΣΠΑΤΩΝ - ΑΡΤΕΜΙΔΟΣ' })
  @Column({ type: 'text' })
  name: string;

  @Field()
  @ApiProperty({ example: 'SPATON - ARTEMIDOS' })
  @Column({ name: 'name_latin', type: 'text' })
  nameLatin: string;

  @Field()
  @ApiProperty()
  @Column({ name: 'regional_unit_code', type: 'text' })
  regionalUnitCode: string;

  @Field()
  @ApiProperty()
  @Column({ name: 'region_code', type: 'text' })
  regionCode: string;

  @Field()
  @ApiProperty()
  @Column({ type: 'text' })
  nuts2: string;

  @Field(() => Int, { nullable: true, description: '2021 census population (provisional)' })
  @ApiPropertyOptional()
  @Column({ name: 'population_2021', type: 'integer', nullable: true })
  population2021: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Kallikratis 2011 code of the municipality it descends from',
  })
  @ApiPropertyOptional()
  @Column({ name: 'predecessor_2011_code', type: 'text', nullable: true })
  predecessor2011Code: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional()
  @Column({ name: 'predecessor_2011_name', type: 'text', nullable: true })
  predecessor2011Name: string | null;

  @Field(() => String, { nullable: true, description: 'What changed since 2011: split, rename or spelling' })
  @ApiPropertyOptional()
  @Column({ name: 'change_since_2011', type: 'text', nullable: true })
  changeSince2011: string | null;

  @Field()
  @ApiProperty()
  @Column({ name: 'old_prefecture', type: 'text' })
  oldPrefecture: string;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional()
  @Column({ name: 'centroid_lon', type: 'double precision', nullable: true })
  centroidLon: number | null;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional()
  @Column({ name: 'centroid_lat', type: 'double precision', nullable: true })
  centroidLat: number | null;

  @Field({ description: "True where the centroid is the 2011 parent's (municipalities split in 2019)" })
  @ApiProperty()
  @Column({ name: 'centroid_is_parent', type: 'boolean', default: false })
  centroidIsParent: boolean;

  @Column({ name: 'search_key', type: 'text', select: false })
  searchKey: string;
}
