/** Target profiles: built-ins, inline specs, detection. */
export * from './types.js';
export { loadBuiltinProfiles, builtinProfilesDir, builtinProfileName } from './builtins.js';
export { resolveProfile, closestNames, type ProfileContext } from './resolve.js';
export { profileContextFromConfig } from './config.js';
export { detectProfile, detectInterpreter, profileFromFacts, type Detection, type RawFacts } from './detect.js';
export { targetTags, targetFacts, DEFAULT_GLIBC, DEFAULT_MACOS, type TargetParams } from './target.js';
export { validateProfileSpec } from './validate.js';
