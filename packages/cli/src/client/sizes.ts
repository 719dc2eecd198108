/** Sizes given on the command line: `8M`, `8MiB`, `1.5G`, `4096` (binary units: 1K = 1024). */
import { InvalidArgumentError } from 'commander';

const FACTORS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) throw new InvalidArgumentError(`not a size: ${JSON.stringify(text)} (like 8M, 1GiB, 4096)`);
  const bytes = Math.round(Number(m[1]) * FACTORS[m[2].toLowerCase()]);
  if (!Number.isSafeInteger(bytes)) throw new InvalidArgumentError(`size out of range: ${text}`);
  return bytes;
}

export function parseCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new InvalidArgumentError('not a count from 1 to 1024');
  return n;
}
