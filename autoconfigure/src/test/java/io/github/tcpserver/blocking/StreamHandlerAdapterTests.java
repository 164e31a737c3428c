package io.github.tcpserver.blocking;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.core.ShutdownResult;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stream handlers over real loopback sockets, without Spring.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamHandlerAdapterTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	/** One thread per connection: what a stream handler needs when threads are not virtual. */
	private final ExecutorService workers = Executors.newCachedThreadPool();

	private final ExecutorService clients = Executors.newCachedThreadPool();

	private final List<SelectorServer> servers = new ArrayList<>();

	@AfterEach
	void stopEverything() {
		this.servers.forEach((server) -> server.stop(Duration.ZERO));
		this.clients.shutdownNow();
		this.workers.shutdownNow();
	}

	private SelectorServer start(ServerConfig config, StreamHandler handler, long maxBufferedInput) {
		SelectorServer server = new SelectorServer(config, List.of(new ListenerSpec("test", LOOPBACK, 0,
				new StreamHandlerAdapter(handler, this.workers, maxBufferedInput))));
		this.servers.add(server);
		server.start();
		return server;
	}

	private SelectorServer start(StreamHandler handler) {
		return start(ServerConfig.builder().ioThreads(2).build(), handler,
				StreamHandlerAdapter.DEFAULT_MAX_BUFFERED_INPUT);
	}

	/** The socketserver echo: recv(5), sendall, until the peer is done. */
	static void echoFiveBytesAtATime(StreamConnection connection) throws IOException {
		InputStream in = connection.getInputStream();
		OutputStream out = connection.getOutputStream();
		byte[] buffer = new byte[5];
		int n;
		while ((n = in.read(buffer, 0, 5)) != -1) {
			out.write(buffer, 0, n);
		}
	}

	@Test
	void anEchoWithFiveByteReadsReturnsOneMebibyteByteExactOnEachOfManyConnections() throws Exception {
		SelectorServer server = start(StreamHandlerAdapterTests::echoFiveBytesAtATime);
		int port = server.port("test");
		int connections = 24;
		List<byte[]> payloads = new ArrayList<>();
		List<Future<byte[]>> echoes = new ArrayList<>();
		for (int i = 0; i < connections; i++) {
			byte[] payload = TestSockets.randomBytes(1024 * 1024, i);
			payloads.add(payload);
			echoes.add(echoAsync(port, payload));
		}
		for (int i = 0; i < connections; i++) {
			assertThat(echoes.get(i).get(90, TimeUnit.SECONDS)).as("echo of connection %d", i).isEqualTo(payloads.get(i));
		}
		TestSockets.await(Duration.ofSeconds(10), "all connections closed", () -> server.activeConnections() == 0);
		assertThat(server.bytesReceived()).isEqualTo(connections * 1024L * 1024);
		assertThat(server.bytesSent()).isEqualTo(connections * 1024L * 1024);
	}

	/** Writes {@code payload} then shuts down output, reading the echo meanwhile; returns the echo. */
	private Future<byte[]> echoAsync(int port, byte[] payload) {
		return this.clients.submit(() -> {
			try (Socket socket = TestSockets.connect(port)) {
				Future<?> writer = this.clients.submit(() -> {
					OutputStream out = socket.getOutputStream();
					for (int offset = 0; offset < payload.length; offset += 8192) {
						out.write(payload, offset, Math.min(8192, payload.length - offset));
					}
					socket.shutdownOutput();
					return null;
				});
				InputStream in = socket.getInputStream();
				byte[] echoed = TestSockets.readFully(in, payload.length);
				writer.get(60, TimeUnit.SECONDS);
				assertThat(in.read()).as("closed when handle() returned").isEqualTo(-1);
				return echoed;
			}
		});
	}

	@Test
	void afterThePeerShutsDownItsOutputReadsEndAndTheHandlerCanStillReply() throws Exception {
		SelectorServer server = start((connection) -> {
			byte[] all = connection.getInputStream().readAllBytes();
			connection.getOutputStream().write(("got " + all.length + " bytes").getBytes(StandardCharsets.UTF_8));
		});
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			socket.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
			socket.shutdownOutput();
			InputStream in = socket.getInputStream();
			assertThat(in.readAllBytes()).asString().isEqualTo("got 5 bytes");
		}
	}

	@Test
	void aReadBlockedWhenTheConnectionIsResetThrowsAndLaterReadsToo() throws Exception {
		AtomicReference<Throwable> failure = new AtomicReference<>();
		AtomicReference<Throwable> later = new AtomicReference<>();
		CountDownLatch done = new CountDownLatch(1);
		SelectorServer server = start((connection) -> {
			InputStream in = connection.getInputStream();
			try {
				in.read();
			}
			catch (IOException ex) {
				failure.set(ex);
			}
			try {
				in.read();
			}
			catch (IOException ex) {
				later.set(ex);
			}
			try {
				connection.getOutputStream().write(1);
			}
			catch (IOException ex) {
				later.get().addSuppressed(ex);
			}
			done.countDown();
		});
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			TestSockets.await(Duration.ofSeconds(10), "handler running", () -> server.activeConnections() == 1);
			socket.setSoLinger(true, 0); // close with a reset
		}
		assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(failure.get()).isInstanceOf(SocketException.class);
		assertThat(later.get()).isInstanceOf(SocketException.class);
		assertThat(later.get().getSuppressed()).singleElement().isInstanceOf(SocketException.class);
	}

	@Test
	void aHandlerThatDoesNotReadStopsTheConnectionBeingReadUntilItDoes() throws Exception {
		long maxBuffered = 16 * 1024;
		int total = 8 * 1024 * 1024;
		CountDownLatch release = new CountDownLatch(1);
		AtomicLong consumed = new AtomicLong();
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).receiveBufferSize(32 * 1024).build(),
				(connection) -> {
					OffloadingHandlerTests.await(release);
					byte[] buffer = new byte[8192];
					int n;
					while ((n = connection.getInputStream().read(buffer)) != -1) {
						consumed.addAndGet(n);
					}
				}, maxBuffered);
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			socket.setSendBufferSize(32 * 1024);
			Future<?> writer = this.clients.submit(() -> {
				OutputStream out = socket.getOutputStream();
				byte[] chunk = new byte[8192];
				for (int offset = 0; offset < total; offset += chunk.length) {
					out.write(chunk);
				}
				socket.shutdownOutput();
				return null;
			});
			TestSockets.await(Duration.ofSeconds(10), "a connection", () -> !server.connections().isEmpty());
			Connection connection = server.connections().iterator().next();
			TestSockets.await(Duration.ofSeconds(10), "reading paused", () -> connection.bytesReceived() >= maxBuffered);
			OffloadingHandlerTests.assertStaysTrue(Duration.ofSeconds(1), "the connection not read past its bound",
					() -> connection.bytesReceived() <= maxBuffered + ServerConfig.DEFAULT_READ_BUFFER_SIZE);
			release.countDown();
			writer.get(60, TimeUnit.SECONDS);
			TestSockets.await(Duration.ofSeconds(30), "everything read", () -> consumed.get() == total);
		}
	}

	@Test
	void writesToAPeerThatReadsSlowlyBlockInsteadOfOverflowingTheOutputQueue() throws Exception {
		byte[] reply = TestSockets.randomBytes(8 * 1024 * 1024, 5);
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).maxQueuedOutput(256 * 1024).build(),
				(connection) -> {
					OutputStream out = connection.getOutputStream();
					for (int offset = 0; offset < reply.length; offset += 4096) {
						out.write(reply, offset, 4096);
					}
				}, StreamHandlerAdapter.DEFAULT_MAX_BUFFERED_INPUT);
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			TestSockets.await(Duration.ofSeconds(10), "output pending",
					() -> server.connections().stream().anyMatch((c) -> !c.isWritable()));
			InputStream in = socket.getInputStream();
			assertThat(TestSockets.readFully(in, reply.length)).isEqualTo(reply);
			assertThat(in.read()).isEqualTo(-1);
		}
		assertThat(server.listener("test").orElseThrow().outputOverflows()).isZero();
	}

	@Test
	void aSixtyFourMebibyteWriteInOneCallBlocksForASlowReaderAndArrivesWholeWithoutOverflow() throws Exception {
		byte[] reply = TestSockets.randomBytes(64 * 1024 * 1024, 14);
		long maxQueued = 1024 * 1024; // a sixty-fourth of the write
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).maxQueuedOutput(maxQueued).build(),
				(connection) -> connection.getOutputStream().write(reply), StreamHandlerAdapter.DEFAULT_MAX_BUFFERED_INPUT);
		try (Socket socket = TestSockets.connectWithSmallWindow(server.port("test"))) {
			InputStream in = socket.getInputStream();
			byte[] received = new byte[reply.length];
			int offset = 0;
			long mostQueued = 0;
			while (offset < received.length) {
				int n = in.read(received, offset, Math.min(16 * 1024, received.length - offset));
				assertThat(n).as("bytes before the end").isPositive();
				offset += n;
				for (Connection connection : server.connections()) {
					mostQueued = Math.max(mostQueued, connection.pendingOutboundBytes());
				}
			}
			assertThat(received).isEqualTo(reply);
			assertThat(in.read()).isEqualTo(-1);
			assertThat(mostQueued).as("queued output stays far below the limit").isLessThan(maxQueued);
		}
		assertThat(server.listener("test").orElseThrow().outputOverflows()).isZero();
	}

	@Test
	void aGracefulStopEndsTheInputSoTheHandlerFinishesAndItsReplyIsDelivered() throws Exception {
		SelectorServer server = start((connection) -> {
			InputStream in = connection.getInputStream();
			OutputStream out = connection.getOutputStream();
			int b;
			while ((b = in.read()) != -1) {
				out.write(b);
			}
			out.write("bye".getBytes(StandardCharsets.UTF_8));
		});
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			socket.getOutputStream().write('a');
			InputStream in = socket.getInputStream();
			assertThat(in.read()).isEqualTo('a');
			CompletableFuture<ShutdownResult> stopping = CompletableFuture
				.supplyAsync(() -> server.stop(Duration.ofSeconds(30)), this.clients);
			assertThat(TestSockets.readFully(in, 3)).asString().isEqualTo("bye");
			assertThat(in.read()).isEqualTo(-1);
			socket.shutdownOutput();
			ShutdownResult result = stopping.get(30, TimeUnit.SECONDS);
			assertThat(result.forced()).isZero();
			assertThat(result.drained()).isEqualTo(1);
		}
	}

}
