// A local HTTP server for the SDK's own tests: records every request and answers with whatever the
// test scripts, so the wire form of a request and the SDK's reaction to any answer can be checked
// without a COS server.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** The request target as sent: encoded path and query. */
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Drop the connection without answering (a network failure). */
  destroy?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface TestServer {
  port: number;
  requests: RecordedRequest[];
  /** Answers for the next requests, in order; once used up, `fallback` answers. */
  answers: Answer[];
  fallback: Answer;
  close(): Promise<void>;
}

export async function startTestServer(fallback: Answer = { status: 200 }): Promise<TestServer> {
  const state = { requests: [] as RecordedRequest[], answers: [] as Answer[], fallback };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const answer = state.answers.shift() ?? state.fallback;
      const send = () => {
        if (answer.destroy) {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status ?? 200, { 'x-cos-request-id': `req-${state.requests.length}`, ...answer.headers });
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get requests() {
      return state.requests;
    },
    get answers() {
      return state.answers;
    },
    set answers(list: Answer[]) {
      state.answers = list;
    },
    get fallback() {
      return state.fallback;
    },
    set fallback(answer: Answer) {
      state.fallback = answer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A COS error document, as a test server answers with it. */
export function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>r</RequestId></Error>`;
}
