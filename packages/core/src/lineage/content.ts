// How a step's prompt and output reach the ledger. Private by default: the record holds a salted
// commitment and the text goes to the blob store (deleting the blob erases it). Disclosed text is
// stored as plain content (a raw CID anyone holding the bytes can check). Bytes (an image) are
// always raw content: a hash of real media reveals nothing guessable.
import type { CID } from 'multiformats/cid';
import { contentCid } from '../cid.js';
import { commitText, openCommitment } from '../commitment.js';
import type { BlobStore } from '../store/blob-store.js';
import { utf8Decode, utf8Encode } from '../text/utf8.js';

/** Longest prompt a record carries in the clear (record validation allows 32 KiB in intent.text). */
export const MAX_DISCLOSED_PROMPT_CHARS = 32 * 1024;

export type StepContent = string | Uint8Array;

export interface SealedContent {
  /** What the record names: the commitment, or the raw content id. */
  cid: CID;
  /** What the blob store keeps under `cid`: the opening, or the bytes. */
  blob: Uint8Array;
  committed: boolean;
}

export function sealContent(content: StepContent, disclose: boolean): SealedContent {
  if (typeof content === 'string' && !disclose) {
    const { commit, opening } = commitText(content);
    return { cid: commit, blob: opening, committed: true };
  }
  const bytes = typeof content === 'string' ? utf8Encode(content) : content;
  return { cid: contentCid(bytes), blob: bytes, committed: false };
}

export interface OpenedContent {
  /** The text, when the content is text (a commitment always is). */
  text?: string;
  bytes: Uint8Array;
  committed: boolean;
}

/**
 * Reads content back from the blob store: undefined when the blob is absent (erased, or kept on
 * another machine). `committed` says how the record stored it; when unknown, a blob that opens as
 * a commitment is taken as one.
 */
export async function openContent(blobs: Pick<BlobStore, 'get'>, cid: CID, committed?: boolean): Promise<OpenedContent | undefined> {
  const blob = await blobs.get(cid);
  if (!blob) return undefined;
  if (committed !== false) {
    try {
      return { text: openCommitment(cid, blob), bytes: blob, committed: true };
    } catch (error) {
      if (committed === true) throw error;
    }
  }
  let text: string | undefined;
  try {
    text = utf8Decode(blob);
  } catch {
    // Not UTF-8: binary content (an image); only its bytes are returned.
  }
  const opened: OpenedContent = { bytes: blob, committed: false };
  if (text !== undefined) opened.text = text;
  return opened;
}
