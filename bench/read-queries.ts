/**
 * The three read queries of issue 9, as a client sends them: the benchmarks run them and the
 * read-path tests check their audit rows and query plans with the same text.
 */
export const Q1_PERSON_BY_AMKA = `query Q1($amka: String!) {
  beneficiaryByIdentifier(amka: $amka) {
    id givenName surname birthDate amka municipalityCode
    groups { group basis validFrom validTo }
    household { id size members { relationship person { id givenName surname birthDate } } }
  }
}`;

export const Q2_PEOPLE_OF_MUNICIPALITY = `query Q2($municipalityCode: String!) {
  beneficiaries(municipalityCode: $municipalityCode, first: 50) {
    edges { node { id givenName surname birthDate groups { group basis validFrom validTo } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const Q3_PROVIDERS_SERVING = `query Q3($municipality: String!) {
  providers(servingMunicipality: $municipality) {
    edges { node { id name
      services { id name categoryCode }
      locations { id address openingHours { weekday opensAt closesAt } }
    } }
  }
}`;
