// Text diffs as record ops: word-level spans, sentences added as sentences, surrogate pairs kept
// whole, and (property) applying the ops always gives the new text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyTextEdits, textEdits, versionDelta } from '../src/capture/index.js';

/** [removed, inserted] per op; op positions count in the text left by the ops before. */
function inserted(before: string, after: string): [string, string][] {
  let shift = 0;
  return textEdits(before, after).map((op) => {
    const removed = before.slice(op.pos + shift, op.pos + shift + op.del);
    shift += op.del - op.text.length;
    return [removed, op.text];
  });
}

describe('textEdits', () => {
  it('replaces whole words, not the letters that differ', () => {
    expect(inserted('The cat sat.', 'The cot sat.')).toEqual([['cat', 'cot']]);
    expect(inserted('a house here', 'a horse here')).toEqual([['house', 'horse']]);
    // Words of any script, not only Latin ones (a Greek word once came out as scattered letters).
    expect(inserted('Η θάλασσα ήταν ήρεμη.', 'Η θάλασσα ήταν άγρια.')).toEqual([['ήρεμη', 'άγρια']]);
  });

  it('adds a sentence as the sentence, on its own line', () => {
    expect(textEdits('Hello world.\n', 'Hello world.\nAnd the sea.\n')).toEqual([{ pos: 13, del: 0, text: 'And the sea.\n' }]);
    // Either place gives the same text; the edges that score best (sentence end, space) win.
    expect(inserted('One. Three.', 'One. Two. Three.')).toEqual([['', ' Two.']]);
    expect(textEdits('# Title\n\nFirst.\n', '# Title\n\nFirst.\n\nSecond.\n')).toEqual([{ pos: 16, del: 0, text: '\nSecond.\n' }]);
  });

  it('keeps non-BMP characters whole and counts UTF-16 code units', () => {
    const ops = textEdits('wave 🌊 end', 'wave 🌸 end');
    expect(ops).toEqual([{ pos: 5, del: 2, text: '🌸' }]);
    expect(inserted('海と空', '海と山')).toEqual([['空', '山']]);
  });

  it('diffs a long text with distant changes by lines, then words', () => {
    const line = (i: number) => `Line ${i} of the chapter, with words enough to matter.\n`;
    const before = Array.from({ length: 4000 }, (_, i) => line(i)).join('');
    const after = before.replace('Line 10 of', 'Line ten of').replace('Line 3900 of the chapter', 'Line 3900 of the book');
    expect(inserted(before, after)).toEqual([
      ['10', 'ten'],
      ['chapter', 'book'],
    ]);
  });

  it('always turns the old text into the new one (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', ' ', '.', '\n', 'é', '🌊', '海');
    const text = fc.array(alphabet, { maxLength: 80 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const ops = textEdits(before, after);
        expect(applyTextEdits(before, ops)).toBe(after);
        for (const op of ops) expect(op.del > 0 || op.text !== '').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('versionDelta', () => {
  it('states the whole text as unknown when the previous text is not available', () => {
    expect(versionDelta({ recorded: true }, 'abc', 'human')).toEqual({ ops: [[0, 0, 3, 'unknown']], unknown: true });
    expect(versionDelta({ text: 'ab', recorded: true }, 'abc', 'ai').ops).toEqual([[0, 2, 3, 'ai']]);
  });
});
