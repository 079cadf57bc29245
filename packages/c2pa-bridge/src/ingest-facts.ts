/**
 * What an `ingest` record says about an outside file's Content Credentials, under the extension key
 * `colophon.c2pa`. Kept small and DAG-CBOR-safe (no undefined, no floats); the full manifest store
 * and the SDK's validation results are blobs, referenced by CID.
 */
import type { CID, DagValue } from '@colophon/core';
import { C2PA_INGEST_EXT } from '@colophon/core/record';

export const INGEST_FACTS_VERSION = 1;

/** Trusted / Valid / Invalid as the C2PA reader says; `none` when the file has no credentials. */
export type CredentialState = 'Trusted' | 'Valid' | 'Invalid' | 'none';

export interface ActionFact {
  action: string;
  digitalSourceType?: string;
  softwareAgent?: string;
  when?: string;
}

export interface IngredientFact {
  title?: string;
  format?: string;
  relationship?: string;
  /** Label of the ingredient's own active manifest, when it carried one. */
  manifest?: string;
  claimGenerator?: string;
  /** Failure codes of the ingredient's validation (e.g. signingCredential.untrusted). */
  codes?: string[];
  ingredients?: IngredientFact[];
}

export interface IngestFacts {
  v: number;
  file: string;
  format: string;
  state: CredentialState;
  /** Failure codes from validation; signingCredential.untrusted alone still means Valid. */
  codes?: string[];
  activeManifest?: string;
  claimGenerator?: string;
  signer?: { issuer?: string; name?: string };
  actions?: ActionFact[];
  digitalSourceType?: string;
  ingredients?: IngredientFact[];
  /** Blob: the file's manifest store (JUMBF) as found in the file. */
  manifest?: CID;
  /** Blob: the reader's validation results (JSON), needed to carry this manifest as an ingredient. */
  validation?: CID;
}

/** The facts of an ingest record, or undefined when the record carries none. */
export function ingestFactsOf(ext: { [key: string]: DagValue } | undefined): IngestFacts | undefined {
  const value = ext?.[C2PA_INGEST_EXT] as unknown;
  if (!value || typeof value !== 'object') return undefined;
  const facts = value as IngestFacts;
  return typeof facts.state === 'string' && typeof facts.format === 'string' ? facts : undefined;
}

/** Drops undefined fields (DAG-CBOR has no undefined) recursively. */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) if (entry !== undefined) out[key] = withoutUndefined(entry);
    return out as T;
  }
  return value;
}
