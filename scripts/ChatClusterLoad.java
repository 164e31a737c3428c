import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chat load through a load balancer in front of several instances sharing one room on Redis:
 * CLIENTS members log in (c0, c1, ...), each sends numbered messages at RATE per second, and each
 * reconnects (through the balancer) and claims its name again when its connection is lost. At the
 * end it reports messages sent and delivered, order violations (every session must see the room's
 * messages in one global order, and each sender's in the order sent) and, for the members whose
 * instance was killed, how long until their name could be claimed again. Loopback only, bounded in
 * time. Run by scripts/chat-cluster.sh.
 *
 * Usage: java scripts/ChatClusterLoad.java SECONDS PORT [CLIENTS] [RATE]
 */
public class ChatClusterLoad {

	static final AtomicLong sent = new AtomicLong();

	static final AtomicLong delivered = new AtomicLong();

	static final AtomicLong perSenderViolations = new AtomicLong();

	/** Every session's received messages, as sender * 1e9 + number. */
	static final List<List<Long>> sessions = new CopyOnWriteArrayList<>();

	/** Per killed member: milliseconds from losing its connection until it had its name again. */
	static final Map<String, Long> nameFreedMillis = new ConcurrentHashMap<>();

	/** Per member announced as left because its server stopped: when the first survivor read it. */
	static final Map<String, Long> leftAnnouncedAt = new ConcurrentHashMap<>();

	static final Map<String, Long> lostAt = new ConcurrentHashMap<>();

	public static void main(String[] args) throws Exception {
		long seconds = Math.min(Long.parseLong(args[0]), 600);
		int port = Integer.parseInt(args[1]);
		int clients = (args.length > 2) ? Integer.parseInt(args[2]) : 50;
		int rate = (args.length > 3) ? Integer.parseInt(args[3]) : 10;
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
		List<Thread> threads = new ArrayList<>();
		for (int i = 0; i < clients; i++) {
			int id = i;
			Thread thread = new Thread(() -> member(port, id, rate, deadline), "c" + i);
			thread.start();
			threads.add(thread);
		}
		for (Thread thread : threads) {
			thread.join();
		}
		report(clients);
	}

	static void member(int port, int id, int rate, long deadline) {
		String name = "c" + id;
		long seq = 0;
		long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
		while (System.nanoTime() < deadline) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
				socket.setSoTimeout(15_000);
				BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
				OutputStream out = socket.getOutputStream();
				if (in.readLine() == null) {
					continue;
				}
				if (!login(in, out, name, deadline)) {
					continue;
				}
				Long lost = lostAt.remove(name);
				if (lost != null) {
					nameFreedMillis.merge(name, (System.nanoTime() - lost) / 1_000_000, Math::max);
				}
				List<Long> received = Collections.synchronizedList(new ArrayList<>());
				sessions.add(received);
				Thread reader = new Thread(() -> read(in, received, name));
				reader.start();
				long next = System.nanoTime();
				try {
					while (System.nanoTime() < deadline && reader.isAlive()) {
						out.write((name + "-" + seq + "\n").getBytes(StandardCharsets.UTF_8));
						out.flush();
						seq++;
						sent.incrementAndGet();
						next += intervalNanos;
						long wait = next - System.nanoTime();
						if (wait > 0) {
							TimeUnit.NANOSECONDS.sleep(wait);
						}
					}
				}
				catch (IOException ex) {
					// the instance died: reconnect below
				}
				if (System.nanoTime() >= deadline) {
					TimeUnit.SECONDS.sleep(3); // let the last messages arrive
					socket.close();
					reader.join();
					return;
				}
				reader.join();
				lostAt.putIfAbsent(name, System.nanoTime());
			}
			catch (IOException ex) {
				sleep(100);
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	/** Claims the name, retrying while another instance still holds it (the dead instance's claim). */
	static boolean login(BufferedReader in, OutputStream out, String name, long deadline) throws IOException {
		while (System.nanoTime() < deadline) {
			out.write(("NAME: " + name + "\n").getBytes(StandardCharsets.UTF_8));
			out.flush();
			String line = in.readLine();
			while (line != null && !line.startsWith("* Welcome, ") && !line.startsWith("! ")) {
				line = in.readLine();
			}
			if (line == null) {
				return false;
			}
			if (line.startsWith("* Welcome, ")) {
				return true;
			}
			sleep(50); // taken, or the chat briefly unavailable: try again
		}
		return false;
	}

	static void read(BufferedReader in, List<Long> received, String self) {
		try {
			for (String line = in.readLine(); line != null; line = in.readLine()) {
				if (line.startsWith("* ")) {
					if (line.endsWith(" left the room (its server stopped responding)")) {
						leftAnnouncedAt.putIfAbsent(line.substring(2, line.indexOf(' ', 2)), System.nanoTime());
					}
					continue;
				}
				int colon = line.indexOf(": ");
				int dash = line.lastIndexOf('-');
				if (line.charAt(0) != 'c' || colon < 0 || dash < colon) {
					continue;
				}
				long sender = Long.parseLong(line.substring(1, colon));
				long number = Long.parseLong(line.substring(dash + 1));
				received.add(sender * 1_000_000_000L + number);
				delivered.incrementAndGet();
			}
		}
		catch (IOException | RuntimeException ex) {
			// connection lost
		}
	}

	static void report(int clients) {
		// Each sender's messages in the order sent, within each session.
		for (List<Long> session : sessions) {
			Map<Long, Long> last = new HashMap<>();
			for (long message : session) {
				Long previous = last.put(message / 1_000_000_000L, message % 1_000_000_000L);
				if (previous != null && previous >= message % 1_000_000_000L) {
					perSenderViolations.incrementAndGet();
				}
			}
		}
		// One global order: any two sessions saw the messages they both received in the same order.
		long globalViolations = 0;
		List<Map<Long, Integer>> positions = new ArrayList<>();
		for (List<Long> session : sessions) {
			Map<Long, Integer> position = new HashMap<>(session.size() * 2);
			for (int i = 0; i < session.size(); i++) {
				position.put(session.get(i), i);
			}
			positions.add(position);
		}
		for (int a = 0; a < sessions.size(); a++) {
			for (int b = a + 1; b < sessions.size(); b++) {
				int previous = -1;
				Map<Long, Integer> inA = positions.get(a);
				for (long message : sessions.get(b)) {
					Integer at = inA.get(message);
					if (at != null) {
						if (at < previous) {
							globalViolations++;
						}
						previous = at;
					}
				}
			}
		}
		long maxFreed = nameFreedMillis.values().stream().mapToLong(Long::longValue).max().orElse(-1);
		System.out.printf("RESULT clients=%d sessions=%d sent=%d delivered=%d per_sender_order_violations=%d "
				+ "global_order_violations=%d reconnected_after_kill=%d name_freed_max_ms=%d left_announced=%d%n",
				clients, sessions.size(), sent.get(), delivered.get(), perSenderViolations.get(), globalViolations,
				nameFreedMillis.size(), maxFreed, leftAnnouncedAt.size());
		System.exit((perSenderViolations.get() == 0 && globalViolations == 0) ? 0 : 1);
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
