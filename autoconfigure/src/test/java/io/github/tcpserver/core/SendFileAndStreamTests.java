package io.github.tcpserver.core;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.tcpserver.test.TestCertificates;
import io.github.tcpserver.test.TestServers;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Connection#sendFile} and {@link Connection#sendStream} over real loopback sockets, plain
 * and TLS: bodies far above {@code max-queued-output} reach a slow reader whole, in order with the
 * writes around them, while queued output stays near the high-water mark; failures and closes
 * complete the stages.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SendFileAndStreamTests {

	private static final int LOW = 16 * 1024;

	private static final int HIGH = 64 * 1024;

	/** Far below the bodies sent: queueing them whole would overflow. */
	private static final long MAX_QUEUED = 1024 * 1024;

	private static final int BODY = 24 * 1024 * 1024;

	@TempDir
	static Path directory;

	static TestCertificates pki;

	static Path file;

	private final TestServers servers = new TestServers();

	private final ExecutorService readers = Executors.newCachedThreadPool();

	@BeforeAll
	static void prepare() throws IOException {
		pki = TestCertificates.create(directory).issue("localhost", "localhost");
		file = directory.resolve("body.bin");
		Files.write(file, pattern(0, BODY));
	}

	@AfterEach
	void stop() {
		this.servers.stopAll();
		this.readers.shutdownNow();
	}

	/** Byte i of every body: i mod 251 (a prime, so no power-of-two period hides a misplaced chunk). */
	static byte[] pattern(long from, int length) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) ((from + i) % 251);
		}
		return bytes;
	}

	private SelectorServer start(boolean tls, ConnectionHandler handler) {
		ServerConfig config = ServerConfig.builder()
			.ioThreads(1)
			.writeWaterMarks(LOW, HIGH)
			.maxQueuedOutput(MAX_QUEUED)
			.build();
		TlsSettings settings = null;
		if (tls) {
			SSLContext context = pki.context("localhost", false);
			TlsEngineFactory engines = (serverName, peer) -> {
				SSLEngine engine = context.createSSLEngine(peer.getHostString(), peer.getPort());
				engine.setUseClientMode(false);
				return engine;
			};
			settings = new TlsSettings(engines, Duration.ofSeconds(10), "test", null);
		}
		return this.servers.start(new SelectorServer(config,
				List.of(new ListenerSpec("test", InetAddress.getLoopbackAddress(), 0, handler, settings))));
	}

	/** A handler that hands its connection to the test and discards what it reads. */
	private static ConnectionHandler keepingConnection(AtomicReference<Connection> opened) {
		return new ConnectionHandler() {

			@Override
			public void onOpen(Connection connection) {
				opened.set(connection);
			}

			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				data.position(data.limit());
			}

		};
	}

	/** A client that reads through a small window, so the server's output really waits for it. */
	private static Socket connect(boolean tls, SelectorServer server) throws IOException {
		Socket plain = TestSockets.connectWithSmallWindow(server.port("test"));
		if (!tls) {
			return plain;
		}
		SSLSocket socket = (SSLSocket) pki.trustingContext()
			.getSocketFactory()
			.createSocket(plain, "localhost", server.port("test"), true);
		SSLParameters parameters = socket.getSSLParameters();
		parameters.setServerNames(List.of(new SNIHostName("localhost")));
		socket.setSSLParameters(parameters);
		socket.startHandshake();
		return socket;
	}

	/** Reads {@code length} bytes of the pattern and fails at the first wrong one, watching the queue meanwhile. */
	private static void readPattern(InputStream in, int length, Connection server, AtomicLong maxQueued)
			throws IOException {
		byte[] buffer = new byte[8192];
		long offset = 0;
		while (offset < length) {
			int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - offset));
			if (n < 0) {
				throw new AssertionError("The stream ended after " + offset + " of " + length + " bytes");
			}
			for (int i = 0; i < n; i++) {
				if (buffer[i] != (byte) ((offset + i) % 251)) {
					throw new AssertionError("Byte " + (offset + i) + " is wrong");
				}
			}
			offset += n;
			if (server != null) {
				maxQueued.accumulateAndGet(server.pendingOutboundBytes(), Math::max);
			}
		}
	}

	private static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int c;
		while ((c = in.read()) != '\n') {
			if (c < 0) {
				throw new AssertionError("The stream ended in a line: " + line);
			}
			line.append((char) c);
		}
		return line.toString();
	}

	/**
	 * Answers any byte with "head\n", the body its {@link #body} gives, then "tail\n", and closes
	 * after the flush: the writes are made right away, before the body is sent.
	 */
	private abstract static class BodyHandler implements ConnectionHandler {

		final CompletableFuture<Connection> connection = new CompletableFuture<>();

		final CompletableFuture<Object> result = new CompletableFuture<>();

		@Override
		public void onOpen(Connection connection) {
			this.connection.complete(connection);
		}

		@Override
		public void onRead(Connection connection, ByteBuffer data) {
			data.position(data.limit());
			connection.write("head\n");
			body(connection).whenComplete((value, failure) -> {
				if (failure != null) {
					this.result.completeExceptionally(failure);
				}
				else {
					this.result.complete(value);
				}
			});
			connection.write("tail\n");
			connection.closeAfterFlush();
		}

		abstract CompletionStage<?> body(Connection connection);

	}

	@ParameterizedTest(name = "tls={0}")
	@ValueSource(booleans = { false, true })
	void aFileFarLargerThanTheOutputLimitReachesASlowReaderWholeBetweenTheWritesAroundIt(boolean tls)
			throws Exception {
		BodyHandler handler = new BodyHandler() {

			@Override
			CompletionStage<?> body(Connection connection) {
				return connection.sendFile(file);
			}

		};
		SelectorServer server = start(tls, handler);
		AtomicLong maxQueued = new AtomicLong();
		try (Socket socket = connect(tls, server)) {
			socket.getOutputStream().write('G');
			socket.getOutputStream().flush();
			InputStream in = socket.getInputStream();
			Connection connection = handler.connection.get(10, TimeUnit.SECONDS);
			assertThat(readLine(in)).isEqualTo("head");
			readPattern(in, BODY, connection, maxQueued);
			assertThat(readLine(in)).isEqualTo("tail");
			assertThat(in.read()).as("closed after the tail").isEqualTo(-1);
		}
		assertThat(handler.result).succeedsWithin(Duration.ofSeconds(10));
		assertThat(server.listener("test").orElseThrow().outputOverflows()).isZero();
		assertThat(maxQueued.get()).as("queued output stays near the high-water mark").isLessThanOrEqualTo(2L * HIGH);
	}

	@ParameterizedTest(name = "tls={0}")
	@ValueSource(booleans = { false, true })
	void aStreamFarLargerThanTheOutputLimitIsReadOffTheIoThreadAndReachesASlowReaderWhole(boolean tls)
			throws Exception {
		Set<String> readingThreads = ConcurrentHashMap.newKeySet();
		AtomicBoolean closed = new AtomicBoolean();
		BodyHandler handler = new BodyHandler() {

			@Override
			CompletionStage<?> body(Connection connection) {
				return connection.sendStream(new PatternStream(BODY, readingThreads, closed), SendFileAndStreamTests.this.readers);
			}

		};
		SelectorServer server = start(tls, handler);
		AtomicLong maxQueued = new AtomicLong();
		try (Socket socket = connect(tls, server)) {
			socket.getOutputStream().write('G');
			socket.getOutputStream().flush();
			InputStream in = socket.getInputStream();
			Connection connection = handler.connection.get(10, TimeUnit.SECONDS);
			assertThat(readLine(in)).isEqualTo("head");
			readPattern(in, BODY, connection, maxQueued);
			assertThat(readLine(in)).isEqualTo("tail");
			assertThat(in.read()).isEqualTo(-1);
		}
		assertThat(handler.result).succeedsWithin(Duration.ofSeconds(10)).isEqualTo((long) BODY);
		assertThat(closed).as("the stream was closed at its end").isTrue();
		assertThat(readingThreads).isNotEmpty().noneMatch((name) -> name.startsWith("tcp-server-io"));
		assertThat(server.listener("test").orElseThrow().outputOverflows()).isZero();
		assertThat(maxQueued.get()).isLessThanOrEqualTo(2L * HIGH);
	}

	@Test
	void theConnectionIsNotWritableWhileABodyIsPendingAndHearsWhenItIsSent() throws Exception {
		int size = 4 * 1024 * 1024;
		AtomicReference<CompletionStage<Void>> sent = new AtomicReference<>();
		List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
		SelectorServer server = start(false, new ConnectionHandler() {

			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				data.position(data.limit());
				try {
					FileChannel channel = FileChannel.open(file);
					sent.set(connection.sendFile(channel, 0, size).whenComplete((done, failure) -> close(channel)));
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
				events.add("writable " + connection.isWritable());
			}

			@Override
			public void onWritabilityChanged(Connection connection) {
				if (connection.isWritable()) {
					// The next reply of a pipelining protocol would be produced here.
					events.add("writable again, body sent " + sent.get().toCompletableFuture().isDone());
					connection.write("next\n");
					connection.closeAfterFlush();
				}
			}

		});
		try (Socket socket = connect(false, server)) {
			socket.getOutputStream().write('G');
			InputStream in = socket.getInputStream();
			readPattern(in, size, null, null);
			assertThat(readLine(in)).isEqualTo("next");
			assertThat(in.read()).isEqualTo(-1);
		}
		assertThat(events).containsExactly("writable false", "writable again, body sent true");
	}

	private static void close(FileChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void writesFromAnotherThreadKeepTheirOrderAroundAFile() throws Exception {
		int size = 256 * 1024;
		AtomicReference<Connection> opened = new AtomicReference<>();
		SelectorServer server = start(false, keepingConnection(opened));
		try (Socket socket = connect(false, server); FileChannel channel = FileChannel.open(file)) {
			TestSockets.await(Duration.ofSeconds(5), "the connection", () -> opened.get() != null);
			Connection connection = opened.get();
			connection.write("one\n");
			CompletionStage<Void> sent = connection.sendFile(channel, 251, size);
			connection.write("two\n");
			connection.closeAfterFlush();
			InputStream in = socket.getInputStream();
			assertThat(readLine(in)).isEqualTo("one");
			readPattern(in, size, null, null); // from 251: the pattern starts again at 0
			assertThat(readLine(in)).isEqualTo("two");
			assertThat(in.read()).isEqualTo(-1);
			assertThat(sent.toCompletableFuture()).succeedsWithin(Duration.ofSeconds(5));
		}
	}

	@Test
	void aRegionPastTheEndOfTheFileFailsTheStageAndClosesTheConnection() throws Exception {
		BodyHandler handler = new BodyHandler() {

			@Override
			CompletionStage<?> body(Connection connection) {
				try {
					FileChannel channel = FileChannel.open(file);
					return connection.sendFile(channel, BODY - 10, 100).whenComplete((done, failure) -> {
						try {
							channel.close();
						}
						catch (IOException ex) {
							throw new IllegalStateException(ex);
						}
					});
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}

		};
		SelectorServer server = start(false, handler);
		try (Socket socket = connect(false, server)) {
			socket.getOutputStream().write('G');
			InputStream in = socket.getInputStream();
			assertThat(readLine(in)).isEqualTo("head");
			assertThat(in.readAllBytes()).as("the 10 bytes there were, then the close; no tail").hasSize(10);
		}
		assertThat(handler.result).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(java.util.concurrent.ExecutionException.class)
			.withCauseInstanceOf(IOException.class);
		assertThat(server.listener("test").orElseThrow().errors()).isEqualTo(1);
	}

	@Test
	void aPeerThatLeavesMidStreamFailsTheStageAndTheStreamIsClosed() throws Exception {
		AtomicBoolean closed = new AtomicBoolean();
		Set<String> threads = ConcurrentHashMap.newKeySet();
		BodyHandler handler = new BodyHandler() {

			@Override
			CompletionStage<?> body(Connection connection) {
				return connection.sendStream(new PatternStream(Long.MAX_VALUE, threads, closed),
						SendFileAndStreamTests.this.readers);
			}

		};
		SelectorServer server = start(false, handler);
		try (Socket socket = connect(false, server)) {
			socket.getOutputStream().write('G');
			InputStream in = socket.getInputStream();
			assertThat(readLine(in)).isEqualTo("head");
			readPattern(in, 1024 * 1024, null, null);
		}
		assertThat(handler.result).failsWithin(Duration.ofSeconds(10))
			.withThrowableOfType(java.util.concurrent.ExecutionException.class)
			.withCauseInstanceOf(ClosedChannelException.class);
		TestSockets.await(Duration.ofSeconds(5), "the stream closed", closed::get);
		assertThat(server.listener("test").orElseThrow().outputOverflows()).isZero();
	}

	@Test
	void aFileOrStreamSentFromAnotherThreadAfterTheServerStoppedFailsItsStageAndTheStreamIsClosed() throws Exception {
		AtomicReference<Connection> opened = new AtomicReference<>();
		SelectorServer server = start(false, keepingConnection(opened));
		try (Socket socket = connect(false, server); FileChannel channel = FileChannel.open(file)) {
			TestSockets.await(Duration.ofSeconds(5), "the connection", () -> opened.get() != null);
			server.stop(Duration.ZERO); // the loops have ended: nothing will ever run these
			Connection connection = opened.get();
			CompletionStage<Void> file = connection.sendFile(channel, 0, 1024);
			AtomicBoolean closed = new AtomicBoolean();
			CompletionStage<Long> stream = connection.sendStream(new PatternStream(1024, ConcurrentHashMap.newKeySet(),
					closed), this.readers);
			assertThat(file.toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
				.withThrowableOfType(java.util.concurrent.ExecutionException.class)
				.withCauseInstanceOf(ClosedChannelException.class);
			assertThat(stream.toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
				.withThrowableOfType(java.util.concurrent.ExecutionException.class)
				.withCauseInstanceOf(ClosedChannelException.class);
			assertThat(closed).as("the stream the connection took is closed").isTrue();
		}
	}

	/** {@code length} bytes of the pattern, recording which threads read it and whether it was closed. */
	private static final class PatternStream extends InputStream {

		private final long length;

		private final Set<String> threads;

		private final AtomicBoolean closed;

		private long offset;

		PatternStream(long length, Set<String> threads, AtomicBoolean closed) {
			this.length = length;
			this.threads = threads;
			this.closed = closed;
		}

		@Override
		public int read() {
			byte[] one = new byte[1];
			return (read(one, 0, 1) < 0) ? -1 : one[0] & 0xff;
		}

		@Override
		public int read(byte[] b, int off, int len) {
			this.threads.add(Thread.currentThread().getName());
			if (this.offset >= this.length) {
				return -1;
			}
			int n = (int) Math.min(len, Math.min(this.length - this.offset, 10_000)); // uneven chunks
			for (int i = 0; i < n; i++) {
				b[off + i] = (byte) ((this.offset + i) % 251);
			}
			this.offset += n;
			return n;
		}

		@Override
		public void close() {
			this.closed.set(true);
		}

	}

}
