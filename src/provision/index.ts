/** `pyindex provision`: offline venv provisioning from a lockfile and a wheelhouse. */
export { provision, type ProvisionOptions, type ProvisionResult } from './provision.js';
export { findPython, findPythonOnDisk, whichAll, pyenvRootOf, pyenvPythonsFor, type FoundPython, type PythonLookup } from './python.js';
export { interpreterMismatch, assertInterpreterFits, matchingProfiles } from './interpreter-match.js';
export { isolatedPythonEnv, pipInstallArgs, runPip, parseHashMismatches, pipFailure, PIP_BASE_OPTIONS } from './pip.js';
export { queryVenv, diffInstalled, isInSync, SEEDED_TOOLS, type InstalledDist, type SetDiff } from './installed.js';
export { acquireVenvLock, type VenvLock, type VenvLockInfo } from './venv-lock.js';
export { readStamp, stampMismatch, type Stamp } from './stamp.js';
export { venvLayout, inspectVenv, createVenv, type VenvLayout } from './venv.js';
