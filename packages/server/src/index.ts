export { startServer, DEVELOPMENT_CREDENTIALS, isLoopback, usesDevelopmentCredentials } from './server.js';
export type { RootCredentials, RunningServer, ServerOptions } from './server.js';
