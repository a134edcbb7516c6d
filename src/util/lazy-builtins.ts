/**
 * Node built-ins that some runs of a command need and most do not, loaded
 * on first use rather than by an import at the top. Loading node:zlib costs
 * ~3.5 ms and node:stream/promises ~2.7 ms of start-up (measured on this
 * machine, Node 20), paid by every `pyindex lock` and `fetch` although only
 * a compressed page, a wheel without PEP 658 metadata or an sdist needs them.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let zlibModule: typeof import('node:zlib') | undefined;
let streamModule: typeof import('node:stream') | undefined;
let streamPromisesModule: typeof import('node:stream/promises') | undefined;

export function zlib(): typeof import('node:zlib') {
  return (zlibModule ??= require('node:zlib') as typeof import('node:zlib'));
}

export function stream(): typeof import('node:stream') {
  return (streamModule ??= require('node:stream') as typeof import('node:stream'));
}

export function streamPromises(): typeof import('node:stream/promises') {
  return (streamPromisesModule ??= require('node:stream/promises') as typeof import('node:stream/promises'));
}
