export { plannedFiles, type PlannedFile } from './plan.js';
export { checkWheelhouse, checkFile, sha256File, type WheelhouseCheck, type FileState } from './verify.js';
