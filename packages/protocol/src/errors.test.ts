import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CosError, ERROR_TABLE, SEED_SPELLINGS } from './errors.js';

test('C019-C087 the error table holds every code of 004 with its status', () => {
  const expected: Record<string, number> = {
    PermanentRedirect: 301, TemporaryRedirect: 307, Redirect: 307, BadDigest: 400, EntityTooSmall: 400, EntityTooLarge: 400,
    IncompleteBody: 400, IncorrectNumberOfFilesInPostRequest: 400, InlineDataTooLarge: 400, InvalidArgument: 400,
    InvalidBucketName: 400, InvalidDigest: 400, InvalidPart: 400, InvalidPolicyDocument: 400, InvalidURI: 400, KeyTooLong: 400,
    MalformedACLError: 400, MalformedPOSTRequest: 400, MalformedXML: 400, MaxMessageLengthExceeded: 400,
    MaxPostPreDataLengthExceededError: 400, MetadataTooLarge: 400, MissingRequestBodyError: 400, MissingSecurityHeader: 400,
    MissingContentMD5: 400, MissingAppid: 400, MissingHost: 400, RequestIsNotMultiPartContent: 400, RequestTimeOut: 400,
    TooManyBucket: 400, UnexpectedContent: 400, UnresolvableGrantByUID: 400, UserKeyMustBeSpecified: 400, InvalidSHA1Digest: 400,
    InvalidPartOrder: 400, AppendPositionErr: 400, NoSuchVersion: 400, NoLifecycle: 400,
    MultiBucketNotSupport: 400, NotSupportedStorageClass: 400, InvalidRequest: 400, AccessDenied: 403, AccountProblem: 403,
    InvalidAccessKeyId: 403, InvalidObjectState: 403, InvalidSecurity: 403, RequestTimeTooSkewed: 403, SignatureDoesNotMatch: 403,
    ExpiredToken: 403, NoSuchBucket: 404, NoSuchKey: 404, NoSuchUpload: 404, NoSuchLifecycleConfiguration: 404,
    MethodNotAllowed: 405, BucketAlreadyExists: 409, BucketNotEmpty: 409, InvalidBucketState: 409, ActionAborted: 409,
    RestoreAlreadyInProgress: 409, PositionNotEqualToLength: 409, ObjectNotAppendable: 409, MissingContentLength: 411, PreconditionFailed: 412, InvalidRange: 416, InternalError: 500,
    NotImplemented: 501, ServiceUnavailable: 503, SlowDown: 503,
  };
  for (const [code, status] of Object.entries(expected)) {
    assert.equal(ERROR_TABLE[code as keyof typeof ERROR_TABLE]?.status, status, code);
  }
  for (const canonical of Object.values(SEED_SPELLINGS)) assert.ok(canonical in ERROR_TABLE, canonical);
});

test('CosError carries code, status, default or given message', () => {
  const e = new CosError('NoSuchKey');
  assert.equal(e.status, 404);
  assert.equal(e.message, ERROR_TABLE.NoSuchKey.message);
  assert.equal(new CosError('InvalidArgument', 'bad max-keys').message, 'bad max-keys');
});
