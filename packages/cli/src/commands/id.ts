import { resolve } from 'node:path';
import { checkedIdentityName } from '@colophon/core/node';
import { UsageError } from '../errors.js';
import { printJson, type Io } from '../output.js';
import { findRoot, keyStoreFor } from '../workspace.js';

export async function idNew(cwd: string, name: string, options: { json?: boolean }, io: Io): Promise<void> {
  checkedIdentityName(name);
  const keys = keyStoreFor((await findRoot(cwd)) ?? resolve(cwd));
  if (await keys.get(name)) throw new UsageError(`identity "${name}" already exists in ${keys.location}`);
  const identity = await keys.create(name);
  if (options.json) return printJson(io, { name, did: identity.did, keys: keys.location });
  io.out(`New identity "${name}": ${identity.did}`);
  io.out(`  private key kept in ${keys.location} (never in the project)`);
}

export async function idList(cwd: string, options: { json?: boolean }, io: Io): Promise<void> {
  const keys = keyStoreFor((await findRoot(cwd)) ?? resolve(cwd));
  const list = await keys.list();
  if (options.json) return printJson(io, list);
  if (list.length === 0) return io.out(`No identities yet in ${keys.location}; create one with "colophon id new NAME".`);
  const width = Math.max(...list.map((i) => i.name.length));
  for (const { name, did } of list) io.out(`${name.padEnd(width)}  ${did}`);
}
