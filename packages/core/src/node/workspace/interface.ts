// The workspace API: one project folder on disk, as the CLI, the VS Code extension and
// `colophon watch` all see it. Types only; the functions are in ./index.ts.
//
//   <root>/.colophon/project.json   which project this is (its genesis CID); in git
//   <root>/.colophon/local.json     who "I" am on this machine; not in git
//   <root>/.colophon/feeds/*.car    one append-only CARv1 feed per signer; in git
//   <root>/.colophon/blobs/         off-ledger personal data (prompt openings); not in git
//
// Private keys never live in a workspace: they come from a KeyStore (files under
// ~/.config/colophon/keys by default; VS Code passes one backed by its SecretStorage).
import type { CID } from 'multiformats/cid';
import type { Project } from '../../ledger/project.js';
import type { Finding, VerifyReport } from '../../ledger/verify.js';
import type { KeyStore } from '../../store/key-store.js';
import type { FileBlobStore } from '../blob-store.js';
import type { CarFeedStore, CutTail } from '../car-feed-store.js';

/** Where a project is, read from project.json without opening (and so trusting) its feeds. */
export interface ProjectLocation {
  /** The folder holding `.colophon/`. */
  root: string;
  /** `<root>/.colophon`. */
  dir: string;
  /** The project's genesis record, as project.json names it. */
  genesis: CID;
}

/** `.colophon/local.json`: this machine's settings for the project. */
export interface LocalSettings {
  /** The identity (key store name) that signs when none is asked for. */
  identity?: string;
}

export interface OpenOptions {
  /** Where private keys come from; default: a FileKeyStore in defaultKeyDirectory(). */
  keys?: KeyStore;
  /** Told when an append cuts a torn tail (a crash mid-append) off a feed, so the host can say so. */
  onCut?: (cut: CutTail) => void;
}

/** An open project folder. One per process is enough: its feed store sees other processes' appends. */
export interface Workspace extends ProjectLocation {
  project: Project;
  feeds: CarFeedStore;
  blobs: FileBlobStore;
  keys: KeyStore;
}

export interface CreateOptions extends OpenOptions {
  /** The project's name (default: the folder's name). */
  name?: string;
  /** Key store name of the owner; created when missing. */
  owner: string;
}

export interface VerifyProgress {
  start(totalBytes: number): void;
  update(bytesRead: number): void;
  stop(): void;
}

export interface VerifyWorkspaceOptions {
  progress?: VerifyProgress;
}

export interface ImportOptions extends OpenOptions {
  /** Called as blocks are verified and stored, with the bytes of the CAR read so far. */
  onProgress?: (phase: 'verify' | 'store', bytesRead: number, totalBytes: number) => void;
  /** Records stored per lock hold and fdatasync (default 16384): smaller holds let other writers in sooner. */
  storeBatch?: number;
}

export interface ImportResult {
  /** Records stored by this import. */
  imported: number;
  /** Records of the CAR the ledger already held (this import, or another at the same time, stored them). */
  alreadyPresent: number;
  /** True when the import created the project folder. */
  created: boolean;
  location: ProjectLocation;
  /** What was stored but is suspect (records claiming a time in the future): verify reports them too. */
  warnings: Finding[];
}

/** An import refused before anything was stored; `findings` says why. */
export interface ImportRefusal {
  file: string;
  findings: Finding[];
}

export interface ExportOptions {
  /** Replace an existing file (never one inside `.colophon/`). */
  force?: boolean;
}

export interface ExportResult {
  file: string;
  records: number;
  feeds: number;
  /** The feed heads, which are the CAR's roots. */
  roots: CID[];
  bytes: number;
}

export type { VerifyReport };
