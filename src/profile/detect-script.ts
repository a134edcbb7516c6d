/**
 * The introspection script `detectProfile` runs inside the target Python. It
 * must run unchanged on Python 2.7 and every 3.x, so: no f-strings, no
 * `print(..., end=)`, only stdlib. It prints ONE JSON object of raw facts;
 * every decision (ABI flags, platform tags, ordering) is made in TypeScript
 * from these facts (src/pep/tags-generators.ts), the same way
 * `packaging.tags.sys_tags()` makes it from the live interpreter.
 */
export const DETECT_SCRIPT = String.raw`
import sys
# -c puts the current directory first on sys.path; a stray platform.py there must not shadow the stdlib.
sys.path = [p for p in sys.path if p not in ('', '.')]
import json, os, platform, struct, subprocess, sysconfig

def config_var(name):
    v = sysconfig.get_config_var(name)
    if v is None or isinstance(v, (int, float)):
        return v
    return str(v)

def extension_suffixes():
    try:
        from importlib.machinery import EXTENSION_SUFFIXES
        return list(EXTENSION_SUFFIXES)
    except ImportError:
        import imp
        return [s[0] for s in imp.get_suffixes()]

def glibc_version():
    # packaging._manylinux._glibc_version_string: confstr first, then ctypes.
    try:
        s = os.confstr('CS_GNU_LIBC_VERSION')
        parts = s.split() if s else []
        if len(parts) == 2:
            return parts[1]
    except (AttributeError, OSError, ValueError):
        pass
    try:
        import ctypes
        f = ctypes.CDLL(None).gnu_get_libc_version
        f.restype = ctypes.c_char_p
        v = f()
        if not isinstance(v, str):
            v = v.decode('ascii')
        return v
    except Exception:
        return None

def read_elf(path):
    # The ELF header fields packaging's _manylinux/_musllinux look at, plus PT_INTERP.
    try:
        f = open(path, 'rb')
    except (IOError, OSError):
        return None
    try:
        ident = f.read(16)
        if len(ident) < 16 or ident[:4] != b'\x7fELF':
            return None
        cls = bytearray(ident)[4]
        data = bytearray(ident)[5]
        if cls not in (1, 2) or data not in (1, 2):
            return None
        e = '<' if data == 1 else '>'
        if cls == 1:
            fmt = e + 'HHIIIIIHHHHHH'
        else:
            fmt = e + 'HHIQQQIHHHHHH'
        raw = f.read(struct.calcsize(fmt))
        (_t, machine, _v, _entry, phoff, _shoff, flags, _eh, phentsize, phnum, _a, _b, _c) = struct.unpack(fmt, raw)
        interp = None
        phfmt = e + ('IIIIIIII' if cls == 1 else 'IIQQQQQQ')
        for i in range(phnum):
            f.seek(phoff + phentsize * i)
            ph = struct.unpack(phfmt, f.read(struct.calcsize(phfmt)))
            if ph[0] == 3:  # PT_INTERP
                offset, filesz = (ph[1], ph[4]) if cls == 1 else (ph[2], ph[5])
                f.seek(offset)
                interp = f.read(filesz).split(b'\x00')[0].decode('ascii', 'replace')
        return {'bits': 32 if cls == 1 else 64, 'littleEndian': data == 1, 'machine': machine, 'flags': flags, 'interpreter': interp}
    except (IOError, OSError, struct.error, ValueError):
        return None
    finally:
        f.close()

def musl_version(elf):
    # packaging._musllinux._get_musl_version: run the musl loader, read "Version X.Y".
    ld = elf and elf.get('interpreter')
    if not ld or 'musl' not in ld:
        return None
    try:
        p = subprocess.Popen([ld], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        err = p.communicate()[1].decode('utf-8', 'replace')
    except (IOError, OSError):
        return None
    lines = [l.strip() for l in err.splitlines() if l.strip()]
    if len(lines) < 2 or lines[0][:4] != 'musl' or not lines[1].startswith('Version '):
        return None
    return lines[1][len('Version '):]

def mac_version():
    release, _, machine = platform.mac_ver()
    if release.split('.')[:2] == ['10', '16']:
        # Built against an old SDK, Python reports 10.16 for any macOS 11+ (packaging does the same dance).
        env = dict(os.environ)
        env['SYSTEM_VERSION_COMPAT'] = '0'
        out = subprocess.Popen([sys.executable, '-sS', '-c', 'import platform; print(platform.mac_ver()[0])'],
                               stdout=subprocess.PIPE, env=env).communicate()[0]
        release = out.decode('ascii').strip()
    return {'version': release, 'machine': machine}

def full_version(info):
    v = '%d.%d.%d' % (info[0], info[1], info[2])
    if info[3] != 'final':
        v += info[3][0] + str(info[4])
    return v

def markers():
    # PEP 508 / packaging.markers.default_environment().
    if hasattr(sys, 'implementation'):
        iname, iver = sys.implementation.name, full_version(sys.implementation.version)
    else:
        iname, iver = '', '0'
    return {
        'implementation_name': iname,
        'implementation_version': iver,
        'os_name': os.name,
        'platform_machine': platform.machine(),
        'platform_release': platform.release(),
        'platform_system': platform.system(),
        'platform_version': platform.version(),
        'python_full_version': platform.python_version(),
        'platform_python_implementation': platform.python_implementation(),
        'python_version': '.'.join(platform.python_version_tuple()[:2]),
        'sys_platform': sys.platform,
    }

def has_manylinux_module():
    try:
        import _manylinux
        return True
    except ImportError:
        return False

system = platform.system()
elf = read_elf(sys.executable) if system == 'Linux' else None
impl = sys.implementation.name if hasattr(sys, 'implementation') else platform.python_implementation().lower()
facts = {
    'executable': sys.executable,
    'version': list(sys.version_info[:3]),
    'implementation': impl,
    'config': dict((n, config_var(n)) for n in ('Py_DEBUG', 'Py_GIL_DISABLED', 'WITH_PYMALLOC', 'Py_UNICODE_SIZE', 'EXT_SUFFIX', 'SOABI', 'py_version_nodot')),
    'hasGettotalrefcount': hasattr(sys, 'gettotalrefcount'),
    'extensionSuffixes': extension_suffixes(),
    'maxunicode': sys.maxunicode,
    'is32bit': struct.calcsize('P') == 4,
    'system': system,
    'sysconfigPlatform': sysconfig.get_platform(),
    'glibc': glibc_version() if system == 'Linux' else None,
    'musl': musl_version(elf),
    'elf': elf,
    'manylinuxModule': has_manylinux_module() if system == 'Linux' else False,
    'mac': mac_version() if system == 'Darwin' else None,
    'markers': markers(),
}
sys.stdout.write(json.dumps(facts))
`;
