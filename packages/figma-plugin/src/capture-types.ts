// The node-change shape of @colophon/core/capture's interface (branch `capture`), used until that
// entry lands on main; then this file goes and the imports point at core.
import type { AgentRef, CID } from '@colophon/core';

export type Evidence = 'typed' | 'command' | 'reported' | 'diff' | 'reconciled';

export interface ChangeSource {
  class: 'human' | 'ai' | 'tool' | 'paste' | 'unknown';
  evidence: Evidence;
  agent?: AgentRef;
  links?: readonly CID[];
}

export interface NodeChange extends ChangeSource {
  nodes?: { [nodeId: string]: readonly string[] };
  created?: readonly string[];
  deleted?: readonly string[];
}

export interface NodeCaptureSession {
  readonly asset: string;
  change(change: NodeChange): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}
