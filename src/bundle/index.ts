export { writeBundle, BUNDLE_LOCK, BUNDLE_WHEELHOUSE, type WriteBundleOptions, type BundleResult } from './write.js';
export { openBundle, type OpenBundleOptions, type OpenedBundle } from './read.js';
export { lockSubset } from './lock-subset.js';
export { MANIFEST_FILENAME, parseManifest, serializeManifest, type ManifestEntry, type WheelhouseManifest } from './manifest.js';
export { selectWheelhouseFiles, readWheelhouseManifest, manifestFor, type WheelhouseFile } from './wheelhouse-files.js';
