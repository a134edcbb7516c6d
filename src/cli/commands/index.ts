import type { Command } from '../command.js';
import { codesCommand } from './codes.js';

/** Every CLI command; main.ts dispatches on the longest matching path. */
export const commands: Command[] = [codesCommand];
