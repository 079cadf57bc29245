/** Plain words for what a verification result means, for people who are not C2PA experts. */
import type { CredentialReport } from './read.js';

export const UNTRUSTED_EXPLANATION =
  'The credentials are intact: nothing in the file or its history was changed since it was signed. ' +
  'But the certificate that signed them does not come from an authority you told us to trust, so they ' +
  'prove that the holder of that certificate made this claim, not who that holder really is. If you ' +
  "trust the signer's organisation, ask it for its CA certificate and verify again with --anchors CA.pem.";

/** One or two sentences for the report's state. */
export function explainState(report: CredentialReport): string {
  switch (report.state) {
    case 'Trusted':
      return 'Trusted: the credentials are intact and were signed by a certificate that chains to a trust anchor you gave.';
    case 'Valid':
      if (report.untrusted) return `Valid, but the signer is untrusted. ${UNTRUSTED_EXPLANATION}`;
      if (report.failures.some((f) => f.code.startsWith('cawg.'))) {
        return 'Valid: the credentials are intact and their signer is trusted, but the identity assertion (CAWG) inside them is signed by a credential you do not trust, so who it names is not vouched for.';
      }
      return 'Valid: the credentials are intact.';
    case 'Invalid':
      return 'Invalid: the credentials do not match the file, or were altered after signing. Do not rely on them.';
    case 'none':
      return 'This file carries no Content Credentials.';
  }
}
