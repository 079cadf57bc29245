// Hold-out writer sessions against the writer's path from plain files: each step is a real file
// saved and recorded through the real `colophon` program (in this process, for speed; `watch`
// runs as its own process), and the result of `attribute --json` is compared, character by
// character (UTF-16 code units), with what was done.
import { spawn } from 'node:child_process';
import { mkdir, open, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BIN, colophonInProcess, sandbox } from './helpers.js';

vi.setConfig({ testTimeout: 60_000 });

let dir: string;
let restoreEnv: () => void;

beforeEach(async () => {
  const box = await sandbox();
  dir = box.dir;
  await mkdir(dir, { recursive: true });
  const saved = { keys: process.env.COLOPHON_KEYS_DIR, identity: process.env.COLOPHON_IDENTITY };
  process.env.COLOPHON_KEYS_DIR = box.keys;
  process.env.COLOPHON_IDENTITY = 'writer';
  restoreEnv = () => {
    for (const [key, value] of [['COLOPHON_KEYS_DIR', saved.keys], ['COLOPHON_IDENTITY', saved.identity]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  expect((await run('init', '--name', 'Hold-out')).code).toBe(0);
});
afterEach(() => restoreEnv());

const run = (...argv: string[]) => colophonInProcess(dir, ...argv);

const MARK: Record<string, string> = { human: 'h', ai: 'a', tool: 't', pasted: 'p', unknown: '?' };

/** A document and the truth about it: one mark per UTF-16 code unit (h, a, t, p, ?). */
class Truth {
  constructor(
    public text = '',
    public marks = '',
  ) {}
  insert(at: number, text: string, mark: string): this {
    this.text = this.text.slice(0, at) + text + this.text.slice(at);
    this.marks = this.marks.slice(0, at) + mark.repeat(text.length) + this.marks.slice(at);
    return this;
  }
  remove(at: number, length: number): this {
    this.text = this.text.slice(0, at) + this.text.slice(at + length);
    this.marks = this.marks.slice(0, at) + this.marks.slice(at + length);
    return this;
  }
  append(text: string, mark: string): this {
    return this.insert(this.text.length, text, mark);
  }
  copy(): Truth {
    return new Truth(this.text, this.marks);
  }
}

/** Saves `doc` to `file` and records it with `record KIND --file FILE ...extra`. */
async function saveAndRecord(file: string, doc: Truth | string, kind: string, ...extra: string[]): Promise<void> {
  await writeFile(join(dir, file), typeof doc === 'string' ? doc : doc.text);
  const result = await run('record', kind, '--file', file, ...extra);
  expect(result.code, result.err).toBe(0);
}

/** The marks `attribute --json` gives for the file, after checking the file matches the records. */
async function marksOf(file: string): Promise<string> {
  const result = await run('attribute', '--asset', `file:${file}`, '--file', file, '--json');
  expect(result.code, result.err).toBe(0);
  const view = JSON.parse(result.out) as { runs: { start: number; length: number; class: string }[]; file: { ok: boolean } };
  expect(view.file.ok).toBe(true);
  const text = await readFile(join(dir, file), 'utf8');
  let marks = '';
  for (const r of view.runs) {
    expect(r.start).toBe(marks.length);
    // A run never starts inside a surrogate pair (an emoji is one character of one author).
    expect(/[\udc00-\udfff]/.test(text[r.start] ?? ''), `run at ${r.start} splits a surrogate pair`).toBe(false);
    marks += MARK[r.class]!.repeat(r.length);
  }
  return marks;
}

const MODEL = ['--model', 'acme/writer@2'];

/** Runs `colophon agent-hook` as Claude Code does (its own process, the event on stdin); returns its stderr. */
async function agentHook(event: object): Promise<string> {
  const hook = spawn(process.execPath, [BIN, 'agent-hook', '--model', 'anthropic/claude-sonnet@4.5'], { cwd: dir, env: process.env });
  let stderr = '';
  hook.stderr.on('data', (chunk) => (stderr += chunk));
  hook.stdin.end(JSON.stringify(event));
  expect(await new Promise((r) => hook.on('exit', r)), stderr).toBe(0);
  return stderr;
}

describe('text that comes back', () => {
  it('an undo saved from another editor gives the AI paragraph back to the AI, never to the writer', async () => {
    const doc = new Truth().append('# Harbour\n\nThe writer opened the chapter here.\n\n', 'h');
    await saveAndRecord('ch.md', doc, 'asset.create');
    const withoutAi = doc.copy();
    doc.append('The model wrote this paragraph about the sea and the sky.\n\n', 'a');
    await saveAndRecord('ch.md', doc, 'ai.generate', ...MODEL);
    // The writer deletes the AI paragraph and saves, then undoes the deletion and saves again.
    await saveAndRecord('ch.md', withoutAi, 'asset.edit');
    expect(await marksOf('ch.md')).toBe(withoutAi.marks);
    await saveAndRecord('ch.md', doc, 'asset.edit');
    expect(await marksOf('ch.md')).toBe(doc.marks);
    // Emptied, then restored from a backup: each part gets its author back.
    await saveAndRecord('ch.md', '', 'asset.edit');
    await saveAndRecord('ch.md', doc, 'asset.edit');
    expect(await marksOf('ch.md')).toBe(doc.marks);
    expect((await run('verify')).code).toBe(0);
  });

  it('text of a model the record cannot name (another writer\'s model is the head) comes back unknown, and the record is not refused', async () => {
    expect((await run('id', 'new', 'bob')).code).toBe(0);
    expect((await run('member', 'add', 'bob', '--role', 'editor')).code).toBe(0);
    const doc = new Truth().append('The writer opened the chapter here, by hand.\n\n', 'h');
    await saveAndRecord('ch.md', doc, 'asset.create');
    const withoutX = doc.copy();
    const fromX = 'Model X wrote this paragraph about the sea and the sky.\n\n';
    doc.append(fromX, 'a');
    await saveAndRecord('ch.md', doc, 'ai.generate', '--model', 'acme/x@1');
    await saveAndRecord('ch.md', withoutX, 'asset.edit');
    // Bob runs model Y; the asset's head is now his ai.generate record, which the next version links.
    const fromY = 'Model Y, run by Bob, adds this line.\n';
    withoutX.append(fromY, 'a');
    await saveAndRecord('ch.md', withoutX, 'ai.generate', '--model', 'acme/y@1', '--as', 'bob');
    // The writer undoes the deletion of X's paragraph: a record linking Y cannot name X as well.
    const restored = new Truth(withoutX.text.replace(fromY, fromX + fromY), withoutX.marks.replace('a'.repeat(fromY.length), '?'.repeat(fromX.length) + 'a'.repeat(fromY.length)));
    await saveAndRecord('ch.md', restored, 'asset.edit');
    expect(await marksOf('ch.md')).toBe(restored.marks);
  });

  it('a paragraph the writer cuts and pastes keeps its author', async () => {
    const doc = new Truth().append('The writer began with this.\n\nThen wrote a second paragraph, a longer one, to set the scene properly.\n\n', 'h');
    await saveAndRecord('mv.md', doc, 'asset.create');
    const generated = 'The model added this paragraph.\n\n';
    doc.append(generated, 'a');
    await saveAndRecord('mv.md', doc, 'ai.generate', ...MODEL);
    // Cut from the end, pasted at the top.
    doc.remove(doc.text.length - generated.length, generated.length).insert(0, generated, 'a');
    await saveAndRecord('mv.md', doc, 'asset.edit');
    expect(await marksOf('mv.md')).toBe(doc.marks);
  });
});

describe('a 200 KB chapter', () => {
  it('scattered 1 KB rewrites by a model, another writer, a formatter and a paste: each is one span of its author', async () => {
    expect((await run('id', 'new', 'bob')).code).toBe(0);
    expect((await run('member', 'add', 'bob', '--role', 'editor')).code).toBe(0);
    const words = 'sea harbour lamp keeper night tide stone quay gull wind glass stair light boat rope salt'.split(' ');
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const sentence = (pool: string[], n: number) => Array.from({ length: n }, () => pool[Math.floor(random() * pool.length)]).join(' ');
    const doc = new Truth();
    while (doc.text.length < 200 * 1024) doc.append(`${sentence(words, 40 + Math.floor(random() * 40))}.\n\n`, 'h');
    await saveAndRecord('long.md', doc, 'asset.create');
    const authors: [string, string, string[]][] = [
      ['ai.generate', 'a', MODEL],
      ['asset.edit', 'b', ['--as', 'bob']],
      ['asset.edit', 't', ['--tool', 'fmt@1']],
      ['asset.edit', 'p', ['--pasted']],
    ];
    for (const [round, [kind, mark, extra]] of authors.entries()) {
      // Three paragraphs far apart, each rewritten (~1 KB) up to its full stop.
      for (let k = 0; k < 3; k++) {
        const start = doc.text.indexOf('\n\n', Math.floor(((k * 4 + round + 0.5) / 12) * (doc.text.length - 2000))) + 2;
        const end = doc.text.indexOf('.\n\n', start);
        doc.remove(start, end - start).insert(start, sentence(['river', 'forest', 'mountain', 'valley', 'cloud', 'rain'].map((w) => w + round), 150), mark);
      }
      await saveAndRecord('long.md', doc, kind, ...extra);
    }
    const view = JSON.parse((await run('attribute', '--asset', 'file:long.md', '--file', 'long.md', '--json')).out) as { runs: { start: number; length: number; class: string; name?: string }[] };
    const marks = view.runs.map((r) => (r.name === 'bob' ? 'b' : MARK[r.class]!).repeat(r.length)).join('');
    expect(marks.length).toBe(doc.text.length);
    expect(marks === doc.marks, 'the classes differ from what was done').toBe(true);
    expect(view.runs).toHaveLength(1 + 12 * 2);
  });
});

describe('renamed and copied files', () => {
  it('a renamed file keeps its authors: its AI text does not become the signer\'s', async () => {
    const doc = new Truth().append('Human text at the start of the file.\n', 'h');
    await saveAndRecord('a.md', doc, 'asset.create');
    doc.append('Then the model wrote this long sentence here.\n', 'a');
    await saveAndRecord('a.md', doc, 'ai.generate', ...MODEL);
    await rename(join(dir, 'a.md'), join(dir, 'b.md'));
    expect((await run('record', 'asset.edit', '--file', 'b.md')).code).toBe(0);
    expect(await marksOf('b.md')).toBe(doc.marks);
  });
});

describe('Markdown and Fountain', () => {
  it('a paragraph inserted above another starting with the same word is that paragraph', async () => {
    const doc = new Truth().append('# Harbour\n\nThe night was dark and the sea was calm.\n', 'h');
    await saveAndRecord('c.md', doc, 'asset.create');
    doc.insert(doc.text.indexOf('The night'), 'The lamps burned low over the quay, and the keeper waited.\n\n', 'a');
    await saveAndRecord('c.md', doc, 'ai.generate', ...MODEL);
    expect(await marksOf('c.md')).toBe(doc.marks);
  });
});

describe('non-ASCII text, line endings and byte order marks', () => {
  // Each: the writer's text, then what the model inserts where (UTF-16 offsets), then a word the
  // writer replaces inside the model's text.
  const cases: [string, string, number, string, string, string][] = [
    ['CJK without spaces', '海は静かだった。灯台の光が揺れていた。\n', 8, '風が強く吹き、', '強', '弱'],
    ['Arabic and Hebrew (RTL)', 'كان البحر هادئا.\nהים היה שקט.\n', 16, ' والليل طويل', 'طويل', 'قصير'],
    ['Devanagari (combining marks)', 'समुद्र शांत था।\n', 7, 'बहुत ', 'बहुत', 'काफ़ी'],
    ['Thai (no spaces)', 'ทะเลสงบมาก\n', 4, 'และฟ้า', 'ฟ้า', 'ดาว'],
    ['emoji: ZWJ family, skin tone, flag', 'Hi 👋🏽 there!\n', 13, ' 👨‍👩‍👧‍👦 and 🇳🇴', '🇳🇴', '🇯🇵'],
    ['NFD é (e + combining acute)', 'cafe\u0301 au lait\n', 6, 'noir et ', 'noir', 'cre\u0300me'],
    ['CRLF, a UTF-8 BOM, tabs, no final newline', '\ufeffTitle\r\n\tIndented line', 8, 'AI line\r\n', 'AI', 'Model'],
  ];
  it.each(cases)('%s', async (_name, human, at, generated, word, replacement) => {
    const doc = new Truth().append(human, 'h');
    await saveAndRecord('t.md', doc, 'asset.create');
    doc.insert(at, generated, 'a');
    await saveAndRecord('t.md', doc, 'ai.generate', ...MODEL);
    expect(await marksOf('t.md')).toBe(doc.marks);
    const where = doc.text.indexOf(word, at);
    doc.remove(where, word.length).insert(where, replacement, 'h');
    await saveAndRecord('t.md', doc, 'asset.edit');
    expect(await marksOf('t.md')).toBe(doc.marks);
  });
});

describe('files that are not UTF-8 text', () => {
  it('a Latin-1 file, and a binary version of a text asset, are refused with one line and nothing stored', async () => {
    await saveAndRecord('notes.md', 'Some text by the writer.\n', 'asset.create');
    const ledger = async () => [(await run('log', '--json')).out, (await readdir(join(dir, '.colophon', 'blobs'))).sort()];
    const before = await ledger();
    // "café" saved by an editor set to Latin-1: no NUL bytes, not UTF-8.
    await writeFile(join(dir, 'notes.md'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    let result = await run('record', 'asset.edit', '--file', 'notes.md', '--prompt-private', 'a secret brief');
    expect(result.code).toBe(2);
    expect(result.err).toBe('colophon: --file notes.md is not UTF-8 text (invalid UTF-8 at byte 3: truncated sequence): save it as UTF-8 to record who wrote each character (e.g. iconv -f latin1 -t utf-8)');
    await writeFile(join(dir, 'new.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    expect((await run('record', 'asset.create', '--file', 'new.txt')).code).toBe(2);
    // A binary file where the text was.
    await writeFile(join(dir, 'notes.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    result = await run('record', 'asset.edit', '--file', 'notes.md');
    expect(result.code).toBe(2);
    expect(result.err).toBe('colophon: --file notes.md is binary (it holds NUL bytes), but file:notes.md is text recorded per character, whose history a binary version would end');
    expect(await ledger()).toEqual(before);
    // A binary file of an asset of its own (an image) is a version like any other.
    await writeFile(join(dir, 'cover.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    expect((await run('record', 'asset.create', '--file', 'cover.png')).code).toBe(0);
  });
});

describe('watch', () => {
  it('started after offline changes, records them as unknown, text that came back too', async () => {
    const doc = new Truth().append('The writer opened the chapter here, by hand.\n\n', 'h');
    await saveAndRecord('w.md', doc, 'asset.create');
    const without = doc.copy();
    doc.append('The model wrote this paragraph about the sea and the sky.\n\n', 'a');
    await saveAndRecord('w.md', doc, 'ai.generate', ...MODEL);
    await saveAndRecord('w.md', without, 'asset.edit');
    // While nothing watched, the AI paragraph came back (an undo in another editor, unobserved).
    const offline = new Truth(doc.text, doc.marks.replaceAll('a', '?'));
    await writeFile(join(dir, 'w.md'), offline.text);
    const child = spawn(process.execPath, [BIN, 'watch', 'w.md'], { cwd: dir, env: { ...process.env, COLOPHON_DEBUG: '' } });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    for (let i = 0; i < 400 && !/watching/.test(stdout); i++) await new Promise((r) => setTimeout(r, 50));
    expect(stdout).toMatch(/file:w\.md: \+\d+ -0 changed while nothing watched \(unknown\)/);
    child.kill('SIGINT');
    expect(await new Promise((r) => child.on('exit', r))).toBe(0);
    expect(await marksOf('w.md')).toBe(offline.marks);
  });

  it('atomic saves, a truncate then write, a rename, a Latin-1 file said once, and a save just before Ctrl-C', async () => {
    const doc = new Truth().append('# Draft\n\nFirst line by the writer.\n', 'h');
    await saveAndRecord('d.md', doc, 'asset.create');
    doc.append('Then the model wrote this long sentence here.\n', 'a');
    await saveAndRecord('d.md', doc, 'ai.generate', ...MODEL);
    await writeFile(join(dir, 'old.md'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const child = spawn(process.execPath, [BIN, 'watch'], { cwd: dir, env: { ...process.env, COLOPHON_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const saves = async (n: number) => {
      for (let i = 0; i < 400 && (stdout.match(/saved by writer/g) ?? []).length < n; i++) await new Promise((r) => setTimeout(r, 50));
      expect((stdout.match(/saved by writer/g) ?? []).length, stdout + stderr).toBe(n);
    };
    for (let i = 0; i < 400 && !/watching/.test(stdout); i++) await new Promise((r) => setTimeout(r, 50));
    expect(stdout, stderr).toMatch(/watching \. as writer/);
    // An editor's atomic save: a temporary file renamed over the file.
    doc.append('Atomic line.\n', 'h');
    await writeFile(join(dir, '.d.md.tmp'), doc.text);
    await rename(join(dir, '.d.md.tmp'), join(dir, 'd.md'));
    await saves(1);
    // A save that truncates, then writes.
    const handle = await open(join(dir, 'd.md'), 'r+');
    await handle.truncate(0);
    doc.append('Truncated, then written.\n', 'h');
    await handle.write(doc.text, 0);
    await handle.close();
    await saves(2);
    // Renamed in the file manager: the new name keeps the authors.
    await rename(join(dir, 'd.md'), join(dir, 'e.md'));
    await saves(3);
    await writeFile(join(dir, 'old.md'), Buffer.from([0x63, 0x61, 0x66, 0xe8, 0x0a]));
    // Saved, and Ctrl-C right after, while the watcher still waits for the write to settle.
    doc.append('Last words before Ctrl-C.\n', 'h');
    await writeFile(join(dir, 'e.md'), doc.text);
    child.kill('SIGINT');
    expect(await new Promise((r) => child.on('exit', r)), stderr).toBe(0);
    expect(await marksOf('e.md')).toBe(doc.marks);
    // The Latin-1 file: one line, with its path in the project, however often it is saved.
    expect(stderr.split('\n').filter((line) => line.includes('old.md'))).toEqual([
      'colophon: old.md is not UTF-8 text (invalid UTF-8 at byte 3: truncated sequence): save it as UTF-8 to record who wrote each character (e.g. iconv -f latin1 -t utf-8); not recorded',
    ]);
    expect((await run('verify')).code).toBe(0);
  });
});

describe('symbolic links', () => {
  it('a hook (or watch) never records through a link pointing out of the project', async () => {
    const outside = join(dir, '..', 'secret.txt');
    await writeFile(outside, 'TOP SECRET\n');
    await symlink(outside, join(dir, 'notes.md'));
    const stderr = await agentHook({ hook_event_name: 'PostToolUse', cwd: dir, tool_name: 'Write', tool_input: { file_path: join(dir, 'notes.md'), content: 'TOP SECRET\n' } });
    expect(stderr).toContain('colophon: notes.md is a symbolic link; not recorded');
    expect((await run('log', '--json')).out).not.toContain('notes.md');
    for (const blob of await readdir(join(dir, '.colophon', 'blobs')).catch(() => [])) expect(await readFile(join(dir, '.colophon', 'blobs', blob), 'utf8')).not.toContain('TOP SECRET');
  });
});

describe('an AI agent editing while watch runs', () => {
  it('the agent\'s text is AI even when watch records the save before the agent\'s hook reports it', async () => {
    const doc = new Truth().append('# Notes\n\nThe writer starts here.\n', 'h');
    await saveAndRecord('n.md', doc, 'asset.create');
    const added = 'The agent wrote this paragraph in the file.\n';
    doc.append(added, 'a');
    await writeFile(join(dir, 'n.md'), doc.text);
    // What watch does when it sees the save first: the signer's, by diff.
    expect((await run('record', 'asset.edit', '--file', 'n.md')).code).toBe(0);
    await agentHook({ hook_event_name: 'PostToolUse', cwd: dir, tool_name: 'Edit', tool_input: { file_path: join(dir, 'n.md'), old_string: 'here.\n', new_string: `here.\n${added}` } });
    expect(await marksOf('n.md')).toBe(doc.marks);
  });
});
