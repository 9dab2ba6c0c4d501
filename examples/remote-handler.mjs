// A remote handler for a group configured with "handler": {"type": "remote"}.
// Node 22+: node remote-handler.mjs   (Node 20: node --experimental-websocket remote-handler.mjs)
const url = process.env.GATEWAY_WS ?? 'ws://localhost:8080/ws/groups/shipping';
const shipped = new Set(); // stands for your store: the side effect must be idempotent by event id

const ws = new WebSocket(url);
ws.onopen = () => ws.send(JSON.stringify({ credit: 100 })); // hold at most 100 events unacked
ws.onmessage = ({ data }) => {
  const frame = JSON.parse(data);
  if (frame.error_code) return console.error('gateway says:', frame.message);
  if (!frame.events) return; // the greeting: {"group", "maxCredit", "ackTimeoutMs"}
  const acked = [];
  for (const e of frame.events) { // per partition in offset order
    if (!(e.value?.qty > 0)) { // never going to work: dead-letter it with a reason
      ws.send(JSON.stringify({ nack: { id: e.id, reason: 'qty must be positive', retry: false } }));
      continue;
    }
    if (!shipped.has(e.id)) { // a redelivery of a done event is acked again, not done again
      shipped.add(e.id);
      console.log(`shipped ${e.id} for ${e.key} (partition ${e.partition}, offset ${e.offset})`);
    }
    acked.push(e.id);
  }
  if (acked.length) ws.send(JSON.stringify({ ack: acked }));
};
ws.onclose = ({ code, reason }) => { console.error('closed', code, reason); process.exit(1); };
