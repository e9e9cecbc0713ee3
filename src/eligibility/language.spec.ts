import { Language, languageOf } from './language.js';

describe('languageOf', () => {
  it('takes the argument over the header', () => {
    expect(languageOf(Language.EN, 'el-GR')).toBe(Language.EN);
    expect(languageOf(Language.EL, 'en')).toBe(Language.EL);
  });

  it('reads Accept-Language by q-value, and defaults to Greek', () => {
    expect(languageOf(undefined, undefined)).toBe(Language.EL);
    expect(languageOf(undefined, 'en-GB,en;q=0.9')).toBe(Language.EN);
    expect(languageOf(undefined, 'fr, el;q=0.5, en;q=0.8')).toBe(Language.EN);
    expect(languageOf(undefined, 'en;q=0.1, el-GR')).toBe(Language.EL);
    expect(languageOf(undefined, 'de, fr')).toBe(Language.EL);
    expect(languageOf(undefined, 'en;q=0')).toBe(Language.EL);
  });
});
