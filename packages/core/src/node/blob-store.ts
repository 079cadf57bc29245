import { readFile, unlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CID } from 'multiformats/cid';
import { cidMatches, contentCid } from '../cid.js';
import { BlobIntegrityError, MAX_BLOB_BYTES, type BlobStore } from '../store/blob-store.js';
import { writeFileAtomic } from './fs-durable.js';

/** Blobs as files named by CID; every read is checked against the CID before it is returned. */
export class FileBlobStore implements BlobStore {
  constructor(readonly directory: string) {}

  private path(cid: CID): string {
    return join(this.directory, cid.toString());
  }

  async put(bytes: Uint8Array): Promise<CID> {
    if (bytes.length > MAX_BLOB_BYTES) throw new RangeError(`blob of ${bytes.length} bytes exceeds ${MAX_BLOB_BYTES}`);
    const cid = contentCid(bytes);
    if (!(await this.has(cid))) await writeFileAtomic(this.path(cid), bytes, 0o600);
    return cid;
  }

  async get(cid: CID): Promise<Uint8Array | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(this.path(cid)));
    } catch {
      return undefined;
    }
    if (!cidMatches(cid, bytes)) throw new BlobIntegrityError(cid, this.path(cid));
    return bytes;
  }

  async has(cid: CID): Promise<boolean> {
    try {
      await stat(this.path(cid));
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
