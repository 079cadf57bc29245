// Skeleton: the Figma capture plugin is built in a later issue.
export { CONTRIBUTION_RECORD_VERSION } from '@colophon/core';
