#!/usr/bin/python3
# Drives kazoo against a zkts (or ZooKeeper) ensemble for apps/server's ensemble test.
#
#   ensemble_client.py load HOSTS PREFIX MAX_WRITES   sequential creates under PREFIX, one at a
#       time, each retried across connection loss until acknowledged; holds an ephemeral node.
#       Prints one JSON line per event: {"ack": i, "t": ms}, {"state": "..."}; stops after
#       MAX_WRITES or when a line "stop" arrives on stdin, then prints the summary
#       {"done": true, "acked": [...], "session_kept": bool, "ephemeral": bool}.
#   ensemble_client.py dump HOST PREFIX   connects to one server only, syncs, prints
#       {"nodes": {name: [data, mzxid, version]}, "zxid": ...}.
import json, sys, threading, time
from kazoo.client import KazooClient
from kazoo.exceptions import ConnectionLoss, NodeExistsError, SessionExpiredError, OperationTimeoutError
from kazoo.retry import KazooRetry

def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()

def now_ms():
    return int(time.time() * 1000)

def load(hosts, prefix, max_writes):
    zk = KazooClient(hosts=hosts, timeout=10.0, connection_retry=KazooRetry(max_tries=-1, delay=0.05, max_delay=0.5))
    zk.add_listener(lambda s: emit({"state": str(s), "t": now_ms()}))
    zk.start(timeout=20)
    session = zk.client_id[0]
    zk.ensure_path(prefix)
    eph = prefix + "-eph-" + str(session)
    zk.create(eph, b"eph", ephemeral=True)
    emit({"ready": True, "session": session, "t": now_ms()})
    stop = threading.Event()
    def watch_stdin():
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        stop.set()
    threading.Thread(target=watch_stdin, daemon=True).start()
    acked = []
    i = 0
    while i < max_writes and not stop.is_set():
        path = "%s/k-%06d" % (prefix, i)
        try:
            zk.create(path, str(i).encode())
        except NodeExistsError:
            pass  # an earlier attempt was applied before the connection broke
        except (ConnectionLoss, OperationTimeoutError):
            time.sleep(0.02)
            continue
        except SessionExpiredError:
            emit({"expired": True, "t": now_ms()})
            break
        acked.append(i)
        emit({"ack": i, "t": now_ms()})
        i += 1
        time.sleep(0.01)
    stop.wait()
    kept = zk.client_id is not None and zk.client_id[0] == session
    has_eph = False
    try:
        has_eph = zk.exists(eph) is not None
    except Exception as e:
        emit({"error": repr(e)})
    emit({"done": True, "acked": acked, "session_kept": kept, "ephemeral": has_eph})
    zk.stop()
    zk.close()

def dump(host, prefix):
    zk = KazooClient(hosts=host, timeout=10.0)
    zk.start(timeout=20)
    zk.sync(prefix)
    nodes = {}
    for name in zk.get_children(prefix):
        data, stat = zk.get(prefix + "/" + name)
        nodes[name] = [data.decode(), stat.mzxid, stat.version]
    emit({"nodes": nodes, "zxid": zk.exists("/").mzxid})
    zk.stop()
    zk.close()

if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        dump(sys.argv[2], sys.argv[3])
