/**
 * `pyindex profile list | show NAME | detect`: inspect the target profiles a
 * lock is made for (markers + ordered wheel tags).
 */
import { resolve } from 'node:path';
import { stringOption, type Command, type CommandContext } from '../command.js';
import {
  detectInterpreter,
  loadBuiltinProfiles,
  MARKER_NAMES,
  profileContextFromConfig,
  resolveProfile,
  type Profile,
  type ProfileContext,
} from '../../profile/index.js';

/** Human rendering: parameters, the 11 markers, then the numbered tags. */
export function renderProfile(p: Profile): string {
  const lines = [`profile ${p.name}`, `  platform  ${p.platform}`, `  python    ${p.python} (${p.implementation})`];
  if (p.glibc) lines.push(`  glibc     ${p.glibc}`);
  if (p.musl) lines.push(`  musl      ${p.musl}`);
  if (p.macos) lines.push(`  macos     ${p.macos}`);
  lines.push('markers:');
  const width = Math.max(...MARKER_NAMES.map((m) => m.length));
  for (const m of MARKER_NAMES) lines.push(`  ${m.padEnd(width)}  ${JSON.stringify(p.markers[m])}`);
  lines.push(`tags (${p.tags.length}, most preferred first):`);
  const numWidth = String(p.tags.length).length;
  p.tags.forEach((tag, i) => lines.push(`  ${String(i + 1).padStart(numWidth)}  ${tag}`));
  return lines.join('\n');
}

function contextFor(ctx: CommandContext): ProfileContext {
  const config = stringOption(ctx, 'config');
  return config ? profileContextFromConfig(resolve(ctx.cwd, config)) : { builtins: loadBuiltinProfiles() };
}

const listCommand: Command = {
  path: ['profile', 'list'],
  summary: 'list the built-in target profiles',
  usage: 'profile list [--json]',
  options: {},
  async run(ctx) {
    const builtins = [...loadBuiltinProfiles().values()];
    ctx.out.json(builtins.map((b) => ({ name: b.name, platform: b.spec.platform, python: b.spec.python, glibc: b.spec.glibc, macos: b.spec.macos })));
    for (const b of builtins) ctx.out.print(b.name);
  },
};

const showCommand: Command = {
  path: ['profile', 'show'],
  summary: "show a profile's marker values and its wheel tags (most preferred first)",
  usage: 'profile show NAME [--config F] [--json]',
  options: { config: { type: 'string', short: 'c' } },
  positionals: [1, 1],
  async run(ctx) {
    const name = ctx.positionals[0] ?? '';
    const profile = resolveProfile(name, undefined, contextFor(ctx));
    ctx.out.json(profile);
    ctx.out.print(renderProfile(profile));
  },
};

const detectCommand: Command = {
  path: ['profile', 'detect'],
  summary: 'detect the profile of a Python interpreter (default: python3 on PATH)',
  usage: 'profile detect [--python PATH] [--json]',
  options: { python: { type: 'string' } },
  async run(ctx) {
    const python = stringOption(ctx, 'python') ?? 'python3';
    const detection = await detectInterpreter(python.includes('/') ? resolve(ctx.cwd, python) : python, { env: ctx.env });
    for (const w of detection.warnings) ctx.out.warn(w);
    ctx.out.json(detection.profile);
    ctx.out.print(renderProfile(detection.profile));
  },
};

export const profileCommands: Command[] = [listCommand, showCommand, detectCommand];
