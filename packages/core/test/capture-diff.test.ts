// Text diffs as record ops: word-level spans, sentences added as sentences, surrogate pairs kept
// whole, and (property) applying the ops always gives the new text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyTextEdits, MIN_RESTORED_UNITS, textEdits, versionDelta } from '../src/capture/index.js';
import { TextAuthorshipMap } from '../src/attribution/index.js';
import { contentCid } from '../src/cid.js';
import { utf8Encode } from '../src/text/utf8.js';

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

  it('a rewritten sentence or paragraph is one span, not new words around the old spaces', () => {
    expect(inserted('She said: one two three four.', 'She said: five six seven eight.')).toEqual([['one two three four', 'five six seven eight']]);
    // Paragraphs rewritten in a row: the blank lines between them go with them.
    const old = 'Keep this.\n\nold words here\n\nmore old words\n\nKeep that.\n';
    expect(inserted(old, old.replace('old words here\n\nmore old words', 'new text entirely\n\nand a new line'))).toEqual([['old words here\n\nmore old words', 'new text entirely\n\nand a new line']]);
    // One word changed still is one word.
    expect(inserted('one two three four.', 'one two THREE four.')).toEqual([['three', 'THREE']]);
  });

  it('adds a sentence as the sentence, on its own line', () => {
    expect(textEdits('Hello world.\n', 'Hello world.\nAnd the sea.\n')).toEqual([{ pos: 13, del: 0, text: 'And the sea.\n' }]);
    // Either place gives the same text; the edges that score best (sentence end, space) win.
    expect(inserted('One. Three.', 'One. Two. Three.')).toEqual([['', ' Two.']]);
    expect(textEdits('# Title\n\nFirst.\n', '# Title\n\nFirst.\n\nSecond.\n')).toEqual([{ pos: 16, del: 0, text: '\nSecond.\n' }]);
  });

  it('places a paragraph inserted before a paragraph with the same first word as that paragraph', () => {
    // The common prefix takes "The " of the old paragraph: the insertion is slid back to where
    // the new paragraph starts (a blank line on both edges), not left to straddle two paragraphs.
    const before = '# Harbour\n\nThe night was dark.\n';
    const paragraph = 'The lamps burned low.\n\n';
    expect(textEdits(before, before.replace('The night', `${paragraph}The night`))).toEqual([{ pos: 11, del: 0, text: paragraph }]);
    // A deleted paragraph likewise.
    expect(textEdits(before.replace('The night', `${paragraph}The night`), before)).toEqual([{ pos: 11, del: paragraph.length, text: '' }]);
    // A scene in a screenplay whose lines all start alike.
    const scene = 'MARA\nWho keeps the lamp?\n\n';
    const script = `INT. LIGHTHOUSE - NIGHT\n\n${scene}`;
    expect(textEdits(script, `${script}${scene}`)).toEqual([{ pos: script.length, del: 0, text: scene }]);
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

  it('a find-and-replace over a long text is each replaced word, not one span of everything between', () => {
    const paragraph = (i: number) => `Paragraph ${i}: the sea was calm, and the keeper watched the sea all night.\n\n`;
    const before = Array.from({ length: 3000 }, (_, i) => paragraph(i)).join('');
    const pairs = inserted(before, before.replaceAll(' sea ', ' ocean '));
    expect(pairs).toHaveLength(6000);
    expect(new Set(pairs.map((p) => p.join('>')))).toEqual(new Set(['sea>ocean']));
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
    expect(versionDelta({ recorded: true }, 'abc', 'human')).toEqual({ ops: [[0, 0, 3, 'unknown']], unknown: true, links: [] });
    expect(versionDelta({ text: 'ab', recorded: true }, 'abc', 'ai').ops).toEqual([[0, 2, 3, 'ai']]);
  });

  it('an agent hook states again, as AI, what it wrote that a watcher had recorded first as a diff', () => {
    const text = 'Typed by the writer. Saved under watch. Agent line.\n';
    const map = new TextAuthorshipMap();
    const writer = 'did:key:zWriter';
    map.apply({ pos: 0, del: 0, ins: 21 }, { class: 'human', who: writer, evidence: 'typed' });
    map.apply({ pos: 21, del: 0, ins: text.length - 21 }, { class: 'human', who: writer, evidence: 'diff' });
    const agentLine = text.indexOf('Agent line.');
    // The agent names both the typed sentence and its own line: only inferred text is stated again.
    const regions = [[0, 20], [agentLine, agentLine + 'Agent line.'.length]] as const;
    const delta = versionDelta({ text, map, recorded: true }, text, 'unknown', { reclaim: { regions, class: 'ai' } });
    expect(delta.ops).toEqual([[agentLine, 11, 11, 'ai']]);
  });

  describe('text that comes back gets its author back', () => {
    const model = { provider: 'acme', name: 'writer', version: '2' };
    const aiRecord = contentCid(utf8Encode('the ai.generate record'));
    const human = { class: 'human' as const, who: 'did:key:zWriter' };
    const ai = { class: 'ai' as const, who: 'acme/writer@2', record: aiRecord };
    const opening = 'The writer opened the chapter.\n\n';
    const generated = 'The model wrote a paragraph about the sea.\n\n';
    /** The version with the AI paragraph: its text and authorship. */
    function withGenerated(): { text: string; map: TextAuthorshipMap } {
      const map = new TextAuthorshipMap();
      map.apply({ pos: 0, del: 0, ins: opening.length }, human);
      map.apply({ pos: opening.length, del: 0, ins: generated.length }, ai);
      return { text: opening + generated, map };
    }
    const openingOnly = () => {
      const map = new TextAuthorshipMap();
      map.apply({ pos: 0, del: 0, ins: opening.length }, human);
      return { text: opening, map, recorded: true };
    };

    it('an undo saved from another editor: the AI paragraph comes back as the AI\'s, linking the record naming the model', () => {
      const delta = versionDelta(openingOnly(), opening + generated, 'human', { restore: { signer: human.who, earlier: [withGenerated()] } });
      expect(delta.ops).toEqual([[opening.length, 0, generated.length, 'ai']]);
      expect(delta.links).toEqual([aiRecord]);
      // Without earlier versions it is the signer's, as before.
      expect(versionDelta(openingOnly(), opening + generated, 'human').ops).toEqual([[opening.length, 0, generated.length, 'human']]);
    });

    it('a paragraph cut and pasted elsewhere in one save keeps its author', () => {
      const before = withGenerated();
      const moved = generated + opening;
      const delta = versionDelta({ ...before, recorded: true }, moved, 'human', { restore: { signer: human.who, earlier: [] } });
      const map = before.map;
      for (const [pos, del, ins, cls] of delta.ops) map.apply({ pos, del, ins }, cls === 'ai' ? ai : human);
      expect(map.runs().map((r) => [r.length, r.author.class])).toEqual([
        [generated.length, 'ai'],
        [opening.length, 'human'],
      ]);
    });

    it('states what the signer cannot state as unknown, and leaves copies and short text alone', () => {
      // The writer's text, restored by another person, who cannot sign for the writer.
      const emptied = { text: '', map: new TextAuthorshipMap(), recorded: true };
      expect(versionDelta(emptied, opening, 'human', { restore: { signer: 'did:key:zOther', earlier: [openingOnly()] } }).ops).toEqual([[0, 0, opening.length, 'unknown']]);
      expect(versionDelta(emptied, opening, 'human', { restore: { signer: human.who, earlier: [openingOnly()] } }).ops).toEqual([[0, 0, opening.length, 'human']]);
      // A second model restoring the first model's text cannot name it.
      const other = { type: 'ai' as const, model: { provider: 'acme', name: 'other', version: '1' } };
      expect(versionDelta(openingOnly(), opening + generated, 'ai', { restore: { signer: human.who, agent: other, earlier: [withGenerated()] } }).ops).toEqual([[opening.length, 0, generated.length, 'unknown']]);
      // The same model: its own class, no link needed.
      const same = versionDelta(openingOnly(), opening + generated, 'ai', { restore: { signer: human.who, agent: { type: 'ai', model }, earlier: [withGenerated()] } });
      expect(same.ops).toEqual([[opening.length, 0, generated.length, 'ai']]);
      expect(same.links).toEqual([]);
      // A copy: the original is still there, so the new text is the signer's writing.
      const both = withGenerated();
      expect(versionDelta({ ...both, recorded: true }, both.text + generated, 'human', { restore: { signer: human.who, earlier: [] } }).ops).toEqual([[both.text.length, 0, generated.length, 'human']]);
      // A short line comes back by chance: the signer's.
      const short = 'MARA\n';
      const map = new TextAuthorshipMap();
      map.apply({ pos: 0, del: 0, ins: short.length }, ai);
      expect(short.length).toBeLessThan(MIN_RESTORED_UNITS);
      expect(versionDelta(emptied, short, 'human', { restore: { signer: human.who, earlier: [{ text: short, map }] } }).ops).toEqual([[0, 0, short.length, 'human']]);
    });
  });
});
