// The Node.js peer of tests/bench/stream_ingest.py: a Density stream client
// with the `ws` package and JSON.parse, doing per message what occtop's
// client does: parse it, look up the space, set its count.
//   node ingest_peer.js BASE_URL   (DENSITY_API_TOKEN in the environment)
// Prints "peer-stats <wall ms> <messages applied>" every 100 ms.
'use strict';
const WebSocket = require('ws');

const base = process.argv[2];
const auth = { Authorization: 'Bearer ' + process.env.DENSITY_API_TOKEN };

async function spaces() {
  const byId = new Map();
  let url = base + '/spaces/?page_size=1000';
  while (url) {
    const r = await fetch(url, { headers: auth });
    if (!r.ok) throw new Error('GET /spaces: ' + r.status);
    const page = await r.json();
    for (const s of page.results) byId.set(s.id, { id: s.id, count: s.current_count });
    url = page.next;
  }
  return byId;
}

async function main() {
  const byId = await spaces();
  const r = await fetch(base + '/sockets/', { method: 'POST', headers: auth });
  if (!r.ok) throw new Error('POST /sockets: ' + r.status);
  const { url } = await r.json();
  let applied = 0;
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 });
  ws.on('message', (data) => {
    const message = JSON.parse(data);
    const p = message.payload;
    if (!p || p.type !== 'count') return;
    const space = byId.get(p.space_id);
    if (space === undefined || typeof p.count !== 'number') return;
    space.count = p.count;
    applied++;
  });
  ws.on('close', () => { console.error('peer: the server closed the stream'); process.exit(1); });
  ws.on('error', (e) => { console.error('peer: ' + e.message); process.exit(1); });
  setInterval(() => process.stdout.write('peer-stats ' + Date.now() + ' ' + applied + '\n'), 100);
}

process.on('SIGTERM', () => process.exit(0));
main().catch((e) => { console.error('peer: ' + e.message); process.exit(1); });
