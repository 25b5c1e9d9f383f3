// A static file server for the built site on 127.0.0.1 (scripts/start). Usage:
//   node web/serve.mjs DIR [PORT]
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve(process.argv[2] || 'build/site');
const port = Number(process.argv[3] || process.env.PORT || 8000);
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml' };

const server = createServer((req, res) => {
  let file = path.join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (!file.startsWith(dir)) return res.writeHead(403).end();
  if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
  if (!existsSync(file)) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-cache' });
  res.end(readFileSync(file));
});
server.on('error', (e) => {
  console.error(`serve: ${e.message}${e.code === 'EADDRINUSE' ? ` (set PORT to another port)` : ''}`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`vramplan is at http://127.0.0.1:${port}/  (single file: http://127.0.0.1:${port}/vramplan.html; Ctrl-C stops)`);
});
