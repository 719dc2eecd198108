/**
 * Global acceleration (`?accelerate`, issue 16 item 9): AccelerateConfiguration Status
 * Enabled/Suspended (and COS's Type, `COS`). cosbox has one endpoint, so acceleration changes no
 * speed: what it changes is that the accelerate host `<bucket>.cos.accelerate.<domain>` reaches the
 * bucket only while it is Enabled (the pipeline checks acceleratedAllowed).
 */
import { buildXml, CosError, parseXml, xmlChild, xmlText } from '@cosbox/protocol';
import type { BucketRecord } from '../storage/metadata/store.js';

export const MAX_ACCELERATE_BYTES = 4 * 1024;

export interface AccelerateConfig {
  status: 'Enabled' | 'Suspended';
  type: string;
}

export function accelerateFromXml(body: string): AccelerateConfig {
  const config = xmlChild(parseXml(body).AccelerateConfiguration);
  if (!config) throw new CosError('MalformedXML');
  const status = xmlText(config.Status)?.trim();
  if (status !== 'Enabled' && status !== 'Suspended') throw new CosError('MalformedXML', 'Status must be Enabled or Suspended.');
  const type = xmlText(config.Type)?.trim() || 'COS';
  if (type !== 'COS') throw new CosError('InvalidArgument', 'Type must be COS.');
  return { status, type };
}

export function accelerateDocument(c: AccelerateConfig | undefined): string {
  return buildXml('AccelerateConfiguration', c ? { Status: c.status, Type: c.type } : {});
}

export function accelerateOf(bucket: BucketRecord | undefined): AccelerateConfig | undefined {
  return bucket?.configs?.accelerate as AccelerateConfig | undefined;
}

/** A request on the accelerate host reaches a bucket only while its acceleration is Enabled. */
export function checkAccelerated(bucket: BucketRecord): void {
  if (accelerateOf(bucket)?.status !== 'Enabled') {
    throw new CosError('InvalidRequest', 'Global acceleration is not enabled for this bucket: use its regional host, or enable ?accelerate.');
  }
}
