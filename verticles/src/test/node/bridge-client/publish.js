// Publishes one record through the gateway's SockJS event-bus bridge with the published client
// library, prints the reply (the offsets), then tries a non-permitted address and prints the error.
// Usage: node publish.js http://127.0.0.1:8080/eventbus <topic> <id>
const EventBus = require('@vertx/eventbus-bridge-client.js');

const [url, topic, id] = process.argv.slice(2);
const results = {};
const eb = new EventBus(url);
const deadline = setTimeout(() => finish(3, 'timed out'), 20000);

function finish(code, why) {
  clearTimeout(deadline);
  if (why) results.failure = why;
  console.log(JSON.stringify(results));
  try { eb.close(); } catch (e) { /* already closed */ }
  process.exit(code);
}

eb.onerror = (err) => {
  // Denied sends come back as {"type":"err","body":"access_denied"} without a reply address.
  results.denied = err.body || err;
  finish(0);
};

eb.onopen = () => {
  const record = { key: 'c-node', id, value: { order_id: id, customer: 'c-node', sku: 'sku-1', qty: 1, amount: 2.5 } };
  eb.send('gateway.ingest.publish', { topic, records: [record] }, {}, (err, reply) => {
    if (err) return finish(2, 'publish failed: ' + JSON.stringify(err));
    results.published = reply.body;
    eb.send('gateway.produce.send', { topic, records: [record] }, {}, (err2, reply2) => {
      results.deniedReply = err2 || (reply2 && reply2.body);
      finish(0);
    });
  });
};
