/**
 * Archive member names we are willing to look at. Wheels and sdists come from
 * an index we do not control, so a name that could escape the directory it is
 * unpacked into (zip-slip, tar "../" members) makes the whole archive unsafe:
 * we refuse it before reading any data rather than skipping the member,
 * because an archive that contains such a name was made with intent.
 */
import { PyindexError } from '../errors/index.js';

/** Why `name` is unsafe as a member path, or `undefined` when it is fine. */
export function unsafeEntryNameReason(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty';
  if (name.includes('\0')) return 'the name contains a NUL byte';
  // A backslash is a separator on Windows; pip unpacks there too, and the zip
  // spec (APPNOTE 4.4.17) requires forward slashes anyway.
  if (name.includes('\\')) return 'the name contains a backslash';
  if (name.startsWith('/')) return 'the name is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'the name starts with a drive letter';
  if (name.split('/').includes('..')) return 'the name contains a ".." path segment';
  return undefined;
}

/**
 * The member path without `./` segments, empty segments or a trailing slash
 * (`./foo-1.0//PKG-INFO` → `foo-1.0/PKG-INFO`); tar files made with
 * `tar -C dir .` name their members that way.
 */
export function normalizeEntryName(name: string): string {
  return name
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/** The one error of this folder: the message names the archive and, when known, the member. */
export function badArchive(archive: string, fact: string, options: { entry?: string; hint?: string; cause?: unknown } = {}): PyindexError {
  const where = options.entry === undefined ? archive : `${archive} (member ${JSON.stringify(options.entry)})`;
  return new PyindexError('E_BAD_ARCHIVE', `${where}: ${fact}`, {
    hint: options.hint ?? 'The file is corrupt or unsafe; delete it from the cache or ask the index owner to replace it.',
    cause: options.cause,
    details: { archive, ...(options.entry === undefined ? {} : { entry: options.entry }) },
  });
}

export function assertSafeEntryName(archive: string, name: string): void {
  const reason = unsafeEntryNameReason(name);
  if (reason !== undefined) {
    throw badArchive(archive, `refusing a member whose path could escape the unpack directory: ${reason}`, {
      entry: name,
      hint: 'Do not install this archive; it may be malicious. Ask the index owner to remove it.',
    });
  }
}
