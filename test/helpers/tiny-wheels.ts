/**
 * Real, installable pure-Python wheels made by a real Python's zipfile
 * (METADATA, WHEEL and a RECORD with correct hashes), for tests that hand
 * them to pip.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IndexFile } from '../../src/index/types.js';
import { isolatedEnv } from './python.js';
import { sha256Of } from './lock-fixtures.js';

export interface TinyWheelSpec {
  /** Project name as written in METADATA (any case / separators). */
  name: string;
  version: string;
  /** Top-level module name. */
  module: string;
  requires?: string[];
}

const SCRIPT = `
import base64, hashlib, json, os, re, sys, zipfile
out, specs = json.load(sys.stdin)
names = []
for s in specs:
    # Binary distribution format: the distribution name normalized with underscores.
    dist = re.sub(r'[-_.]+', '_', s['name']).lower()
    info = f"{dist}-{s['version']}.dist-info"
    files = {
        f"{s['module']}/__init__.py": f"VALUE = {s['name']!r}\\n",
        f"{info}/METADATA": "Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n%s" % (
            s['name'], s['version'], ''.join(f"Requires-Dist: {r}\\n" for r in s.get('requires', []))),
        f"{info}/WHEEL": "Wheel-Version: 1.0\\nGenerator: pyindex-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }
    record = []
    for path, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\\n".join(record) + "\\n"
    filename = f"{dist}-{s['version']}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(out, filename), 'w', zipfile.ZIP_DEFLATED) as z:
        for path, text in files.items():
            z.writestr(zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0)), text)
    names.append(filename)
json.dump(names, sys.stdout)
`;

/** Writes the wheels into `dir` and returns them as index files (file: URLs, sha256, size). */
export function makeTinyWheels(python: string, dir: string, specs: TinyWheelSpec[]): IndexFile[] {
  const res = spawnSync(python, ['-c', SCRIPT], { input: JSON.stringify([dir, specs]), env: isolatedEnv(), encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`making wheels failed: ${res.stderr}`);
  const names = JSON.parse(res.stdout) as string[];
  return names.map((filename) => {
    const bytes = readFileSync(join(dir, filename));
    return {
      filename,
      url: pathToFileURL(join(dir, filename)).href,
      hashes: { sha256: sha256Of(bytes) },
      requiresPython: undefined,
      yanked: false,
      coreMetadata: false,
      size: bytes.length,
      kind: 'wheel',
    };
  });
}
