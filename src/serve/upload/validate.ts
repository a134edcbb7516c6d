/**
 * Checks an upload against the legacy upload API (the form twine posts,
 * https://docs.pypi.org/api/upload/ and Warehouse's `forklift`), and the file
 * against the form:
 *
 * - `:action` is `file_upload` and `protocol_version` is `1`;
 * - the filename is a plain wheel or sdist filename (no path: `../x.whl`,
 *   `/abs.whl`, `a\b.whl`, NUL or other control characters are refused before
 *   any parsing) whose name and version are the form's `name` and `version`
 *   (PEP 503 / PEP 440 normalized) and whose kind is the form's `filetype`;
 * - the digests the client sent match the bytes received. Digests are
 *   optional (a browser form may send none), but a client that sends any
 *   must send `sha256_digest`, the one the index publishes. `md5_digest` is
 *   checked too; `blake2_256_digest` is accepted unchecked, because Node's
 *   OpenSSL offers BLAKE2b only with a 512-bit output;
 * - the archive is a readable wheel/sdist whose core metadata (METADATA,
 *   PKG-INFO) names the same project and version.
 */
import { readSdistPkgInfo } from '../../archive/sdist.js';
import { readWheelMetadata } from '../../archive/wheel-metadata.js';
import { withFileSource } from '../../archive/zip-reader.js';
import { isPyindexError } from '../../errors/index.js';
import { parseCoreMetadata, type CoreMetadata } from '../../pep/metadata.js';
import { canonicalizeName } from '../../pep/names.js';
import { Version } from '../../pep/version.js';
import { parseDistFilename, type DistFilename } from '../tree/index.js';
import { httpError, type UploadForm, type UploadedFile } from './form.js';

export interface ValidUpload {
  file: UploadedFile;
  dist: DistFilename;
  /** The form's `name` as sent (display name). */
  name: string;
  version: string;
}

const bad = (message: string, hint?: string) => httpError('E_UPLOAD_INVALID', 400, message, hint);

/** The single value of a field; 400 when it is missing (and `required`) or sent twice. */
function single(form: UploadForm, field: string, required: true): string;
function single(form: UploadForm, field: string, required: false): string | undefined;
function single(form: UploadForm, field: string, required: boolean): string | undefined {
  const values = form.fields.get(field);
  if (values === undefined || values.length === 0) {
    if (required) throw bad(`the form field ${JSON.stringify(field)} is missing`, 'Upload with twine, which sends every field of the legacy upload API.');
    return undefined;
  }
  if (values.length > 1) throw bad(`the form field ${JSON.stringify(field)} is given ${values.length} times`);
  return values[0];
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Why `filename` cannot be a bare distribution filename (path separators, NUL, controls, a leading dot), or undefined. */
export function unsafeFilenameReason(filename: string): string | undefined {
  if (filename === '') return 'it is empty';
  if (filename.includes('\0')) return 'it contains a NUL byte';
  if (filename.includes('/') || filename.includes('\\')) return 'it contains a path separator (only a bare filename is accepted)';
  if (filename.startsWith('.')) return 'it starts with a dot';
  if (hasControlCharacter(filename)) return 'it contains a control character';
  if (filename.length > 255) return 'it is longer than 255 characters';
  return undefined;
}

const FILETYPES: Record<string, DistFilename['kind']> = { bdist_wheel: 'wheel', sdist: 'sdist' };
/** PyPI accepts new sdists only as .tar.gz (PEP 625) or, for older tools, .zip. */
const SDIST_UPLOAD_EXTENSIONS = ['.tar.gz', '.zip'];

export function validateUploadForm(form: UploadForm): ValidUpload {
  const action = single(form, ':action', true);
  if (action !== 'file_upload') {
    throw bad(`":action" is ${JSON.stringify(action)}; this index only supports "file_upload"`, 'Documentation uploads and project registration are not supported; upload distribution files.');
  }
  const protocol = single(form, 'protocol_version', true);
  if (protocol !== '1') throw bad(`"protocol_version" is ${JSON.stringify(protocol)}; only version 1 of the upload API is supported`);
  const file = form.file;
  if (file === undefined) throw bad('the form has no "content" file part', 'Send the distribution as a file part named "content".');

  const unsafe = unsafeFilenameReason(file.filename);
  if (unsafe !== undefined) throw bad(`refusing the filename ${JSON.stringify(file.filename)}: ${unsafe}`);
  let dist: DistFilename;
  try {
    dist = parseDistFilename(file.filename);
  } catch (err) {
    if (isPyindexError(err)) throw bad(err.message, err.hint);
    throw err;
  }

  const filetype = single(form, 'filetype', true);
  const kind = FILETYPES[filetype];
  if (kind === undefined) throw bad(`"filetype" is ${JSON.stringify(filetype)}; this index accepts bdist_wheel and sdist`);
  if (kind !== dist.kind) throw bad(`"filetype" is ${filetype} but ${JSON.stringify(dist.filename)} is ${dist.kind === 'wheel' ? 'a wheel' : 'an sdist'}`);
  if (kind === 'sdist' && !SDIST_UPLOAD_EXTENSIONS.some((ext) => dist.filename.endsWith(ext))) {
    throw bad(`${JSON.stringify(dist.filename)}: sdists are accepted as ${SDIST_UPLOAD_EXTENSIONS.join(' or ')} only`, 'Build the sdist with a current build tool (python -m build), which writes .tar.gz (PEP 625).');
  }

  const name = single(form, 'name', true);
  if (canonicalizeName(name) !== dist.project) throw bad(`the filename ${JSON.stringify(dist.filename)} is for project ${dist.project}, the form's "name" is ${JSON.stringify(name)}`);
  const versionText = single(form, 'version', true);
  const version = Version.tryParse(versionText);
  if (version === undefined) throw bad(`"version" ${JSON.stringify(versionText)} is not a valid PEP 440 version`);
  if (version.toString() !== dist.version.toString()) {
    throw bad(`the filename ${JSON.stringify(dist.filename)} has version ${dist.version.toString()}, the form's "version" is ${JSON.stringify(versionText)}`);
  }

  checkDigests(form, file);
  return { file, dist, name, version: version.toString() };
}

function checkDigests(form: UploadForm, file: UploadedFile): void {
  const sha256 = single(form, 'sha256_digest', false);
  const md5 = single(form, 'md5_digest', false);
  const blake2 = single(form, 'blake2_256_digest', false);
  if (sha256 === undefined && (md5 !== undefined || blake2 !== undefined)) {
    throw bad('the form sends md5_digest or blake2_256_digest but no sha256_digest; this index requires sha256_digest when digests are sent');
  }
  for (const [field, given, actual, length] of [
    ['sha256_digest', sha256, file.sha256, 64],
    ['md5_digest', md5, file.md5, 32],
  ] as const) {
    if (given === undefined) continue;
    if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(given)) throw bad(`"${field}" ${JSON.stringify(given.slice(0, 80))} is not a hex digest`);
    if (given.toLowerCase() !== actual) {
      throw bad(`${field} mismatch for ${JSON.stringify(file.filename)}: the form says ${given.toLowerCase()}, the ${file.size} bytes received hash to ${actual}`, 'The file was changed or truncated in transit; upload it again.');
    }
  }
  if (blake2 !== undefined && !/^[0-9a-fA-F]{64}$/.test(blake2)) throw bad(`"blake2_256_digest" ${JSON.stringify(blake2.slice(0, 80))} is not a 256-bit hex digest`);
}

export interface ArchiveFacts {
  metadata: CoreMetadata;
  /** METADATA (wheel) or PKG-INFO (sdist) as text. */
  text: string;
}

/** Opens the uploaded archive and checks its core metadata against the filename; 400 on any problem. */
export async function verifyArchive(upload: ValidUpload): Promise<ArchiveFacts> {
  const { dist, file } = upload;
  let text: string | undefined;
  let metadata: CoreMetadata;
  try {
    if (dist.kind === 'wheel') {
      text = (await withFileSource(file.path, (source) => readWheelMetadata({ ...source, name: dist.filename, read: (o, l) => source.read(o, l) }, dist.filename))).text;
    } else {
      text = await readSdistPkgInfo(file.path, dist.filename);
      if (text === undefined) throw bad(`${JSON.stringify(dist.filename)} has no PKG-INFO in its top-level directory; it is not a valid sdist`, 'Build the sdist with a current build tool (python -m build).');
    }
    metadata = parseCoreMetadata(text, `${dist.filename}/${dist.kind === 'wheel' ? 'METADATA' : 'PKG-INFO'}`);
  } catch (err) {
    if (isPyindexError(err) && err.details.httpStatus === undefined) throw bad(`${JSON.stringify(dist.filename)} is not a valid ${dist.kind}: ${err.message}`, err.hint);
    throw err;
  }
  if (metadata.canonicalName !== dist.project || metadata.version.toString() !== dist.version.toString()) {
    throw bad(`the metadata inside ${JSON.stringify(dist.filename)} names ${metadata.name} ${metadata.version.toString()}, not ${dist.project} ${dist.version.toString()}`, 'Rebuild the distribution: its metadata and filename must agree.');
  }
  return { metadata, text };
}

/**
 * The web form (web/upload-page.ts) sends the file alone: the fields twine
 * would send follow from its filename, and whatever the browser did send is
 * kept. A filename that does not parse is left for `validateUploadForm` to
 * refuse with its reason. No digest is filled in: the file arrives in the
 * same request, and the archive check below still compares its metadata
 * with the filename.
 */
export function completeFormFromFilename(form: UploadForm): void {
  const fill = (field: string, value: string): void => {
    if (!form.fields.has(field)) form.fields.set(field, [value]);
  };
  fill(':action', 'file_upload');
  fill('protocol_version', '1');
  const filename = form.file?.filename;
  if (filename === undefined || unsafeFilenameReason(filename) !== undefined) return;
  let dist: DistFilename;
  try {
    dist = parseDistFilename(filename);
  } catch {
    return;
  }
  fill('name', dist.name);
  fill('version', dist.version.toString());
  fill('filetype', dist.kind === 'wheel' ? 'bdist_wheel' : 'sdist');
}
