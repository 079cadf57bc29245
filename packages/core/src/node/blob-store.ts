import { lstat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CID } from 'multiformats/cid';
import { cidMatches, contentCid } from '../cid.js';
import { BlobIntegrityError, MAX_BLOB_BYTES, type BlobStore } from '../store/blob-store.js';
import { writeFileAtomic } from './fs-durable.js';
import { assertSafe, openNoFollow, UnsafePathError } from './safe-files.js';

/**
 * Blobs as files named by CID; every read is checked against the CID before it is returned.
 * A link planted as the folder or as a blob is refused (UnsafePathError), never followed: a write
 * through it would put personal data outside the project, a read would open someone else's file.
 */
export class FileBlobStore implements BlobStore {
  constructor(readonly directory: string) {}

  private path(cid: CID): string {
    return join(this.directory, cid.toString());
  }

  async put(bytes: Uint8Array): Promise<CID> {
    if (bytes.length > MAX_BLOB_BYTES) throw new RangeError(`blob of ${bytes.length} bytes exceeds ${MAX_BLOB_BYTES}`);
    const cid = contentCid(bytes);
    await assertSafe(this.directory, 'directory');
    if (!(await this.has(cid))) await writeFileAtomic(this.path(cid), bytes, 0o600);
    return cid;
  }

  async get(cid: CID): Promise<Uint8Array | undefined> {
    await assertSafe(this.directory, 'directory');
    let bytes: Uint8Array;
    try {
      const file = await openNoFollow(this.path(cid), 'r');
      try {
        bytes = new Uint8Array(await file.readFile());
      } finally {
        await file.close();
      }
    } catch (error) {
      if (error instanceof UnsafePathError) throw error;
      return undefined;
    }
    if (!cidMatches(cid, bytes)) throw new BlobIntegrityError(cid, this.path(cid));
    return bytes;
  }

  async has(cid: CID): Promise<boolean> {
    try {
      await lstat(this.path(cid));
      return true;
    } catch {
      return false;
    }
  }

  async delete(cid: CID): Promise<boolean> {
    try {
      await unlink(this.path(cid));
      return true;
    } catch {
      return false;
    }
  }
}
