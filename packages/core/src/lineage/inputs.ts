// What went into a step: its agent and parameters, its prompt, the content it consumed and who
// produced it, the records it links. Private text is opened from the blob store when it is there.
import type { CID } from 'multiformats/cid';
import type { LedgerEntry } from '../attribution/classes.js';
import type { AgentRef } from '../record/types.js';
import type { BlobStore } from '../store/blob-store.js';
import { openContent } from './content.js';
import type { LedgerView } from './ledger-view.js';
import { stepPayloadOrUndefined } from './step-payload.js';

/** Previews of opened text are cut to this many characters. */
export const PREVIEW_CHARS = 2000;

export interface ContentPreview {
  cid: CID;
  /** True when the ledger holds only a commitment (the text is private). */
  committed: boolean;
  /** The text (cut to PREVIEW_CHARS), when disclosed or opened from the blob store. */
  text?: string;
  /** The full text is longer than `text`. */
  cut?: boolean;
  /** Why there is no text: the opening or bytes are not in the blob store, or the content is binary. */
  unavailable?: 'not-in-blob-store' | 'binary';
}

export interface StepInputs {
  record: LedgerEntry;
  agent?: AgentRef;
  prompt?: ContentPreview | { text: string; committed: false; cid?: undefined };
  inputs: { content: ContentPreview; producer?: LedgerEntry }[];
  /** The records linked (parent steps, the intent served). */
  parents: LedgerEntry[];
  output?: ContentPreview;
}

function cut(text: string): { text: string; cut?: boolean } {
  return text.length > PREVIEW_CHARS ? { text: text.slice(0, PREVIEW_CHARS), cut: true } : { text };
}

/** Opens content for display; `committed` as the producing record says (undefined: try both). */
export async function previewContent(blobs: Pick<BlobStore, 'get'> | undefined, cid: CID, committed: boolean | undefined): Promise<ContentPreview> {
  const preview: ContentPreview = { cid, committed: committed === true };
  const opened = blobs ? await openContent(blobs, cid, committed).catch(() => undefined) : undefined;
  if (!opened) {
    preview.unavailable = 'not-in-blob-store';
    return preview;
  }
  preview.committed = opened.committed;
  if (opened.text === undefined) preview.unavailable = 'binary';
  else Object.assign(preview, cut(opened.text));
  return preview;
}

export async function stepInputs(view: LedgerView, entry: LedgerEntry, blobs?: Pick<BlobStore, 'get'>): Promise<StepInputs> {
  const { record } = entry;
  const result: StepInputs = { record: entry, inputs: [], parents: [] };
  if (record.agent) result.agent = record.agent;
  if (record.intent) {
    result.prompt = 'text' in record.intent ? { ...cut(record.intent.text), committed: false } : await previewContent(blobs, record.intent.commit, true);
  }
  for (const input of record.in ?? []) {
    const producer = view.producerBefore(input, entry);
    const committed = producer ? stepPayloadOrUndefined(producer)?.committed === true : undefined;
    const item: StepInputs['inputs'][number] = { content: await previewContent(blobs, input, committed) };
    if (producer) item.producer = producer;
    result.inputs.push(item);
  }
  for (const link of record.links ?? []) {
    const parent = view.get(link);
    if (parent) result.parents.push(parent);
  }
  if (record.out) result.output = await previewContent(blobs, record.out, stepPayloadOrUndefined(entry)?.committed === true ? true : record.kind === 'agent.step' ? false : undefined);
  return result;
}
