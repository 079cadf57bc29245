// Where payouts go, remembered per project in the user's configuration, outside the repository:
// a file inside `.colophon/` (which a collaborator's commit or a planted line could change) never
// names a target.
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs-durable.js';
import { userConfigDirectory } from '../key-store.js';

const FILE = 'payout-targets.json';

type TargetFile = { version: 1; projects: { [project: string]: string[] } };

function pathOf(configDir: string): string {
  return join(configDir, FILE);
}

async function readTargets(configDir: string): Promise<TargetFile> {
  let text: string;
  try {
    text = await readFile(pathOf(configDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, projects: {} };
    throw error;
  }
  const value = JSON.parse(text) as Partial<TargetFile>;
  if (value?.version !== 1 || typeof value.projects !== 'object' || value.projects === null) throw new Error(`${pathOf(configDir)} is not a payout target file (version 1)`);
  return value as TargetFile;
}

/** The targets remembered for a project (target ids: "webhook:<url>", "statement:<folder>"). */
export async function rememberedTargets(project: string, configDir = userConfigDirectory()): Promise<string[]> {
  const list = (await readTargets(configDir)).projects[project];
  return Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : [];
}

/** Adds targets to a project's remembered ones (atomically; the file is the user's, mode 0600). */
export async function rememberTargets(project: string, targets: readonly string[], configDir = userConfigDirectory()): Promise<void> {
  const file = await readTargets(configDir);
  const known = file.projects[project] ?? [];
  const added = targets.filter((t) => !known.includes(t));
  if (added.length === 0) return;
  file.projects[project] = [...known, ...added];
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(pathOf(configDir), `${JSON.stringify(file, null, 2)}\n`, 0o600);
}
