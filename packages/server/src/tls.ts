/**
 * HTTPS for `--tls-cert` and `--tls-key`: the certificate chain and key are given as file paths or
 * as PEM text, read once at start. The HTTPS server takes the same handler and connection settings
 * as the plain one (server.ts), so clients see one service whichever listener they reach.
 */
import { readFile } from 'node:fs/promises';

export interface TlsMaterial {
  cert: string;
  key: string;
}

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;

/** PEM text as given, or the contents of the file it names. */
async function pemOf(value: string, what: string): Promise<string> {
  if (PEM.test(value)) return value;
  let text: string;
  try {
    text = await readFile(value, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the TLS ${what} ${value}: ${(error as Error).message}`);
  }
  if (!PEM.test(text)) throw new Error(`the TLS ${what} ${value} is not in PEM format`);
  return text;
}

/** The certificate and key, or undefined for plain HTTP; one without the other is an error. */
export async function loadTls(cert: string | undefined, key: string | undefined): Promise<TlsMaterial | undefined> {
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new Error('HTTPS needs both a certificate and a key (--tls-cert and --tls-key)');
  return { cert: await pemOf(cert, 'certificate'), key: await pemOf(key, 'key') };
}
