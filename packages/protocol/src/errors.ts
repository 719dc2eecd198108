/**
 * THE error table of cosbox: every COS error code with its HTTP status and default message.
 *
 * Codes are the canonical spellings of the codes in seed 004 (FEATURES §1.5, C019-C087); where the
 * seed misprints a code (`ImcompleteBody`, `InvaildAccessKeyld`, ...) we emit the canonical one.
 * Where the seed gives two statuses for one code (NoSuchUpload 404/400, PreconditionFailed 412/400)
 * we follow the API sections (FEATURES §5 #8, #9). Handlers throw `CosError`; one renderer turns it
 * into the `<Error>` document.
 */

export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
  /** S3's code for the same error, where its name differs (the S3 dialect answers with it). */
  readonly s3Code?: string;
  /** S3's status for the same error, where it differs. */
  readonly s3Status?: number;
}

export const ERROR_TABLE = {
  // 3xx
  PermanentRedirect: { status: 301, message: 'The requested resource has been moved permanently.' },
  TemporaryRedirect: { status: 307, message: 'The requested resource has been moved temporarily.' },
  Redirect: { status: 307, message: 'Temporary redirect.' },

  // 400
  BadDigest: { status: 400, message: 'The x-cos-content-sha1 you specified did not match what we received.' },
  EntityTooSmall: { status: 400, message: 'Your proposed upload is smaller than the minimum allowed object size.' },
  EntityTooLarge: { status: 400, message: 'Your proposed upload exceeds the maximum allowed object size.' },
  IncompleteBody: { status: 400, message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.' },
  IncorrectNumberOfFilesInPostRequest: { status: 400, message: 'POST requires exactly one file upload per request.' },
  InlineDataTooLarge: { status: 400, message: 'Inline data exceeds the maximum allowed size.' },
  InvalidArgument: { status: 400, message: 'Invalid Argument.' },
  InvalidBucketName: { status: 400, message: 'The specified bucket is not valid.' },
  InvalidDigest: { status: 400, message: 'The Content-MD5 you specified is not valid.' },
  InvalidPart: { status: 400, message: 'One or more of the specified parts could not be found.' },
  InvalidPartOrder: { status: 400, message: 'The list of parts was not in ascending order.' },
  InvalidPolicyDocument: { status: 400, message: 'The content of the form does not meet the conditions specified in the policy document.' },
  InvalidRequest: { status: 400, message: 'Invalid Request.' },
  InvalidURI: { status: 400, message: 'Could not parse the specified URI.' },
  KeyTooLong: { status: 400, message: 'Your key is too long.' },
  MalformedACLError: { status: 400, message: 'The XML you provided was not well-formed or did not validate against our published schema.' },
  MalformedPOSTRequest: { status: 400, message: 'The body of your POST request is not well-formed multipart/form-data.' },
  MalformedXML: { status: 400, message: 'The XML you provided was not well-formed or did not validate against our published schema.' },
  MaxMessageLengthExceeded: { status: 400, message: 'Your request was too big.' },
  MaxPostPreDataLengthExceededError: { status: 400, message: 'Your POST request fields preceding the upload file were too large.' },
  MetadataTooLarge: { status: 400, message: 'Your metadata headers exceed the maximum allowed metadata size.' },
  MissingRequestBodyError: { status: 400, message: 'Request Body is empty.' },
  MissingSecurityHeader: { status: 400, message: 'Your request was missing a required header.' },
  MissingContentMD5: { status: 400, message: 'Missing required header for this request: Content-MD5.' },
  MissingAppid: { status: 400, message: 'The appid is missing.', s3Code: 'InvalidBucketName' },
  MissingHost: { status: 400, message: 'The Host header is missing.', s3Code: 'InvalidRequest' },
  RequestIsNotMultiPartContent: { status: 400, message: 'Bucket POST must be of the enclosure-type multipart/form-data.' },
  RequestTimeOut: { status: 400, message: 'Your socket connection to the server was not read from or written to within the timeout period.' },
  TooManyBucket: { status: 400, message: 'You have attempted to create more buckets than allowed.', s3Code: 'TooManyBuckets' },
  UnexpectedContent: { status: 400, message: 'This request does not support content.' },
  UnresolvableGrantByUID: { status: 400, message: 'The ID provided does not match any account.' },
  UserKeyMustBeSpecified: { status: 400, message: 'The bucket POST must contain the specified field name.' },
  InvalidSHA1Digest: { status: 400, message: 'The x-cos-content-sha1 you specified is not valid.', s3Code: 'InvalidDigest' },
  // 004's name for a wrong append position; real COS answers PositionNotEqualToLength (409), which cosbox sends.
  AppendPositionErr: { status: 400, message: 'The position does not equal the length of the object.', s3Code: 'InvalidArgument' },
  NoSuchVersion: { status: 400, message: 'The specified version does not exist.', s3Status: 404 },
  NoLifecycle: { status: 400, message: 'The lifecycle configuration does not exist.', s3Code: 'NoSuchLifecycleConfiguration', s3Status: 404 },
  MultiBucketNotSupport: { status: 400, message: 'Replication supports only one destination bucket.', s3Code: 'InvalidRequest' },
  NotSupportedStorageClass: { status: 400, message: 'The storage class you specified is not supported.', s3Code: 'InvalidStorageClass' },
  // S3's words for AWS signatures (README "AWS signatures (S3)").
  XAmzContentSHA256Mismatch: { status: 400, message: "The provided 'x-amz-content-sha256' header does not match what was computed." },
  AuthorizationHeaderMalformed: { status: 400, message: 'The authorization header is malformed.' },
  AuthorizationQueryParametersError: { status: 400, message: 'The pre-signed query parameters are malformed.' },
  // Not in seed 004 (the seeds describe no tagging, FEATURES §1.17); COS answers it for object tags.
  InvalidTag: { status: 400, message: 'The tag you provided is not valid: at most 10 tags, unique keys of 1-128 and values of 0-256 letters, digits, spaces and + - = . _ : / @.' },

  MalformedPolicy: { status: 400, message: 'The policy is not a valid bucket policy document.' },

  // 403
  AccessDenied: { status: 403, message: 'Access Denied.' },
  AccountProblem: { status: 403, message: 'There is a problem with your account.' },
  InvalidAccessKeyId: { status: 403, message: 'The access key Id format you provided is invalid or does not exist.' },
  InvalidObjectState: { status: 403, message: 'The operation is not valid for the current state of the object.' },
  InvalidSecurity: { status: 403, message: 'The provided security credentials are not valid.' },
  RequestTimeTooSkewed: { status: 403, message: "The difference between the request time and the server's time is too large." },
  SignatureDoesNotMatch: { status: 403, message: 'The Signature you specified is invalid.' },
  ExpiredToken: { status: 403, message: 'The provided token has expired.' },

  // 404
  NoSuchBucket: { status: 404, message: 'The specified bucket does not exist.' },
  NoSuchKey: { status: 404, message: 'The specified key does not exist.' },
  NoSuchUpload: { status: 404, message: 'The specified upload does not exist.' },
  NoSuchLifecycleConfiguration: { status: 404, message: 'The lifecycle configuration does not exist.' },
  NoSuchCORSConfiguration: { status: 404, message: 'The CORS configuration does not exist.' },
  // Bucket configurations, part 2 (logging, inventory, replication, object lock, origin), as COS names them.
  NoSuchInventoryConfiguration: { status: 404, message: 'The specified inventory configuration does not exist.' },
  // The code COS answers and the official SDK recognises (sic: lower-case `not`).
  ReplicationConfigurationnotFoundError: { status: 404, message: 'The replication configuration was not found.' },
  ObjectLockConfigurationNotFoundError: { status: 404, message: 'Object Lock configuration does not exist for this bucket.' },
  NoSuchOriginConfiguration: { status: 404, message: 'The origin configuration does not exist.' },
  InvalidTargetBucketForLogging: { status: 400, message: 'The target bucket for logging does not exist, is not yours or is not in the same region.' },
  // Not in seed 004 (no bucket tagging there, FEATURES §1.17): COS's answer to GET Bucket tagging without tags.
  NoSuchTagSet: { status: 404, message: 'There is no tag set associated with the bucket.' },
  // Bucket configurations (issue 16: policy, website, encryption, referer, domain), as COS names them.
  NoSuchBucketPolicy: { status: 404, message: 'The bucket policy does not exist.' },
  NoSuchWebsiteConfiguration: { status: 404, message: 'The specified bucket does not have a website configuration.' },
  NoSuchEncryptionConfiguration: { status: 404, message: 'The server side encryption configuration was not found.' },
  NoSuchRefererConfiguration: { status: 404, message: 'The referer configuration does not exist.' },
  NoSuchDomainConfiguration: { status: 404, message: 'The domain configuration does not exist.' },

  // 405-416
  MethodNotAllowed: { status: 405, message: 'The specified method is not allowed against this resource.' },
  BucketAlreadyExists: { status: 409, message: 'The requested bucket name is not available.' },
  BucketNotEmpty: { status: 409, message: 'The bucket you tried to delete is not empty.' },
  InvalidBucketState: { status: 409, message: 'The request is not valid with the current state of the bucket.' },
  ActionAborted: { status: 409, message: 'The operation is not supported on this resource.' },
  RestoreAlreadyInProgress: { status: 409, message: 'Object restore is already in progress.' },
  // Append Object as real COS answers it (004 lists 400 AppendPositionErr / ObjectNotAppendable).
  DomainConflict: { status: 409, message: 'The domain is already bound to another bucket.' },
  PositionNotEqualToLength: { status: 409, message: 'The position does not equal the length of the object.' },
  ObjectNotAppendable: { status: 409, message: 'The object is not appendable.' },
  MissingContentLength: { status: 411, message: 'You must provide the Content-Length HTTP header.' },
  PreconditionFailed: { status: 412, message: 'At least one of the pre-conditions you specified did not hold.' },
  InvalidRange: { status: 416, message: 'The requested range is not satisfiable.' },

  // 5xx
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
  NotImplemented: { status: 501, message: 'A header you provided implies functionality that is not implemented.' },
  ServiceUnavailable: { status: 503, message: 'Please reduce your request rate.' },
  SlowDown: { status: 503, message: 'Please reduce your request rate.' },

  // The seed lists it with status "N/A"; 400 is the only status that fits a malformed addressing header.
  InvalidAddressingHeader: { status: 400, message: 'You must specify the Anonymous role.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** The seed's misprinted codes, mapped to the canonical code (FEATURES §1.5). Clients may see either. */
export const SEED_SPELLINGS: Readonly<Record<string, ErrorCode>> = {
  ImcompleteBody: 'IncompleteBody',
  InvalidPolicyDocunment: 'InvalidPolicyDocument',
  MatadataTooLarge: 'MetadataTooLarge',
  'Missing Security Header': 'MissingSecurityHeader',
  'Missing Appid': 'MissingAppid',
  'Requestls Not MultiPart Content': 'RequestIsNotMultiPartContent',
  'Unresolvable Grant By UID': 'UnresolvableGrantByUID',
  InvaildAccessKeyld: 'InvalidAccessKeyId',
  actionAborted: 'ActionAborted',
  'Invalid Range': 'InvalidRange',
  InvaildAddressingHeader: 'InvalidAddressingHeader',
  MalformedXM: 'MalformedXML',
};

/** A code and status as the S3 dialect answers them: the S3 column where it differs, else COS's own. */
export function s3ErrorOf(code: ErrorCode): { code: string; status: number } {
  const spec: ErrorSpec = ERROR_TABLE[code];
  return { code: spec.s3Code ?? code, status: spec.s3Status ?? spec.status };
}

/** An error a handler throws; rendered once, by the server's pipeline, as a COS `<Error>` document. */
export class CosError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra response headers that belong with this error (e.g. Location on redirects). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message?: string, headers: Record<string, string> = {}) {
    const spec: ErrorSpec = ERROR_TABLE[code];
    super(message ?? spec.message);
    this.name = 'CosError';
    this.code = code;
    this.status = spec.status;
    this.headers = headers;
  }
}

export function isCosError(value: unknown): value is CosError {
  return value instanceof CosError;
}
