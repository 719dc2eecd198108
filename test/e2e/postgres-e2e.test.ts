/**
 * A representative part of the e2e suite against a PostgreSQL-backed server: object CRUD,
 * multipart, versioning, ACLs, appends (with their races), CORS and
 * `cosbox keys` (on the same database through COSBOX_METADATA_URL),
 * each file's tests unchanged, with COSBOX_TEST_METADATA=postgres (see harness.ts).
 */
process.env.COSBOX_TEST_METADATA = 'postgres';

await import('./object.test.js');
await import('./multipart.test.js');
await import('./versioning.test.js');
await import('./acl.test.js');
await import('./append-versioning.test.js');
await import('./cors.test.js');
await import('./keys.test.js');
