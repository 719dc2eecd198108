/**
 * Default encryption (`?encryption`, issue 16 item 3): a ServerSideEncryptionConfiguration with one
 * Rule, ApplyServerSideEncryptionByDefault SSEAlgorithm AES256 (SSE-COS). Every new object and
 * multipart upload whose request names no encryption is then stored as if it had sent
 * `x-cos-server-side-encryption: AES256`. SSE-KMS (`KMS`, `cos/kms`) needs a key service cosbox
 * does not have: NotImplemented, as the per-request header answers.
 */
import { buildXml, CosError, parseXml, xmlChild, xmlList, xmlText } from '@cosbox/protocol';
import type { BucketRecord } from '../storage/metadata/store.js';
import type { SseRequest } from './encryption.js';

export const MAX_ENCRYPTION_BYTES = 16 * 1024;

export interface BucketEncryption {
  algorithm: 'AES256';
}

export function bucketEncryptionFromXml(body: string): BucketEncryption {
  const config = xmlChild(parseXml(body).ServerSideEncryptionConfiguration);
  if (!config) throw new CosError('MalformedXML');
  const rules = xmlList(config.Rule);
  if (rules.length !== 1) throw new CosError('MalformedXML', 'The configuration must hold exactly one Rule.');
  const byDefault = xmlChild(xmlChild(rules[0])?.ApplyServerSideEncryptionByDefault);
  if (!byDefault) throw new CosError('MalformedXML', 'The Rule needs ApplyServerSideEncryptionByDefault.');
  const algorithm = (xmlText(byDefault.SSEAlgorithm) ?? '').trim();
  if (algorithm === 'KMS' || algorithm === 'cos/kms') throw new CosError('NotImplemented', 'SSE-KMS is not offered by this server; use AES256.');
  if (algorithm !== 'AES256') throw new CosError('InvalidArgument', 'SSEAlgorithm must be AES256.');
  if (byDefault.KMSMasterKeyID !== undefined) throw new CosError('InvalidArgument', 'KMSMasterKeyID applies to KMS only.');
  return { algorithm };
}

export function bucketEncryptionDocument(c: BucketEncryption): string {
  return buildXml('ServerSideEncryptionConfiguration', { Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: c.algorithm } } });
}

export function bucketEncryptionOf(bucket: BucketRecord | undefined): BucketEncryption | undefined {
  return bucket?.configs?.encryption as BucketEncryption | undefined;
}

/** What a write stores: the encryption its request names, else the bucket's default. */
export function withBucketDefault(requested: SseRequest | undefined, bucket: BucketRecord): SseRequest | undefined {
  return requested ?? (bucketEncryptionOf(bucket) ? { kind: 'SSE-COS' } : undefined);
}
