// A websocket firehose for tests/bench/stream_ingest.py: pushes Density count
// messages to each connected client as fast as the client reads them (the
// socket's back-pressure paces it), so that the client, not the server, is
// what is measured.  Node.js's standard library only (no packages).
//   node firehose.js UPSTREAM_BASE_URL SPACE_ID...  (space ids on stdin, one a line)
// REST goes to the upstream mock (occtop --serve, quiet), except POST
// /v2/sockets, answered with this server's own ws:// URL.  Prints its base
// URL (http://127.0.0.1:PORT/v2) on the first line.
// Messages are the mock's shape, each with a new event_id, the wall clock's
// timestamp and a count that moves, for spaces taken in turn; every client
// gets its own stream.
'use strict';
const http = require('http');
const crypto = require('crypto');

const upstream = new URL(process.argv[2]);
const ids = require('fs').readFileSync(0, 'latin1').split('\n').filter((s) => s);
const BATCH = 512;
let seq = 600000000000000000n;

function frames(n) {
  const ts = new Date().toISOString();
  let out = '';
  for (let i = 0; i < n; i++) {
    seq++;
    const k = Number(seq % BigInt(ids.length));
    const count = Number(seq % 97n);
    const text = '{"payload":{"count":' + count + ',"direction":1,"doorway_id":"drw_1",' +
      '"event_id":"evt_' + seq + '","space_id":"' + ids[k] + '","timestamp":"' + ts +
      '","type":"count"},"request_id":"' + seq.toString(16).padStart(32, '0') +
      '","version":"v2"}';
    const len = text.length;
    out += len < 126 ? '\x81' + String.fromCharCode(len)
                     : '\x81\x7e' + String.fromCharCode(len >> 8, len & 255);
    out += text;
  }
  return Buffer.from(out, 'latin1');
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url.startsWith('/v2/sockets')) {
    req.resume();
    req.on('end', () => {
      const port = server.address().port;
      const body = JSON.stringify({ url: 'ws://127.0.0.1:' + port + '/v2/?code=skc_firehose',
                                    ttl: 300 });
      res.writeHead(200, { 'Content-Type': 'application/json',
                           'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
    return;
  }
  const proxied = http.request({ host: upstream.hostname, port: upstream.port, method: req.method,
                                 path: req.url, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode, up.headers);
    up.pipe(res);
  });
  proxied.on('error', () => { res.writeHead(502); res.end(); });
  req.pipe(proxied);
});

server.on('upgrade', (req, socket) => {
  const key = req.headers['sec-websocket-key'];
  const accept = crypto.createHash('sha1')
    .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.setNoDelay(true);
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n' +
               'Connection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + '\r\n\r\n');
  socket.on('data', () => {}); // pings and the like: ignored
  socket.on('error', () => {});
  let open = true;
  socket.on('close', () => { open = false; });
  const push = () => {
    while (open) {
      if (!socket.write(frames(BATCH))) {
        socket.once('drain', push);
        return;
      }
    }
  };
  push();
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write('http://127.0.0.1:' + server.address().port + '/v2\n');
});
process.on('SIGTERM', () => process.exit(0));
