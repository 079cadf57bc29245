// Skeleton: the C2PA bridge (ledger <-> C2PA manifests) is built in a later issue.
export { CONTRIBUTION_RECORD_VERSION } from '@colophon/core';
