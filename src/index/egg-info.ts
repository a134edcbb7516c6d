/**
 * `.egg-info` → core metadata, as pip did for years with `setup.py egg_info`
 * and as wheel's `pkginfo_to_metadata` does: PKG-INFO carries the fields but
 * not the requirements, which setuptools writes to `requires.txt` in sections
 * `[extra]`, `[extra:marker]` and `[:marker]`.
 *
 * Needed because setuptools < 70.1's `prepare_metadata_for_build_wheel` runs
 * `bdist_wheel` (from the separate `wheel` package) after writing the
 * egg-info; on interpreters without `wheel` the hook fails after the metadata
 * already exists, and converting it is exactly what a newer setuptools does.
 */

interface Section {
  extra: string;
  marker: string;
  requirements: string[];
}

export function parseRequiresTxt(text: string): Section[] {
  const sections: Section[] = [{ extra: '', marker: '', requirements: [] }];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      const inner = header[1] ?? '';
      const colon = inner.indexOf(':');
      sections.push(
        colon < 0 ? { extra: inner.trim(), marker: '', requirements: [] } : { extra: inner.slice(0, colon).trim(), marker: inner.slice(colon + 1).trim(), requirements: [] },
      );
      continue;
    }
    sections[sections.length - 1]!.requirements.push(line);
  }
  return sections;
}

function requiresDist(section: Section, requirement: string): string {
  const clauses: string[] = [];
  if (section.marker) clauses.push(section.extra ? `(${section.marker})` : section.marker);
  if (section.extra) clauses.push(`extra == "${section.extra}"`);
  return clauses.length ? `${requirement}; ${clauses.join(' and ')}` : requirement;
}

/** PKG-INFO + requires.txt → METADATA text with Requires-Dist and Provides-Extra. */
export function eggInfoToMetadata(pkgInfo: string, requiresTxt: string | undefined): string {
  const normalized = pkgInfo.replace(/\r\n/g, '\n');
  const split = normalized.indexOf('\n\n');
  const headerText = split < 0 ? normalized : normalized.slice(0, split);
  const body = split < 0 ? '' : normalized.slice(split + 2);
  // Drop continuation-aware: a header line and its indented continuation lines go together.
  const kept: string[] = [];
  let dropping = false;
  for (const line of headerText.split('\n')) {
    if (/^[ \t]/.test(line)) {
      if (!dropping) kept.push(line);
      continue;
    }
    dropping = /^(requires-dist|provides-extra)\s*:/i.test(line);
    if (!dropping && line !== '') kept.push(line);
  }
  const sections = requiresTxt === undefined ? [] : parseRequiresTxt(requiresTxt);
  const extras: string[] = [];
  for (const s of sections) if (s.extra && !extras.includes(s.extra)) extras.push(s.extra);
  for (const s of sections) for (const r of s.requirements) kept.push(`Requires-Dist: ${requiresDist(s, r)}`);
  for (const e of extras) kept.push(`Provides-Extra: ${e}`);
  return `${kept.join('\n')}\n\n${body}`;
}
