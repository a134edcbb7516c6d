import { resolve } from 'node:path';
import { writeDemoProject } from '../../demo/demo.js';
import { stringOption, type Command } from '../command.js';
import { exportCommand } from './export.js';
import { fetchCommand } from './fetch.js';
import { lockCommand } from './lock.js';
import { provisionCommand } from './provision.js';

/**
 * The main job end to end on the embedded default: write the demo project
 * (a generated local index and a pyindex.yaml), lock it, export one
 * job × profile as a hashed requirements file, fetch that job's wheelhouse
 * and provision a venv from it offline — then provision again, which is the
 * no-op a build machine sees on every later build.
 */
export const demoCommand: Command = {
  path: ['demo'],
  summary: 'write a self-contained demo project (local index + pyindex.yaml) and run the main job on it: lock, export, fetch, provision',
  usage: 'demo [--dir DIR] [--cache-dir D] [--python PATH]',
  options: { dir: { type: 'string' }, 'cache-dir': { type: 'string' }, python: { type: 'string' } },
  async run(ctx) {
    const dir = resolve(ctx.cwd, stringOption(ctx, 'dir') ?? 'pyindex-demo');
    const { config, wheels } = await writeDemoProject(dir);
    ctx.out.print(`wrote ${config} and a local index of ${wheels} wheels in ${dir}/index`);
    const cache = stringOption(ctx, 'cache-dir') ?? resolve(dir, '.cache');
    const sub = (values: typeof ctx.values) => ({ ...ctx, values: { ...values, config, 'cache-dir': cache } });
    const wheelhouse = resolve(dir, 'wheelhouse');
    const venv = resolve(dir, 'venv-talos');
    const python = stringOption(ctx, 'python');

    ctx.out.print('\n$ pyindex lock');
    await lockCommand.run(sub({}));
    ctx.out.print('\n$ pyindex export --job talos --profile win64-py311');
    await exportCommand.run(sub({ job: 'talos', profile: 'win64-py311' }));
    ctx.out.print(`\n$ pyindex fetch --job talos --profile linux64-py311 --wheelhouse ${wheelhouse}`);
    await fetchCommand.run(sub({ job: ['talos'], profile: ['linux64-py311'], wheelhouse }));
    // The build-machine step, twice: the second run finds nothing changed and does not call pip.
    for (let i = 0; i < 2; i++) {
      ctx.out.print(`\n$ pyindex provision --job talos --profile linux64-py311 --venv ${venv} --wheelhouse ${wheelhouse}${python ? ` --python ${python}` : ''}`);
      await provisionCommand.run(sub({ job: 'talos', profile: 'linux64-py311', venv, wheelhouse, ...(python ? { python } : {}) }));
    }
  },
};
