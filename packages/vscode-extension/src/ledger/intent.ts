// The prompt behind an AI insertion, as its own `intent` record that the insertion's record links.
// Private by default: the ledger holds a commitment, the opening (salt and text) goes to the
// workspace's blob store, which stays out of git.
import { randomBytes } from 'node:crypto';
import { COMMITMENT_SALT_BYTES, commitText, type Contribution } from '@colophon/core';
import type { RecordHandle } from '@colophon/core/capture';
import type { WorkspaceLedger } from './ledgers.js';

let counter = 0;

export function queueIntent(ledger: WorkspaceLedger, asset: string, prompt: string, isPrivate: boolean): RecordHandle {
  // Drawn once, here: the writer may build the record twice (re-signing after a conflicting write).
  const commitment = isPrivate ? commitText(prompt, randomBytes(COMMITMENT_SALT_BYTES)) : undefined;
  return ledger.writer.enqueue({
    kind: 'intent',
    id: `${asset}#intent-${++counter}`,
    label: `intent for ${asset}`,
    prepare: () => {
      const contribution: Contribution = { kind: 'intent', asset, intent: commitment ? { commit: commitment.commit } : { text: prompt } };
      return { contribution, blobs: commitment ? [commitment.opening] : [] };
    },
  });
}
