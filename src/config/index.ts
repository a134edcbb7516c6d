/** pyindex.yaml: loading, validation, digests. */
export type { Config, JobConfig } from './types.js';
export { loadConfig, findConfig, CONFIG_FILENAMES } from './load.js';
export { configDigest, profileDigest, normalizedRequirement } from './digest.js';
export { readRequirementsFile, logicalLines, type RequirementLine, type RequirementsFile, type FileReference } from './requirements-file.js';
export { parseInstant } from './options.js';
