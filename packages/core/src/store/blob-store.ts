import type { CID } from 'multiformats/cid';
import { cidMatches, contentCid } from '../cid.js';

/** Content-addressed storage for data kept off the ledger (prompt openings, manifests, outputs). */
export interface BlobStore {
  put(bytes: Uint8Array): Promise<CID>;
  /** The bytes, checked against the CID; undefined when absent (e.g. erased). */
  get(cid: CID): Promise<Uint8Array | undefined>;
  has(cid: CID): Promise<boolean>;
  /** Erases the blob; true when something was deleted. */
  delete(cid: CID): Promise<boolean>;
}

export const MAX_BLOB_BYTES = 256 * 1024 * 1024;

export class BlobIntegrityError extends Error {
  constructor(cid: CID, where: string) {
    super(`blob ${cid.toString()} at ${where} does not match its CID (corrupted or tampered)`);
  }
}

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Uint8Array>();

  async put(bytes: Uint8Array): Promise<CID> {
    if (bytes.length > MAX_BLOB_BYTES) throw new RangeError(`blob of ${bytes.length} bytes exceeds ${MAX_BLOB_BYTES}`);
    const cid = contentCid(bytes);
    // new Uint8Array(bytes) copies; a Buffer's slice() would be a view sharing the caller's memory.
    this.blobs.set(cid.toString(), new Uint8Array(bytes));
    return cid;
  }

  async get(cid: CID): Promise<Uint8Array | undefined> {
    const bytes = this.blobs.get(cid.toString());
    if (bytes && !cidMatches(cid, bytes)) throw new BlobIntegrityError(cid, 'memory');
    return bytes && new Uint8Array(bytes);
  }

  async has(cid: CID): Promise<boolean> {
    return this.blobs.has(cid.toString());
  }

  async delete(cid: CID): Promise<boolean> {
    return this.blobs.delete(cid.toString());
  }
}
