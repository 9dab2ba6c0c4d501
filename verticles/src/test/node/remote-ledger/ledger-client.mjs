// A remote-group client whose side effect is a ledger shared by every client process (RemoteGroupProcessIT).
// node --experimental-websocket ledger-client.mjs <ws-url> <credit> <effect-dir> <journal-file>
// env: LEDGER_ACK_DELAY_MS (default 0): the events of a frame are applied at once, acked that much later, so the
//        process holds unacked events most of the time (a SIGKILL then leaves them to be delivered again);
//      LEDGER_NACK_IDS: comma-separated event ids to nack with retry:false ("ledger refuses <id>").
//
// The effect: applying event <id> creates <effect-dir>/<id> holding {id,key,seq,pid,at}. The file is written under a
// temporary name and then hard-linked to its final name: link(2) fails with EEXIST if another process (or an earlier
// life of this one) applied the id already, so an id is applied at most once across all processes, atomically, and a
// file under its final name is always complete. Only then is the event acked: an ack never precedes its effect.
// The journal is this client's own append-only JSON-lines record: {"t":"applied"|"again"|"acked"|"nacked",…,"pid"}.
// On start the ids applied in the journal are read back, so a restarted client acks them again without trying.
import fs from 'node:fs';
import path from 'node:path';

const [url, creditArg, effectDir, journal] = process.argv.slice(2);
if (!url || !creditArg || !effectDir || !journal) {
  console.error('usage: ledger-client.mjs <ws-url> <credit> <effect-dir> <journal-file>');
  process.exit(2);
}
const credit = Number(creditArg);
const ackDelayMs = Number(process.env.LEDGER_ACK_DELAY_MS ?? 0);
const refuse = new Set((process.env.LEDGER_NACK_IDS ?? '').split(',').filter(Boolean));
const tmpDir = path.join(effectDir, '.tmp');
fs.mkdirSync(tmpDir, { recursive: true });

const seen = new Set();
if (fs.existsSync(journal)) {
  for (const line of fs.readFileSync(journal, 'utf8').split('\n')) {
    try {
      const entry = JSON.parse(line);
      if (entry.t === 'applied') seen.add(entry.id);
    } catch { /* an empty or torn last line (killed mid-write) */ }
  }
}
console.log(JSON.stringify({ resumed: seen.size })); // the ids a restarted client will not apply again
const out = fs.openSync(journal, 'a');
const record = (entry) => fs.writeSync(out, JSON.stringify({ ...entry, pid: process.pid }) + '\n');
const now = () => performance.timeOrigin + performance.now(); // wall clock, sub-millisecond

/** 'applied' if this call applied the event; 'seen' or 'exists' if it was applied before (by this client, by anyone). */
function apply(e) {
  if (seen.has(e.id)) return 'seen';
  const tmp = path.join(tmpDir, `${process.pid}-${e.id}`);
  fs.writeFileSync(tmp, JSON.stringify({ id: e.id, key: e.key, seq: e.value?.seq, pid: process.pid, at: now() }));
  try {
    fs.linkSync(tmp, path.join(effectDir, e.id));
    return 'applied';
  } catch (err) {
    if (err.code === 'EEXIST') return 'exists';
    throw err;
  } finally {
    seen.add(e.id);
    fs.unlinkSync(tmp);
  }
}

const ws = new WebSocket(url);
ws.onopen = () => ws.send(JSON.stringify({ credit }));
ws.onmessage = ({ data }) => {
  const frame = JSON.parse(data);
  if (frame.error_code) {
    console.error('gateway says:', frame.message);
    return;
  }
  if (!frame.events) return; // the greeting
  const acks = [];
  for (const e of frame.events) {
    if (refuse.has(e.id)) {
      ws.send(JSON.stringify({ nack: { id: e.id, reason: `ledger refuses ${e.id}`, retry: false } }));
      record({ t: 'nacked', id: e.id });
      continue;
    }
    const how = apply(e);
    record(how === 'applied' ? { t: 'applied', id: e.id, key: e.key, seq: e.value?.seq } : { t: 'again', id: e.id, how });
    acks.push(e.id);
  }
  if (acks.length === 0) return;
  const ack = () => {
    ws.send(JSON.stringify({ ack: acks }));
    record({ t: 'acked', ids: acks });
  };
  if (ackDelayMs > 0) setTimeout(ack, ackDelayMs); else ack();
};
ws.onerror = (e) => console.error('websocket error', e.message ?? e);
ws.onclose = ({ code, reason }) => {
  console.error('closed', code, reason);
  process.exit(1);
};
