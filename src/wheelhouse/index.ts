export { plannedFiles, type PlannedFile } from './plan.js';
export { checkWheelhouse, checkFile, sha256File, type WheelhouseCheck, type FileState } from './verify.js';
export { fetchWheelhouse, QUARANTINE_DIR, type FetchOptions, type FetchResult } from './fetch.js';
export { MANIFEST_FILENAME, readManifest, writeManifest, formatManifest, type ManifestEntry, type WheelhouseManifest } from './manifest.js';
export { casPath } from './cas.js';
