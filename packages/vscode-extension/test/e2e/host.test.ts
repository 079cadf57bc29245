// The real host works: code-server starts with the built .vsix, the extension activates, typing
// reaches the document and saving reaches the disk.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CodeServerHost } from './code-server.js';
import { builtVsix } from './workspace.js';

let workspace: string;
let host: CodeServerHost;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'colophon-vscode-host-'));
  await writeFile(join(workspace, 'notes.txt'), '');
  host = await CodeServerHost.start({ workspace, extensions: [builtVsix()] });
}, 180_000);

afterAll(async () => {
  await host?.close();
  await rm(workspace, { recursive: true, force: true });
});

test('the extension activates in code-server and typed text reaches the disk', async () => {
  expect(await host.statusBarText('Colophon')).toContain('Colophon');
  await host.openFile('notes.txt');
  await host.type('Hello from a real host.');
  await host.save();
  expect(await readFile(join(workspace, 'notes.txt'), 'utf8')).toBe('Hello from a real host.');
}, 120_000);
