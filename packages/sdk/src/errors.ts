/**
 * The `err` of a callback or a rejected Promise, with the fields the official SDK sets (util.error
 * and _submitRequest in cos-nodejs-sdk-v5):
 *
 *   service error (an <Error> body)   code = <Code>, message = <Message>, error = the parsed <Error>
 *   HTTP error without a body (HEAD)  code = '404', message = the status text ('Not Found')
 *   network failure                   code = 'ECONNRESET', 'ETIMEDOUT', ...; no statusCode
 *   bad parameters                    code = 'Error', message = 'missing param Key', ...
 *
 * plus statusCode, headers, url and method when a request was made, and RequestId from the
 * x-cos-request-id header. The official SDK hands some of these out as plain objects and some as
 * Error instances; here every one is a CosSdkError (an Error, with a stack) carrying the same
 * enumerable fields, so a field-by-field comparison finds no difference.
 */

export interface CosErrorDocument {
  Code: string;
  Message: string;
  Resource?: string;
  RequestId?: string;
  TraceId?: string;
  [field: string]: unknown;
}

export class CosSdkError extends Error {
  code: string;
  // Declared, not defined: a field is an own property only when it is set, as in the official SDK.
  /** The parsed <Error> document of a service error. */
  declare error?: CosErrorDocument;
  declare statusCode?: number;
  declare headers?: Record<string, string>;
  declare url?: string;
  declare method?: string;
  declare RequestId?: string;
  /** sliceUploadFile: the upload to resume. */
  declare UploadId?: string;
  /** sliceCopyFile: '<key> Not Exist' when the source is missing. */
  declare ErrorStatus?: string;
  declare message: string;

  constructor(
    code: string,
    message: string,
    fields: Partial<Pick<CosSdkError, 'error' | 'statusCode' | 'headers' | 'url' | 'method'>> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    // `message` is enumerable on the official SDK's errors (they are compared and logged as objects).
    Object.defineProperty(this, 'message', { value: message, enumerable: true, writable: true, configurable: true });
    this.code = code;
    Object.defineProperty(this, 'name', { value: code, enumerable: false, writable: true, configurable: true });
    for (const [k, v] of Object.entries(fields)) {
      if (v !== undefined) (this as unknown as Record<string, unknown>)[k] = v;
    }
  }
}

/** A parameter problem found before any request is sent. */
export function paramError(message: string): CosSdkError {
  return new CosSdkError('Error', message);
}

/**
 * A parameter problem of an upload: the official SDK checks the Body in its upload queue, which
 * wraps the error once more, so `error` repeats its code and message.
 */
export function uploadParamError(message: string): CosSdkError {
  const err = paramError(message);
  // Not an <Error> document, but what the official SDK puts in this field here.
  err.error = { code: err.code, message } as unknown as CosErrorDocument;
  return err;
}

/**
 * Any failure as a CosSdkError: itself when it is one, else its code (ECONNRESET, ETIMEDOUT,
 * ENOENT, ...) and message, as the official SDK reports network and file errors.
 */
export function asCosSdkError(cause: unknown): CosSdkError {
  if (cause instanceof CosSdkError) return cause;
  const e = cause as { code?: string; name?: string; message?: string };
  const code = e?.code ?? e?.name ?? 'Error';
  return new CosSdkError(code, e?.message ?? String(cause), {}, cause);
}

export function abortError(): CosSdkError {
  return new CosSdkError('AbortError', 'The operation was aborted');
}
