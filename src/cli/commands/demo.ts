import { resolve } from 'node:path';
import { writeDemoProject } from '../../demo/demo.js';
import { stringOption, type Command } from '../command.js';
import { exportCommand } from './export.js';
import { lockCommand } from './lock.js';

/**
 * The main job end to end on the embedded default: write the demo project
 * (a generated local index and a pyindex.yaml), lock it, and export one
 * job × profile as a hashed requirements file.
 */
export const demoCommand: Command = {
  path: ['demo'],
  summary: 'write a self-contained demo project (local index + pyindex.yaml) and run the main job on it',
  usage: 'demo [--dir DIR] [--cache-dir D]',
  options: { dir: { type: 'string' }, 'cache-dir': { type: 'string' } },
  async run(ctx) {
    const dir = resolve(ctx.cwd, stringOption(ctx, 'dir') ?? 'pyindex-demo');
    const { config, wheels } = await writeDemoProject(dir);
    ctx.out.print(`wrote ${config} and a local index of ${wheels} wheels in ${dir}/index`);
    const sub = (values: typeof ctx.values) => ({ ...ctx, values: { ...values, config, 'cache-dir': stringOption(ctx, 'cache-dir') ?? resolve(dir, '.cache') } });
    ctx.out.print('\n$ pyindex lock');
    await lockCommand.run(sub({}));
    ctx.out.print('\n$ pyindex export --job talos --profile win64-py311');
    await exportCommand.run(sub({ job: 'talos', profile: 'win64-py311' }));
  },
};
