import { expect } from '@open-wc/testing';
import { VIEW_STRINGS, viewStrings, type ViewStrings } from '../../../../src/console/views/index.js';

/** Texts that are the same word in some languages. */
const SAME_IN_SOME = new Set([
  'dash',
  'url',
  'version',
  'mode',
  'status',
  'workflow',
  'error',
  'installations',
  'integration',
]);

describe('console view strings', () => {
  for (const lang of ['es', 'fr', 'de'] as const) {
    it(`${lang} translates every English text`, () => {
      const en = VIEW_STRINGS.en as unknown as Record<string, unknown>;
      const other = VIEW_STRINGS[lang] as unknown as Record<string, unknown>;
      expect(Object.keys(other).sort()).to.deep.equal(Object.keys(en).sort());
      const untranslated = Object.keys(en).filter((key) => {
        const a = en[key];
        const b = other[key];
        if (typeof a === 'function') return (a as (x: number) => string)(3) === (b as (x: number) => string)(3);
        if (typeof a === 'string') return !SAME_IN_SOME.has(key) && a === b;
        return JSON.stringify(a) === JSON.stringify(b);
      });
      // Allowed: words that really are the same (e.g. "Workflow", "Installations" in French).
      expect(
        untranslated.filter((k) => !['workflows', 'installs', 'filters', 'statusNames'].includes(k)),
      ).to.deep.equal([]);
    });
  }

  it('falls back to English for an unknown language', () => {
    expect(viewStrings('xx' as never).loading).to.equal('Loading…');
    const de: ViewStrings = viewStrings('de');
    expect(de.days(1)).to.equal('1 Tag');
    expect(de.days(7)).to.equal('7 Tagen');
  });
});
