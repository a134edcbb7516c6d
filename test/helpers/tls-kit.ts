/**
 * Certificates for HTTPS tests, made by the openssl command at test time
 * (fixtures built by code, none checked in): a private CA, as a company's
 * internal index would use, and server certificates for 127.0.0.1 — one the
 * CA signs, one it signs for another host name, one self-signed. EC P-256
 * keys: generated in milliseconds, where RSA takes a noticeable while.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyPair {
  key: string;
  cert: string;
}

export interface TestPki {
  /** The CA certificate's PEM file (what NODE_EXTRA_CA_CERTS names). */
  caFile: string;
  /** Signed by the CA, subjectAltName IP:127.0.0.1. */
  server: KeyPair;
  /** Signed by the CA for DNS:index.example.invalid only. */
  otherName: KeyPair;
  /** Self-signed, subjectAltName IP:127.0.0.1. */
  selfSigned: KeyPair;
}

/** Why HTTPS tests cannot run here, or undefined when openssl is available. */
export function opensslMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'the openssl command is not installed (apt-get install openssl)';
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function signed(dir: string, name: string, altName: string): KeyPair {
  openssl(dir, ['req', '-new', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${altName}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(Date.now()), '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  return { key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert: readFileSync(join(dir, `${name}.pem`), 'utf8') };
}

export function makeTestPki(dir: string): TestPki {
  openssl(dir, ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=pyindex test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(dir, ['req', '-x509', ...EC, '-keyout', 'self.key', '-out', 'self.pem', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  return {
    caFile: join(dir, 'ca.pem'),
    server: signed(dir, 'server', 'IP:127.0.0.1'),
    otherName: signed(dir, 'other', 'DNS:index.example.invalid'),
    selfSigned: { key: readFileSync(join(dir, 'self.key'), 'utf8'), cert: readFileSync(join(dir, 'self.pem'), 'utf8') },
  };
}
