// The attacker of faults-flood.test.ts, in its own process so that its work does not slow the
// test's normal client: `idle` connections from one address that send nothing, and `slow` uploads
// from another that send their headers and then a byte every `dripMs`. Each connection the server
// closes is opened again after `reconnectMs`, so the pressure stays on. Reports its counts to the
// parent (IPC) when asked, and stops on 'stop'.
import { connect } from 'node:net';

const o = JSON.parse(process.argv[2]);
const stats = { connects: 0, closed: 0, refused: 0, requestTimeOut: 0, open: 0, errors: 0 };
let stopping = false;
const sockets = new Set();

function openOne(localAddress, onConnect) {
  if (stopping) return;
  const socket = connect({ port: o.port, host: '127.0.0.1', localAddress });
  sockets.add(socket);
  let data = '';
  let connectedAt = 0;
  let timer;
  socket.on('connect', () => {
    stats.connects++;
    stats.open++;
    connectedAt = Date.now();
    timer = onConnect(socket);
  });
  socket.on('data', (c) => (data += c.toString('latin1')));
  socket.on('error', () => stats.errors++);
  socket.on('close', () => {
    sockets.delete(socket);
    clearInterval(timer);
    if (connectedAt) {
      stats.open--;
      stats.closed++;
      if (data.includes('<Code>RequestTimeOut</Code>')) stats.requestTimeOut++;
      else if (data === '') stats.refused++;
    }
    if (!stopping) setTimeout(() => openOne(localAddress, onConnect), o.reconnectMs + Math.random() * o.reconnectMs);
  });
}

function start() {
  for (let i = 0; i < o.idle; i++) openOne(o.idleAddress, () => undefined);
  for (let i = 0; i < o.slow; i++) {
    openOne(o.slowAddress, (socket) => {
      socket.write(o.slowHead);
      return setInterval(() => socket.write('x'), o.dripMs);
    });
  }
}

process.on('message', (m) => {
  if (m === 'stats') process.send({ ...stats });
  if (m === 'stop') {
    stopping = true;
    for (const s of sockets) s.destroy();
    process.send({ ...stats, final: true });
    process.disconnect();
  }
});
start();
