// The workspace API (see ./interface.ts): project discovery, project.json/local.json, opening a
// project with a pluggable key store, verification, CAR import/export and safe output paths.
export type * from './interface.js';
export { WorkspaceError, type WorkspaceErrorKind } from './errors.js';
export {
  COLOPHON_DIR,
  findProjectRoot,
  locateProject,
  openWorkspace,
  createWorkspace,
  writeProjectFiles,
  readLocalSettings,
  writeLocalSettings,
  defaultIdentityName,
  defaultKeyStore,
  signingIdentity,
  checkedIdentityName,
} from './project-files.js';
export { verifyWorkspace, signatureChecker } from './verify.js';
export { exportCar, importCar } from './car.js';
export { checkOutputPath } from './output-path.js';
