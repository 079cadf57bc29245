// Messages between the main thread and the UI iframe (figma.ui.postMessage / parent.postMessage).
// Only plain data crosses; Uint8Array passes through as is.

/** The selection's asset as the report shows it (core's report sections), with the names of its layers. */
export interface SelectionReport {
  asset: string;
  /** workHtml and sharesHtml of @colophon/core/report for the asset's latest version (escaped by the report). */
  html: string;
  /** Layer names by node id (the ledger holds ids only), for the rows of the report's layer table. */
  names: Record<string, string>;
  selected: string[];
}

export interface TimelineEntry {
  cid: string;
  kind: string;
  by: string;
  at: number;
  asset?: string;
  class?: string;
  evidence?: string;
  model?: string;
  nodes: number;
}

export interface GenerateSettings {
  endpoint: string;
  model: string;
  apiKey?: string;
  /** Keep the prompt in the clear in the record (default: only a salted commitment). */
  publicPrompt?: boolean;
}

/** What the panel can export with Content Credentials (exportAsync formats the C2PA SDK embeds into). */
export type ExportFormat = 'PNG' | 'JPG' | 'SVG' | 'PDF';

export type MainToUi =
  | { type: 'entropy-request'; length: number }
  | { type: 'status'; did: string; user: string; project: string; records: number; feeds: number; ownFeedBytes: number; problems: string[] }
  | { type: 'selection'; report?: SelectionReport; note?: string }
  | { type: 'timeline'; entries: TimelineEntry[] }
  | { type: 'generated'; frame: string; layers: number; record: string }
  | { type: 'marked'; layers: number }
  | { type: 'flushed'; records: number }
  | { type: 'error'; message: string }
  /** A rendered top-level layer for the panel to sign: the document's stored feeds come along, verified by the panel before use. */
  | {
      type: 'export-job';
      job: number;
      asset: string;
      fileName: string;
      format: ExportFormat;
      bytes: Uint8Array;
      entries: Record<string, string>;
      did: string;
      publicKey: Uint8Array;
      user: string;
      /** This identity's certificate chain (leaf first, DER), once the panel has made or imported one. */
      chain?: Uint8Array[];
    }
  /** The document's stored feeds, for the panel's Verify. */
  | { type: 'verify-job'; entries: Record<string, string>; did: string }
  | { type: 'signature'; id: number; signature?: Uint8Array; error?: string }
  | { type: 'certificate-stored' }
  /** An image fill's bytes, for the panel to read their Content Credentials (see placed-images.ts). */
  | { type: 'read-image'; id: number; hash: string; bytes: Uint8Array }
  /** The selection's asset and the document's stored feeds, for the panel to evaluate the gates in force (read-only). */
  | { type: 'gates-job'; asset: string; entries: Record<string, string>; did: string }
  /** A director's approval of the asset's final version, with the gates evaluated with it (core's approveAsset). */
  | { type: 'approved'; asset: string; record: string; pass?: boolean; gates?: { name: string; pass: boolean; error?: string }[] }
  | { type: 'contract-recorded'; record: string }
  | { type: 'granted'; subject: string; role: string };

export type UiToMain =
  | { type: 'entropy'; bytes: Uint8Array }
  | { type: 'generate'; prompt: string; settings: GenerateSettings; /** Fresh random salt for the prompt's commitment (the main thread has no entropy). */ salt: Uint8Array }
  | { type: 'mark-ai'; model: { provider: string; name: string; version: string } }
  | { type: 'flush' }
  | { type: 'refresh' }
  | { type: 'export'; format: ExportFormat }
  | { type: 'verify' }
  /** Sign for a C2PA export: a claim's COSE Sig_structure, or this identity's certificate body (see credentials.ts). */
  | { type: 'sign'; id: number; bytes: Uint8Array }
  | { type: 'certificate'; chain: Uint8Array[] }
  /** What the panel read from an image: c2pa-bridge's ingest facts (without blob CIDs), the manifest store and validation results. */
  | { type: 'gates' }
  | { type: 'approve' }
  /** The owner's contract, as the JSON `colophon contract add` reads: {name, asset?, gates, payout?}. */
  | { type: 'contract'; text: string }
  /** The owner grants a role (a `member` record, as `colophon member add`). */
  | { type: 'grant'; subject: string; role: string }
  | { type: 'image-read'; id: number; facts?: Record<string, unknown> & { state: string }; store?: Uint8Array; validation?: Uint8Array; error?: string };
