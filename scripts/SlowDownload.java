import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A slow reader of a large streamed response (not part of `mvn verify`; loopback only): asks the
 * sample app's HTTP listener for {@code GET /bytes?n=SIZE} and reads the body at RATE bytes per
 * second through a small receive buffer, checking every byte against the sample's pattern
 * ({@code offset % 251}). Meanwhile, once a second, it reads the Actuator's
 * {@code /actuator/tcpserver} and keeps the largest queued output of any connection of the HTTP
 * listener. It fails when a byte differs, the body is short, or the queued output ever exceeded
 * twice the write high-water mark: the server must pull the body at the client's pace instead of
 * buffering it. Run by scripts/slow-download.sh.
 *
 *   java scripts/SlowDownload.java <httpPort> <actuatorPort> <sizeBytes> <bytesPerSecond> <highWaterMarkBytes>
 */
public class SlowDownload {

	private static final Pattern CONNECTION = Pattern
		.compile("\\{\"id\":\\d+,\"listener\":\"http\",[^{}]*?\"queuedBytes\":(\\d+)");

	public static void main(String[] args) throws Exception {
		int httpPort = Integer.parseInt(args[0]);
		int actuatorPort = Integer.parseInt(args[1]);
		long size = Long.parseLong(args[2]);
		long rate = Long.parseLong(args[3]);
		long highWaterMark = Long.parseLong(args[4]);
		AtomicLong maxQueued = new AtomicLong(-1);
		AtomicLong samples = new AtomicLong();
		AtomicBoolean done = new AtomicBoolean();
		Thread sampler = new Thread(() -> sample(actuatorPort, done, maxQueued, samples), "queue-sampler");
		sampler.setDaemon(true);
		sampler.start();
		long started = System.nanoTime();
		long received;
		try (Socket socket = new Socket()) {
			// A small receive window, so that what the client has not read stays in the server.
			socket.setReceiveBufferSize(64 * 1024);
			socket.connect(new InetSocketAddress("127.0.0.1", httpPort), 5_000);
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			out.write(("GET /bytes?n=" + size + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			String head = readHead(in);
			if (!head.startsWith("HTTP/1.1 200") || !head.toLowerCase().contains("content-length: " + size)) {
				throw new IllegalStateException("unexpected response head:\n" + head);
			}
			received = readPaced(in, size, rate, started, maxQueued);
		}
		finally {
			done.set(true);
		}
		sampler.join(5_000);
		double seconds = (System.nanoTime() - started) / 1e9;
		System.out.printf("received %d of %d bytes in %.0f s (%.2f MB/s), all bytes as generated%n", received, size,
				seconds, received / seconds / 1e6);
		System.out.printf("queued output of the connection: at most %d bytes over %d samples (limit 2 x %d = %d)%n",
				maxQueued.get(), samples.get(), highWaterMark, 2 * highWaterMark);
		if (samples.get() < 3) {
			throw new IllegalStateException("too few samples of the queued output: " + samples.get());
		}
		if (maxQueued.get() > 2 * highWaterMark) {
			throw new IllegalStateException("queued output exceeded 2 x the high-water mark: " + maxQueued.get());
		}
	}

	private static String readHead(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("connection closed in the response head: " + head);
			}
			head.append((char) b);
		}
		return head.toString();
	}

	/** Reads {@code size} bytes no faster than {@code rate}, checking each against the pattern. */
	private static long readPaced(InputStream in, long size, long rate, long started, AtomicLong maxQueued)
			throws IOException {
		byte[] buffer = new byte[16 * 1024];
		long offset = 0;
		long lastReport = started;
		while (offset < size) {
			// Pacing: never ahead of rate x elapsed time.
			long due = started + (long) (offset * 1e9 / rate);
			long wait = due - System.nanoTime();
			if (wait > 0) {
				LockSupport.parkNanos(wait);
				continue;
			}
			int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - offset));
			if (n < 0) {
				throw new IOException("the body ended after " + offset + " of " + size + " bytes");
			}
			for (int i = 0; i < n; i++) {
				if (buffer[i] != (byte) ((offset + i) % 251)) {
					throw new IOException("byte " + (offset + i) + " differs");
				}
			}
			offset += n;
			long now = System.nanoTime();
			if (now - lastReport >= TimeUnit.SECONDS.toNanos(60)) {
				lastReport = now;
				System.out.printf("t=%ds received %d MiB, queued output at most %d bytes so far%n",
						TimeUnit.NANOSECONDS.toSeconds(now - started), offset >> 20, maxQueued.get());
			}
		}
		return offset;
	}

	private static void sample(int actuatorPort, AtomicBoolean done, AtomicLong maxQueued, AtomicLong samples) {
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + actuatorPort + "/actuator/tcpserver"))
			.timeout(Duration.ofSeconds(10))
			.build();
		long next = System.nanoTime();
		while (!done.get()) {
			try {
				String body = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
				Matcher matcher = CONNECTION.matcher(body);
				while (matcher.find()) {
					maxQueued.accumulateAndGet(Long.parseLong(matcher.group(1)), Math::max);
					samples.incrementAndGet();
				}
			}
			catch (IOException ex) {
				System.out.println("actuator not readable: " + ex);
			}
			catch (InterruptedException ex) {
				return;
			}
			next += TimeUnit.SECONDS.toNanos(1);
			LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
		}
	}

}
