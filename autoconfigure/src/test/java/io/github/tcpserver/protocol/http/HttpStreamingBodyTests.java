package io.github.tcpserver.protocol.http;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.tcpserver.core.Listener;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Response bodies larger than the connection's queue bound, on real sockets: arrays, generated
 * chunks, streams and files are sent while the client reads, so a client that reads gets them
 * whole (pipelined too) and a slow one makes the server queue little more than the high-water mark.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpStreamingBodyTests {

	private static final int MIB = 1024 * 1024;

	private static final byte[] ONE_MIB = TestSockets.randomBytes(MIB, 14);

	/** Threads that read stream bodies, by name. */
	private final Set<String> readerThreads = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean streamClosed = new AtomicBoolean();

	@TempDir
	Path dir;

	private Path file;

	private SelectorServer server;

	private HttpServerHandler http;

	@BeforeEach
	void start() throws IOException {
		this.file = Files.write(this.dir.resolve("data.bin"), TestSockets.randomBytes(3 * MIB + 17, 3));
		// Sparse: 256 MiB of zeros from the page cache, more than loopback's socket buffers hold.
		Path large = this.dir.resolve("large.bin");
		try (RandomAccessFile sparse = new RandomAccessFile(large.toFile(), "rw")) {
			sparse.setLength(256L * MIB);
		}
		HttpRouter router = new HttpRouter()
			.get("/mib", (request) -> HttpResponse.ok().contentType("application/octet-stream").body(ONE_MIB))
			.get("/generated", (request) -> HttpResponse.chunked("application/octet-stream",
					generated(Long.parseLong(request.queryParameter("n")))))
			.get("/stream", (request) -> {
				long n = Long.parseLong(request.queryParameter("n"));
				InputStream in = new Pattern(n);
				return (request.queryParameter("sized") != null)
						? HttpResponse.stream("application/octet-stream", in, n)
						: HttpResponse.stream("application/octet-stream", in);
			})
			.get("/broken", (request) -> HttpResponse.stream("application/octet-stream", new Pattern(4 * MIB), 8 * MIB))
			.get("/file", (request) -> HttpResponse.file("application/octet-stream", this.file))
			.get("/large", (request) -> HttpResponse.file("application/octet-stream", large));
		this.http = new HttpServerHandler(router);
		this.server = new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
				List.of(new ListenerSpec("http", InetAddress.getLoopbackAddress(), 0, this.http)));
		this.server.start();
	}

	@AfterEach
	void stop() {
		this.server.stop(Duration.ZERO);
	}

	@Test
	void sixtyFourPipelinedOneMebibyteResponsesReachAFastClientWholeWithoutOverflow() throws Exception {
		try (Socket socket = TestSockets.connect(port())) {
			socket.getOutputStream().write("GET /mib HTTP/1.1\r\nHost: h\r\n\r\n".repeat(64).getBytes(StandardCharsets.US_ASCII));
			InputStream in = new BufferedInputStream(socket.getInputStream());
			for (int i = 0; i < 64; i++) {
				RawHttpResponse response = RawHttpResponse.read(in);
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.headers()).containsEntry("content-length", String.valueOf(MIB));
				assertThat(Arrays.equals(response.body(), ONE_MIB)).as("body %d", i).isTrue();
			}
		}
		assertThat(listener().outputOverflows()).isZero();
		assertThat(this.http.requests()).isEqualTo(64);
	}

	@Test
	void sixtyFourPipelinedOneMebibyteResponsesToASlowClientKeepQueuedOutputNearTheHighWaterMark() throws Exception {
		MaxPending pending = new MaxPending();
		try (Socket socket = TestSockets.connectWithSmallWindow(port())) {
			socket.getOutputStream().write("GET /mib HTTP/1.1\r\nHost: h\r\n\r\n".repeat(64).getBytes(StandardCharsets.US_ASCII));
			InputStream in = new BufferedInputStream(socket.getInputStream(), 4096);
			pending.start();
			for (int i = 0; i < 64; i++) {
				RawHttpResponse response = RawHttpResponse.read(in);
				assertThat(Arrays.equals(response.body(), ONE_MIB)).as("body %d", i).isTrue();
			}
		}
		finally {
			pending.stop();
		}
		assertThat(listener().outputOverflows()).isZero();
		assertThat(pending.max()).as("most bytes queued at once").isGreaterThan(0).isLessThanOrEqualTo(bound());
	}

	@Test
	void aGeneratedBodyLargerThanTheQueueBoundReachesASlowClientWithQueuedOutputBounded() throws Exception {
		long n = 48L * MIB; // three times tcp.server.max-queued-output
		MaxPending pending = new MaxPending();
		try (Socket socket = TestSockets.connectWithSmallWindow(port())) {
			socket.getOutputStream().write(("GET /generated?n=" + n + " HTTP/1.1\r\nHost: h\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			pending.start();
			RawHttpResponse response = RawHttpResponse.read(new BufferedInputStream(socket.getInputStream()));
			assertThat(response.headers()).containsEntry("transfer-encoding", "chunked");
			assertThat(response.body().length).isEqualTo(n);
			assertThat(response.body()[(int) n - 1]).isEqualTo(Pattern.byteAt(n - 1));
		}
		finally {
			pending.stop();
		}
		assertThat(listener().outputOverflows()).isZero();
		assertThat(pending.max()).isLessThanOrEqualTo(bound());
	}

	@Test
	void anInputStreamBodyIsReadOffTheIoThreadAndSentChunkedOrWithItsLength() throws Exception {
		long n = 5L * MIB + 3;
		try (Socket socket = TestSockets.connect(port())) {
			socket.getOutputStream().write(("GET /stream?n=" + n + " HTTP/1.1\r\nHost: h\r\n\r\n"
					+ "GET /stream?n=" + n + "&sized HTTP/1.1\r\nHost: h\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			InputStream in = new BufferedInputStream(socket.getInputStream());
			RawHttpResponse chunked = RawHttpResponse.read(in);
			RawHttpResponse sized = RawHttpResponse.read(in);
			assertThat(chunked.headers()).containsEntry("transfer-encoding", "chunked");
			assertThat(sized.headers()).containsEntry("content-length", String.valueOf(n));
			for (RawHttpResponse response : List.of(chunked, sized)) {
				assertThat(response.body().length).isEqualTo(n);
				for (int i = 0; i < n; i += 4099) {
					assertThat(response.body()[i]).isEqualTo(Pattern.byteAt(i));
				}
			}
		}
		assertThat(this.readerThreads).isNotEmpty().noneMatch((name) -> name.startsWith("tcp-server-io-"));
		TestSockets.await(Duration.ofSeconds(5), "the streams closed", this.streamClosed::get);
	}

	@Test
	void aFileBodyIsSentWithItsLengthAndHeadSendsTheLengthOnly() throws Exception {
		byte[] expected = Files.readAllBytes(this.file);
		try (Socket socket = TestSockets.connect(port())) {
			socket.getOutputStream().write("HEAD /file HTTP/1.1\r\nHost: h\r\n\r\nGET /file HTTP/1.1\r\nHost: h\r\n\r\n"
				.getBytes(StandardCharsets.US_ASCII));
			InputStream in = new BufferedInputStream(socket.getInputStream());
			RawHttpResponse head = RawHttpResponse.read(in, true);
			RawHttpResponse get = RawHttpResponse.read(in);
			assertThat(head.headers()).containsEntry("content-length", String.valueOf(expected.length));
			assertThat(get.headers()).containsEntry("content-length", String.valueOf(expected.length));
			assertThat(Arrays.equals(get.body(), expected)).isTrue();
		}
	}

	@Test
	void aClientResettingInTheMiddleOfAFileClosesItsConnectionWithoutAHandlerFailure() throws Exception {
		try (Socket socket = TestSockets.connect(port())) {
			socket.getOutputStream().write("GET /large HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			// Read at full speed for a while, so that the server is in the middle of sending.
			socket.getInputStream().readNBytes(8 * MIB);
			socket.setSoLinger(true, 0); // then close with a reset
		}
		TestSockets.await(Duration.ofSeconds(10), "the connection closed", () -> listener().closedConnections() == 1);
		// A peer that goes away is no failure of the application's body (and no WARN with a stack trace).
		assertThat(this.http.handlerFailures()).isZero();
	}

	@Test
	void aStreamShorterThanItsDeclaredLengthClosesTheConnectionAfterWhatItHad() throws Exception {
		try (Socket socket = TestSockets.connect(port())) {
			socket.getOutputStream().write("GET /broken HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			byte[] all = socket.getInputStream().readAllBytes(); // ends: the server closed
			assertThat(new String(all, 0, 12, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
			assertThat(all.length).isLessThan(8 * MIB);
		}
		assertThat(this.http.handlerFailures()).isEqualTo(1);
	}

	@Test
	void aGracefulStopFinishesTheBodyInFlightThenCloses() throws Exception {
		long n = 8L * MIB;
		try (Socket socket = TestSockets.connectWithSmallWindow(port())) {
			socket.getOutputStream().write(("GET /generated?n=" + n + " HTTP/1.1\r\nHost: h\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			InputStream in = new BufferedInputStream(socket.getInputStream());
			in.mark(1);
			in.read(); // the response has begun
			in.reset();
			Thread stopper = new Thread(() -> this.server.stop(Duration.ofSeconds(30)), "stopper");
			stopper.start();
			RawHttpResponse response = RawHttpResponse.read(in);
			assertThat(response.body().length).isEqualTo(n);
			assertThat(in.read()).as("closed after the response").isEqualTo(-1);
			stopper.join(30_000);
		}
	}

	private long bound() {
		// Writes go on while the queue is under the high-water mark, a slice at a time, plus chunk framing.
		return this.server.config().writeHighWaterMark() + HttpBodyWriter.SLICE + 64;
	}

	private Listener listener() {
		return this.server.listener("http").orElseThrow();
	}

	private int port() {
		return this.server.port("http");
	}

	/** {@code n} bytes of {@link Pattern}, produced 64 KiB at a time as the server asks for them. */
	private static Iterable<byte[]> generated(long n) {
		return () -> new Iterator<>() {

			private long produced;

			@Override
			public boolean hasNext() {
				return this.produced < n;
			}

			@Override
			public byte[] next() {
				byte[] chunk = new byte[(int) Math.min(64 * 1024, n - this.produced)];
				for (int i = 0; i < chunk.length; i++) {
					chunk[i] = Pattern.byteAt(this.produced + i);
				}
				this.produced += chunk.length;
				return chunk;
			}

		};
	}

	/** A stream of {@code n} bytes whose value depends on their offset; records who reads it. */
	private final class Pattern extends InputStream {

		private final long length;

		private long position;

		Pattern(long length) {
			this.length = length;
		}

		static byte byteAt(long offset) {
			return (byte) (offset * 31 + (offset >>> 11));
		}

		@Override
		public int read() {
			return (this.position < this.length) ? byteAt(this.position++) & 0xff : -1;
		}

		@Override
		public int read(byte[] buffer, int offset, int count) {
			HttpStreamingBodyTests.this.readerThreads.add(Thread.currentThread().getName());
			if (this.position >= this.length) {
				return -1;
			}
			int n = (int) Math.min(count, this.length - this.position);
			for (int i = 0; i < n; i++) {
				buffer[offset + i] = byteAt(this.position++);
			}
			return n;
		}

		@Override
		public void close() {
			HttpStreamingBodyTests.this.streamClosed.set(true);
		}

	}

	/** Samples the listener's queued output from another thread while a test reads. */
	private final class MaxPending {

		private final AtomicLong max = new AtomicLong();

		private volatile boolean running = true;

		private Thread thread;

		void start() {
			this.thread = new Thread(() -> {
				while (this.running) {
					this.max.accumulateAndGet(HttpStreamingBodyTests.this.server.pendingOutboundBytes(listener()), Math::max);
					Thread.onSpinWait();
				}
			}, "pending-sampler");
			this.thread.start();
		}

		void stop() throws InterruptedException {
			this.running = false;
			this.thread.join();
		}

		long max() {
			return this.max.get();
		}

	}

}
