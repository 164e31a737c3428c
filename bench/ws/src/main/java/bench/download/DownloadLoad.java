package bench.download;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The download benchmark's client: N keep-alive HTTP/1.1 connections, each downloading one URL
 * again and again and discarding the body; every response must be 200 with the expected
 * {@code Content-Length} and exactly that many bytes, and the first download of the first
 * connection is checked against a CRC-32C (finished even if the window ends first). Over the measured window it reports bytes per second and, from {@code /proc}, the CPU
 * the server process, this process and everything else on the machine used, in one
 * {@code RESULT key=value ...} line.
 *
 * <pre>java -cp bench-ws.jar bench.download.DownloadLoad --port 9311 --length BYTES [--host 127.0.0.1]
 *     [--path /file] [--conns 4] [--crc HEX] [--warmup 2] [--duration 10] [--server-pid PID] [--clk-tck 100]
 * java -cp bench-ws.jar bench.download.DownloadLoad --crc-of FILE      (prints the file's CRC-32C)</pre>
 */
public final class DownloadLoad {

	private static final int READ_BUFFER = 256 * 1024;

	private String host = "127.0.0.1";

	private int port;

	private String path = "/file";

	private int conns = 4;

	private long length = -1;

	private String crc;

	private int warmup = 2;

	private int duration = 10;

	private long serverPid;

	private int clkTck = 100;

	private volatile boolean stopped;

	/** Bytes received by all connections, counted as they arrive (a window may cut a download). */
	private final AtomicLong received = new AtomicLong();

	private final AtomicLong downloads = new AtomicLong();

	private final AtomicLong errors = new AtomicLong();

	/** -1 until the checked download ends; then 1 if its CRC matched, 0 if not. */
	private volatile int crcOk = -1;

	public static void main(String[] args) throws Exception {
		if (args.length == 2 && args[0].equals("--crc-of")) {
			System.out.println(crcOf(Path.of(args[1])));
			return;
		}
		DownloadLoad load = new DownloadLoad();
		for (int i = 0; i + 1 < args.length; i += 2) {
			String value = args[i + 1];
			switch (args[i]) {
				case "--host" -> load.host = value;
				case "--port" -> load.port = Integer.parseInt(value);
				case "--path" -> load.path = value;
				case "--conns" -> load.conns = Integer.parseInt(value);
				case "--length" -> load.length = Long.parseLong(value);
				case "--crc" -> load.crc = value;
				case "--warmup" -> load.warmup = Integer.parseInt(value);
				case "--duration" -> load.duration = Integer.parseInt(value);
				case "--server-pid" -> load.serverPid = Long.parseLong(value);
				case "--clk-tck" -> load.clkTck = Integer.parseInt(value);
				default -> throw new IllegalArgumentException("unknown option " + args[i]);
			}
		}
		if (load.port <= 0 || load.length < 0 || load.conns < 1) {
			throw new IllegalArgumentException("--port and --length are required, --conns at least 1");
		}
		System.exit(load.run());
	}

	private int run() throws Exception {
		List<Thread> threads = new ArrayList<>();
		for (int c = 0; c < this.conns; c++) {
			SocketChannel channel = SocketChannel.open(new InetSocketAddress(this.host, this.port));
			boolean check = (c == 0) && (this.crc != null);
			Thread thread = new Thread(() -> download(channel, check), "download-" + c);
			thread.start();
			threads.add(thread);
		}
		Thread.sleep(this.warmup * 1000L);
		Cpu before = Cpu.read(this.serverPid);
		long bytesBefore = this.received.get();
		long downloadsBefore = this.downloads.get();
		Thread.sleep(this.duration * 1000L);
		long bytesAfter = this.received.get();
		Cpu after = Cpu.read(this.serverPid);
		long downloadsInWindow = this.downloads.get() - downloadsBefore;
		this.stopped = true;
		for (Thread thread : threads) {
			thread.join(120_000); // the checked download may still be running
		}
		double seconds = (after.nanos - before.nanos) / 1e9;
		long bytes = bytesAfter - bytesBefore;
		double serverSeconds = (after.serverTicks - before.serverTicks) / (double) this.clkTck;
		double loadSeconds = (after.ownNanos - before.ownNanos) / 1e9;
		double machineSeconds = (after.busyTicks - before.busyTicks) / (double) this.clkTck;
		double gigabytes = bytes / 1e9;
		boolean cpuKnown = this.serverPid > 0 && before.serverTicks >= 0 && after.serverTicks >= 0;
		System.out.println(String.format(Locale.ROOT,
				"RESULT gbps=%.3f bytes=%d seconds=%.3f downloads=%d errors=%d crc_ok=%d conns=%d"
						+ " srv_cpu_s=%s srv_cpu_s_per_gb=%s srv_cpu_pct=%s load_cpu_pct=%.1f load_cpu_s_per_gb=%.3f"
						+ " foreign_cpu_pct=%s",
				gigabytes / seconds, bytes, seconds, downloadsInWindow, this.errors.get(), this.crcOk, this.conns,
				cpuKnown ? String.format(Locale.ROOT, "%.2f", serverSeconds) : "",
				cpuKnown ? String.format(Locale.ROOT, "%.3f", serverSeconds / gigabytes) : "",
				cpuKnown ? String.format(Locale.ROOT, "%.1f", serverSeconds * 100 / seconds) : "",
				loadSeconds * 100 / seconds, loadSeconds / gigabytes,
				(cpuKnown && before.busyTicks >= 0)
						? String.format(Locale.ROOT, "%.1f", (machineSeconds - serverSeconds - loadSeconds) * 100 / seconds)
						: ""));
		boolean crcFine = (this.crc == null) || (this.crcOk == 1);
		return (this.errors.get() == 0 && crcFine && bytes > 0) ? 0 : 1;
	}

	/** One connection: request, read the head, read and discard exactly Content-Length bytes, repeat. */
	private void download(SocketChannel channel, boolean checkFirst) {
		ByteBuffer request = ByteBuffer.wrap(("GET " + this.path + " HTTP/1.1\r\nHost: " + this.host + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
		CRC32C crc32c = checkFirst ? new CRC32C() : null;
		try (channel) {
			while (!this.stopped) {
				request.rewind();
				while (request.hasRemaining()) {
					channel.write(request);
				}
				buffer.clear();
				int headEnd = readHead(channel, buffer);
				String head = StandardCharsets.ISO_8859_1.decode(buffer.duplicate().flip().limit(headEnd)).toString();
				long contentLength = contentLength(head);
				if (!head.startsWith("HTTP/1.1 200") || contentLength != this.length) {
					this.errors.incrementAndGet();
					System.err.println("unexpected response head (expected 200 and Content-Length " + this.length + "):\n"
							+ head);
					return;
				}
				// What followed the head in the same read is body.
				buffer.flip().position(headEnd);
				long remaining = contentLength;
				while (remaining > 0) {
					if (!buffer.hasRemaining()) {
						buffer.clear();
						int n = channel.read(buffer);
						if (n < 0) {
							throw new IOException("connection closed with " + remaining + " body bytes to come");
						}
						buffer.flip();
					}
					int n = buffer.remaining();
					if (n > remaining) {
						throw new IOException((n - remaining) + " bytes past the body");
					}
					if (crc32c != null) {
						crc32c.update(buffer);
					}
					buffer.position(buffer.limit());
					remaining -= n;
					this.received.addAndGet(n);
					if (this.stopped && crc32c == null) {
						return; // the window is over: a cut download is not an error (the checked one is finished)
					}
				}
				if (crc32c != null) {
					boolean match = Long.toHexString(crc32c.getValue()).equalsIgnoreCase(this.crc);
					this.crcOk = match ? 1 : 0;
					if (!match) {
						System.err.println("CRC-32C mismatch: " + Long.toHexString(crc32c.getValue()) + " != " + this.crc);
						this.errors.incrementAndGet();
					}
					crc32c = null;
				}
				this.downloads.incrementAndGet();
			}
		}
		catch (IOException ex) {
			if (!this.stopped || crc32c != null) {
				this.errors.incrementAndGet();
				System.err.println("download failed: " + ex);
			}
		}
	}

	/** Reads until the blank line ending the head (RFC 9112 §2.1); returns the index after it. */
	private static int readHead(SocketChannel channel, ByteBuffer buffer) throws IOException {
		int scanned = 0;
		while (true) {
			if (channel.read(buffer) < 0) {
				throw new IOException("connection closed before a response head");
			}
			for (int i = Math.max(3, scanned); i < buffer.position(); i++) {
				if (buffer.get(i) == '\n' && buffer.get(i - 1) == '\r' && buffer.get(i - 2) == '\n'
						&& buffer.get(i - 3) == '\r') {
					return i + 1;
				}
			}
			scanned = buffer.position();
			if (scanned > 16 * 1024) {
				throw new IOException("response head longer than 16 KiB");
			}
		}
	}

	private static long contentLength(String head) {
		for (String line : head.split("\r\n")) {
			int colon = line.indexOf(':');
			if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
				return Long.parseLong(line.substring(colon + 1).trim());
			}
		}
		return -1;
	}

	private static String crcOf(Path file) throws IOException {
		CRC32C crc = new CRC32C();
		ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
		try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
			while (in.read(buffer.clear()) > 0) {
				crc.update(buffer.flip());
			}
		}
		return Long.toHexString(crc.getValue());
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

}
