/**
 * Node built-ins that some runs of a command need and most do not, loaded
 * on first use rather than by an import at the top. Loading node:zlib costs
 * ~3.5 ms and node:stream/promises ~2.7 ms of start-up (measured on this
 * machine, Node 20), paid by every `pyindex lock` and `fetch` although only
 * a compressed page, a wheel without PEP 658 metadata or an sdist needs them.
 * (process.getBuiltinModule: Node ≥ 20.16; engines asks for 20.18.)
 */
let zlibModule: typeof import('node:zlib') | undefined;
let streamModule: typeof import('node:stream') | undefined;
let streamPromisesModule: typeof import('node:stream/promises') | undefined;
let tlsModule: typeof import('node:tls') | undefined;

export function zlib(): typeof import('node:zlib') {
  return (zlibModule ??= process.getBuiltinModule('node:zlib'));
}

export function stream(): typeof import('node:stream') {
  return (streamModule ??= process.getBuiltinModule('node:stream'));
}

export function streamPromises(): typeof import('node:stream/promises') {
  return (streamPromisesModule ??= process.getBuiltinModule('node:stream/promises'));
}

/** Only an https index needs it. */
export function tls(): typeof import('node:tls') {
  return (tlsModule ??= process.getBuiltinModule('node:tls'));
}
