// The capture API's event shapes as this adapter uses them (structurally the same as
// @colophon/core/capture's TextChange and ChangeSource).
import type { AgentRef, OpClass } from '@colophon/core';

export type Evidence = 'typed' | 'command' | 'reported' | 'diff' | 'reconciled';

export interface ChangeSource {
  class: OpClass;
  evidence: Evidence;
  agent?: AgentRef;
}

export interface CaptureChange extends ChangeSource {
  pos: number;
  deleted: number;
  inserted: string;
  undo?: 'undo' | 'redo';
}
