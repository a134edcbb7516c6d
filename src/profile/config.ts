/**
 * Inline profiles from a config file's `profiles:` map (pyindex.yaml).
 * Only that key is read here; the rest of the config belongs to the config loader.
 */
import { PyindexError } from '../errors/index.js';
import { loadBuiltinProfiles } from './builtins.js';
import type { ProfileContext } from './resolve.js';
import { readLocatedYaml, where } from '../util/yaml-source.js';

/** Reads `file` and returns a resolution context with its `profiles:` entries (none if absent). */
export function profileContextFromConfig(file: string): ProfileContext {
  const { value, source } = readLocatedYaml(file, 'E_CONFIG_INVALID');
  const builtins = loadBuiltinProfiles();
  if (value === null || value === undefined) return { builtins };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new PyindexError('E_CONFIG_INVALID', `${where(source, [])}: the config must be a mapping`, { hint: 'Start the file with keys such as "profiles:".' });
  }
  const profiles = (value as Record<string, unknown>).profiles;
  if (profiles === undefined || profiles === null) return { builtins };
  if (typeof profiles !== 'object' || Array.isArray(profiles)) {
    throw new PyindexError('E_PROFILE_INVALID', `${where(source, ['profiles'])}: "profiles" must be a mapping of name -> profile (at profiles)`, {
      hint: 'e.g. profiles: { linux64: { platform: linux-x86_64, python: "3.11" } }',
      details: { file, path: 'profiles' },
    });
  }
  return { builtins, inline: profiles as Record<string, unknown>, inlineSource: { ...source, prefix: ['profiles'] } };
}
