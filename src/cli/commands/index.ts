import type { Command } from '../command.js';
import { bundleCommand } from './bundle.js';
import { codesCommand } from './codes.js';
import { demoCommand } from './demo.js';
import { exportCommand, whyCommand } from './export.js';
import { fetchCommand } from './fetch.js';
import { lockCommand } from './lock.js';
import { mirrorCommand } from './mirror.js';
import { profileCommands } from './profile.js';
import { provisionCommand } from './provision.js';
import { pushCommand } from './push.js';
import { serveCommand } from './serve.js';
import { userCommands } from './user.js';
import { adminCommands } from './yank.js';

/** Every CLI command; main.ts dispatches on the longest matching path. */
export const commands: Command[] = [demoCommand, lockCommand, exportCommand, whyCommand, fetchCommand, provisionCommand, bundleCommand, pushCommand, mirrorCommand, serveCommand, ...userCommands, ...adminCommands, ...profileCommands, codesCommand];
