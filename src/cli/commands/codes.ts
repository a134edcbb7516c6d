import type { Command } from '../command.js';
import { exitCodeTable } from '../render-error.js';

export const codesCommand: Command = {
  path: ['codes'],
  summary: 'list every error code with its exit code',
  usage: 'codes [--json]',
  options: {},
  async run(ctx) {
    const table = exitCodeTable();
    ctx.out.json(table);
    const width = Math.max(...table.map((r) => r.code.length));
    for (const r of table) ctx.out.print(`${String(r.exit).padStart(3)}  ${r.code.padEnd(width)}  ${r.summary}`);
  },
};
