# A remote handler over the TCP event-bus bridge, Python 3 standard library only: python3 remote-handler.py
# For a group configured with "handler": {"type": "remote"}; frames are a 4-byte big-endian length, then JSON.
import hashlib, json, os, socket, struct, sys

host, port = os.environ.get("GATEWAY_BRIDGE", "127.0.0.1:7000").rsplit(":", 1)
deliver = "gateway.groups." + os.environ.get("GATEWAY_GROUP", "shipping") + ".deliver"
auth = {"authorization": "Bearer " + os.environ["GATEWAY_KEY"]} if "GATEWAY_KEY" in os.environ else {}
store = os.environ.get("HANDLER_STORE", "shipped")  # stands for your store: one file per event id done
os.makedirs(store, exist_ok=True)

def send(frame):
    data = json.dumps(frame).encode()
    sock.sendall(struct.pack(">I", len(data)) + data)

def receive():
    size = frames.read(4)
    if len(size) < 4:
        sys.exit("the gateway closed the connection")
    return json.loads(frames.read(struct.unpack(">I", size)[0]))

sock = socket.create_connection((host, int(port)))
frames = sock.makefile("rb")
send({"type": "register", "address": deliver, "headers": {**auth, "credit": "20"}})  # at most 20 unacked
while True:
    frame = receive()
    if frame.get("type") == "err":
        print("gateway says:", frame.get("message"), file=sys.stderr)
        continue
    if frame.get("type") != "message" or frame.get("address") != deliver:
        continue
    e = frame["body"]  # {"id","key","partition","offset","timestamp","headers","value"}, per partition in order
    answer = {"ack": True}
    if not isinstance(e["value"].get("qty"), int) or e["value"]["qty"] <= 0:  # never going to work
        answer = {"nack": {"reason": "qty must be positive", "retry": False}}  # dead-lettered with the reason
    else:
        done = os.path.join(store, hashlib.sha256(e["id"].encode()).hexdigest())
        try:  # check the id, apply, record it (one exclusive create), then ack: a redelivery is acked, not redone
            with open(done, "x") as record:
                record.write(json.dumps(e))
            print(f"shipped {e['id']} for {e['key']} (partition {e['partition']}, offset {e['offset']})", flush=True)
        except FileExistsError:
            pass
    send({"type": "send", "address": frame["replyAddress"], "headers": auth, "body": answer})
