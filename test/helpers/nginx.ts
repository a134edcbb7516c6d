/**
 * Debian's nginx serving a pyindex tree root as plain static files, the
 * scale-out path of `pyindex serve` (issue 5 point 4): a generated config in
 * a temp dir (foreground, one process, logs and temp paths in the temp dir),
 * on a free loopback port. nginx serves `index.json` for `/simple/<p>/`
 * to clients whose Accept names PEP 691 JSON and `index.html` to the others
 * (a substring match: q-values are not weighed), redirects a missing
 * trailing slash itself, and hides `.pyindex/`. It does no name
 * normalization (clients normalize before asking, as PEP 503 expects).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NGINX = '/usr/sbin/nginx';

export function nginxSkipReason(): string | false {
  return existsSync(NGINX) ? false : `${NGINX} is missing (apt-get install -y nginx)`;
}

export interface NginxServer {
  url: string;
  port: number;
  child: ChildProcess;
  dir: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The site configuration the README's scale-out section shows (with
 * `/srv/pyindex` and `listen 80`; test/serve/nginx.test.ts checks that the
 * README and this function agree, so the documented one is the tested one).
 * It goes in nginx's `http {}` context (e.g. /etc/nginx/conf.d/pyindex.conf).
 */
export function nginxSiteConfig(root: string, listen: string): string {
  return `# PEP 691: JSON pages to clients that ask for them (pip and pyindex lock do), HTML to the others.
map $http_accept $pyindex_page {
  default index.html;
  "~application/vnd\\.pypi\\.simple\\.v1\\+json" index.json;
}
server {
  listen ${listen};
  root ${root};
  index $pyindex_page;
  # Only these types: every distribution is a plain byte stream, never Content-Encoding gzip.
  types {
    text/html html;
    application/vnd.pypi.simple.v1+json json;
    text/plain metadata;
  }
  default_type application/octet-stream;
  location /simple/ {
    add_header Vary Accept;
  }
  # .pyindex/ holds the state, the users file and the logs.
  location ~ /\\. {
    return 404;
  }
}
`;
}

/** A whole nginx.conf for the tests: one foreground process in a temp dir around `nginxSiteConfig`. */
export function nginxConfig(root: string, dir: string, port: number, workers = 1): string {
  const site = nginxSiteConfig(root, `127.0.0.1:${port}`)
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `daemon off;
master_process ${workers > 1 ? 'on' : 'off'};
worker_processes ${workers};
${process.getuid?.() === 0 ? 'user root;' : ''}
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
${site}
}
`;
}

async function ready(port: number, child: ChildProcess, dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    if (attempt > 200) throw new Error('nginx did not start listening');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function startNginx(root: string, options: { workers?: number } = {}): Promise<NginxServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pyindex-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(root, dir, port, options.workers ?? 1));
  const child = spawn(NGINX, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  try {
    await ready(port, child, dir);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    child,
    dir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
