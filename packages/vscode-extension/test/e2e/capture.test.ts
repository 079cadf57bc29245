// The extension in a real VS Code host (code-server + Chromium): a writer types, asks a local
// OpenAI-compatible model (a real HTTP server on 127.0.0.1) to generate, undoes and redoes it,
// pastes, lets another extension report its AI text through the public API, formats on save,
// and files change on disk while open and while closed. `colophon attribute --json` must then
// give every character the class of what actually happened, and `colophon verify` must pass.
import { createServer, type Server } from 'node:http';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CodeServerHost } from './code-server.js';
import { agentHook, attributeRuns, builtVsix, colophon, project, reporterVsix, spans, type Project } from './workspace.js';

const GENERATED = 'The lighthouse keeper counted ships.';
const SCREENSHOTS = process.env.COLOPHON_SCREENSHOTS ?? join(tmpdir(), 'colophon-vscode-screenshots');

let model: Server;
let modelUrl: string;
const prompts: string[] = [];
let ws: Project;
let host: CodeServerHost;

/** A minimal OpenAI-compatible endpoint: answers every chat completion with GENERATED. */
async function startModel(): Promise<void> {
  model = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body) as { model: string; messages: { content: string }[] };
      prompts.push(parsed.messages.map((m) => m.content).join('\n'));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ model: `${parsed.model}-2026`, choices: [{ message: { role: 'assistant', content: GENERATED } }], usage: { prompt_tokens: 12, completion_tokens: 7 } }));
    });
  });
  await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
  modelUrl = `http://127.0.0.1:${(model.address() as { port: number }).port}/v1`;
}

/** The text the active editor shows (small documents: every line is rendered). */
async function editorText(): Promise<string> {
  const lines = await host.page.locator('.editor-instance .view-lines .view-line').evaluateAll((nodes) =>
    nodes
      .map((node) => ({ top: parseFloat((node as unknown as { style: { top: string } }).style.top), text: (node.textContent ?? '').replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top)
      .map((line) => line.text),
  );
  return lines.join('\n');
}

async function waitForEditorText(predicate: (text: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  let text = '';
  while (Date.now() < deadline) {
    text = await editorText();
    if (predicate(text)) return text;
    await host.page.waitForTimeout(100);
  }
  throw new Error(`the editor never showed ${what}; it shows ${JSON.stringify(text)}`);
}

async function recordNow(): Promise<void> {
  const done = host.page.locator('.statusbar-item', { hasText: 'every burst is in the ledger' }).first();
  await done.waitFor({ state: 'detached', timeout: 10_000 });
  await host.command('Colophon: Record now');
  await done.waitFor({ timeout: 20_000 });
}

beforeAll(async () => {
  await startModel();
  ws = await project();
  await writeFile(join(ws.root, 'chapter.md'), '');
  await writeFile(join(ws.root, 'data.json'), '');
  await writeFile(join(ws.root, 'agent.md'), '');
  await writeFile(join(ws.root, 'one.json'), '');
  await mkdir(SCREENSHOTS, { recursive: true });
  const reporter = await reporterVsix(join(ws.root, '..'));
  host = await CodeServerHost.start({
    workspace: ws.root,
    extensions: [builtVsix(), reporter],
    env: { COLOPHON_KEYS_DIR: ws.env.COLOPHON_KEYS_DIR!, COLOPHON_IDENTITY: 'writer' },
    settings: {
      'colophon.endpoint.url': modelUrl,
      'colophon.endpoint.model': 'tiny-writer',
      'colophon.authorship.mode': 'file',
      'colophon.burst.idleMs': 60_000,
      '[json]': { 'editor.formatOnSave': true, 'editor.defaultFormatter': 'vscode.json-language-features' },
    },
  });
}, 360_000);

afterAll(async () => {
  await host?.close();
  model?.close();
  if (ws && process.env.COLOPHON_E2E_KEEP !== '1') await rm(join(ws.root, '..'), { recursive: true, force: true });
});

test('typing, generating, undo/redo, paste and a reported generation are attributed per character', async () => {
  // Keys pressed before VS Code tells extensions that the file is open never reach them as
  // changes, so that text is, honestly, unknown: a person waits that long anyway, the test waits explicitly.
  await host.openFile('chapter.md');
  await host.waitTracked();
  await host.type('Night fell. ');
  await host.command('Colophon: Generate at cursor');
  const input = host.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill('a sentence about ships');
  await host.press('Enter');
  await waitForEditorText((t) => t.includes(GENERATED), 'the generated text');
  expect(prompts.at(-1)).toContain('a sentence about ships');

  await host.press('Control+Z');
  await waitForEditorText((t) => !t.includes(GENERATED), 'the generation undone');
  await host.press('Control+Shift+Z');
  await waitForEditorText((t) => t.includes(GENERATED), 'the generation redone');
  await host.press('End');

  await host.type('\n');
  await host.page.evaluate((text) => (globalThis as unknown as { navigator: { clipboard: { writeText(t: string): Promise<void> } } }).navigator.clipboard.writeText(text), 'Pasted words.');
  await host.press('Control+V');
  await waitForEditorText((t) => t.includes('Pasted words.'), 'the pasted text');
  await host.type(' End.');
  await host.command('Colophon e2e: insert and report a generation');
  await waitForEditorText((t) => t.endsWith('Generated elsewhere.'), 'the reported generation');
  await host.page.locator('.statusbar-item', { hasText: 'reported: recorded 20' }).first().waitFor({ timeout: 20_000 });
  await host.save();
  await recordNow();

  const text = await readFile(join(ws.root, 'chapter.md'), 'utf8');
  expect(text).toBe(`Night fell. ${GENERATED}\nPasted words. End.Generated elsewhere.`);
  const runs = await attributeRuns(ws, 'file:chapter.md');
  expect(spans(text, runs)).toEqual([
    ['Night fell. ', 'human'],
    [GENERATED, 'ai'],
    ['\n', 'human'],
    ['Pasted words.', 'pasted'],
    [' End.', 'human'],
    ['Generated elsewhere.', 'ai'],
  ]);
  expect(runs[1]).toMatchObject({ who: 'openai-compatible/tiny-writer@tiny-writer-2026' });
  expect(runs[5]).toMatchObject({ who: 'acme/helper-model@2', evidence: 'reported' });

  // The status bar and the authorship view show it; look at the screenshot.
  // 12 + 1 + 5 human, 36 + 20 AI, 13 pasted of 87 characters.
  expect(await host.waitTracked()).toMatch(/^Colophon: 21% human, 64% AI, 15% other \(13 pasted, 0 tool, 0 unknown code units\)/);
  await host.page.locator('.view-line span', { hasText: 'lighthouse' }).first().hover();
  const hover = host.page.locator('.monaco-hover', { hasText: 'Colophon' }).first();
  await hover.waitFor({ timeout: 20_000 });
  const card = await hover.innerText();
  expect(card).toContain('Written by an AI model');
  // Its burst is in the ledger: the card names the record at once (the file was never reopened):
  // the redo's, which gave the model's text back (observed: evidence typed).
  expect(card).toMatch(/Model: openai-compatible\/tiny-writer@tiny-writer-2026\s+When: .+ UTC\s+Evidence: typed/);
  expect(card).toMatch(/Record: baf[a-z2-7]{50,}/);
  await host.page.screenshot({ path: join(SCREENSHOTS, 'authorship-file-hover.png') });

  // Line mode (file -> off -> line): who wrote the current line, after its end.
  await host.press('Escape');
  await host.command('Colophon: Toggle authorship view');
  await host.page.locator('.statusbar-item', { hasText: 'authorship view off' }).first().waitFor();
  await host.command('Colophon: Toggle authorship view');
  await host.page.locator('.statusbar-item', { hasText: 'authorship view line' }).first().waitFor();
  await host.press('Control+Home');
  // The note after the line is drawn by CSS (not in the DOM's text): look at the screenshot.
  await host.page.waitForTimeout(500);
  await host.page.screenshot({ path: join(SCREENSHOTS, 'authorship-line.png') });
}, 360_000);

test('format-on-save edits are the formatter\'s (tool), named by extension id', async () => {
  await host.openFile('data.json');
  await host.waitTracked();
  await host.type('{"a":1,"b":[1,2]}');
  // The JSON language server must be up before the save asks it to format.
  await host.page.waitForTimeout(3000);
  await host.save();
  const text = await readFile(join(ws.root, 'data.json'), 'utf8');
  expect(text).not.toBe('{"a":1,"b":[1,2]}');
  await recordNow();
  const runs = await attributeRuns(ws, 'file:data.json');
  const tool = runs.filter((r) => r.class === 'tool');
  expect(tool.length).toBeGreaterThan(0);
  expect(tool.every((r) => r.who.startsWith('vscode.json-language-features@'))).toBe(true);
  expect(tool.every((r) => /^\s+$/.test(text.slice(r.start, r.start + r.length)))).toBe(true);
  const human = runs.filter((r) => r.class === 'human').map((r) => text.slice(r.start, r.start + r.length)).join('');
  expect(human.replace(/\s/g, '')).toBe('{"a":1,"b":[1,2]}');
}, 240_000);

test("Format Document's one-character edit is the formatter's (tool), not a keystroke", async () => {
  await host.openFile('one.json');
  await host.waitTracked();
  await host.type('{\n    "a":1\n}');
  // The formatter is asked what it would change once typing pauses (and the JSON server is up).
  await host.page.waitForTimeout(3000);
  await host.command('Format Document');
  const formatted = '{\n    "a": 1\n}';
  await waitForEditorText((t) => t === formatted, 'the formatted document');
  await host.save();
  await recordNow();
  const text = await readFile(join(ws.root, 'one.json'), 'utf8');
  expect(text).toBe(formatted);
  const runs = await attributeRuns(ws, 'file:one.json');
  expect(spans(text, runs)).toEqual([
    ['{\n    "a":', 'human'],
    [' ', 'tool'],
    ['1\n}', 'human'],
  ]);
  expect(runs[1]!.who).toMatch(/^vscode\.json-language-features@/);
}, 240_000);

test('a file changed on disk while open, and while closed, is unknown (reconciled) where it changed', async () => {
  await host.openFile('chapter.md');
  const before = await readFile(join(ws.root, 'chapter.md'), 'utf8');
  await writeFile(join(ws.root, 'chapter.md'), `${before}\nFrom disk.`);
  await waitForEditorText((t) => t.endsWith('From disk.'), 'the change on disk');
  await recordNow();
  let text = await readFile(join(ws.root, 'chapter.md'), 'utf8');
  let runs = await attributeRuns(ws, 'file:chapter.md');
  expect(spans(text, runs).at(-1)).toEqual(['\nFrom disk.', 'unknown']);
  expect(runs.at(-1)!.evidence).toBe('reconciled');

  await host.command('View: Close All Editors');
  await host.page.locator('.tab').first().waitFor({ state: 'detached' });
  await writeFile(join(ws.root, 'chapter.md'), `Offline. ${text}`);
  await host.openFile('chapter.md');
  await waitForEditorText((t) => t.startsWith('Offline. '), 'the change made while closed');
  await host.waitTracked();
  await host.press('Control+Home');
  await host.type('!');
  await host.save();
  await recordNow();
  text = await readFile(join(ws.root, 'chapter.md'), 'utf8');
  runs = await attributeRuns(ws, 'file:chapter.md');
  expect(spans(text, runs).slice(0, 3)).toEqual([
    ['!', 'human'],
    ['Offline. ', 'unknown'],
    ['Night fell. ', 'human'],
  ]);
  await colophon(ws.root, ws.env, 'verify');

  // The same checks from inside VS Code: Verify ledger, and the asset's history.
  await host.command('Colophon: Verify ledger');
  await host.page.locator('.notification-toast', { hasText: 'Colophon: ledger verified' }).first().waitFor({ timeout: 30_000 });
  // The toast proves the verification; the status bar says so too, unless a burst was written
  // after it (then "up to date" is the honest word). A problem would fail here.
  expect(await host.waitTracked()).toMatch(/ledger (verified|up to date)/);
  await host.command('Colophon: Show history');
  await host.page.locator('.tab', { hasText: 'History: file:chapter.md' }).first().waitFor({ timeout: 20_000 });
  // The view is core's report (the CLI's page): the same sections, the same verdicts.
  const history = host.page.frameLocator('iframe.webview').frameLocator('#active-frame');
  await history.locator('h1', { hasText: 'chapter.md' }).waitFor({ timeout: 30_000 });
  for (const section of ['#shares', '#work', '#verification', '#timeline']) await history.locator(section).waitFor();
  expect(await history.locator('#verification').innerText()).toMatch(/verified|every signature/i);
  expect(await history.locator('#work').innerText()).toContain('Offline.');
  await host.page.screenshot({ path: join(SCREENSHOTS, 'history.png') });
}, 240_000);

test("an agent's edit on disk, reported through colophon agent-hook, is ai (reported) in the open editor, whichever comes first", async () => {
  const file = join(ws.root, 'agent.md');
  // One editor on screen (the history of the test before is open beside, with the keyboard): editorText reads them all.
  await host.page.locator('.tab[data-resource-name="chapter.md"]').first().click();
  await host.command('View: Close All Editors');
  await host.page.locator('.tab').first().waitFor({ state: 'detached' });
  await host.openFile('agent.md');
  await host.waitTracked();
  await host.type('The keeper climbed.');
  await host.save();
  await recordNow();

  // Claude Code's PostToolUse for an Edit: the file is already changed when the hook runs. Here
  // VS Code reloads the file first, the writer types on, and the hook reports a moment later.
  const first = '\nThe lamp was lit.';
  await writeFile(file, `The keeper climbed.${first}`);
  await waitForEditorText((t) => t.endsWith('lit.'), "the agent's first edit");
  await host.press('Control+End');
  await host.type(' Yes.');
  const edit = (oldString: string, newString: string) => ({
    hook_event_name: 'PostToolUse',
    session_id: 's1',
    cwd: ws.root,
    tool_name: 'Edit',
    tool_input: { file_path: file, old_string: oldString, new_string: newString },
  });
  expect(await agentHook(ws, edit('climbed.', `climbed.${first}`), '--model', 'anthropic/claude-sonnet@4.5')).toMatch(/file:agent\.md: \+\d+ -0 by anthropic\/claude-sonnet@4\.5 \(reported\)/);
  await host.save();
  await recordNow();

  // Then the hook reports as soon as it can (usually before VS Code reloads), naming no model.
  const second = '\nThe sea was calm.';
  const before = await readFile(file, 'utf8');
  await writeFile(file, `${before}${second}`);
  const reported = agentHook({ ...ws, env: { ...ws.env, COLOPHON_AGENT_MODEL: '' } }, edit('Yes.', `Yes.${second}`));
  await waitForEditorText((t) => t.endsWith('calm.'), "the agent's second edit");
  expect(await reported).toMatch(/names no model: recorded as an unspecified model/);
  await host.press('Control+End');
  await host.type(' Done.');
  await host.save();
  await recordNow();

  const text = await readFile(file, 'utf8');
  expect(text).toBe(`The keeper climbed.${first} Yes.${second} Done.`);
  const runs = await attributeRuns(ws, 'file:agent.md');
  expect(spans(text, runs)).toEqual([
    ['The keeper climbed.', 'human'],
    [first, 'ai'],
    [' Yes.', 'human'],
    [second, 'ai'],
    [' Done.', 'human'],
  ]);
  expect(runs[1]).toMatchObject({ who: 'anthropic/claude-sonnet@4.5', evidence: 'reported' });
  expect(runs[3]).toMatchObject({ who: 'unspecified/unspecified@unspecified', evidence: 'reported' });
  // The editor shows the same: 19 + 5 + 6 human, 18 + 18 AI.
  expect(await host.waitTracked()).toMatch(/^Colophon: 45% human, 55% AI, 0% other/);
  await colophon(ws.root, ws.env, 'verify');
}, 240_000);
