// The peer of tests/bench/rest_throughput.sh: json-server (the version pinned
// in tests/bench/package.json) serving DB at the mock's paths (ROUTES: json-
// server's custom routes), on 127.0.0.1:PORT.  It is json-server's own CLI
// pipeline (lib/cli/run.js: create, defaults, rewriter, router) with two
// settings: no request log and compact JSON (the CLI indents by 2 spaces), so
// that its bodies are the mock's documents in as many bytes, give or take the
// spelling of a few floating-point numbers.
//
//   node json_server_peer.js DB ROUTES PORT   (prints its base URL when ready)
const path = require('path');
const jsonServer = require('json-server');

const [db, routes, port] = process.argv.slice(2);
const app = jsonServer.create().set('json spaces', 0);
app.use(jsonServer.defaults({ logger: false, readOnly: true }));
app.use(jsonServer.rewriter(require(path.resolve(routes))));
app.use(jsonServer.router(path.resolve(db)));
const server = app.listen(Number(port), '127.0.0.1', () => {
  console.log('http://127.0.0.1:' + server.address().port);
});
