/**
 * Inventory (`?inventory&id=`): COS's InventoryConfiguration documents, several per bucket by id,
 * and the report they make: a gzip'd CSV of the bucket's objects plus a manifest.json holding each
 * data file's MD5, written into the destination bucket on the schedule.
 */
import { buildXml, CosError, xmlChild, xmlList } from '@cosbox/protocol';
import type { BucketRecord, ObjectVersion } from '../storage/metadata/store.js';
import { choice, optionalText, parseBucketResource, requiredText, rootOf } from './config-doc.js';

export const MAX_INVENTORY_BYTES = 16 * 1024;
export const MAX_INVENTORIES = 1000;
/** Configurations per List page. */
export const INVENTORY_PAGE = 100;
const ID = /^[A-Za-z0-9._-]{1,64}$/;
export const OPTIONAL_FIELDS = ['Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded', 'ReplicationStatus', 'Tag', 'Crc64'] as const;

export interface InventoryConfig {
  id: string;
  enabled: boolean;
  destination: string;
  destinationBucket: string;
  accountId?: string;
  prefix: string;
  encrypted: boolean;
  frequency: 'Daily' | 'Weekly';
  filterPrefix: string;
  includedVersions: 'All' | 'Current';
  fields: string[];
}

export function checkInventoryId(id: string | undefined): string {
  if (id === undefined || !ID.test(id)) throw new CosError('InvalidArgument', 'The inventory id must be 1-64 letters, digits, dots, dashes or underscores.');
  return id;
}

export function inventoryFromXml(text: string, id: string): InventoryConfig {
  const root = rootOf(text, 'InventoryConfiguration');
  if (requiredText(root.Id, 'Id', 64) !== id) throw new CosError('InvalidArgument', 'The Id in the document must be the id in the query.');
  const cos = xmlChild(xmlChild(root.Destination)?.COSBucketDestination);
  if (!cos) throw new CosError('MalformedXML', 'InventoryConfiguration needs Destination.COSBucketDestination.');
  choice(cos.Format, 'Format', ['CSV'] as const);
  const destination = requiredText(cos.Bucket, 'Destination.Bucket', 256);
  const fields = xmlList(xmlChild(root.OptionalFields)?.Field).map((f) => requiredText(f, 'Field', 32));
  const unknown = fields.find((f) => !(OPTIONAL_FIELDS as readonly string[]).includes(f));
  if (unknown !== undefined) throw new CosError('InvalidArgument', `Unknown OptionalFields Field ${unknown}.`);
  const schedule = xmlChild(root.Schedule);
  if (!schedule) throw new CosError('MalformedXML', 'InventoryConfiguration needs Schedule.Frequency.');
  const accountId = optionalText(cos.AccountId, 'AccountId', 20) || undefined;
  if (accountId !== undefined && !/^\d+$/.test(accountId)) throw new CosError('InvalidArgument', 'AccountId must be a uin.');
  return {
    id,
    enabled: choice(root.IsEnabled, 'IsEnabled', ['true', 'false'] as const) === 'true',
    destination,
    destinationBucket: parseBucketResource(destination, 'Destination.Bucket').bucket,
    ...(accountId ? { accountId } : {}),
    prefix: optionalText(cos.Prefix, 'Prefix', 512) ?? '',
    encrypted: cos.Encryption !== undefined,
    frequency: choice(schedule.Frequency, 'Frequency', ['Daily', 'Weekly'] as const),
    filterPrefix: optionalText(xmlChild(root.Filter)?.Prefix, 'Filter.Prefix', 850) ?? '',
    includedVersions: choice(root.IncludedObjectVersions, 'IncludedObjectVersions', ['All', 'Current'] as const),
    fields: [...new Set(fields)],
  };
}

function configXml(c: InventoryConfig) {
  return {
    Id: c.id,
    IsEnabled: c.enabled,
    Destination: {
      COSBucketDestination: { Format: 'CSV', AccountId: c.accountId, Bucket: c.destination, Prefix: c.prefix, Encryption: c.encrypted ? { 'SSE-COS': '' } : undefined },
    },
    Schedule: { Frequency: c.frequency },
    Filter: c.filterPrefix ? { Prefix: c.filterPrefix } : undefined,
    IncludedObjectVersions: c.includedVersions,
    OptionalFields: c.fields.length > 0 ? { Field: c.fields } : undefined,
  };
}

export function inventoryDocument(c: InventoryConfig): string {
  return buildXml('InventoryConfiguration', configXml(c));
}

export function inventoryListDocument(page: InventoryConfig[], token: string | undefined, next: string | undefined): string {
  return buildXml('ListInventoryConfigurationResult', {
    InventoryConfiguration: page.map(configXml),
    IsTruncated: next !== undefined,
    ContinuationToken: token,
    NextContinuationToken: next,
  });
}

/** The bucket's configurations by id. */
export function inventoriesOf(bucket: BucketRecord | undefined): Record<string, InventoryConfig> {
  return (bucket?.configs?.inventory as Record<string, InventoryConfig> | undefined) ?? {};
}

/** One CSV field, quoted as RFC 4180 says. */
function csvField(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/** The CSV columns: bucket, key, (version id, is latest, delete marker for All), then the optional fields in order. */
export function inventoryRow(config: InventoryConfig, bucket: string, version: ObjectVersion, isLatest: boolean): string {
  const marker = 'deleteMarker' in version;
  const values = [bucket, encodeURIComponent(version.key)];
  if (config.includedVersions === 'All') values.push(version.versionId ?? 'null', String(isLatest), String(marker));
  for (const field of config.fields) {
    if (marker) {
      values.push('');
      continue;
    }
    const o = version;
    const value: Record<string, string> = {
      Size: String(o.size),
      LastModifiedDate: new Date(o.lastModified).toISOString(),
      ETag: o.etag.replace(/"/g, ''),
      StorageClass: o.storageClass,
      IsMultipartUploaded: String(o.blobs.length > 1 || /-\d+"$/.test(o.etag)),
      ReplicationStatus: o.meta['x-cos-replication-status'] ?? '',
      Tag: (o.tags ?? []).map((t) => `${t.key}=${t.value}`).join('&'),
      Crc64: o.crc64,
    };
    values.push(value[field] ?? '');
  }
  return values.map(csvField).join(',');
}

export function inventorySchema(config: InventoryConfig): string {
  const columns = ['Bucket', 'Key', ...(config.includedVersions === 'All' ? ['VersionId', 'IsLatest', 'IsDeleteMarker'] : []), ...config.fields];
  return columns.join(', ');
}
