// Runs a conformance script through the real Java ZooKeeper client and prints what the server
// answered, so the same script can be compared across servers (Apache ZooKeeper and zkts).
//
// Usage: java -cp <zookeeper jars>:<dir> ScriptDriver <connectString> < script.txt
// Input, one command per line, fields separated by TAB ("-" is null, data is base64):
//   <seq> <session> open <timeoutMs>
//   <seq> <session> close
//   <seq> <session> create <path> <data> <acl> <mode> <ttl>
//   <seq> <session> delete <path> <version>
//   <seq> <session> exists|getData|getChildren <path> <watch 0|1>
//   <seq> <session> setData <path> <data> <version>
//   <seq> <session> getACL <path>
//   <seq> <session> setACL <path> <acl> <version>
//   <seq> <session> sync <path>
//   <seq> <session> getEphemerals <prefix>
//   <seq> <session> getAllChildrenNumber <path>
//   <seq> <session> addAuth <scheme> <auth>
//   <seq> <session> addWatch <path> <mode 0|1>
//   <seq> <session> removeWatches <path> <type 1|2|3>
//   <seq> <session> multi|multiRead <n>   followed by n lines: create|delete|setData|check|getData|getChildren ...
//   <seq> <session> flush                 delivers and prints every pending watch event
// Output: "R <seq> <err> <fields...>" per command, "E <session> <type> <path>" per event,
// "S <session> <state>" per connection-state change that is not SyncConnected.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;

public class ScriptDriver {
  private static final StringBuilder out = new StringBuilder();
  private static final Map<String, ZooKeeper> sessions = new HashMap<>();
  private static final Map<String, List<String>> pendingEvents = new HashMap<>();

  private static synchronized void emit(String line) {
    out.append(line).append('\n');
  }

  private static String stat(Stat s) {
    if (s == null) return "-";
    return s.getCzxid() + "," + s.getMzxid() + "," + s.getCtime() + "," + s.getMtime() + "," + s.getVersion() + ","
        + s.getCversion() + "," + s.getAversion() + "," + s.getEphemeralOwner() + "," + s.getDataLength() + ","
        + s.getNumChildren() + "," + s.getPzxid();
  }

  private static String data(byte[] d) {
    return d == null ? "-" : Base64.getEncoder().encodeToString(d);
  }

  private static byte[] parseData(String f) {
    return f.equals("-") ? null : Base64.getDecoder().decode(f);
  }

  private static List<ACL> parseAcl(String f) {
    List<ACL> acl = new ArrayList<>();
    if (f.equals("-") || f.isEmpty()) return acl;
    for (String part : f.split(";")) {
      String[] p = part.split(",", 3);
      acl.add(new ACL(Integer.parseInt(p[0]), new Id(p[1], p[2])));
    }
    return acl;
  }

  private static String acl(List<ACL> acl) {
    List<String> parts = new ArrayList<>();
    for (ACL a : acl) parts.add(a.getPerms() + "," + a.getId().getScheme() + "," + a.getId().getId());
    return String.join(";", parts);
  }

  private static String list(List<String> items) {
    List<String> sorted = new ArrayList<>(items);
    Collections.sort(sorted);
    return sorted.isEmpty() ? "" : String.join("/", sorted).replace("//", "/");
  }

  private static String joinChildren(List<String> items) {
    List<String> sorted = new ArrayList<>(items);
    Collections.sort(sorted);
    return String.join("|", sorted);
  }

  private static Op parseOp(String[] f) throws KeeperException {
    switch (f[0]) {
      case "create": {
        CreateMode mode = CreateMode.fromFlag(Integer.parseInt(f[4]));
        long ttl = Long.parseLong(f[5]);
        return ttl > 0 ? Op.create(f[1], parseData(f[2]), parseAcl(f[3]), mode, ttl)
            : Op.create(f[1], parseData(f[2]), parseAcl(f[3]), mode);
      }
      case "delete": return Op.delete(f[1], Integer.parseInt(f[2]));
      case "setData": return Op.setData(f[1], parseData(f[2]), Integer.parseInt(f[3]));
      case "check": return Op.check(f[1], Integer.parseInt(f[2]));
      case "getData": return Op.getData(f[1]);
      case "getChildren": return Op.getChildren(f[1]);
      default: throw new IllegalArgumentException("unknown multi op " + f[0]);
    }
  }

  private static String opResult(OpResult r) {
    if (r instanceof OpResult.CreateResult) {
      OpResult.CreateResult c = (OpResult.CreateResult) r;
      return "create:0:" + c.getPath() + ":" + stat(c.getStat());
    } else if (r instanceof OpResult.DeleteResult) {
      return "delete:0";
    } else if (r instanceof OpResult.SetDataResult) {
      return "setData:0:" + stat(((OpResult.SetDataResult) r).getStat());
    } else if (r instanceof OpResult.CheckResult) {
      return "check:0";
    } else if (r instanceof OpResult.GetDataResult) {
      OpResult.GetDataResult g = (OpResult.GetDataResult) r;
      return "getData:0:" + data(g.getData()) + ":" + stat(g.getStat());
    } else if (r instanceof OpResult.GetChildrenResult) {
      return "getChildren:0:" + joinChildren(((OpResult.GetChildrenResult) r).getChildren());
    } else if (r instanceof OpResult.ErrorResult) {
      return "error:" + ((OpResult.ErrorResult) r).getErr();
    }
    return "unknown";
  }

  private static Watcher sessionWatcher(String session, CountDownLatch connected) {
    return (WatchedEvent e) -> {
      if (e.getType() == Watcher.Event.EventType.None) {
        if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        else emit("S\t" + session + "\t" + e.getState().getIntValue());
        return;
      }
      synchronized (pendingEvents) {
        pendingEvents.computeIfAbsent(session, k -> new ArrayList<>())
            .add(e.getType().getIntValue() + "\t" + e.getPath());
      }
    };
  }

  /** Waits until every event queued before now has gone through the session's event thread. */
  private static void flush(ZooKeeper zk) throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    zk.exists("/", false, (rc, path, ctx, stat) -> done.countDown(), null);
    if (!done.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("flush timed out");
  }

  public static void main(String[] args) throws Exception {
    String connect = args[0];
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      String[] f = line.split("\t", -1);
      String seq = f[0];
      String session = f[1];
      String cmd = f[2];
      ZooKeeper zk = sessions.get(session);
      try {
        switch (cmd) {
          case "open": {
            CountDownLatch connected = new CountDownLatch(1);
            ZooKeeper z = new ZooKeeper(connect, Integer.parseInt(f[3]), sessionWatcher(session, connected));
            if (!connected.await(20, TimeUnit.SECONDS)) throw new IllegalStateException("connect timed out");
            sessions.put(session, z);
            emit("R\t" + seq + "\t0\t" + z.getSessionTimeout());
            break;
          }
          case "close":
            zk.close();
            sessions.remove(session);
            emit("R\t" + seq + "\t0");
            break;
          case "create": {
            Stat st = new Stat();
            CreateMode mode = CreateMode.fromFlag(Integer.parseInt(f[6]));
            long ttl = Long.parseLong(f[7]);
            String p = ttl > 0 ? zk.create(f[3], parseData(f[4]), parseAcl(f[5]), mode, st, ttl)
                : zk.create(f[3], parseData(f[4]), parseAcl(f[5]), mode, st);
            emit("R\t" + seq + "\t0\t" + p + "\t" + stat(st));
            break;
          }
          case "delete":
            zk.delete(f[3], Integer.parseInt(f[4]));
            emit("R\t" + seq + "\t0");
            break;
          case "exists": {
            Stat st = zk.exists(f[3], f[4].equals("1"));
            emit("R\t" + seq + "\t0\t" + stat(st));
            break;
          }
          case "getData": {
            Stat st = new Stat();
            byte[] d = zk.getData(f[3], f[4].equals("1"), st);
            emit("R\t" + seq + "\t0\t" + data(d) + "\t" + stat(st));
            break;
          }
          case "getChildren": {
            Stat st = new Stat();
            List<String> c = zk.getChildren(f[3], f[4].equals("1"), st);
            emit("R\t" + seq + "\t0\t" + joinChildren(c) + "\t" + stat(st));
            break;
          }
          case "setData": {
            Stat st = zk.setData(f[3], parseData(f[4]), Integer.parseInt(f[5]));
            emit("R\t" + seq + "\t0\t" + stat(st));
            break;
          }
          case "getACL": {
            Stat st = new Stat();
            List<ACL> a = zk.getACL(f[3], st);
            emit("R\t" + seq + "\t0\t" + acl(a) + "\t" + stat(st));
            break;
          }
          case "setACL": {
            Stat st = zk.setACL(f[3], parseAcl(f[4]), Integer.parseInt(f[5]));
            emit("R\t" + seq + "\t0\t" + stat(st));
            break;
          }
          case "sync": {
            CountDownLatch done = new CountDownLatch(1);
            int[] rcOut = new int[1];
            zk.sync(f[3], (rc, path, ctx) -> { rcOut[0] = rc; done.countDown(); }, null);
            done.await(10, TimeUnit.SECONDS);
            emit("R\t" + seq + "\t" + rcOut[0]);
            break;
          }
          case "getEphemerals": {
            List<String> e = zk.getEphemerals(f[3]);
            emit("R\t" + seq + "\t0\t" + joinChildren(e));
            break;
          }
          case "getAllChildrenNumber":
            emit("R\t" + seq + "\t0\t" + zk.getAllChildrenNumber(f[3]));
            break;
          case "addAuth":
            zk.addAuthInfo(f[3], f[4].getBytes(StandardCharsets.UTF_8));
            flush(zk); // the auth packet is answered before this round trip completes
            emit("R\t" + seq + "\t0");
            break;
          case "addWatch":
            zk.addWatch(f[3], f[4].equals("1") ? AddWatchMode.PERSISTENT_RECURSIVE : AddWatchMode.PERSISTENT);
            emit("R\t" + seq + "\t0");
            break;
          case "removeWatches":
            zk.removeAllWatches(f[3], Watcher.WatcherType.fromInt(Integer.parseInt(f[4])), false);
            emit("R\t" + seq + "\t0");
            break;
          case "multi":
          case "multiRead": {
            int n = Integer.parseInt(f[3]);
            List<Op> ops = new ArrayList<>();
            for (int i = 0; i < n; i++) ops.add(parseOp(in.readLine().split("\t", -1)));
            List<OpResult> results;
            int err = 0;
            try {
              results = zk.multi(ops);
            } catch (KeeperException ke) {
              err = ke.code().intValue();
              results = ke.getResults();
            }
            List<String> parts = new ArrayList<>();
            if (results != null) for (OpResult r : results) parts.add(opResult(r));
            emit("R\t" + seq + "\t" + err + "\t" + String.join("\t", parts));
            break;
          }
          case "flush": {
            List<String> names = new ArrayList<>(sessions.keySet());
            Collections.sort(names);
            for (String s : names) flush(sessions.get(s));
            synchronized (pendingEvents) {
              List<String> keys = new ArrayList<>(pendingEvents.keySet());
              Collections.sort(keys);
              for (String s : keys) for (String ev : pendingEvents.get(s)) emit("E\t" + s + "\t" + ev);
              pendingEvents.clear();
            }
            emit("R\t" + seq + "\t0");
            break;
          }
          default:
            emit("R\t" + seq + "\tUNKNOWN_COMMAND\t" + cmd);
        }
      } catch (KeeperException ke) {
        emit("R\t" + seq + "\t" + ke.code().intValue());
      } catch (IllegalArgumentException iae) {
        emit("R\t" + seq + "\tCLIENT\t" + iae.getMessage());
      }
    }
    for (ZooKeeper z : sessions.values()) z.close();
    System.out.print(out);
    System.out.flush();
    System.exit(0);
  }
}
