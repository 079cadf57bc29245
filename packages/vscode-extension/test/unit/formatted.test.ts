// The formatter's predicted edit is told from typing by what it does to the text, whatever its shape.
import { describe, expect, test } from 'vitest';
import { FormatPrediction, MAX_WINDOW } from '../../src/capture/formatted.js';

const before = '{\n    "a":1\n}';
const after = '{\n    "a": 1\n}';

describe('FormatPrediction', () => {
  test("a one-character formatter edit is the formatter's; the same key typed elsewhere is not", () => {
    const prediction = FormatPrediction.of(7, before, after)!;
    const space = [{ rangeOffset: 10, rangeLength: 0, text: ' ' }];
    expect(prediction.mayBe(8, space)).toBe(true);
    expect(prediction.is(space)).toBe(true);
    // Another key typed there: in the window, the same length change, but not the formatted text.
    const typed = [{ rangeOffset: 10, rangeLength: 0, text: 'x' }];
    expect(prediction.mayBe(8, typed)).toBe(true);
    expect(prediction.is(typed)).toBe(false);
    // Outside the window, or on another version, it is not even a candidate.
    expect(prediction.mayBe(8, [{ rangeOffset: 11, rangeLength: 0, text: ' ' }])).toBe(false);
    expect(prediction.mayBe(9, space)).toBe(false);
  });

  test('many edits, in the order VS Code reports them (from the end backwards)', () => {
    const raw = '{"a":1,"b":2}';
    const formatted = '{\n  "a": 1,\n  "b": 2\n}';
    const prediction = FormatPrediction.of(1, raw, formatted)!;
    const edits = [
      { rangeOffset: 12, rangeLength: 0, text: '\n' },
      { rangeOffset: 11, rangeLength: 0, text: ' ' },
      { rangeOffset: 7, rangeLength: 0, text: '\n  ' },
      { rangeOffset: 5, rangeLength: 0, text: ' ' },
      { rangeOffset: 1, rangeLength: 0, text: '\n  ' },
    ];
    expect(prediction.mayBe(2, edits)).toBe(true);
    expect(prediction.is(edits)).toBe(true);
    expect(prediction.is(edits.map((e, i) => (i === 0 ? { ...e, text: '\t' } : e)))).toBe(false);
  });

  test('nothing to predict when the text is formatted already, or the change is too large to keep', () => {
    expect(FormatPrediction.of(1, after, after)).toBeUndefined();
    expect(FormatPrediction.of(1, 'x'.repeat(MAX_WINDOW), 'y'.repeat(MAX_WINDOW))).toBeUndefined();
  });
});
