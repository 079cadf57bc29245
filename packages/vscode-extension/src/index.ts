// Skeleton: the VS Code capture extension is built in a later issue.
export { CONTRIBUTION_RECORD_VERSION } from '@colophon/core';
