/**
 * The embedded default: a small, self-contained project — a flat folder of
 * generated wheels standing in for the internal index, and a pyindex.yaml
 * with two CI jobs over Linux, Windows and macOS profiles — so the main job
 * runs end to end on a fresh machine with no index at all.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWheel, type WheelSpec } from './wheel.js';

/** A realistic little graph: markers, extras, Requires-Python, several versions. */
export const DEMO_PACKAGES: WheelSpec[] = [
  { name: 'demo-runner', version: '5.0.0', requires: ['demo-process>=1.2', 'demo-http[socks]>=2', "demo-win32api; sys_platform == 'win32'"] },
  { name: 'demo-runner', version: '5.1.0', requires: ['demo-process>=1.2', 'demo-http[socks]>=2', "demo-win32api; sys_platform == 'win32'"], requiresPython: '>=3.9' },
  { name: 'demo-process', version: '1.1.0' },
  { name: 'demo-process', version: '1.2.0', requires: ['demo-six>=1.10'] },
  { name: 'demo-process', version: '1.3.0b1', requires: ['demo-six>=1.10'] },
  { name: 'demo-http', version: '2.0.0', requires: ['demo-certs'], extras: { socks: ['demo-socks>=1.6'] } },
  { name: 'demo-http', version: '2.1.0', requires: ['demo-certs>=2020'], extras: { socks: ['demo-socks>=1.7'] } },
  { name: 'demo-certs', version: '2019.11.28' },
  { name: 'demo-certs', version: '2024.2.2' },
  { name: 'demo-socks', version: '1.7.1' },
  { name: 'demo-six', version: '1.16.0' },
  { name: 'demo-win32api', version: '306' },
  { name: 'demo-lint', version: '3.0.0', requires: ['demo-six', "demo-colors; platform_system == 'Windows'"] },
  { name: 'demo-colors', version: '0.4.6' },
];

export const DEMO_CONFIG = `# pyindex demo project: a local folder of wheels stands in for the internal index.
index: index
profiles:
  linux64-py311: { platform: linux-x86_64, python: "3.11" }
  win64-py311: { platform: windows-amd64, python: "3.11" }
jobs:
  talos:
    requires: ["demo-runner>=5", "demo-process", "demo-http[socks]; python_version >= '3'"]
    profiles: [linux64-py311, win64-py311, macos-arm64-py3.12]
  lint:
    requires: ["demo-lint"]
    profiles: [linux64-py311, win64-py311, linux-x86_64-py3.8]
`;

/** Writes the demo project into `dir` (index/ with wheels and PEP 658 .metadata files, pyindex.yaml). */
export async function writeDemoProject(dir: string): Promise<{ config: string; wheels: number }> {
  const index = join(dir, 'index');
  await mkdir(index, { recursive: true });
  for (const spec of DEMO_PACKAGES) {
    const wheel = buildWheel(spec);
    await writeFile(join(index, wheel.filename), wheel.data);
    await writeFile(join(index, `${wheel.filename}.metadata`), wheel.metadata);
  }
  const config = join(dir, 'pyindex.yaml');
  await writeFile(config, DEMO_CONFIG);
  return { config, wheels: DEMO_PACKAGES.length };
}
