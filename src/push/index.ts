export { pushWheelhouse, type PushOptions, type PushResult, type HostResult } from './push.js';
export { parsePushTarget, type PushTarget } from './target.js';
