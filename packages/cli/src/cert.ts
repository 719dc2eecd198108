/**
 * `cosbox cert --out DIR [--domain D]... [--region R]...`: a local certificate authority and a
 * server certificate it signs, for serving HTTPS on a development machine (the way mkcert does).
 *
 * A certificate's wildcard covers one label, so `<bucket>-<appid>.cos.<region>.<domain>` needs one
 * name per region: `*.cos.<region>.<domain>` for every `--region` (default: the common COS
 * regions), besides `*.<domain>` (the `--domain` bucket form), `<domain>`, `localhost`,
 * `127.0.0.1` and `::1`. `localhost` is always one of the domains. The CA in DIR is kept when it
 * is there already, so that a new certificate (other domains) needs no new trust.
 *
 * Keys come from node:crypto; node-forge writes and signs the X.509 certificates (node:crypto
 * cannot sign one). Private keys are written readable by their owner only.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import forge from 'node-forge';

/** The regions of the official SDKs' examples and COS's main sites: one name each per domain. */
export const DEFAULT_REGIONS = [
  'ap-guangzhou',
  'ap-shanghai',
  'ap-beijing',
  'ap-nanjing',
  'ap-chengdu',
  'ap-chongqing',
  'ap-hongkong',
  'ap-singapore',
  'ap-jakarta',
  'ap-seoul',
  'ap-bangkok',
  'ap-tokyo',
  'na-siliconvalley',
  'na-ashburn',
  'sa-saopaulo',
  'eu-frankfurt',
];

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';
export const CERT_FILE = 'cert.pem';
export const KEY_FILE = 'key.pem';

const CA_YEARS = 10;
/** The longest validity browsers accept for a server certificate. */
const LEAF_DAYS = 825;

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const REGION = /^[a-z][a-z0-9-]{1,40}$/;

export interface CertOptions {
  outDir: string;
  domains?: readonly string[];
  regions?: readonly string[];
  /** The moment the certificates start; default now. */
  now?: Date;
}

export interface CertResult {
  caCertPath: string;
  caKeyPath: string;
  certPath: string;
  keyPath: string;
  /** Whether the CA was made now (false: the one in the directory was kept). */
  newCa: boolean;
  /** The certificate's DNS names and IP addresses. */
  names: string[];
}

/** The names the server certificate covers, in the order they are listed in it. */
export function certificateNames(domains: readonly string[] = [], regions: readonly string[] = DEFAULT_REGIONS): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  for (const raw of ['localhost', ...domains]) {
    const domain = raw.trim().toLowerCase().replace(/\.$/, '');
    if (!DOMAIN.test(domain) || isIP(domain) !== 0) throw new Error(`not a domain name: ${JSON.stringify(raw.slice(0, 100))}`);
    names.add(domain);
    names.add(`*.${domain}`);
    for (const region of regions) {
      if (!REGION.test(region)) throw new Error(`not a region name: ${JSON.stringify(region.slice(0, 100))}`);
      names.add(`*.cos.${region}.${domain}`);
    }
  }
  return [...names];
}

function newKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), pem };
}

/** A positive serial of 16 random bytes (RFC 5280 wants at most 20, and unpredictable). */
function serialNumber(): string {
  return '01' + randomBytes(15).toString('hex');
}

function makeCa(now: Date) {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = now;
  cert.validity.notAfter = new Date(now.getTime());
  cert.validity.notAfter.setUTCFullYear(now.getUTCFullYear() + CA_YEARS);
  const subject = [
    { name: 'organizationName', value: 'cosbox development CA' },
    { name: 'commonName', value: `cosbox local CA ${randomBytes(4).toString('hex')}` },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert, key: keys.privateKey, keyPem: keys.pem };
}

function makeLeaf(ca: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }, names: readonly string[], now: Date) {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = now;
  cert.validity.notAfter = new Date(now.getTime() + LEAF_DAYS * 86_400_000);
  cert.setSubject([
    { name: 'organizationName', value: 'cosbox development certificate' },
    { name: 'commonName', value: names[0]! },
  ]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.pem };
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A private key: created for its owner only, and narrowed again in case the file was there before. */
async function writePrivate(path: string, pem: string): Promise<void> {
  await writeFile(path, pem, { mode: 0o600 });
  await chmod(path, 0o600);
}

/** The CA in `outDir` (made when absent) and a new server certificate for `names`. */
export async function makeCertificates(options: CertOptions): Promise<CertResult> {
  const names = certificateNames(options.domains, options.regions);
  const now = options.now ?? new Date();
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  const paths = { caCertPath: join(outDir, CA_CERT_FILE), caKeyPath: join(outDir, CA_KEY_FILE), certPath: join(outDir, CERT_FILE), keyPath: join(outDir, KEY_FILE) };

  const [caCertPem, caKeyPem] = await Promise.all([readIfThere(paths.caCertPath), readIfThere(paths.caKeyPath)]);
  if ((caCertPem === undefined) !== (caKeyPem === undefined)) {
    throw new Error(`${outDir} has only one of ${CA_CERT_FILE} and ${CA_KEY_FILE}: remove it, or put back the other`);
  }
  let ca: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
  const newCa = caCertPem === undefined;
  if (caCertPem !== undefined && caKeyPem !== undefined) {
    ca = { cert: forge.pki.certificateFromPem(caCertPem), key: forge.pki.privateKeyFromPem(caKeyPem) as forge.pki.rsa.PrivateKey };
  } else {
    const made = makeCa(now);
    await writePrivate(paths.caKeyPath, made.keyPem);
    await writeFile(paths.caCertPath, forge.pki.certificateToPem(made.cert));
    ca = made;
  }
  const leaf = makeLeaf(ca, names, now);
  await writePrivate(paths.keyPath, leaf.keyPem);
  await writeFile(paths.certPath, leaf.certPem);
  return { ...paths, newCa, names };
}

/** What to do next: serve, and trust the CA where the clients look. */
export function trustInstructions(r: CertResult): string {
  const ca = r.caCertPath;
  return [
    `cosbox cert: ${r.certPath} and ${r.keyPath}, for`,
    ...wrap(r.names, 4, 100),
    `signed by the local CA ${ca} (${r.newCa ? 'new' : 'kept from before'})`,
    '',
    'Serve HTTPS:',
    `  cosbox serve --tls-cert ${r.certPath} --tls-key ${r.keyPath}`,
    '',
    'Trust the CA:',
    `  Node.js (the cos-nodejs-sdk-v5, the cosbox CLI):  export NODE_EXTRA_CA_CERTS=${ca}`,
    `  Python (cos-python-sdk-v5, requests):            export REQUESTS_CA_BUNDLE=${ca}`,
    `  Debian, Ubuntu:  sudo cp ${ca} /usr/local/share/ca-certificates/cosbox-ca.crt && sudo update-ca-certificates`,
    `  Fedora, RHEL:    sudo cp ${ca} /etc/pki/ca-trust/source/anchors/cosbox-ca.pem && sudo update-ca-trust`,
    `  macOS:           sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${ca}`,
    `  Windows:         certutil -addstore -f ROOT ${ca}`,
    `  Chrome, Firefox on Linux (their own NSS store):  certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n cosbox -i ${ca}`,
    '',
    `Keep ${r.caKeyPath} private: whoever has it can make certificates that a machine trusting the CA accepts.`,
    '',
  ].join('\n');
}

function wrap(items: readonly string[], indent: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    if (line && indent + line.length + item.length + 2 > width) {
      lines.push(' '.repeat(indent) + line + ',');
      line = '';
    }
    line += (line ? ', ' : '') + item;
  }
  if (line) lines.push(' '.repeat(indent) + line);
  return lines;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function certCommand(program: Command): void {
  program
    .command('cert')
    .description('make a local CA and a server certificate for HTTPS (localhost, 127.0.0.1, *.cos.<region>.<domain>, *.<domain>)')
    .requiredOption('--out <dir>', 'directory for ca.pem, ca-key.pem, cert.pem and key.pem (an existing CA there is kept)')
    .option('--domain <domain>', 'a domain to cover besides localhost (repeatable)', collect)
    .option('--region <region>', `a region to cover as *.cos.<region>.<domain> (repeatable; default: ${DEFAULT_REGIONS.length} common regions)`, collect)
    .action(async (o: { out: string; domain?: string[]; region?: string[] }) => {
      try {
        const result = await makeCertificates({ outDir: o.out, domains: o.domain, regions: o.region });
        process.stdout.write(trustInstructions(result));
      } catch (error) {
        process.stderr.write(`cosbox cert: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      }
    });
}
