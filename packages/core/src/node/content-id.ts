import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { CID } from 'multiformats/cid';
import { contentCidFromDigest } from '../cid.js';

/** Raw sha2-256 content id of a file, streamed so large assets never sit in memory whole. */
export async function contentCidOfFile(path: string): Promise<CID> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return contentCidFromDigest(new Uint8Array(hash.digest()));
}
