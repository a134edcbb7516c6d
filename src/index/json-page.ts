/**
 * PEP 691 JSON pages (https://peps.python.org/pep-0691/), validated against
 * schemas/pep691-*.schema.json with ajv before use, so a malformed page is
 * reported as such (with the JSON pointer of what is wrong) instead of
 * surfacing later as an undefined field deep inside the resolver.
 */
import type { ValidateFunction } from 'ajv';
import { schemaValidator } from '../util/schema-error.js';
import { canonicalizeName } from '../pep/names.js';
import { checkApiVersion, checkHash, invalidPage, linkResolver } from './file-entry.js';
import { fileKind, type IndexFile, type ProjectPage } from './types.js';

type Hashes = Record<string, string>;

interface JsonFile {
  filename: string;
  url: string;
  hashes: Hashes;
  'requires-python'?: string | null;
  'core-metadata'?: boolean | Hashes;
  'dist-info-metadata'?: boolean | Hashes;
  yanked?: boolean | string;
  size?: number;
  'upload-time'?: string;
}

interface JsonProjectPage {
  meta: { 'api-version': string; '_last-serial'?: number };
  name: string;
  versions?: string[];
  files: JsonFile[];
}

interface JsonRootPage {
  meta: { 'api-version': string };
  projects: { name: string }[];
}

let validators: { project: ValidateFunction<JsonProjectPage>; root: ValidateFunction<JsonRootPage> } | undefined;

function getValidators() {
  validators ??= {
    project: schemaValidator<JsonProjectPage>('pep691-project.schema.json'),
    root: schemaValidator<JsonRootPage>('pep691-root.schema.json'),
  };
  return validators;
}

function parseJson(text: string, pageUrl: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidPage(pageUrl, `body is not JSON (${(err as Error).message})`);
  }
}

/** Version check before the schema: a 2.0 page may well not look like 1.x at all. */
function preflightVersion(data: unknown, pageUrl: string): void {
  if (typeof data !== 'object' || data === null) return;
  const meta = (data as { meta?: unknown }).meta;
  if (typeof meta !== 'object' || meta === null) return;
  const version = (meta as Record<string, unknown>)['api-version'];
  if (typeof version === 'string') checkApiVersion(pageUrl, version);
}

function schemaErrors(validate: ValidateFunction, limit = 5): string {
  const errors = validate.errors ?? [];
  const shown = errors.slice(0, limit).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
  return shown.join('; ') + (errors.length > limit ? `; and ${errors.length - limit} more` : '');
}

function metadataFlag(value: boolean | Hashes | undefined, pageUrl: string, filename: string): IndexFile['coreMetadata'] {
  if (value === undefined || value === false) return false;
  if (value === true) return true;
  const sha256 = value.sha256;
  return sha256 === undefined ? {} : { sha256: checkHash(pageUrl, 'sha256', sha256, `${filename}.metadata`) };
}

/** A PEP 691 project detail page → ProjectPage; `pageUrl` is the final URL (after redirects). */
export function parseJsonProjectPage(text: string, pageUrl: string, lastSerialHeader?: number): ProjectPage {
  const data = parseJson(text, pageUrl);
  preflightVersion(data, pageUrl);
  const { project } = getValidators();
  if (!project(data)) {
    throw invalidPage(pageUrl, `not a valid PEP 691 project page: ${schemaErrors(project)}`, { errors: project.errors });
  }
  const resolveUrl = linkResolver(pageUrl);
  const files: IndexFile[] = data.files.map((f) => {
    let url: string;
    try {
      const resolved = resolveUrl(f.url);
      if (typeof resolved === 'string') {
        url = resolved;
      } else {
        resolved.hash = '';
        url = resolved.href;
      }
    } catch {
      throw invalidPage(pageUrl, `${f.filename}: url ${JSON.stringify(f.url)} is not a valid URL`);
    }
    const hashes: Hashes = {};
    for (const [name, value] of Object.entries(f.hashes)) hashes[name.toLowerCase()] = checkHash(pageUrl, name.toLowerCase(), value, f.filename);
    const entry: IndexFile = {
      filename: f.filename,
      url,
      hashes,
      requiresPython: f['requires-python']?.trim() || undefined,
      // PEP 691: a (non-empty) string is the reason and means yanked.
      yanked: f.yanked === undefined || f.yanked === false ? false : f.yanked === true || f.yanked === '' ? true : f.yanked,
      // PEP 714: `core-metadata` wins; `dist-info-metadata` is the pre-714 key.
      coreMetadata: metadataFlag(f['core-metadata'] ?? f['dist-info-metadata'], pageUrl, f.filename),
      kind: fileKind(f.filename),
    };
    if (f.size !== undefined) entry.size = f.size;
    if (f['upload-time'] !== undefined) entry.uploadTime = f['upload-time'];
    return entry;
  });
  const page: ProjectPage = { name: canonicalizeName(data.name), files, meta: { apiVersion: data.meta['api-version'] } };
  if (data.versions) page.versions = data.versions;
  const serial = data.meta['_last-serial'] ?? lastSerialHeader;
  if (serial !== undefined) page.meta.lastSerial = serial;
  return page;
}

/** A PEP 691 root page → project names. */
export function parseJsonRootPage(text: string, pageUrl: string): string[] {
  const data = parseJson(text, pageUrl);
  preflightVersion(data, pageUrl);
  const { root } = getValidators();
  if (!root(data)) throw invalidPage(pageUrl, `not a valid PEP 691 root page: ${schemaErrors(root)}`, { errors: root.errors });
  return data.projects.map((p) => p.name);
}
