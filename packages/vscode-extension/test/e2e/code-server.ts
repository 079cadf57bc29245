// A real VS Code host for end-to-end tests: code-server 4.100.3 (VS Code 1.100.3) on 127.0.0.1 with
// the built .vsix installed, driven through Debian's Chromium by playwright-core. Every run gets its
// own HOME, XDG folders, user data and extensions folder, and code-server runs in its own process
// group, killed by its id when the host closes (closing the browser alone leaves the extension host
// waiting hours for a reconnect).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

const run = promisify(execFile);

export const CODE_SERVER_VERSION = '4.100.3';
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** Where scripts/install-code-server.sh puts code-server (same rule as the script). */
export function codeServerDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COLOPHON_CODE_SERVER_DIR) return env.COLOPHON_CODE_SERVER_DIR;
  const cache = env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'colophon', `code-server-${CODE_SERVER_VERSION}`);
}

/**
 * The code-server binary, or an error that says how to install it. The end-to-end tests never skip:
 * a machine without the host fails them with this message.
 */
export function codeServerBinary(): string {
  const dir = codeServerDirectory();
  const bin = join(dir, 'node_modules', '.bin', 'code-server');
  if (!existsSync(join(dir, '.installed')) || !existsSync(bin)) {
    throw new Error(
      `code-server ${CODE_SERVER_VERSION} is not installed in ${dir}: run scripts/install-code-server.sh ` +
        `(the install step of .ci/run; needs apt packages libkrb5-dev pkg-config ripgrep chromium)`,
    );
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return bin;
}

/** Settings that make typing deterministic: nothing completes, closes, indents or saves on its own. */
const QUIET_SETTINGS = {
  'files.autoSave': 'off',
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.wordBasedSuggestions': 'off',
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.inlineSuggest.enabled': false,
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoClosingOvertype': 'never',
  'editor.autoSurround': 'never',
  'editor.autoIndent': 'none',
  'editor.formatOnType': false,
  'editor.minimap.enabled': false,
  'git.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'chat.commandCenter.enabled': false,
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface HostOptions {
  /** The folder opened as the workspace. */
  workspace: string;
  /** The built extensions (.vsix files) to install. */
  extensions: readonly string[];
  /** User settings on top of the quiet defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server (reaches the extension host). */
  env?: Record<string, string>;
}

export class CodeServerHost {
  private constructor(
    readonly root: string,
    readonly env: NodeJS.ProcessEnv,
    readonly url: string,
    private readonly server: ChildProcess,
    private readonly browser: Browser,
    readonly page: Page,
    readonly log: () => string,
  ) {}

  /** Installs the .vsix into a fresh profile, starts code-server and opens the workspace in Chromium. */
  static async start(options: HostOptions): Promise<CodeServerHost> {
    const bin = codeServerBinary();
    const root = await mkdtemp(join(tmpdir(), 'colophon-code-server-'));
    const dirs = { home: join(root, 'home'), data: join(root, 'data'), extensions: join(root, 'extensions'), tmp: join(root, 'tmp') };
    for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
    await mkdir(join(dirs.data, 'User'), { recursive: true });
    await writeFile(join(dirs.data, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: dirs.home,
      XDG_CONFIG_HOME: join(dirs.home, '.config'),
      XDG_DATA_HOME: join(dirs.home, '.local', 'share'),
      XDG_CACHE_HOME: join(dirs.home, '.cache'),
      TMPDIR: dirs.tmp,
      ...options.env,
    };
    const common = ['--user-data-dir', dirs.data, '--extensions-dir', dirs.extensions];
    for (const vsix of options.extensions) await run(bin, [...common, '--install-extension', vsix], { env, timeout: 120_000 });
    const port = await freePort();
    const config = join(root, 'config.yaml');
    await writeFile(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const server = spawn(
      bin,
      [
        '--config', config, ...common,
        '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
        '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
        '--disable-getting-started-override', '--ignore-last-opened',
        options.workspace,
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForHealth(url, server, () => output);
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      // Without these, vscode.env.clipboard.readText() never settles.
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
      const page = await context.newPage();
      await page.goto(`${url}/?folder=${encodeURIComponent(options.workspace)}`);
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      return new CodeServerHost(root, env, url, server, browser, page, () => output);
    } catch (error) {
      killGroup(server);
      throw new Error(`code-server did not come up: ${(error as Error).message}\n${output.slice(-2000)}`);
    }
  }

  /** Opens a workspace file through Quick Open and waits until its editor has focus. */
  async openFile(relativePath: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(relativePath);
    // Wait until the selected row is the file: before the filter applies, recently opened files are listed.
    await this.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: basename(relativePath) }).first().waitFor();
    await this.page.keyboard.press('Enter');
    try {
      await this.page.locator(`.tab.active[data-resource-name="${basename(relativePath)}"]`).waitFor({ timeout: 15_000 });
      await this.page.locator('.editor-instance .monaco-editor.focused').waitFor({ timeout: 15_000 });
    } catch (error) {
      const shot = join(this.root, `open-${basename(relativePath)}.png`);
      await this.page.screenshot({ path: shot });
      throw new Error(`${relativePath} did not open in an editor (screen: ${shot}): ${(error as Error).message}`);
    }
  }

  /**
   * Waits until the extension tracks the active document (its status bar item shows shares);
   * returns the item's accessible label.
   */
  async waitTracked(): Promise<string> {
    const item = this.page.locator('.statusbar-item a[aria-label^="Colophon: "][aria-label*="% human"]').first();
    await item.waitFor({ timeout: 30_000 });
    return (await item.getAttribute('aria-label')) ?? '';
  }

  /** Types like a person: one key event per character. */
  async type(text: string): Promise<void> {
    await this.page.keyboard.type(text, { delay: 5 });
  }

  async press(keys: string): Promise<void> {
    await this.page.keyboard.press(keys);
  }

  /** Runs a command by its palette title (e.g. "Colophon: Record now"). */
  async command(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await this.page.keyboard.press('Enter');
  }

  async save(): Promise<void> {
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
  }

  /** The text of the status bar item whose accessible name starts with `name`. */
  async statusBarText(name: string): Promise<string> {
    const item = this.page.locator(`.statusbar-item a[aria-label^="${name}"]`).first();
    await item.waitFor({ timeout: 30_000 });
    return (await item.innerText()).trim();
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    killGroup(this.server);
    // COLOPHON_E2E_KEEP=1 keeps the profile (logs under data/logs) to look at after a failure.
    if (process.env.COLOPHON_E2E_KEEP === '1') console.error(`code-server profile kept in ${this.root}`);
    else await rm(this.root, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function waitForHealth(url: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`code-server exited with ${server.exitCode}: ${output().slice(-2000)}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('no answer on /healthz within 60 s');
}
