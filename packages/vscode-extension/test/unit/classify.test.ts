import { describe, expect, test } from 'vitest';
import { classify, isKeystroke, type ChangeContext } from '../../src/capture/classify.js';
import { Expectations } from '../../src/capture/expectations.js';

const plain: ChangeContext = { reason: undefined, programmatic: false, formatter: undefined };
const prettier = { type: 'tool' as const, name: 'esbenp.prettier-vscode', version: '11.0.0' };
const model = { type: 'ai' as const, model: { provider: 'openai-compatible', name: 'tiny', version: '1' } };

describe('classify', () => {
  test('keystrokes are human and typed; Enter with indentation, a Tab and auto-closed pairs are keystrokes', () => {
    for (const text of ['a', 'é', '😀', '\n', '\r\n    ', '    ', '()', '""', '']) expect(isKeystroke(text), JSON.stringify(text)).toBe(true);
    for (const text of ['ab', 'hello world', '\nfoo', '(a)']) expect(isKeystroke(text), JSON.stringify(text)).toBe(false);
    const [change] = classify([{ rangeOffset: 3, rangeLength: 0, text: 'x' }], plain, new Expectations(), 0);
    expect(change).toEqual({ class: 'human', evidence: 'typed', pos: 3, deleted: 0, inserted: 'x' });
  });

  test('an unexplained multi-character insertion is unknown, a deletion of any size is the user\'s', () => {
    const changes = classify([{ rangeOffset: 0, rangeLength: 0, text: 'function completedByAnotherExtension() {}' }], plain, new Expectations(), 0);
    expect(changes[0]).toMatchObject({ class: 'unknown', evidence: 'typed' });
    expect(classify([{ rangeOffset: 0, rangeLength: 500, text: '' }], plain, new Expectations(), 0)[0]).toMatchObject({ class: 'human', deleted: 500 });
  });

  test('multi-cursor changes are applied from the end of the document backwards', () => {
    const changes = classify(
      [
        { rangeOffset: 1, rangeLength: 0, text: 'a' },
        { rangeOffset: 9, rangeLength: 0, text: 'a' },
        { rangeOffset: 5, rangeLength: 0, text: 'a' },
      ],
      plain,
      new Expectations(),
      0,
    );
    expect(changes.map((change) => change.pos)).toEqual([9, 5, 1]);
  });

  test('undo and redo are marked for the session (which gives text back its authors), whatever was announced', () => {
    const expectations = new Expectations();
    expectations.expect('restored text', { class: 'paste', evidence: 'typed' }, 0);
    const [undo] = classify([{ rangeOffset: 0, rangeLength: 0, text: 'restored text' }], { ...plain, reason: 'undo' }, expectations, 0);
    expect(undo).toMatchObject({ class: 'human', evidence: 'typed', undo: 'undo' });
    expect(expectations.size).toBe(1);
  });

  test('announced edits take their source once; stale ones expire', () => {
    const expectations = new Expectations();
    expectations.expect('Once upon a time', { class: 'ai', evidence: 'command', agent: model }, 1000);
    const [first] = classify([{ rangeOffset: 0, rangeLength: 0, text: 'Once upon a time' }], plain, expectations, 1001);
    expect(first).toMatchObject({ class: 'ai', evidence: 'command', agent: model });
    const [second] = classify([{ rangeOffset: 0, rangeLength: 0, text: 'Once upon a time' }], plain, expectations, 1002);
    expect(second).toMatchObject({ class: 'unknown' });
    expectations.expect('late', { class: 'paste', evidence: 'typed' }, 0, 10);
    expect(classify([{ rangeOffset: 0, rangeLength: 0, text: 'late' }], plain, expectations, 11)[0]).toMatchObject({ class: 'unknown' });
  });

  test('a multi-cursor paste spreads one announcement over the cursors; CRLF normalisation still matches', () => {
    const expectations = new Expectations();
    expectations.expect('one\ntwo', { class: 'paste', evidence: 'typed' }, 0);
    const changes = classify(
      [
        { rangeOffset: 0, rangeLength: 0, text: 'one' },
        { rangeOffset: 10, rangeLength: 0, text: 'two' },
      ],
      plain,
      expectations,
      0,
    );
    expect(changes.every((change) => change.class === 'paste')).toBe(true);
    expectations.expect('a\nb', { class: 'paste', evidence: 'typed' }, 0);
    expect(classify([{ rangeOffset: 0, rangeLength: 0, text: 'a\r\nb' }], plain, expectations, 0)[0]).toMatchObject({ class: 'paste' });
  });

  test('an event with more changes than cursors is not typing: unknown, even whitespace', () => {
    const changes = classify(
      [
        { rangeOffset: 1, rangeLength: 0, text: '\n    ' },
        { rangeOffset: 7, rangeLength: 0, text: '\n' },
      ],
      { ...plain, programmatic: true },
      new Expectations(),
      0,
    );
    expect(changes.map((c) => c.class)).toEqual(['unknown', 'unknown']);
  });

  test('edits during a save are the formatter\'s, named by extension id and version', () => {
    const [change] = classify([{ rangeOffset: 4, rangeLength: 2, text: '  ' }], { ...plain, formatter: prettier }, new Expectations(), 0);
    expect(change).toMatchObject({ class: 'tool', agent: prettier });
  });
});
