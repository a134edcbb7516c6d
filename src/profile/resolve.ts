/**
 * Resolves a profile name to a Profile: built-ins, and inline specs from a
 * config's `profiles:` map that either stand alone (`platform` + `python`)
 * or `extends` another profile and override parameters or marker values.
 *
 * Marker values come from the built-in profile of the final (platform,
 * python), then every inline `markers:` override along the `extends` chain,
 * ancestors first. So `{ extends: linux-x86_64-py3.11, python: "3.12" }`
 * gets 3.12's python_version, not a stale 3.11.
 */
import { PyindexError } from '../errors/index.js';
import { builtinProfileName } from './builtins.js';
import { isLinux, isMacos, targetTags, DEFAULT_GLIBC, DEFAULT_MACOS } from './target.js';
import type { BuiltinProfile, MarkerEnvironment, PlatformName, Profile, ProfileSpec, SpecSource } from './types.js';
import { profileError, validateProfileSpec } from './validate.js';
import { where } from '../util/yaml-source.js';

export interface ProfileContext {
  builtins: ReadonlyMap<string, BuiltinProfile>;
  /** Inline specs by name (unvalidated values straight from YAML are fine). */
  inline?: Readonly<Record<string, unknown>>;
  /** Where `inline` came from; its prefix is the path of the `profiles:` map. */
  inlineSource?: SpecSource;
}

interface Origin {
  name: string;
  source: SpecSource;
}

interface Located<T> {
  value: T;
  origin: Origin;
}

interface Flat {
  platform?: Located<PlatformName>;
  python?: Located<string>;
  glibc?: Located<string>;
  musl?: Located<string>;
  macos?: Located<string>;
  markers: Partial<MarkerEnvironment>;
}

const NO_SOURCE: SpecSource = { file: '<inline>', prefix: [], lineOf: () => undefined };

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}

/** Up to three known names closest to `name` (edit distance), none if nothing is close. */
export function closestNames(name: string, known: Iterable<string>): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  return [...known]
    .map((k) => ({ k, d: levenshtein(name.toLowerCase(), k.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k))
    .slice(0, 3)
    .map((x) => x.k);
}

function unknownProfile(name: string, context: ProfileContext, from?: string): PyindexError {
  const known = [...Object.keys(context.inline ?? {}), ...context.builtins.keys()];
  const close = closestNames(name, known);
  return new PyindexError('E_UNKNOWN_PROFILE', `${from ? `${from}: ` : ''}no profile named ${JSON.stringify(name)}`, {
    hint: `${close.length ? `Did you mean ${close.map((c) => JSON.stringify(c)).join(', ')}? ` : ''}"pyindex profile list" shows the built-in profiles (named <platform>-py<version>).`,
    details: { profile: name, suggestions: close },
  });
}

function setParam<K extends 'platform' | 'python' | 'glibc' | 'musl' | 'macos'>(
  flat: Flat,
  key: K,
  value: string | undefined,
  origin: Origin,
): void {
  if (value !== undefined) (flat as unknown as Record<K, Located<string>>)[key] = { value, origin };
}

/** Flattens a spec and its `extends` chain. `stack` holds the names being resolved (cycle detection). */
function flatten(name: string, spec: ProfileSpec, source: SpecSource, context: ProfileContext, stack: string[]): Flat {
  let flat: Flat = { markers: {} };
  if (spec.extends !== undefined) {
    const parentName = spec.extends;
    // An inline profile may shadow a built-in of the same name and extend it.
    const inlineParent = parentName !== name ? context.inline?.[parentName] : undefined;
    if (parentName === name && !context.builtins.has(name)) {
      throw profileError(name, source, ['extends'], `"extends" cycle: ${name} -> ${name}`, 'A profile cannot extend itself; extend a built-in or give platform and python.');
    }
    if (inlineParent !== undefined) {
      if (stack.includes(parentName)) {
        throw profileError(name, source, ['extends'], `"extends" cycle: ${[...stack, parentName].join(' -> ')}`, 'Make one profile in the cycle stand alone (platform + python) or extend a built-in.');
      }
      const parentSource = subSourceOf(context, parentName);
      const parentSpec = validateProfileSpec(parentName, inlineParent, parentSource, 'inline');
      flat = flatten(parentName, parentSpec, parentSource, context, [...stack, parentName]);
    } else {
      const builtin = context.builtins.get(parentName);
      if (!builtin) throw unknownProfile(parentName, context, `${where(source, ['extends'])}: profile ${JSON.stringify(name)} extends`);
      const origin = { name: builtin.name, source: builtin.source };
      // A built-in's markers are the base for its own (platform, python); they are re-derived below.
      flat = { markers: {} };
      setParam(flat, 'platform', builtin.spec.platform, origin);
      setParam(flat, 'python', builtin.spec.python, origin);
      setParam(flat, 'glibc', builtin.spec.glibc, origin);
      setParam(flat, 'musl', builtin.spec.musl, origin);
      setParam(flat, 'macos', builtin.spec.macos, origin);
    }
  }
  const origin = { name, source };
  // Platform-specific parameters of a parent do not carry over to another platform.
  if (spec.platform !== undefined && spec.platform !== flat.platform?.value) {
    delete flat.glibc;
    delete flat.musl;
    delete flat.macos;
  }
  // glibc and musl are alternatives: setting one replaces an inherited other.
  if (spec.glibc !== undefined) delete flat.musl;
  if (spec.musl !== undefined) delete flat.glibc;
  setParam(flat, 'platform', spec.platform, origin);
  setParam(flat, 'python', spec.python, origin);
  setParam(flat, 'glibc', spec.glibc, origin);
  setParam(flat, 'musl', spec.musl, origin);
  setParam(flat, 'macos', spec.macos, origin);
  flat.markers = { ...flat.markers, ...spec.markers };
  return flat;
}

function subSourceOf(context: ProfileContext, name: string): SpecSource {
  const s = context.inlineSource ?? NO_SOURCE;
  return { ...s, prefix: [...s.prefix, name] };
}

function mismatch(loc: Located<string>, key: string, text: string, hint: string): PyindexError {
  return profileError(loc.origin.name, loc.origin.source, [key], text, hint);
}

/**
 * Resolves `name`. With `spec` undefined, `name` is looked up among the inline
 * specs, then the built-ins. Throws `E_UNKNOWN_PROFILE` (with the closest
 * names) or `E_PROFILE_INVALID` (with file:line and key path).
 */
export function resolveProfile(name: string, spec: ProfileSpec | undefined, context: ProfileContext): Profile {
  let source: SpecSource;
  let checked: ProfileSpec;
  if (spec !== undefined) {
    source = subSourceOf(context, name);
    checked = validateProfileSpec(name, spec, source, 'inline');
  } else if (context.inline?.[name] !== undefined) {
    source = subSourceOf(context, name);
    checked = validateProfileSpec(name, context.inline[name], source, 'inline');
  } else {
    const builtin = context.builtins.get(name);
    if (!builtin) throw unknownProfile(name, context);
    source = builtin.source;
    checked = builtin.spec;
  }
  const flat = flatten(name, checked, source, context, [name]);
  const root = { name, source };
  const platform = flat.platform;
  const python = flat.python;
  if (!platform || !python) {
    throw profileError(name, source, [], `needs ${!platform ? '"platform"' : '"python"'} (or "extends")`, 'Give platform and python, e.g. { platform: linux-x86_64, python: "3.11" }, or extend a built-in profile.');
  }
  if (flat.glibc && !isLinux(platform.value)) throw mismatch(flat.glibc, 'glibc', `"glibc" only applies to linux platforms, not ${platform.value}`, 'Remove glibc.');
  if (flat.musl && !isLinux(platform.value)) throw mismatch(flat.musl, 'musl', `"musl" only applies to linux platforms, not ${platform.value}`, 'Remove musl.');
  if (flat.macos && !isMacos(platform.value)) throw mismatch(flat.macos, 'macos', `"macos" only applies to macos platforms, not ${platform.value}`, 'Remove macos.');
  if (flat.glibc && flat.musl) throw mismatch(flat.musl, 'musl', '"glibc" and "musl" are alternatives; give one', 'Use musl for Alpine-like targets, glibc otherwise.');
  if (flat.macos && isMacos(platform.value) && platform.value === 'macos-arm64' && Number(flat.macos.value.split('.')[0]) < 11) {
    throw mismatch(flat.macos, 'macos', `macos ${JSON.stringify(flat.macos.value)} predates Apple Silicon (macOS 11.0)`, 'Use macos: "11.0" or later for macos-arm64.');
  }
  const baseName = builtinProfileName(platform.value, python.value);
  const base = context.builtins.get(baseName);
  if (!base) {
    throw profileError(root.name, root.source, [], `no built-in marker values for ${platform.value} with Python ${python.value} (expected a built-in profile ${JSON.stringify(baseName)})`, 'Use a supported platform and Python version.');
  }
  const markers: MarkerEnvironment = { ...base.spec.markers, ...flat.markers };
  const params = {
    platform: platform.value,
    python: python.value,
    ...(isLinux(platform.value) && !flat.musl ? { glibc: flat.glibc?.value ?? DEFAULT_GLIBC } : {}),
    ...(flat.musl ? { musl: flat.musl.value } : {}),
    ...(isMacos(platform.value) ? { macos: flat.macos?.value ?? DEFAULT_MACOS[platform.value] } : {}),
  };
  return { name, implementation: 'cpython', ...params, markers, tags: targetTags(params) };
}
