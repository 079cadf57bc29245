// Standard exports of the ledger: W3C PROV-JSON and in-toto Statements in DSSE envelopes.
// Platform-neutral (ES2020).
export { provDocument, COLOPHON_PROV_NS, type ProvDocument, type ProvOptions, type ProvAttributes, type ProvLiteral } from './prov.js';
export {
  lineageStatement,
  signStatement,
  sha256Hex,
  INTOTO_STATEMENT_TYPE,
  INTOTO_PAYLOAD_TYPE,
  LINEAGE_PREDICATE_TYPE,
  MAX_PREDICATE_LIST,
  type InTotoStatement,
  type InTotoSubject,
  type LineagePredicate,
  type StatementInput,
} from './intoto.js';
export { preAuthEncoding, signEnvelope, verifyEnvelope, EnvelopeError, type DsseEnvelope, type DsseSignature } from './dsse.js';
