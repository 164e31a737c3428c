import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Soak load for a running sample app: well-behaved echo clients that verify every byte, mixed with
 * hostile ones (never read, trickle a byte at a time, send garbage to every port, reset mid-transfer,
 * connect and vanish). Loopback only, bounded in time. Run by scripts/soak.sh.
 *
 * Usage: java scripts/Soak.java SECONDS ECHO_PORT [OTHER_PORT...]
 */
public class Soak {

	static final AtomicLong goodSent = new AtomicLong();
	static final AtomicLong goodReceived = new AtomicLong();
	static final AtomicLong goodMismatches = new AtomicLong();
	static final AtomicLong goodFailures = new AtomicLong();
	static final AtomicLong hostileConnections = new AtomicLong();

	public static void main(String[] args) throws Exception {
		long seconds = Math.min(Long.parseLong(args[0]), 3600);
		int echoPort = Integer.parseInt(args[1]);
		List<Integer> allPorts = new ArrayList<>();
		for (int i = 1; i < args.length; i++) {
			allPorts.add(Integer.parseInt(args[i]));
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
		ExecutorService pool = Executors.newCachedThreadPool();
		for (int i = 0; i < 16; i++) {
			int id = i;
			pool.submit(() -> wellBehaved(echoPort, id, deadline));
		}
		for (int i = 0; i < 8; i++) {
			pool.submit(() -> neverReads(echoPort, deadline));
		}
		for (int i = 0; i < 8; i++) {
			pool.submit(() -> trickle(echoPort, deadline));
		}
		for (int port : allPorts) {
			pool.submit(() -> garbage(port, deadline));
			pool.submit(() -> resetMidTransfer(port, deadline));
			pool.submit(() -> churn(port, deadline));
		}
		pool.shutdown();
		while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
			// wait for the deadline
		}
		System.out.printf("RESULT good_sent=%d good_received=%d mismatches=%d good_failures=%d hostile_connections=%d%n",
				goodSent.get(), goodReceived.get(), goodMismatches.get(), goodFailures.get(), hostileConnections.get());
		System.exit(goodSent.get() == goodReceived.get() && goodMismatches.get() == 0 && goodFailures.get() == 0 ? 0 : 1);
	}

	static Socket connect(int port) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		socket.setSoTimeout(30_000);
		return socket;
	}

	/** Sends random messages of 1 B to 256 KiB and checks that the echo matches, over and over. */
	static void wellBehaved(int port, int id, long deadline) {
		Random random = new Random(id);
		while (System.nanoTime() < deadline) {
			try (Socket socket = connect(port)) {
				OutputStream out = socket.getOutputStream();
				InputStream in = socket.getInputStream();
				for (int round = 0; round < 50 && System.nanoTime() < deadline; round++) {
					byte[] message = new byte[1 + random.nextInt(256 * 1024)];
					random.nextBytes(message);
					Thread writer = new Thread(() -> {
						try {
							out.write(message);
						}
						catch (IOException ex) {
							goodFailures.incrementAndGet();
						}
					});
					writer.start();
					byte[] echo = in.readNBytes(message.length);
					writer.join();
					goodSent.addAndGet(message.length);
					goodReceived.addAndGet(echo.length);
					for (int i = 0; i < echo.length; i++) {
						if (echo[i] != message[i]) {
							goodMismatches.incrementAndGet();
						}
					}
				}
			}
			catch (IOException | InterruptedException ex) {
				goodFailures.incrementAndGet();
				System.err.println("well-behaved client " + id + " failed: " + ex);
			}
		}
	}

	/** Writes a lot and never reads: the server must pause it, not buffer it. */
	static void neverReads(int port, long deadline) {
		while (System.nanoTime() < deadline) {
			try (Socket socket = connect(port)) {
				hostileConnections.incrementAndGet();
				socket.setSoTimeout(2000);
				OutputStream out = socket.getOutputStream();
				byte[] chunk = new byte[64 * 1024];
				long until = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
				Thread closer = new Thread(() -> {
					while (System.nanoTime() < until) {
						java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
					}
					try {
						socket.close();
					}
					catch (IOException ignored) {
					}
				});
				closer.start();
				while (System.nanoTime() < until) {
					out.write(chunk); // blocks once the server stops reading
				}
			}
			catch (IOException ex) {
				// expected: closed by the closer or by the server
			}
		}
	}

	/** One byte every 200 ms (slowloris style). */
	static void trickle(int port, long deadline) {
		while (System.nanoTime() < deadline) {
			try (Socket socket = connect(port)) {
				hostileConnections.incrementAndGet();
				OutputStream out = socket.getOutputStream();
				for (int i = 0; i < 50 && System.nanoTime() < deadline; i++) {
					out.write('x');
					java.util.concurrent.locks.LockSupport.parkNanos(200_000_000);
				}
			}
			catch (IOException ex) {
				// the server may close a trickler: fine
			}
		}
	}

	/** Random bytes to any protocol, reading whatever comes back. */
	static void garbage(int port, long deadline) {
		Random random = new Random(port);
		while (System.nanoTime() < deadline) {
			try (Socket socket = connect(port)) {
				hostileConnections.incrementAndGet();
				socket.setSoTimeout(500);
				byte[] junk = new byte[1 + random.nextInt(64 * 1024)];
				random.nextBytes(junk);
				socket.getOutputStream().write(junk);
				try {
					socket.getInputStream().readNBytes(junk.length);
				}
				catch (IOException timeoutOrReset) {
					// whatever the protocol does with garbage
				}
			}
			catch (IOException ex) {
				// refused or reset
			}
		}
	}

	/** Starts a transfer and resets (SO_LINGER 0) in the middle of it. */
	static void resetMidTransfer(int port, long deadline) {
		while (System.nanoTime() < deadline) {
			try {
				Socket socket = connect(port);
				hostileConnections.incrementAndGet();
				socket.getOutputStream().write(new byte[512 * 1024]);
				socket.setSoLinger(true, 0);
				socket.close();
			}
			catch (IOException ex) {
				// reset by the server first: fine
			}
		}
	}

	/** Connects and closes at once, as fast as it can. */
	static void churn(int port, long deadline) {
		while (System.nanoTime() < deadline) {
			try {
				connect(port).close();
				hostileConnections.incrementAndGet();
			}
			catch (IOException ex) {
				// out of ports for a moment: fine
			}
		}
	}

}
