/**
 * A small round-robin HTTP proxy for the several-gateways benchmark: each request goes to the next
 * backend in turn over a keep-alive agent, Host and every other header unchanged (cosbox signatures
 * cover the Host), bodies streamed both ways. What nginx or HAProxy would do in production.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Proxy {
  port: number;
  close(): Promise<void>;
}

export function startProxy(backends: number[]): Promise<Proxy> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;
  const server = http.createServer((req, res) => {
    const port = backends[next++ % backends.length];
    const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            agent.destroy();
            server.close(() => done());
          }),
      }),
    ),
  );
}
