/**
 * Unpacking an sdist to disk so a build backend can run on it (PEP 517).
 *
 * The archive is untrusted, so this follows the rules of Python's
 * `tarfile.data_filter` (PEP 706), which pip applies when it unpacks sdists:
 * no member may land outside `destDir` — not by its name (`../`, absolute,
 * drive letters, backslashes), not through a symlink it or an earlier member
 * created, not through a hard link — and device files and FIFOs are refused.
 * Symlinks are kept only when relative and resolving inside `destDir`; hard
 * links become copies. Permissions keep the owner-exec bit and drop
 * set-uid/set-gid/sticky and group/other write, as data_filter does.
 */
import { createWriteStream } from 'node:fs';
import { copyFile, lstat, mkdir, realpath, symlink, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { assertSafeEntryName, badArchive, normalizeEntryName } from './entry-name.js';
import { sdistFormat, unsupportedFormat } from './archive-format.js';
import { tarMembers, type TarLimits } from './tar-reader.js';
import { fileSource, openZip, readZipEntry } from './zip-reader.js';
import { stream, streamPromises } from '../util/lazy-builtins.js';

export interface ExtractOptions extends TarLimits {
  /** Largest single member. Default 1 GiB. */
  maxEntrySize?: number;
}

export interface ExtractResult {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Safe writer shared by the tar and zip paths. */
class SafeTree {
  readonly result: ExtractResult = { files: 0, directories: 0, symlinks: 0, bytes: 0 };
  constructor(
    private readonly root: string,
    private readonly archive: string,
  ) {}

  /** The on-disk path for a member, after checking that its real parent lies inside the root. */
  private async target(name: string, forDir = false): Promise<string | undefined> {
    assertSafeEntryName(this.archive, name);
    const rel = normalizeEntryName(name);
    if (rel === '') return undefined;
    const target = join(this.root, rel);
    const parent = forDir ? target : dirname(target);
    await mkdir(parent, { recursive: true });
    // A symlink extracted earlier could redirect this member; the real path decides.
    const real = await realpath(parent);
    if (!inside(this.root, real)) throw badArchive(this.archive, 'the member would be written outside the unpack directory through a symlink', { entry: name });
    return target;
  }

  private async clear(target: string): Promise<void> {
    const st = await lstat(target).catch(() => undefined);
    if (st && !st.isDirectory()) await unlink(target);
  }

  async directory(name: string): Promise<void> {
    if ((await this.target(name, true)) !== undefined) this.result.directories++;
  }

  async file(name: string, data: AsyncIterable<Buffer> | Buffer, mode: number): Promise<void> {
    const target = await this.target(name);
    if (target === undefined) return;
    await this.clear(target);
    // 'wx': never follow a link that might sit at the target path.
    const out = createWriteStream(target, { flags: 'wx', mode: (mode & 0o755) | 0o644 });
    let bytes = 0;
    const counted = stream().Readable.from(
      (async function* () {
        if (Buffer.isBuffer(data)) {
          bytes += data.length;
          yield data;
          return;
        }
        for await (const chunk of data) {
          bytes += chunk.length;
          yield chunk;
        }
      })(),
    );
    await streamPromises().pipeline(counted, out);
    this.result.files++;
    this.result.bytes += bytes;
  }

  async symlink(name: string, linkname: string): Promise<void> {
    const target = await this.target(name);
    if (target === undefined) return;
    if (linkname === '' || isAbsolute(linkname) || linkname.includes('\0') || /^[A-Za-z]:/.test(linkname) || linkname.includes('\\')) {
      throw badArchive(this.archive, `refusing a symlink to ${JSON.stringify(linkname)} (absolute or malformed)`, { entry: name });
    }
    if (!inside(this.root, resolve(dirname(target), linkname))) {
      throw badArchive(this.archive, `refusing a symlink to ${JSON.stringify(linkname)}, which points outside the unpack directory`, { entry: name });
    }
    await this.clear(target);
    await symlink(linkname, target);
    this.result.symlinks++;
  }

  async hardlink(name: string, linkname: string): Promise<void> {
    assertSafeEntryName(this.archive, linkname);
    const source = join(this.root, normalizeEntryName(linkname));
    const real = await realpath(source).catch(() => undefined);
    const st = real === undefined ? undefined : await lstat(real);
    if (real === undefined || !inside(this.root, real) || !st?.isFile()) {
      throw badArchive(this.archive, `refusing a hard link to ${JSON.stringify(linkname)}, which is not a file extracted earlier inside the unpack directory`, { entry: name });
    }
    const target = await this.target(name);
    if (target === undefined) return;
    await this.clear(target);
    await copyFile(real, target);
    this.result.files++;
    this.result.bytes += st.size;
  }
}

/** Unpacks a .tar.gz / .tar / .zip sdist into `destDir` (created if missing). */
export async function extractSdist(path: string, destDir: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const archive = path;
  const maxEntrySize = options.maxEntrySize ?? 1024 ** 3;
  await mkdir(destDir, { recursive: true });
  const tree = new SafeTree(await realpath(destDir), archive);
  const format = await sdistFormat(path);

  if (format === 'zip') {
    const file = await fileSource(path);
    try {
      const zip = await openZip({ size: file.size, name: archive, read: (o, l) => file.read(o, l) }, options);
      for (const entry of zip.entries) {
        if (entry.isDirectory) {
          await tree.directory(entry.name);
          continue;
        }
        const data = await readZipEntry(zip, entry, { maxSize: maxEntrySize });
        if (entry.isSymlink) await tree.symlink(entry.name, data.toString('utf8'));
        else await tree.file(entry.name, data, entry.mode || 0o644);
      }
    } finally {
      await file.close();
    }
    return tree.result;
  }
  if (format !== 'gzip' && format !== 'tar') throw unsupportedFormat(archive, format);

  for await (const { header, stream } of tarMembers(path, archive, format === 'gzip', options)) {
    switch (header.type ?? 'file') {
      case 'directory':
        await tree.directory(header.name);
        break;
      case 'file':
      case 'contiguous-file':
        if ((header.size ?? 0) > maxEntrySize) throw badArchive(archive, `declares ${header.size} bytes, more than the limit of ${maxEntrySize}`, { entry: header.name });
        await tree.file(header.name, stream, header.mode ?? 0o644);
        break;
      case 'symlink':
        await tree.symlink(header.name, header.linkname ?? '');
        break;
      case 'link':
        await tree.hardlink(header.name, header.linkname ?? '');
        break;
      case 'character-device':
      case 'block-device':
      case 'fifo':
        throw badArchive(archive, `refusing a ${header.type} member (sdists contain only files, directories and links)`, { entry: header.name });
      default:
        // pax/GNU extension headers are folded into the next member by tar-stream.
        break;
    }
  }
  return tree.result;
}

