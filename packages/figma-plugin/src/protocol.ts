// Messages between the main thread and the UI iframe (figma.ui.postMessage / parent.postMessage).
// Only plain data crosses; Uint8Array passes through as is.

export interface LayerAuthorship {
  id: string;
  name: string;
  asset: string;
  createdBy?: AuthorView;
  properties: { name: string; author: AuthorView }[];
}

export interface AuthorView {
  class: string;
  who: string;
  /** Claimed time of the record that made it (ms), when known. */
  at?: number;
  model?: string;
  evidence?: string;
  record?: string;
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

export type MainToUi =
  | { type: 'entropy-request'; length: number }
  | { type: 'status'; did: string; user: string; project: string; records: number; feeds: number; ownFeedBytes: number; problems: string[] }
  | { type: 'selection'; layers: LayerAuthorship[] }
  | { type: 'timeline'; entries: TimelineEntry[] }
  | { type: 'generated'; frame: string; layers: number; record: string }
  | { type: 'marked'; layers: number }
  | { type: 'flushed'; records: number }
  | { type: 'error'; message: string };

export type UiToMain =
  | { type: 'entropy'; bytes: Uint8Array }
  | { type: 'generate'; prompt: string; settings: GenerateSettings; /** Fresh random salt for the prompt's commitment (the main thread has no entropy). */ salt: Uint8Array }
  | { type: 'mark-ai'; model: { provider: string; name: string; version: string } }
  | { type: 'flush' }
  | { type: 'refresh' };
