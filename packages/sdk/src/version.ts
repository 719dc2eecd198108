/** This package's version: COS.version, and the User-Agent of its requests. */
export const VERSION = '0.1.0';
