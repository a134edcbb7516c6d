/**
 * Index client throughput on the cheroot snapshot (775 projects, 13 273
 * wheels; mkindex --json --metadata) served by the loopback static server
 * (test/helpers/static-server.ts, in a separate process):
 * fetch every project page (PEP 691 JSON) and the PEP 658 metadata of every
 * wheel, cold cache and warm cache (pages revalidated with 304, metadata from
 * the on-disk cache). Peer: curl --parallel --parallel-max 16 over the same
 * URL list with the same Accept header, against the same server in the same
 * run. curl keeps no cache, so its "warm" row revalidates nothing: it is the
 * cold transfer again (the comparison shows what pyindex's cache saves).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimpleIndexClient } from '../src/index/client.js';
import { SIMPLE_ACCEPT } from '../src/index/types.js';
import { cachedIndex } from '../test/helpers/cached-index.js';
import type { Bench, BenchRow } from './lib.js';

const SOURCE = 'corpus/pypi-2020/index/pypi-2020-11-17-cheroot.json';

async function runPyindex(index: string, cacheDir: string): Promise<{ ms: number; pages: number; metadata: number; failed: number; requests: number }> {
  let requests = 0;
  const client = new SimpleIndexClient({
    index,
    cacheDir,
    userAgent: 'pyindex-bench',
    concurrency: 16,
    onEvent: (e) => {
      if (e.type === 'index:request') requests++;
    },
  });
  const start = process.hrtime.bigint();
  const names = await client.listProjects();
  let metadata = 0;
  let failed = 0;
  await Promise.all(
    names.map(async (name) => {
      const page = await client.getProject(name);
      await Promise.all(
        page.files
          .filter((f) => f.kind === 'wheel')
          .map((f) =>
            client.getMetadata(f).then(
              () => metadata++,
              () => failed++, // one snapshot requirement is invalid PEP 508 (mkindex keeps it verbatim)
            ),
          ),
      );
    }),
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  await client.close();
  return { ms, pages: names.length + 1, metadata, failed, requests };
}

/**
 * The static server runs in its own Node process: in-process it would share
 * pyindex's event loop (and not curl's), which skews the comparison.
 */
async function startServerProcess(root: string): Promise<{ url: string; child: ChildProcess }> {
  const helper = new URL('../test/helpers/static-server.ts', import.meta.url).href;
  const code = `import { startStaticServer } from ${JSON.stringify(helper)}; const s = await startStaticServer(${JSON.stringify(root)}, { negotiate: true }); console.log(s.url);`;
  const child = spawn(process.execPath, ['--import=tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (c) => reject(new Error(`static server exited with ${c}`)));
  });
  return { url, child };
}

/** Async: the static server lives in this process, so blocking the event loop would deadlock curl. */
async function runCurl(urls: string[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pyindex-bench-curl-'));
  const config = join(dir, 'urls.cfg');
  writeFileSync(config, urls.map((u) => `url = "${u}"\noutput = "/dev/null"\n`).join(''));
  const start = process.hrtime.bigint();
  await promisify(execFile)('curl', ['--silent', '--show-error', '--fail', '--parallel', '--parallel-max', '16', '-H', `Accept: ${SIMPLE_ACCEPT}`, '-K', config]);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const bench: Bench = {
  title: 'index client: every page + every PEP 658 metadata of the cheroot snapshot (loopback static server)',
  async run(): Promise<BenchRow[]> {
    const root = cachedIndex(SOURCE, ['--json', '--metadata']);
    const { url: serverUrl, child } = await startServerProcess(root);
    const server = { url: serverUrl };
    try {
      const index = `${server.url}/simple/`;
      const urls = [index];
      for (const project of readdirSync(join(root, 'simple'), { withFileTypes: true })) {
        if (!project.isDirectory()) continue;
        urls.push(`${index}${project.name}/`);
        const page = JSON.parse(readFileSync(join(root, 'simple', project.name, 'index.json'), 'utf8')) as { files: { filename: string; 'core-metadata'?: unknown }[] };
        for (const f of page.files) if (f['core-metadata']) urls.push(`${server.url}/files/${f.filename}.metadata`);
      }
      const cacheDir = mkdtempSync(join(tmpdir(), 'pyindex-bench-cache-'));
      const cold = await runPyindex(index, cacheDir);
      const curlCold = await runCurl(urls);
      const warm = await runPyindex(index, cacheDir);
      const curlWarm = await runCurl(urls);
      const n = urls.length;
      const note = (r: typeof cold) => `${r.pages} pages, ${r.metadata} metadata (${r.failed} invalid), ${r.requests} HTTP requests`;
      return [
        { name: `cold: ${n} URLs`, ours: cold.ms, peer: curlCold, peerName: 'curl --parallel-max 16', unit: 'ms', note: note(cold) },
        { name: 'cold throughput', ours: (n / cold.ms) * 1000, peer: (n / curlCold) * 1000, peerName: 'curl', unit: 'req/s', higherIsBetter: true },
        { name: 'warm (pages 304-revalidated, metadata from disk cache)', ours: warm.ms, peer: curlWarm, peerName: 'curl (no cache: full refetch)', unit: 'ms', note: note(warm) },
      ];
    } finally {
      child.kill();
    }
  },
};

export default bench;
