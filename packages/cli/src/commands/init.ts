import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Project } from '@colophon/core';
import { CarFeedStore } from '@colophon/core/node';
import { UsageError } from '../errors.js';
import { printJson, type Io } from '../output.js';
import { COLOPHON_DIR, defaultIdentityName, keyStoreFor, writeProjectFiles } from '../workspace.js';

export interface InitOptions {
  name?: string;
  as?: string;
  json?: boolean;
}

export async function init(cwd: string, options: InitOptions, io: Io): Promise<void> {
  const root = resolve(cwd);
  const dir = join(root, COLOPHON_DIR);
  if (await stat(join(dir, 'project.json')).then(() => true, () => false)) {
    throw new UsageError(`${root} already holds a Colophon project (${dir})`);
  }
  const keys = keyStoreFor(root);
  const ownerName = options.as ?? defaultIdentityName();
  let owner = await keys.get(ownerName);
  const created = !owner;
  owner ??= await keys.create(ownerName);
  await mkdir(dir, { recursive: true });
  const feeds = await CarFeedStore.open(dir);
  const name = options.name ?? root.split(/[\\/]/).pop() ?? 'project';
  const project = await Project.create(name, owner, feeds);
  await writeProjectFiles(dir, project.id.toString(), ownerName);
  if (options.json) {
    printJson(io, { project: project.id, name, owner: { name: ownerName, did: owner.did, created }, dir });
    return;
  }
  io.out(`Created project "${name}" in ${dir}`);
  io.out(`  project id: ${project.id}`);
  io.out(`  owner:      ${ownerName} (${owner.did})${created ? ' — new identity, key kept in ' + keys.directory : ''}`);
}
