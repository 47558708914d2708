import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSearch, type SearchTerms } from '../../src/dashboard/search.ts';

/** What someone types into the dashboard's search box, and the words PostgreSQL is then asked to find. */
describe('parseSearch', () => {
  const cases: { typed: string; expected: SearchTerms; why: string }[] = [
    {
      typed: 'Maths',
      expected: { words: [], last: 'maths', display: 'Maths' },
      why: 'one word is the last word, lower-cased',
    },
    {
      typed: '  Zoë   Hartley  ',
      expected: { words: ['zoë'], last: 'hartley', display: 'Zoë Hartley' },
      why: 'spaces are tidied for display; accents are kept (the database ignores them)',
    },
    {
      typed: 'teacher of mathem',
      expected: { words: ['teacher', 'of'], last: 'mathem', display: 'teacher of mathem' },
      why: 'every word but the last is a whole word; the last may be half typed',
    },
    {
      typed: "maths & !english | (science:*) <-> 'x'",
      expected: {
        words: ['maths', 'english', 'science'],
        last: 'x',
        display: "maths & !english | (science:*) <-> 'x'",
      },
      why: 'text search operators are dropped, so nothing typed becomes query syntax',
    },
    {
      typed: "O'Brien",
      expected: { words: ['o'], last: 'brien', display: "O'Brien" },
      why: 'an apostrophe splits words',
    },
    {
      typed: 'Smith-Jones',
      expected: { words: ['smith'], last: 'jones', display: 'Smith-Jones' },
      why: 'a hyphen splits words',
    },
    { typed: 'Year 6', expected: { words: ['year'], last: '6', display: 'Year 6' }, why: 'digits are words too' },
    {
      typed: 'ÉCOLE Łódź',
      expected: { words: ['école'], last: 'łódź', display: 'ÉCOLE Łódź' },
      why: 'letters beyond ASCII are lower-cased',
    },
    { typed: 'Привет мир', expected: { words: ['привет'], last: 'мир', display: 'Привет мир' }, why: 'any alphabet' },
    {
      typed: 'lesson\tplan.pdf',
      expected: { words: ['lesson', 'plan'], last: 'pdf', display: 'lesson plan.pdf' },
      why: 'tabs are spaces',
    },
  ];

  for (const { typed, expected, why } of cases) {
    test(`${JSON.stringify(typed)}: ${why}`, () => {
      assert.deepEqual(parseSearch(typed), expected);
    });
  }

  test('a word typed with a combining accent (NFD) is the same word as its composed form (NFC)', () => {
    const decomposed = 'Zoe\u0308';
    assert.notEqual(decomposed, 'Zoë');
    assert.equal(parseSearch(decomposed)?.last, 'zoë');
  });

  test('nothing to search for: blank, punctuation only, or not text at all', () => {
    for (const input of ['', '   ', '\n\t', '!!! ... ???', '&|!:*()', undefined, null, 42, ['maths'], { q: 'maths' }]) {
      assert.equal(parseSearch(input), null, JSON.stringify(input));
    }
  });

  test('at most 12 words are searched for; the 12th is the last word', () => {
    const typed = Array.from({ length: 20 }, (_, i) => `word${i + 1}`).join(' ');
    const terms = parseSearch(typed);
    assert.ok(terms);
    assert.equal(terms.words.length, 11);
    assert.deepEqual(
      terms.words,
      Array.from({ length: 11 }, (_, i) => `word${i + 1}`),
    );
    assert.equal(terms.last, 'word12');
  });

  test('a word is cut at 60 characters, and what is shown back at 200', () => {
    const terms = parseSearch(`${'a'.repeat(100)} ${'b'.repeat(150)}`);
    assert.ok(terms);
    assert.deepEqual(terms.words, ['a'.repeat(60)]);
    assert.equal(terms.last, 'b'.repeat(60));
    assert.equal(terms.display.length, 200);
  });
});
