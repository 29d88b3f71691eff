// Apache Curator 5.4 scenarios for zkts compatibility tests.
// Usage: java CuratorScenarios <connectString> <scenario>
// Prints exactly one line "RESULT {json}" on stdout: what the scenario observed. A scenario never
// asserts: the vitest test compares the observations with what Apache ZooKeeper gives. Every wait
// is bounded (latches, queues with timeouts), so a misbehaving server ends as a reported failure.
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.barriers.DistributedBarrier;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceProvider;
import org.apache.curator.x.discovery.details.ServiceCacheListener;
import org.apache.zookeeper.CreateMode;

public final class CuratorScenarios {
  static final long WAIT_S = 20;
  static String connectString;
  static final List<CuratorFramework> clients = new CopyOnWriteArrayList<>();

  public static void main(String[] args) throws Exception {
    connectString = args[0];
    String scenario = args[1];
    Map<String, Object> out = new LinkedHashMap<>();
    int code = 0;
    try {
      switch (scenario) {
        case "connection": connection(out); break;
        case "mutex": mutex(out); break;
        case "leaderLatch": leaderLatch(out); break;
        case "barrier": barrier(out); break;
        case "sharedCount": sharedCount(out); break;
        case "curatorCache": curatorCache(out); break;
        case "discovery": discovery(out); break;
        case "framework": framework(out); break;
        case "sessionExpiry": sessionExpiry(out); break;
        case "mutexInterop": mutexInterop(out, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4])); break;
        case "latchInterop": latchInterop(out, args[2], Integer.parseInt(args[3])); break;
        default: throw new IllegalArgumentException("unknown scenario " + scenario);
      }
    } catch (Throwable t) {
      t.printStackTrace();
      out.put("error", t.toString());
      code = 1;
    } finally {
      for (CuratorFramework c : clients) {
        try { c.close(); } catch (Throwable ignore) { }
      }
    }
    System.out.println("RESULT " + new ObjectMapper().writeValueAsString(out));
    System.out.flush();
    // Curator and ZooKeeper threads are non-daemon in places; end the JVM explicitly.
    System.exit(code);
  }

  /** A started client that is connected, or an exception. */
  static CuratorFramework client() throws Exception {
    CuratorFramework c = CuratorFrameworkFactory.builder()
        .connectString(connectString)
        .sessionTimeoutMs(10_000)
        .connectionTimeoutMs(10_000)
        .retryPolicy(new ExponentialBackoffRetry(100, 3))
        .build();
    clients.add(c);
    c.start();
    if (!c.blockUntilConnected((int) WAIT_S, TimeUnit.SECONDS)) throw new IllegalStateException("not connected");
    return c;
  }

  static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }
  static String str(byte[] b) { return b == null ? null : new String(b, StandardCharsets.UTF_8); }

  // --- connection: ConnectionStateListener sees CONNECTED; the session id is real; a round trip works.
  static void connection(Map<String, Object> out) throws Exception {
    CuratorFramework c = CuratorFrameworkFactory.newClient(connectString, 10_000, 10_000, new ExponentialBackoffRetry(100, 3));
    clients.add(c);
    List<String> states = new CopyOnWriteArrayList<>();
    CountDownLatch connected = new CountDownLatch(1);
    c.getConnectionStateListenable().addListener((cl, state) -> {
      states.add(state.name());
      if (state == ConnectionState.CONNECTED) connected.countDown();
    });
    c.start();
    out.put("connectedEvent", connected.await(WAIT_S, TimeUnit.SECONDS));
    out.put("blockUntilConnected", c.blockUntilConnected((int) WAIT_S, TimeUnit.SECONDS));
    out.put("isConnected", c.getZookeeperClient().isConnected());
    long sessionId = c.getZookeeperClient().getZooKeeper().getSessionId();
    out.put("sessionIdNonZero", sessionId != 0);
    out.put("negotiatedTimeoutPositive", c.getZookeeperClient().getZooKeeper().getSessionTimeout() > 0);
    String created = c.create().creatingParentsIfNeeded().forPath("/conn/a/b", bytes("hello"));
    out.put("created", created);
    out.put("data", str(c.getData().forPath("/conn/a/b")));
    out.put("children", c.getChildren().forPath("/conn/a"));
    String seq = c.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath("/conn/s-", bytes("e"));
    out.put("sequential", seq);
    c.delete().deletingChildrenIfNeeded().forPath("/conn");
    out.put("existsAfterDelete", c.checkExists().forPath("/conn") != null);
    out.put("states", states);
  }

  // --- InterProcessMutex: several clients, mutual exclusion, every contender gets the lock.
  static void mutex(Map<String, Object> out) throws Exception {
    final int contenders = 5, rounds = 4;
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    AtomicInteger reentrantOk = new AtomicInteger();
    List<CuratorFramework> cs = new ArrayList<>();
    for (int i = 0; i < contenders; i++) cs.add(client());
    ExecutorService pool = Executors.newFixedThreadPool(contenders);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < contenders; i++) {
      CuratorFramework c = cs.get(i);
      futures.add(pool.submit(() -> {
        InterProcessMutex lock = new InterProcessMutex(c, "/locks/mutex");
        start.await();
        int got = 0;
        for (int r = 0; r < rounds; r++) {
          if (!lock.acquire(WAIT_S, TimeUnit.SECONDS)) continue;
          try {
            int now = inside.incrementAndGet();
            maxInside.accumulateAndGet(now, Math::max);
            // Re-entrance: the same thread acquires again without blocking.
            if (lock.acquire(1, TimeUnit.SECONDS)) { reentrantOk.incrementAndGet(); lock.release(); }
            Thread.sleep(3); // widen the window for a second holder, if the server let one in
            inside.decrementAndGet();
            got++;
          } finally {
            lock.release();
          }
        }
        return got;
      }));
    }
    start.countDown();
    List<Integer> acquisitions = new ArrayList<>();
    for (Future<Integer> f : futures) acquisitions.add(f.get(WAIT_S * 3, TimeUnit.SECONDS));
    pool.shutdownNow();
    out.put("acquisitions", acquisitions);
    out.put("maxInside", maxInside.get());
    out.put("reentrant", reentrantOk.get());
    // Lock nodes are ephemeral sequential and deleted on release: nothing is left.
    out.put("leftover", cs.get(0).getChildren().forPath("/locks/mutex"));
  }

  // --- LeaderLatch: one leader at a time; when the leader closes, another takes over.
  static void leaderLatch(Map<String, Object> out) throws Exception {
    final int n = 3;
    List<LeaderLatch> latches = new ArrayList<>();
    AtomicInteger overlaps = new AtomicInteger();
    BlockingQueue<String> elected = new LinkedBlockingQueue<>();
    for (int i = 0; i < n; i++) {
      LeaderLatch l = new LeaderLatch(client(), "/latch", "c" + i);
      latches.add(l);
    }
    for (LeaderLatch l : latches) {
      l.addListener(new LeaderLatchListener() {
        public void isLeader() {
          for (LeaderLatch other : latches) if (other != l && other.hasLeadership()) overlaps.incrementAndGet();
          elected.add(l.getId());
        }
        public void notLeader() { }
      });
    }
    for (LeaderLatch l : latches) l.start();
    List<String> leaders = new ArrayList<>();
    List<Integer> leaderCounts = new ArrayList<>();
    List<Boolean> agreed = new ArrayList<>();
    List<Integer> participants = new ArrayList<>();
    List<LeaderLatch> open = new ArrayList<>(latches);
    while (!open.isEmpty()) {
      String id = elected.poll(WAIT_S, TimeUnit.SECONDS);
      if (id == null) throw new IllegalStateException("no leader elected among " + open.size());
      leaders.add(id);
      LeaderLatch leader = null;
      int count = 0;
      for (LeaderLatch l : open) if (l.hasLeadership()) { count++; leader = l; }
      leaderCounts.add(count);
      boolean agree = true;
      for (LeaderLatch l : open) agree &= id.equals(l.getLeader().getId());
      agreed.add(agree);
      participants.add(open.get(0).getParticipants().size());
      if (leader == null || !leader.getId().equals(id)) throw new IllegalStateException("elected " + id + " but holder is " + (leader == null ? null : leader.getId()));
      // await() returns at once for the leader.
      if (!leader.await(1, TimeUnit.SECONDS)) throw new IllegalStateException("leader await false");
      open.remove(leader);
      leader.close(LeaderLatch.CloseMode.NOTIFY_LEADER);
    }
    out.put("leaders", leaders.size());
    out.put("distinctLeaders", new java.util.HashSet<>(leaders).size());
    out.put("leaderCounts", leaderCounts);
    out.put("allAgreeOnLeader", agreed);
    out.put("participants", participants);
    out.put("overlaps", overlaps.get());
    out.put("extraElections", elected.size());
    // close() deletes the latch node in the background: wait (bounded, on a child watch) until
    // the last one is gone, then report what is left.
    out.put("leftover", childrenOnceEmpty(clients.get(0), "/latch"));
  }

  /** The children of `path` once there are none, or what is there after WAIT_S seconds. */
  static List<String> childrenOnceEmpty(CuratorFramework c, String path) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (true) {
      CountDownLatch changed = new CountDownLatch(1);
      List<String> children = c.getChildren().usingWatcher((org.apache.zookeeper.Watcher) e -> changed.countDown()).forPath(path);
      long left = deadline - System.nanoTime();
      if (children.isEmpty() || left <= 0) return children;
      changed.await(left, TimeUnit.NANOSECONDS);
    }
  }

  // --- DistributedBarrier: set, waiters block, remove releases them.
  static void barrier(Map<String, Object> out) throws Exception {
    final int waiters = 3;
    CuratorFramework owner = client();
    DistributedBarrier b = new DistributedBarrier(owner, "/barrier");
    b.setBarrier();
    out.put("barrierNodeExists", owner.checkExists().forPath("/barrier") != null);
    // While set, a bounded wait times out.
    out.put("shortWaitWhileSet", new DistributedBarrier(client(), "/barrier").waitOnBarrier(300, TimeUnit.MILLISECONDS));
    List<Thread> threads = new ArrayList<>();
    List<Boolean> results = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(waiters);
    for (int i = 0; i < waiters; i++) {
      CuratorFramework c = client();
      Thread t = new Thread(() -> {
        try {
          results.add(new DistributedBarrier(c, "/barrier").waitOnBarrier(WAIT_S, TimeUnit.SECONDS));
        } catch (Exception e) {
          results.add(false);
        } finally {
          done.countDown();
        }
      });
      threads.add(t);
      t.start();
    }
    // A waiter has set its watch once it sits in Object.wait(timeout) (TIMED_WAITING); no event
    // announces that, so the thread states are polled, bounded.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    boolean allBlocked = false;
    while (System.nanoTime() < deadline) {
      allBlocked = true;
      for (Thread t : threads) allBlocked &= t.getState() == Thread.State.TIMED_WAITING;
      if (allBlocked) break;
      Thread.sleep(5);
    }
    out.put("allBlocked", allBlocked);
    out.put("releasedBeforeRemove", waiters - (int) done.getCount());
    b.removeBarrier();
    out.put("allReleased", done.await(WAIT_S, TimeUnit.SECONDS));
    out.put("results", results);
    out.put("waitAfterRemove", new DistributedBarrier(owner, "/barrier").waitOnBarrier(1, TimeUnit.SECONDS));
  }

  // --- SharedCount: concurrent trySetCount with versions converges.
  static void sharedCount(Map<String, Object> out) throws Exception {
    final int n = 4, increments = 10, target = n * increments;
    List<SharedCount> counts = new ArrayList<>();
    List<CountDownLatch> reached = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      SharedCount sc = new SharedCount(client(), "/count", 0);
      CountDownLatch r = new CountDownLatch(1);
      sc.addListener(new org.apache.curator.framework.recipes.shared.SharedCountListener() {
        public void countHasChanged(org.apache.curator.framework.recipes.shared.SharedCountReader reader, int newCount) {
          if (newCount == target) r.countDown();
        }
        public void stateChanged(CuratorFramework c, ConnectionState s) { }
      });
      sc.start();
      counts.add(sc);
      reached.add(r);
    }
    AtomicInteger conflicts = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> fs = new ArrayList<>();
    for (SharedCount sc : counts) {
      fs.add(pool.submit(() -> {
        go.await();
        int ok = 0;
        while (ok < increments) {
          VersionedValue<Integer> v = sc.getVersionedValue();
          if (sc.trySetCount(v, v.getValue() + 1)) ok++; else conflicts.incrementAndGet();
        }
        return ok;
      }));
    }
    go.countDown();
    int successes = 0;
    for (Future<Integer> f : fs) successes += f.get(WAIT_S * 3, TimeUnit.SECONDS);
    pool.shutdownNow();
    List<Integer> finals = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      SharedCount sc = counts.get(i);
      // A client that made the last write already holds the target; the others learn it by watch.
      if (sc.getCount() != target) reached.get(i).await(WAIT_S, TimeUnit.SECONDS);
      finals.add(sc.getCount());
    }
    byte[] raw = clients.get(0).getData().forPath("/count");
    out.put("successes", successes);
    out.put("finals", finals);
    out.put("stored", java.nio.ByteBuffer.wrap(raw).getInt());
    out.put("storedVersion", clients.get(0).checkExists().forPath("/count").getVersion());
    out.put("conflictsObserved", conflicts.get() >= 0);
    for (SharedCount sc : counts) sc.close();
  }

  // --- CuratorCache: create / change / delete under a path, events in order.
  static void curatorCache(Map<String, Object> out) throws Exception {
    CuratorFramework c = client();
    CuratorFramework writer = client();
    writer.create().forPath("/cache", bytes("root"));
    writer.create().forPath("/cache/pre", bytes("p"));
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    // CuratorCache.build always gives CuratorCacheImpl, which keeps one persistent recursive watch
    // (addWatch, ZooKeeper 3.6+) on the root instead of one-shot watches per node.
    CuratorCache cache = CuratorCache.build(c, "/cache");
    out.put("persistentWatchers", org.apache.curator.utils.Compatibility.hasPersistentWatchers());
    out.put("cacheImpl", cache.getClass().getSimpleName());
    cache.listenable().addListener(CuratorCacheListener.builder()
        .forAll((type, oldData, data) -> {
          ChildData d = data != null ? data : oldData;
          String s = type + " " + d.getPath() + " " + str(d.getData());
          if (type == CuratorCacheListener.Type.NODE_CHANGED) s += " (was " + str(oldData.getData()) + ")";
          events.add(s);
        })
        .forInitialized(() -> events.add("INITIALIZED"))
        .build());
    cache.start();
    List<String> seen = new ArrayList<>();
    // The initial load: two creates in some order, then INITIALIZED.
    List<String> initial = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String e = events.poll(WAIT_S, TimeUnit.SECONDS);
      initial.add(e == null ? "TIMEOUT" : e);
    }
    List<String> sortedInitial = new ArrayList<>(initial.subList(0, 2));
    Collections.sort(sortedInitial);
    sortedInitial.add(initial.get(2));
    out.put("initial", sortedInitial);
    // One write at a time, each awaited, so the order is fixed.
    String[][] steps = {
      {"create", "/cache/a", "1"},
      {"set", "/cache/a", "2"},
      {"create", "/cache/a/b", "x"},
      {"set", "/cache", "root2"},
      {"delete", "/cache/a/b", null},
      {"delete", "/cache/a", null},
      {"delete", "/cache/pre", null},
    };
    for (String[] s : steps) {
      switch (s[0]) {
        case "create": writer.create().forPath(s[1], bytes(s[2])); break;
        case "set": writer.setData().forPath(s[1], bytes(s[2])); break;
        default: writer.delete().forPath(s[1]);
      }
      String e = events.poll(WAIT_S, TimeUnit.SECONDS);
      seen.add(e == null ? "TIMEOUT after " + s[0] + " " + s[1] : e);
    }
    out.put("events", seen);
    // A burst without waiting: the cache converges on the final tree.
    for (int i = 0; i < 5; i++) writer.create().forPath("/cache/burst-" + i, bytes("v" + i));
    List<String> burst = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String e = events.poll(WAIT_S, TimeUnit.SECONDS);
      burst.add(e == null ? "TIMEOUT" : e);
    }
    Collections.sort(burst);
    out.put("burst", burst);
    out.put("cacheSize", cache.size());
    out.put("cachedRoot", cache.get("/cache").map(d -> str(d.getData())).orElse(null));
    out.put("extraEvents", new ArrayList<>(events));
    cache.close();
  }

  // --- ServiceDiscovery: register, seen by queries and a provider; unregister, gone.
  static void discovery(Map<String, Object> out) throws Exception {
    CuratorFramework regClient = client();
    CuratorFramework queryClient = client();
    ServiceDiscovery<String> reg = ServiceDiscoveryBuilder.builder(String.class).client(regClient).basePath("/services").build();
    reg.start();
    ServiceDiscovery<String> query = ServiceDiscoveryBuilder.builder(String.class).client(queryClient).basePath("/services").build();
    query.start();
    ServiceProvider<String> provider = query.serviceProviderBuilder().serviceName("worker").build();
    provider.start();
    out.put("providerBefore", provider.getAllInstances().size());

    ServiceInstance<String> w1 = ServiceInstance.<String>builder().name("worker").id("w1").address("127.0.0.1").port(1234).payload("hello").build();
    ServiceInstance<String> w2 = ServiceInstance.<String>builder().name("worker").id("w2").address("127.0.0.2").port(2345).payload("again").build();
    // The provider's cache reports each change; await the one we expect.
    BlockingQueue<Integer> sizes = new LinkedBlockingQueue<>();
    org.apache.curator.x.discovery.ServiceCache<String> watched = query.serviceCacheBuilder().name("worker").build();
    watched.addListener(new ServiceCacheListener() {
      public void cacheChanged() { sizes.add(watched.getInstances().size()); }
      public void stateChanged(CuratorFramework c, ConnectionState s) { }
    });
    watched.start();

    reg.registerService(w1);
    out.put("names", new ArrayList<>(query.queryForNames()));
    Collection<ServiceInstance<String>> found = query.queryForInstances("worker");
    List<String> desc = new ArrayList<>();
    for (ServiceInstance<String> i : found) desc.add(i.getId() + "@" + i.getAddress() + ":" + i.getPort() + " " + i.getPayload() + " " + i.getServiceType());
    out.put("queried", desc);
    out.put("sizeAfterRegister", awaitSize(sizes, 1));
    out.put("providerAfterRegister", awaitProvider(provider, 1));
    ServiceInstance<String> picked = provider.getInstance();
    out.put("providerPicked", picked == null ? null : picked.getId());

    reg.registerService(w2);
    out.put("sizeAfterSecond", awaitSize(sizes, 2));
    out.put("providerAll", awaitProvider(provider, 2));

    reg.unregisterService(w1);
    out.put("sizeAfterUnregister", awaitSize(sizes, 1));
    out.put("queriedAfterUnregister", query.queryForInstances("worker").size());
    out.put("providerAfterUnregister", awaitProvider(provider, 1));
    ServiceInstance<String> pickedAfter = provider.getInstance();
    out.put("providerPickedAfter", pickedAfter == null ? null : pickedAfter.getId());

    // Instances are ephemeral: closing the registering client (not the discovery, whose close()
    // unregisters explicitly) ends its session, and the server removes w2.
    regClient.close();
    out.put("sizeAfterClose", awaitSize(sizes, 0));
    out.put("queriedAfterClose", query.queryForInstances("worker").size());
    out.put("providerAllAfterClose", awaitProvider(provider, 0));
    out.put("providerAfterClose", provider.getInstance() == null ? null : "present");
    watched.close();
    provider.close();
    query.close();
  }

  // --- framework: transactions (multi), protected creates, containers, watcher removal, sync,
  // read/write lock, DistributedAtomicLong, the ensemble config node.
  static void framework(Map<String, Object> out) throws Exception {
    CuratorFramework c = client();
    c.create().forPath("/fw", bytes("x"));
    // A transaction that commits: the results name every operation.
    List<org.apache.curator.framework.api.transaction.CuratorTransactionResult> ok = c.transaction().forOperations(
        c.transactionOp().create().forPath("/fw/t1", bytes("1")),
        c.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath("/fw/seq-", bytes("s")),
        c.transactionOp().setData().forPath("/fw", bytes("y")),
        c.transactionOp().check().withVersion(1).forPath("/fw"));
    List<String> okDesc = new ArrayList<>();
    for (org.apache.curator.framework.api.transaction.CuratorTransactionResult r : ok) {
      okDesc.add(r.getType() + " " + r.getForPath() + " " + r.getResultPath() + " " + (r.getResultStat() == null ? "-" : r.getResultStat().getVersion()) + " " + r.getError());
    }
    out.put("txnOk", okDesc);
    // A transaction that fails: nothing is applied, the first failing op carries the error.
    String failure;
    try {
      c.transaction().forOperations(
          c.transactionOp().create().forPath("/fw/t2", bytes("2")),
          c.transactionOp().delete().withVersion(99).forPath("/fw/t1"));
      failure = "committed";
    } catch (org.apache.zookeeper.KeeperException e) {
      List<String> rs = new ArrayList<>();
      if (e.getResults() != null) for (org.apache.zookeeper.OpResult r : e.getResults()) {
        rs.add(r instanceof org.apache.zookeeper.OpResult.ErrorResult ? "err " + ((org.apache.zookeeper.OpResult.ErrorResult) r).getErr() : r.getClass().getSimpleName());
      }
      failure = e.code() + " " + rs;
    }
    out.put("txnFail", failure);
    out.put("t2Exists", c.checkExists().forPath("/fw/t2") != null);
    // Protected ephemeral sequential create (the name carries a _c_<uuid>- prefix).
    String prot = c.create().creatingParentsIfNeeded().withProtection().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath("/fw/p/node-", bytes("p"));
    out.put("protectedShape", prot.replaceAll("_c_[0-9a-f-]{36}-", "_c_UUID-"));
    // Parent containers: creatingParentContainersIfNeeded makes /fw/c1 a container (ZooKeeper 3.5+).
    c.create().creatingParentContainersIfNeeded().forPath("/fw/c1/leaf", bytes("l"));
    out.put("containerChildren", c.getChildren().forPath("/fw/c1"));
    // A one-shot data watch fires once; a removed watch is told DataWatchRemoved (as the Java
    // client does) and never sees the later change.
    BlockingQueue<String> fired = new LinkedBlockingQueue<>();
    c.getData().usingWatcher((org.apache.curator.framework.api.CuratorWatcher) e -> fired.add(e.getType() + " " + e.getPath())).forPath("/fw/t1");
    org.apache.zookeeper.Watcher removable = e -> fired.add("removable " + e.getType() + " " + e.getPath());
    c.checkExists().usingWatcher(removable).forPath("/fw/c1/leaf");
    c.watchers().remove(removable).ofType(org.apache.zookeeper.Watcher.WatcherType.Any).forPath("/fw/c1/leaf");
    c.setData().forPath("/fw/t1", bytes("changed"));
    c.setData().forPath("/fw/c1/leaf", bytes("changed"));
    List<String> watchEvents = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      String e = fired.poll(WAIT_S, TimeUnit.SECONDS);
      watchEvents.add(e == null ? "TIMEOUT" : e);
    }
    out.put("watchEvents", watchEvents);
    // sync() in the background completes; by then a wrongly kept watch would have fired.
    CountDownLatch synced = new CountDownLatch(1);
    c.sync().inBackground((cl, ev) -> synced.countDown()).forPath("/fw");
    out.put("synced", synced.await(WAIT_S, TimeUnit.SECONDS));
    out.put("extraWatchEvents", new ArrayList<>(fired));
    // Read/write lock: two readers at once, the writer excluded while they hold it.
    CuratorFramework c2 = client();
    org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock rw1 = new org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock(c, "/fw/rw");
    org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock rw2 = new org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock(c2, "/fw/rw");
    boolean r1 = rw1.readLock().acquire(WAIT_S, TimeUnit.SECONDS);
    boolean r2 = rw2.readLock().acquire(WAIT_S, TimeUnit.SECONDS);
    ExecutorService one = Executors.newSingleThreadExecutor();
    boolean writeWhileRead = one.submit(() -> {
      boolean got = rw2.writeLock().acquire(300, TimeUnit.MILLISECONDS);
      if (got) rw2.writeLock().release();
      return got;
    }).get(WAIT_S, TimeUnit.SECONDS);
    rw1.readLock().release();
    rw2.readLock().release();
    boolean writeAfter = one.submit(() -> {
      boolean got = rw2.writeLock().acquire(WAIT_S, TimeUnit.SECONDS);
      if (got) rw2.writeLock().release();
      return got;
    }).get(WAIT_S * 2, TimeUnit.SECONDS);
    one.shutdownNow();
    out.put("readLocks", r1 && r2);
    out.put("writeWhileRead", writeWhileRead);
    out.put("writeAfterRead", writeAfter);
    // DistributedAtomicLong: optimistic increments from two clients.
    org.apache.curator.framework.recipes.atomic.DistributedAtomicLong a1 = new org.apache.curator.framework.recipes.atomic.DistributedAtomicLong(c, "/fw/atomic", new ExponentialBackoffRetry(10, 20));
    org.apache.curator.framework.recipes.atomic.DistributedAtomicLong a2 = new org.apache.curator.framework.recipes.atomic.DistributedAtomicLong(c2, "/fw/atomic", new ExponentialBackoffRetry(10, 20));
    int okIncrements = 0;
    for (int i = 0; i < 10; i++) {
      if ((i % 2 == 0 ? a1 : a2).increment().succeeded()) okIncrements++;
    }
    out.put("atomicIncrements", okIncrements);
    out.put("atomicValue", a1.get().postValue());
    // The ensemble config node that Curator's EnsembleTracker watches.
    out.put("configNodeExists", c.checkExists().forPath("/zookeeper/config") != null);
    out.put("fwChildren", new java.util.TreeSet<>(c.getChildren().forPath("/fw")).toString().replaceAll("seq-\\d+", "seq-N"));
  }

  // --- sessionExpiry: the classic "kill session" trick. A second ZooKeeper handle attaches to the
  // client's session (same id and password) and closes it; the server ends the session, Curator
  // sees LOST, builds a new session and reports RECONNECTED; the old ephemeral is gone.
  static void sessionExpiry(Map<String, Object> out) throws Exception {
    CuratorFramework c = CuratorFrameworkFactory.newClient(connectString, 10_000, 10_000, new ExponentialBackoffRetry(100, 3));
    clients.add(c);
    List<String> states = new CopyOnWriteArrayList<>();
    CountDownLatch connected = new CountDownLatch(1);
    CountDownLatch lost = new CountDownLatch(1);
    CountDownLatch reconnected = new CountDownLatch(1);
    c.getConnectionStateListenable().addListener((cl, state) -> {
      states.add(state.name());
      if (state == ConnectionState.CONNECTED) connected.countDown();
      if (state == ConnectionState.LOST) lost.countDown();
      if (state == ConnectionState.RECONNECTED && lost.getCount() == 0) reconnected.countDown();
    });
    c.start();
    if (!connected.await(WAIT_S, TimeUnit.SECONDS)) throw new IllegalStateException("not connected");
    org.apache.zookeeper.ZooKeeper zk = c.getZookeeperClient().getZooKeeper();
    long oldSession = zk.getSessionId();
    c.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath("/exp/e", bytes("e"));
    CountDownLatch attached = new CountDownLatch(1);
    org.apache.zookeeper.ZooKeeper other = new org.apache.zookeeper.ZooKeeper(connectString, 10_000, e -> {
      if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) attached.countDown();
    }, oldSession, zk.getSessionPasswd());
    out.put("attached", attached.await(WAIT_S, TimeUnit.SECONDS));
    out.put("sameSession", other.getSessionId() == oldSession);
    other.close();
    out.put("lost", lost.await(WAIT_S, TimeUnit.SECONDS));
    out.put("reconnected", reconnected.await(WAIT_S, TimeUnit.SECONDS));
    long newSession = c.getZookeeperClient().getZooKeeper().getSessionId();
    out.put("newSessionNonZero", newSession != 0);
    out.put("newSessionDiffers", newSession != oldSession);
    out.put("ephemeralGone", c.checkExists().forPath("/exp/e") == null);
    out.put("states", states);
  }

  // --- Interop with the zkts TypeScript recipes (driven from src/interop.test.ts). Both sides follow
  // one protocol under `base`: every contender announces itself under base/ready, waits for base/go,
  // and on each entry into the critical section creates the EPHEMERAL base/holder (NodeExists = two
  // holders at once: a violation), appends base/log/e-N (PERSISTENT_SEQUENTIAL, data = its name),
  // pauses briefly, deletes base/holder and leaves.

  /** Announces `name` under base/ready and blocks until base/go exists. */
  static void gate(CuratorFramework c, String base, String name) throws Exception {
    announce(c, base, name);
    awaitGo(c, base);
  }

  static void announce(CuratorFramework c, String base, String name) throws Exception {
    c.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(base + "/ready/" + name);
  }

  static void awaitGo(CuratorFramework c, String base) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    if (c.checkExists().usingWatcher((org.apache.zookeeper.Watcher) e -> go.countDown()).forPath(base + "/go") != null) return;
    if (!go.await(WAIT_S * 3, TimeUnit.SECONDS)) throw new IllegalStateException("no go signal");
  }

  /** The critical section: returns false when another contender was inside (base/holder existed). */
  static boolean critical(CuratorFramework c, String base, String name) throws Exception {
    boolean alone = true;
    try {
      c.create().withMode(CreateMode.EPHEMERAL).forPath(base + "/holder", bytes(name));
    } catch (org.apache.zookeeper.KeeperException.NodeExistsException e) {
      alone = false;
    }
    c.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(base + "/log/e-", bytes(name));
    Thread.sleep(2);
    if (alone) c.delete().forPath(base + "/holder");
    return alone;
  }

  static void mutexInterop(Map<String, Object> out, String base, int contenders, int rounds) throws Exception {
    AtomicInteger violations = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(contenders);
    List<Future<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < contenders; i++) {
      CuratorFramework c = client();
      String name = "java-" + i;
      futures.add(pool.submit(() -> {
        InterProcessMutex lock = new InterProcessMutex(c, base + "/lock");
        gate(c, base, name);
        int got = 0;
        for (int r = 0; r < rounds; r++) {
          if (!lock.acquire(WAIT_S * 3, TimeUnit.SECONDS)) continue;
          try {
            if (!critical(c, base, name)) violations.incrementAndGet();
            got++;
          } finally {
            lock.release();
          }
        }
        return got;
      }));
    }
    List<Integer> acquisitions = new ArrayList<>();
    for (Future<Integer> f : futures) acquisitions.add(f.get(WAIT_S * 6, TimeUnit.SECONDS));
    pool.shutdownNow();
    out.put("acquisitions", acquisitions);
    out.put("violations", violations.get());
  }

  static void latchInterop(Map<String, Object> out, String base, int contenders) throws Exception {
    AtomicInteger violations = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    CountDownLatch allLed = new CountDownLatch(contenders);
    List<LeaderLatch> latches = new CopyOnWriteArrayList<>();
    List<String> led = new CopyOnWriteArrayList<>();
    ExecutorService work = Executors.newCachedThreadPool();
    List<CuratorFramework> cs = new ArrayList<>();
    for (int i = 0; i < contenders; i++) cs.add(client());
    for (int i = 0; i < contenders; i++) announce(cs.get(i), base, "java-" + i);
    awaitGo(cs.get(0), base);
    for (int i = 0; i < contenders; i++) {
      CuratorFramework c = cs.get(i);
      String name = "java-" + i;
      LeaderLatch l = new LeaderLatch(c, base + "/latch", name);
      l.addListener(new LeaderLatchListener() {
        public void isLeader() {
          work.submit(() -> {
            try {
              for (LeaderLatch other : latches) if (other != l && other.hasLeadership()) overlaps.incrementAndGet();
              if (!critical(c, base, name)) violations.incrementAndGet();
              led.add(name);
              l.close();
            } catch (Exception e) {
              e.printStackTrace();
            } finally {
              allLed.countDown();
            }
            return null;
          });
        }
        public void notLeader() { }
      });
      latches.add(l);
      l.start();
    }
    out.put("allLed", allLed.await(WAIT_S * 3, TimeUnit.SECONDS));
    work.shutdownNow();
    out.put("led", led.size());
    out.put("violations", violations.get());
    out.put("overlaps", overlaps.get());
  }

  /**
   * A ServiceProvider keeps its own cache and announces no change, so its view is polled (bounded)
   * until it holds the wanted number of instances; returns the last count seen.
   */
  static int awaitProvider(ServiceProvider<String> provider, int want) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    int n = provider.getAllInstances().size();
    while (n != want && System.nanoTime() < deadline) {
      Thread.sleep(5);
      n = provider.getAllInstances().size();
    }
    return n;
  }

  /** Waits until the service cache reports the wanted size; returns the last size seen (or -1). */
  static int awaitSize(BlockingQueue<Integer> sizes, int want) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    int last = -1;
    while (last != want) {
      long left = deadline - System.nanoTime();
      if (left <= 0) break;
      Integer s = sizes.poll(left, TimeUnit.NANOSECONDS);
      if (s == null) break;
      last = s;
    }
    return last;
  }
}
