export {
  HASH_SIZE,
  MAX_PROOF_LENGTH,
  MerkleTree,
  ProofError,
  leafHash,
  merkleRoot,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';
export {
  MAX_NOTE_BYTES,
  MAX_NOTE_SIGNATURES,
  NoteError,
  cosignNote,
  formatSignerKey,
  formatVerifierKey,
  noteKeyHash,
  noteSignerFromSeed,
  noteSignerFromIdentity,
  noteVerifierFromDid,
  unverifiedNoteText,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from './signed-note.js';
export type { NoteSignature, NoteSigner, NoteVerifier, OpenedNote } from './signed-note.js';
export { CheckpointError, formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint.js';
export type { Checkpoint, OpenedCheckpoint } from './checkpoint.js';
