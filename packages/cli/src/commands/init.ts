import { createWorkspace } from '@colophon/core/node';
import { printJson, type Io } from '../output.js';
import { defaultIdentityName } from '../workspace.js';

export interface InitOptions {
  name?: string;
  as?: string;
  json?: boolean;
}

export async function init(cwd: string, options: InitOptions, io: Io): Promise<void> {
  const ownerName = options.as ?? defaultIdentityName();
  const ws = await createWorkspace(cwd, { owner: ownerName, ...(options.name !== undefined ? { name: options.name } : {}) });
  const owner = ws.project.owner;
  const name = ws.project.name;
  if (options.json) {
    printJson(io, { project: ws.project.id, name, owner: { name: ownerName, did: owner, created: ws.ownerCreated }, dir: ws.dir });
    return;
  }
  io.out(`Created project "${name}" in ${ws.dir}`);
  io.out(`  project id: ${ws.project.id}`);
  io.out(`  owner:      ${ownerName} (${owner})${ws.ownerCreated ? ' — new identity, key kept in ' + ws.keys.location : ''}`);
}
