/**
 * How the client commands fail: a usage error exits 2, anything that failed on the way exits 1,
 * and a COS error is described with its code, status and request id.
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** Bad arguments, options or configuration: nothing was attempted. */
export class UsageError extends Error {}

/** Some of the work failed; the failures were reported as they happened. */
export class PartialFailure extends Error {}

interface CosLikeError {
  code?: string;
  message?: string;
  statusCode?: number;
  RequestId?: string;
  error?: { Code?: string; Message?: string; RequestId?: string };
  headers?: Record<string, string>;
}

/** The fields of a failure that `--json` reports and tests read. */
export interface FailureInfo {
  message: string;
  code?: string;
  statusCode?: number;
  requestId?: string;
}

export function failureInfo(error: unknown): FailureInfo {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) return { message: String(error) };
  const e = error as CosLikeError;
  const requestId = e.RequestId ?? e.error?.RequestId ?? e.headers?.['x-cos-request-id'];
  const code = e.error?.Code ?? e.code;
  const message = e.error?.Message ?? e.message ?? String(error);
  const info: FailureInfo = { message };
  if (code !== undefined && code !== '' && code !== message) info.code = String(code);
  if (e.statusCode !== undefined) info.statusCode = e.statusCode;
  if (requestId) info.requestId = requestId;
  return info;
}

/** `NoSuchKey (404): The specified key does not exist. [request id NTk...]` */
export function describeFailure(error: unknown): string {
  const info = failureInfo(error);
  const head = info.code ? `${info.code}${info.statusCode ? ` (${info.statusCode})` : ''}: ` : info.statusCode ? `${info.statusCode}: ` : '';
  const tail = info.requestId ? ` [request id ${info.requestId}]` : '';
  return `${head}${info.message}${tail}`;
}
