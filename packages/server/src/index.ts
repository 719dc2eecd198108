export { startServer, DEVELOPMENT_CREDENTIALS, isLoopback, usesDevelopmentCredentials } from './server.js';
export type { RootCredentials, RunningServer, ServerOptions } from './server.js';
export type { ServerLimits } from './http/limits.js';
export { SqliteMetadataStore } from './storage/metadata/sqlite.js';
export type { AccessKeyRecord, AccountRecord, MetadataStore } from './storage/metadata/store.js';
export { openMetadataStore, newAccessKey } from './admin.js';
