export { startServer, DEVELOPMENT_CREDENTIALS, isLoopback, keepServingOnUnexpectedErrors, usesDevelopmentCredentials } from './server.js';
export { handlers } from './handlers/index.js';
export type { Handler, HandlerTable } from './http/pipeline.js';
export type { RootCredentials, RunningServer, ServerOptions } from './server.js';
export type { ServerLimits } from './http/limits.js';
export { SqliteMetadataStore } from './storage/metadata/sqlite.js';
export type { AccessKeyRecord, AccountRecord, MetadataStore } from './storage/metadata/store.js';
export { openMetadata, openMetadataStore, newAccessKey } from './admin.js';
