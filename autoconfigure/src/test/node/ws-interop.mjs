// Node's ws client (another implementation, with permessage-deflate and fragmentation of its own)
// against the server's echo route; prints one line per event for NodeWsClientTests to compare.
import WebSocket from 'ws';

const url = process.argv[2];
const out = (line) => process.stdout.write(line + '\n');
const ws = new WebSocket(url, ['echo.v1']); // offers permessage-deflate by default

ws.on('upgrade', (response) => out('extensions ' + (response.headers['sec-websocket-extensions'] ?? 'none')));
ws.on('open', () => {
  out('protocol ' + ws.protocol);
  ws.send('hello from node');
  ws.send('x'.repeat(20000)); // compresses well, arrives over several reads
  ws.send('frag', { fin: false });
  ws.send('mented ☺', { fin: true });
  ws.send(Buffer.from([1, 2, 3]), { binary: true });
  ws.ping('p');
});
let messages = 0;
ws.on('message', (data, isBinary) => {
  out(isBinary ? 'binary ' + data.toString('hex')
      : 'text ' + (data.length > 40 ? data.length + ' bytes' : data.toString()));
  if (++messages === 4) {
    ws.close(1000, 'done');
  }
});
ws.on('pong', (data) => out('pong ' + data.toString()));
ws.on('close', (code) => {
  out('close ' + code);
  process.exit(0);
});
ws.on('error', (error) => {
  out('error ' + error.message);
  process.exit(1);
});
