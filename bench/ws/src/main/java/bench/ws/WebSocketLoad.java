package bench.ws;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The WebSocket echo benchmark's load generator: N connections, each keeping {@code depth} masked
 * messages of {@code size} bytes in flight (closed loop: the next message leaves when an echo has
 * come back), every echoed byte compared with what was sent. Over the measured window it reports
 * messages per second, latency percentiles, and, from {@code /proc}, the CPU the server process,
 * this process and everything else on the machine used, in one {@code RESULT key=value ...} line.
 *
 * <pre>java -cp bench-ws.jar bench.ws.WebSocketLoad --port 9301 [--host 127.0.0.1] [--path /ws/echo]
 *     [--conns 100] [--size 64 (1..65535)] [--depth 1] [--frame text|binary] [--threads 1]
 *     [--warmup 5] [--duration 10] [--server-pid PID] [--clk-tck 100]</pre>
 */
public final class WebSocketLoad {

	/** Latency histogram: 1 µs buckets up to 1 s (8 MB per thread); longer ones land in the last bucket (and in max). */
	private static final int BUCKETS = 1_000_000;

	private static final int HANDSHAKE_TIMEOUT_MS = 10_000;

	private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455 §1.3

	private String host = "127.0.0.1";

	private int port;

	private String path = "/ws/echo";

	private int conns = 100;

	private int size = 64;

	private int depth = 1;

	private boolean binary;

	private int threads = 1;

	private int warmup = 5;

	private int duration = 10;

	private long serverPid;

	private int clkTck = 100;

	private volatile boolean recording;

	private volatile boolean stopped;

	public static void main(String[] args) throws Exception {
		WebSocketLoad load = new WebSocketLoad();
		for (int i = 0; i + 1 < args.length; i += 2) {
			String value = args[i + 1];
			switch (args[i]) {
				case "--host" -> load.host = value;
				case "--port" -> load.port = Integer.parseInt(value);
				case "--path" -> load.path = value;
				case "--conns" -> load.conns = Integer.parseInt(value);
				case "--size" -> load.size = Integer.parseInt(value);
				case "--depth" -> load.depth = Integer.parseInt(value);
				case "--frame" -> load.binary = switch (value) {
					case "text" -> false;
					case "binary" -> true;
					default -> throw new IllegalArgumentException("--frame text|binary");
				};
				case "--threads" -> load.threads = Integer.parseInt(value);
				case "--warmup" -> load.warmup = Integer.parseInt(value);
				case "--duration" -> load.duration = Integer.parseInt(value);
				case "--server-pid" -> load.serverPid = Long.parseLong(value);
				case "--clk-tck" -> load.clkTck = Integer.parseInt(value);
				default -> throw new IllegalArgumentException("unknown option " + args[i]);
			}
		}
		if (load.port <= 0 || load.conns < 1 || load.conns > 10_000 || load.size < 1 || load.size > 65_535
				|| load.depth < 1 || load.depth > 1024 || load.threads < 1 || load.duration < 1 || load.warmup < 0) {
			System.err.println("bad options: --port 1..65535, --conns 1..10000, --size 1..65535, --depth 1..1024");
			System.exit(2);
		}
		System.exit(load.run());
	}

	private int run() throws Exception {
		List<Worker> workers = new ArrayList<>();
		for (int t = 0; t < this.threads; t++) {
			workers.add(new Worker(t));
		}
		for (int c = 0; c < this.conns; c++) {
			workers.get(c % this.threads).add(new Conn(c, handshake()));
		}
		List<Thread> running = new ArrayList<>();
		for (Worker worker : workers) {
			Thread thread = new Thread(worker, "load-" + worker.id);
			thread.start();
			running.add(thread);
		}
		Thread.sleep(this.warmup * 1000L);
		Cpu before = Cpu.read(this.serverPid);
		this.recording = true;
		Thread.sleep(this.duration * 1000L);
		this.recording = false;
		Cpu after = Cpu.read(this.serverPid);
		this.stopped = true;
		for (Thread thread : running) {
			thread.join(10_000);
		}

		long[] histogram = new long[BUCKETS];
		long messages = 0;
		long errors = 0;
		long mismatches = 0;
		long max = 0;
		int open = 0;
		for (Worker worker : workers) {
			for (int i = 0; i < BUCKETS; i++) {
				histogram[i] += worker.histogram[i];
			}
			messages += worker.messages;
			errors += worker.errors;
			mismatches += worker.mismatches;
			max = Math.max(max, worker.maxMicros);
			open += worker.open;
		}
		double seconds = (after.nanos - before.nanos) / 1e9;
		double rate = messages / seconds;
		String server = (this.serverPid > 0 && before.serverTicks >= 0 && after.serverTicks >= 0)
				? String.format(" srv_cpu_pct=%.1f", (after.serverTicks - before.serverTicks) * 100.0 / this.clkTck / seconds)
				: "";
		double loadPct = (after.ownNanos - before.ownNanos) / 1e7 / seconds;
		String foreign = "";
		if (!server.isEmpty() && before.busyTicks >= 0) {
			double machine = (after.busyTicks - before.busyTicks) * 100.0 / this.clkTck / seconds;
			double serverPct = (after.serverTicks - before.serverTicks) * 100.0 / this.clkTck / seconds;
			foreign = String.format(" foreign_cpu_pct=%.1f", machine - serverPct - loadPct);
		}
		System.out.printf("RESULT rps=%.0f mbps=%.1f p50_us=%d p99_us=%d p999_us=%d max_us=%d errors=%d mismatches=%d"
				+ " conns=%d messages=%d%s load_cpu_pct=%.1f%s%n", rate, rate * this.size / 1e6,
				percentile(histogram, messages, 0.50), percentile(histogram, messages, 0.99),
				percentile(histogram, messages, 0.999), max, errors, mismatches, open, messages, server, loadPct,
				foreign);
		return (errors == 0 && mismatches == 0 && messages > 0) ? 0 : 1;
	}

	private static long percentile(long[] histogram, long total, double fraction) {
		long rank = (long) Math.ceil(total * fraction);
		long seen = 0;
		for (int i = 0; i < histogram.length; i++) {
			seen += histogram[i];
			if (seen >= rank && seen > 0) {
				return i;
			}
		}
		return 0;
	}

	/** The opening handshake (RFC 6455 §4.1), checked: status 101 and the accept key. */
	private SocketChannel handshake() throws IOException {
		SocketChannel channel = SocketChannel.open(new InetSocketAddress(this.host, this.port));
		channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
		byte[] nonce = new byte[16];
		ThreadLocalRandom.current().nextBytes(nonce);
		String key = Base64.getEncoder().encodeToString(nonce);
		String request = "GET " + this.path + " HTTP/1.1\r\nHost: " + this.host + ":" + this.port
				+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
				+ "\r\nSec-WebSocket-Version: 13\r\n\r\n";
		channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
		channel.configureBlocking(false);
		ByteBuffer response = ByteBuffer.allocate(4096);
		long deadline = System.nanoTime() + HANDSHAKE_TIMEOUT_MS * 1_000_000L;
		try (Selector selector = Selector.open()) {
			channel.register(selector, SelectionKey.OP_READ);
			// Complete when what arrived ends with the blank line: the server sends nothing after its 101
			// until this client speaks, so no frame can be stuck behind the response.
			while (!endsWithBlankLine(response)) {
				long left = (deadline - System.nanoTime()) / 1_000_000;
				if (left <= 0 || !response.hasRemaining()) {
					throw new IOException("no complete handshake response in " + HANDSHAKE_TIMEOUT_MS + " ms");
				}
				selector.select(left);
				selector.selectedKeys().clear();
				if (channel.read(response) < 0) {
					throw new IOException("closed during the handshake");
				}
			}
		}
		String head = new String(response.array(), 0, response.position(), StandardCharsets.US_ASCII);
		if (!head.startsWith("HTTP/1.1 101") || !head.contains(accept(key))) {
			throw new IOException("handshake refused:\n" + head);
		}
		if (!head.endsWith("\r\n\r\n") || head.indexOf("\r\n\r\n") != head.length() - 4) {
			throw new IOException("data after the handshake response before any message was sent");
		}
		return channel;
	}

	private static boolean endsWithBlankLine(ByteBuffer buffer) {
		int p = buffer.position();
		byte[] a = buffer.array();
		return p >= 4 && a[p - 4] == '\r' && a[p - 3] == '\n' && a[p - 2] == '\r' && a[p - 1] == '\n';
	}

	private static String accept(String key) {
		try {
			byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
			return Base64.getEncoder().encodeToString(sha1);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The payload of message {@code seq} on connection {@code conn}: ASCII letters, valid UTF-8 for text frames. */
	static int firstLetter(int conn, long seq) {
		return (int) ((seq * 7 + conn * 13L) % 26);
	}

	/** CPU counters at one instant: the server's (/proc/PID/stat), the machine's (/proc/stat), this process's. */
	private record Cpu(long nanos, long serverTicks, long busyTicks, long ownNanos) {

		static Cpu read(long serverPid) {
			long own = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
				.getProcessCpuTime();
			return new Cpu(System.nanoTime(), (serverPid > 0) ? readServerTicks(serverPid) : -1, readBusyTicks(), own);
		}

		/** utime + stime, fields 14 and 15 of /proc/PID/stat (counted after the command name's parenthesis). */
		private static long readServerTicks(long pid) {
			try {
				String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
				String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
				return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
			}
			catch (IOException | RuntimeException ex) {
				return -1;
			}
		}

		/** user + nice + system + irq + softirq of the machine, as the workshop's run-anchors.sh counts busy. */
		private static long readBusyTicks() {
			try {
				String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
				return Long.parseLong(cpu[1]) + Long.parseLong(cpu[2]) + Long.parseLong(cpu[3]) + Long.parseLong(cpu[6])
						+ Long.parseLong(cpu[7]);
			}
			catch (IOException | RuntimeException ex) {
				return -1;
			}
		}

	}

	/** One connection's state: what it sent, what it expects next, and the frame being received. */
	private final class Conn {

		final int id;

		final SocketChannel channel;

		final ByteBuffer in;

		final ByteBuffer out;

		final long[] sentAt;

		long sent;

		long received;

		int maskState;

		SelectionKey key;

		Conn(int id, SocketChannel channel) {
			this.id = id;
			this.channel = channel;
			this.in = ByteBuffer.allocateDirect(Math.max(65_536, 2 * (WebSocketLoad.this.size + 14)));
			this.out = ByteBuffer.allocateDirect(WebSocketLoad.this.depth * (WebSocketLoad.this.size + 14));
			this.sentAt = new long[WebSocketLoad.this.depth];
			this.maskState = 0x9E3779B9 ^ (id * 0x85EBCA6B) | 1;
		}

		/**
		 * Appends one masked client frame (RFC 6455 §5.2, §5.3) to the output, in write mode. At most
		 * {@code depth} messages are in flight, so sent-but-unwritten frames and the new one fit.
		 */
		void queueMessage() {
			int length = WebSocketLoad.this.size;
			ByteBuffer frame = this.out;
			frame.put((byte) (0x80 | (WebSocketLoad.this.binary ? 0x2 : 0x1)));
			if (length < 126) {
				frame.put((byte) (0x80 | length));
			}
			else {
				frame.put((byte) (0x80 | 126)).putShort((short) length);
			}
			// xorshift32: a fresh masking key per frame without a system call.
			int m = this.maskState;
			m ^= m << 13;
			m ^= m >>> 17;
			m ^= m << 5;
			this.maskState = m;
			frame.putInt(m);
			int letter = firstLetter(this.id, this.sent);
			for (int i = 0; i < length; i++) {
				frame.put((byte) (('a' + letter) ^ (m >>> (8 * (3 - (i & 3))))));
				if (++letter == 26) {
					letter = 0;
				}
			}
			this.sentAt[(int) (this.sent % WebSocketLoad.this.depth)] = System.nanoTime();
			this.sent++;
		}

	}

	/** One selector thread with its share of the connections; its counters are read after it ended. */
	private final class Worker implements Runnable {

		final int id;

		final Selector selector;

		final List<Conn> conns = new ArrayList<>();

		final long[] histogram = new long[BUCKETS];

		long messages;

		long errors;

		/** Echoed bytes that differ from the bytes sent. */
		long mismatches;

		long maxMicros;

		int open;

		Worker(int id) throws IOException {
			this.id = id;
			this.selector = Selector.open();
		}

		void add(Conn conn) throws IOException {
			conn.key = conn.channel.register(this.selector, SelectionKey.OP_READ, conn);
			this.conns.add(conn);
		}

		@Override
		public void run() {
			try {
				for (Conn conn : this.conns) {
					conn.out.clear();
					for (int i = 0; i < WebSocketLoad.this.depth; i++) {
						conn.queueMessage();
					}
					conn.out.flip();
					flush(conn);
				}
				while (!WebSocketLoad.this.stopped) {
					this.selector.select(100);
					for (SelectionKey key : this.selector.selectedKeys()) {
						Conn conn = (Conn) key.attachment();
						try {
							if (key.isValid() && key.isWritable()) {
								flush(conn);
							}
							if (key.isValid() && key.isReadable()) {
								read(conn);
							}
						}
						catch (IOException ex) {
							fail(conn, ex.toString());
						}
					}
					this.selector.selectedKeys().clear();
				}
			}
			catch (IOException ex) {
				this.errors++;
				System.err.println("load-" + this.id + ": " + ex);
			}
			for (Conn conn : this.conns) {
				if (conn.channel.isOpen()) {
					this.open++;
					close(conn);
				}
			}
		}

		private void read(Conn conn) throws IOException {
			int n = conn.channel.read(conn.in);
			if (n < 0) {
				throw new IOException("connection " + conn.id + " closed by the server");
			}
			conn.in.flip();
			int queued = 0;
			while (true) {
				ByteBuffer in = conn.in;
				int start = in.position();
				if (in.remaining() < 2) {
					break;
				}
				int b0 = in.get(start) & 0xff;
				int b1 = in.get(start + 1) & 0xff;
				int header = 2;
				long length = b1 & 0x7f;
				if (length == 126) {
					if (in.remaining() < 4) {
						break;
					}
					length = in.getShort(start + 2) & 0xffff;
					header = 4;
				}
				else if (length == 127) {
					if (in.remaining() < 10) {
						break;
					}
					length = in.getLong(start + 2);
					header = 10;
				}
				int expectedOpcode = WebSocketLoad.this.binary ? 0x2 : 0x1;
				if (b0 != (0x80 | expectedOpcode) || (b1 & 0x80) != 0 || length != WebSocketLoad.this.size) {
					throw new IOException("connection " + conn.id + ": unexpected frame header " + Integer.toHexString(b0)
							+ " " + Integer.toHexString(b1) + " length " + length + " (a close from the server?)");
				}
				if (in.remaining() < header + length) {
					break;
				}
				int letter = firstLetter(conn.id, conn.received);
				int wrong = 0;
				for (int i = start + header, end = start + header + (int) length; i < end; i++) {
					wrong += (in.get(i) == (byte) ('a' + letter)) ? 0 : 1;
					if (++letter == 26) {
						letter = 0;
					}
				}
				in.position(start + header + (int) length);
				long micros = (System.nanoTime() - conn.sentAt[(int) (conn.received % WebSocketLoad.this.depth)]) / 1000;
				conn.received++;
				this.mismatches += wrong;
				if (WebSocketLoad.this.recording) {
					this.messages++;
					this.histogram[(int) Math.min(micros, BUCKETS - 1)]++;
					this.maxMicros = Math.max(this.maxMicros, micros);
				}
				if (queued == 0) {
					conn.out.compact(); // to write mode, keeping what the socket has not taken yet
				}
				conn.queueMessage();
				queued++;
			}
			conn.in.compact();
			if (queued > 0) {
				conn.out.flip();
				flush(conn);
			}
		}

		/** Writes what is queued ({@code out} in read mode); waits for OP_WRITE if the socket is full. */
		private void flush(Conn conn) throws IOException {
			conn.channel.write(conn.out);
			conn.key.interestOps(conn.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
					: SelectionKey.OP_READ);
		}

		private void fail(Conn conn, String why) {
			this.errors++;
			System.err.println(why);
			close(conn);
		}

		private void close(Conn conn) {
			try {
				conn.channel.close();
			}
			catch (IOException ex) {
				// closing after the run: nothing depends on it any more
			}
		}

	}

}
