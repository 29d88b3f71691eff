// Runs a zkCli script through Apache ZooKeeper's own ZooKeeperMain (the class behind zkCli.sh) in
// one JVM and prints a transcript that is the same on every run:
//   > <command line>          the command, echoed before it runs
//   | <line>                  what the command printed on stdout
//   ! <line>                  what it printed on stderr
//   ~ <line>                  what the event thread printed (WATCHER:: / WatchedEvent ...)
//   # --- <title>             a section comment of the script (other `#` lines are skipped)
// zkCli prints watch events from its event thread, so they race with the main thread's output.
// After each command the driver waits until every event of that command has been printed (a
// sync round trip on the live session, or the end of a closed session's event thread) and prints
// the event thread's lines after the command's own lines. Nothing else is changed: each command
// runs through ZooKeeperMain.executeLine, exactly as zkCli.sh runs a line read from a pipe.
// Usage: java -cp ...:/usr/share/java/* ZkCliDriver -server host:port < script
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

public final class ZkCliDriver {
    static final long BARRIER_MS = 10_000;
    static final PrintStream REAL = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    static final Object LOCK = new Object();
    static final List<String> pendingEvents = new ArrayList<>();

    static boolean onEventThread() {
        return Thread.currentThread().getName().endsWith("-EventThread");
    }

    /** Splits what one stream receives into lines, routed by the writing thread. */
    static final class Router extends OutputStream {
        final String tag;
        final ByteArrayOutputStream mainLine = new ByteArrayOutputStream();
        final ByteArrayOutputStream eventLine = new ByteArrayOutputStream();

        Router(String tag) { this.tag = tag; }

        @Override public void write(int b) { write(new byte[] { (byte) b }, 0, 1); }

        @Override public void write(byte[] b, int off, int len) {
            synchronized (LOCK) {
                boolean ev = onEventThread();
                ByteArrayOutputStream buf = ev ? eventLine : mainLine;
                for (int i = off; i < off + len; i++) {
                    if (b[i] == '\n') emit(ev, buf);
                    else buf.write(b[i]);
                }
            }
        }

        void emit(boolean ev, ByteArrayOutputStream buf) {
            String line = buf.toString(StandardCharsets.UTF_8);
            buf.reset();
            if (ev) {
                if (!line.isEmpty()) pendingEvents.add("~ " + line);
            } else {
                REAL.println(tag + line);
            }
        }

        void flushPartial() {
            synchronized (LOCK) {
                if (mainLine.size() > 0) emit(false, mainLine);
                if (eventLine.size() > 0) emit(true, eventLine);
            }
        }
    }

    static final Router OUT = new Router("| ");
    static final Router ERR = new Router("! ");

    /** ZooKeeperMain is loaded only after System.out/err are routed (its commands keep the streams of that moment). */
    static final class Cli extends org.apache.zookeeper.ZooKeeperMain {
        Cli(String[] args) throws Exception { super(args); }

        org.apache.zookeeper.ZooKeeper current() { return zk; }
    }

    static Thread eventThreadOf(org.apache.zookeeper.ZooKeeper zk) {
        if (zk == null) return null;
        try {
            Field cnxnF = org.apache.zookeeper.ZooKeeper.class.getDeclaredField("cnxn");
            cnxnF.setAccessible(true);
            Object cnxn = cnxnF.get(zk);
            Field evF = cnxn.getClass().getDeclaredField("eventThread");
            evF.setAccessible(true);
            return (Thread) evF.get(cnxn);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until every event queued so far has been printed, then prints them. */
    static void barrier(Cli cli) throws InterruptedException {
        org.apache.zookeeper.ZooKeeper zk = cli.current();
        Thread current = eventThreadOf(zk);
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t != current && t.getName().endsWith("-EventThread")) t.join(BARRIER_MS);
        }
        if (zk != null && zk.getState().isAlive()) {
            CountDownLatch done = new CountDownLatch(1);
            zk.sync("/", (rc, path, ctx) -> done.countDown(), null);
            if (!done.await(BARRIER_MS, TimeUnit.MILLISECONDS)) REAL.println("# barrier timed out");
        } else if (current != null) {
            current.join(BARRIER_MS);
        }
        System.out.flush();
        System.err.flush();
        OUT.flushPartial();
        ERR.flushPartial();
        synchronized (LOCK) {
            for (String e : pendingEvents) REAL.println(e);
            pendingEvents.clear();
        }
    }

    public static void main(String[] args) throws Exception {
        System.setOut(new PrintStream(OUT, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(ERR, true, StandardCharsets.UTF_8));
        Cli cli = new Cli(args);
        barrier(cli);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("# ---")) REAL.println(line);
            if (line.isBlank() || line.startsWith("#")) continue;
            REAL.println("> " + line);
            cli.executeLine(line);
            barrier(cli);
        }
        org.apache.zookeeper.ZooKeeper zk = cli.current();
        if (zk != null) zk.close();
        REAL.println("# end");
        REAL.flush();
        System.exit(0);
    }
}
