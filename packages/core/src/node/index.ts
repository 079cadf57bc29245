// @colophon/core/node — the Node-only parts: node:crypto backend, files on disk.
import { useCryptoBackend } from '../crypto/backend.js';
import { nodeCryptoBackend } from './crypto.js';

export { nodeCryptoBackend } from './crypto.js';
export { FileKeyStore, KeyFileError, defaultKeyDirectory, userConfigDirectory } from './key-store.js';
export { EnvironmentError } from './environment-error.js';
export { FileBlobStore } from './blob-store.js';
export { contentCidOfFile } from './content-id.js';
export { CarFeedStore, LedgerLockedError, feedFileName, type OpenReport, type CutTail, type CarFeedStoreOptions } from './car-feed-store.js';
export { UnsafePathError, openNoFollow } from './safe-files.js';
export { CorruptFeedError, readSections, type Section } from './feed-file.js';
export { carBlock, carHeader, parseCarHeader, splitBlock } from '../ledger/car-format.js';
export { writeFileAtomic, writeFileAtomicFrom, fsyncDirectory } from './fs-durable.js';

/** Switches core to node:crypto (same results as the pure-JS default, several times faster). */
export function useNodeCrypto(): void {
  useCryptoBackend(nodeCryptoBackend);
}
export { feedBlocks, type FeedBlocksOptions } from './feed-blocks.js';
export { parallelSignatureVerifier } from './parallel-verify.js';
export { checkpointDirectory, checkpointFeed, collectCheckpointedFeeds, listCheckpointFiles, verifyCheckpointFiles, type CheckpointCheckOptions, type CheckpointFile } from './checkpoint-files.js';
export * from './payouts/index.js';
export * from './pipeline/index.js';
export * from './workspace/index.js';
