package io.github.tcpserver.core;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.test.TestServers;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reactor over real loopback sockets, without Spring.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SelectorServerTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private final TestServers servers = new TestServers();

	private final ExecutorService clients = Executors.newCachedThreadPool();

	@AfterEach
	void stopEverything() {
		this.clients.shutdownNow();
		this.servers.stopAll();
	}

	private SelectorServer start(ConnectionHandler handler) {
		return start(ServerConfig.builder().ioThreads(2).build(), handler);
	}

	private SelectorServer start(ServerConfig config, ConnectionHandler handler) {
		return this.servers.start(config, handler);
	}

	/** Writes {@code payload} on one thread while reading the echo on another; returns the echo. */
	private Future<byte[]> echoAsync(int port, byte[] payload) {
		return this.clients.submit(() -> {
			try (Socket socket = TestSockets.connect(port)) {
				Future<?> writer = this.clients.submit(() -> {
					OutputStream out = socket.getOutputStream();
					for (int offset = 0; offset < payload.length; offset += 8192) {
						out.write(payload, offset, Math.min(8192, payload.length - offset));
					}
					out.flush();
					return null;
				});
				byte[] echoed = TestSockets.readFully(socket.getInputStream(), payload.length);
				writer.get(60, TimeUnit.SECONDS);
				return echoed;
			}
		});
	}

	@Test
	void echoOfOneMebibyteOverOneHundredConcurrentConnectionsComesBackByteExact() throws Exception {
		SelectorServer server = start(new EchoHandler());
		int port = server.port("test");
		List<byte[]> payloads = new ArrayList<>();
		List<Future<byte[]>> echoes = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			byte[] payload = TestSockets.randomBytes(1024 * 1024, i);
			payloads.add(payload);
			echoes.add(echoAsync(port, payload));
		}
		for (int i = 0; i < 100; i++) {
			assertThat(echoes.get(i).get(90, TimeUnit.SECONDS)).as("echo of connection %d", i).isEqualTo(payloads.get(i));
		}
		TestSockets.await(Duration.ofSeconds(10), "all connections closed", () -> server.activeConnections() == 0);
		Listener listener = server.listener("test").orElseThrow();
		assertThat(listener.acceptedConnections()).isEqualTo(100);
		assertThat(listener.closedConnections()).isEqualTo(100);
		assertThat(server.bytesReceived()).isEqualTo(100L * 1024 * 1024);
		assertThat(server.bytesSent()).isEqualTo(100L * 1024 * 1024);
	}

	@Test
	void aClientThatClosesMidTransferDoesNotDisturbTheOthers() throws Exception {
		SelectorServer server = start(new EchoHandler());
		int port = server.port("test");
		List<byte[]> payloads = new ArrayList<>();
		List<Future<byte[]>> echoes = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			byte[] payload = TestSockets.randomBytes(1024 * 1024, 100 + i);
			payloads.add(payload);
			echoes.add(echoAsync(port, payload));
		}
		for (int i = 0; i < 5; i++) {
			// Sends half a mebibyte, reads nothing and closes: the unread echo makes the close a reset.
			try (Socket quitter = TestSockets.connect(port)) {
				quitter.getOutputStream().write(TestSockets.randomBytes(512 * 1024, i));
			}
		}
		for (int i = 0; i < 10; i++) {
			assertThat(echoes.get(i).get(90, TimeUnit.SECONDS)).isEqualTo(payloads.get(i));
		}
		TestSockets.await(Duration.ofSeconds(10), "all connections closed", () -> server.activeConnections() == 0);
		assertThat(server.listener("test").orElseThrow().errors()).isZero();
	}

	@Test
	void writesFromAnotherThreadArriveCompleteAndInOrder() throws Exception {
		AtomicReference<Connection> opened = new AtomicReference<>();
		SelectorServer server = start(new ConnectionHandler() {
			@Override
			public void onOpen(Connection connection) {
				opened.set(connection);
			}

			@Override
			public void onRead(Connection connection, ByteBuffer data) {
			}
		});
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			TestSockets.await(Duration.ofSeconds(5), "connection opened", () -> opened.get() != null);
			Connection connection = opened.get();
			int messages = 20_000;
			CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
				for (int i = 0; i < messages; i++) {
					connection.write(ByteBuffer.allocate(4).putInt(0, i));
				}
			}, this.clients);
			InputStream in = socket.getInputStream();
			for (int i = 0; i < messages; i++) {
				assertThat(ByteBuffer.wrap(TestSockets.readFully(in, 4)).getInt()).isEqualTo(i);
			}
			writer.get(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void aSlowReaderReceivesEveryByteOfAReplyLargerThanTheSocketBuffers() throws Exception {
		byte[] reply = TestSockets.randomBytes(8 * 1024 * 1024, 7);
		AtomicReference<Connection> opened = new AtomicReference<>();
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).maxQueuedOutput(32L * 1024 * 1024).build(),
				new ConnectionHandler() {
					@Override
					public void onOpen(Connection connection) {
						opened.set(connection);
						connection.write(reply);
					}

					@Override
					public void onRead(Connection connection, ByteBuffer data) {
					}
				});
		try (Socket socket = TestSockets.connectWithSmallWindow(server.port("test"))) {
			TestSockets.await(Duration.ofSeconds(5), "reply queued", () -> opened.get() != null
					&& opened.get().pendingOutboundBytes() > 0);
			assertThat(opened.get().isWritable()).as("over the high-water mark").isFalse();
			InputStream in = socket.getInputStream();
			byte[] received = new byte[reply.length];
			int offset = 0;
			while (offset < received.length) {
				int n = in.read(received, offset, Math.min(4096, received.length - offset));
				assertThat(n).isPositive();
				offset += n;
			}
			assertThat(received).isEqualTo(reply);
			TestSockets.await(Duration.ofSeconds(5), "queue drained", () -> opened.get().pendingOutboundBytes() == 0);
			assertThat(opened.get().pendingOutboundMessages()).isZero();
			assertThat(opened.get().isWritable()).isTrue();
			assertThat(opened.get().bytesSent()).isEqualTo(reply.length);
		}
	}

	@Test
	void aHandlerThatThrowsClosesOnlyItsOwnConnection() throws Exception {
		SelectorServer server = start(new EchoHandler() {
			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				if (data.get(data.position()) == '!') {
					throw new IllegalStateException("boom (expected by the test)");
				}
				super.onRead(connection, data);
			}
		});
		int port = server.port("test");
		try (Socket good = TestSockets.connect(port); Socket bad = TestSockets.connect(port)) {
			bad.getOutputStream().write('!');
			assertThat(bad.getInputStream().read()).as("the failing connection is closed").isEqualTo(-1);
			good.getOutputStream().write("still here".getBytes());
			assertThat(TestSockets.readFully(good.getInputStream(), 10)).isEqualTo("still here".getBytes());
		}
		assertThat(server.listener("test").orElseThrow().errors()).isEqualTo(1);
	}

	@Test
	void aClientThatShutsDownItsOutputStillReceivesEverythingOwedToIt() throws Exception {
		SelectorServer server = start(new EchoHandler());
		byte[] payload = TestSockets.randomBytes(256 * 1024, 3);
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			socket.getOutputStream().write(payload);
			socket.shutdownOutput();
			InputStream in = socket.getInputStream();
			assertThat(TestSockets.readFully(in, payload.length)).isEqualTo(payload);
			assertThat(in.read()).as("closed after the echo").isEqualTo(-1);
		}
	}

	@Test
	void connectionsOverTheLimitAreClosedAndCountedWithoutDisturbingTheOthers() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).maxConnections(2).build(), new EchoHandler());
		int port = server.port("test");
		try (Socket first = TestSockets.connect(port); Socket second = TestSockets.connect(port)) {
			TestSockets.await(Duration.ofSeconds(5), "two connections", () -> server.activeConnections() == 2);
			try (Socket third = TestSockets.connect(port)) {
				assertThat(third.getInputStream().read()).as("rejected connection closed").isEqualTo(-1);
			}
			first.getOutputStream().write(1);
			assertThat(first.getInputStream().read()).isEqualTo(1);
			second.getOutputStream().write(2);
			assertThat(second.getInputStream().read()).isEqualTo(2);
		}
		assertThat(server.listener("test").orElseThrow().rejectedConnections()).isEqualTo(1);
	}

	@Test
	void gracefulStopDeliversQueuedOutputBeforeClosing() throws Exception {
		byte[] reply = TestSockets.randomBytes(4 * 1024 * 1024, 11);
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), new ConnectionHandler() {
			@Override
			public void onOpen(Connection connection) {
				connection.write(reply);
			}

			@Override
			public void onRead(Connection connection, ByteBuffer data) {
			}
		});
		try (Socket socket = TestSockets.connectWithSmallWindow(server.port("test"))) {
			TestSockets.await(Duration.ofSeconds(5), "reply queued",
					() -> server.connections().stream().anyMatch((c) -> c.pendingOutboundBytes() > 0));
			CompletableFuture<ShutdownResult> stopping = CompletableFuture
				.supplyAsync(() -> server.stop(Duration.ofSeconds(30)), this.clients);
			InputStream in = socket.getInputStream();
			assertThat(TestSockets.readFully(in, reply.length)).isEqualTo(reply);
			assertThat(in.read()).isEqualTo(-1);
			ShutdownResult result = stopping.get(30, TimeUnit.SECONDS);
			assertThat(result.drained()).isEqualTo(1);
			assertThat(result.forced()).isZero();
		}
		assertThat(server.state()).isEqualTo(SelectorServer.State.STOPPED);
	}

	@Test
	void stopClosesConnectionsThatDoNotDrainWithinTheTimeout() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), new ConnectionHandler() {
			@Override
			public void onOpen(Connection connection) {
				connection.write(new byte[8 * 1024 * 1024]);
			}

			@Override
			public void onRead(Connection connection, ByteBuffer data) {
			}
		});
		try (Socket neverReads = TestSockets.connect(server.port("test"))) {
			TestSockets.await(Duration.ofSeconds(5), "connection open", () -> server.activeConnections() == 1);
			ShutdownResult result = server.stop(Duration.ofMillis(300));
			assertThat(result.forced()).isEqualTo(1);
			assertThat(result.drained()).isZero();
			assertThat(server.activeConnections()).isZero();
		}
	}

	@Test
	void stoppingTwiceOrBeforeStartingIsHarmless() {
		SelectorServer server = start(new EchoHandler());
		ShutdownResult first = server.stop();
		assertThat(server.stop()).isSameAs(first);
		SelectorServer neverStarted = new SelectorServer(ServerConfig.defaults(),
				List.of(new ListenerSpec("idle", LOOPBACK, 0, new EchoHandler())));
		assertThat(neverStarted.stop().isClean()).isTrue();
	}

	@Test
	void aStoppedServerStartsAgainWithNewLoopsAndListeners() throws Exception {
		SelectorServer server = start(new EchoHandler());
		Listener first = server.listener("test").orElseThrow();
		byte[] payload = TestSockets.randomBytes(64 * 1024, 5);
		assertThat(echoAsync(server.port("test"), payload).get(30, TimeUnit.SECONDS)).isEqualTo(payload);
		server.stop(Duration.ofSeconds(5));
		assertThat(server.state()).isEqualTo(SelectorServer.State.STOPPED);
		server.start(); // what Spring does to a paused test context it resumes
		assertThat(server.state()).isEqualTo(SelectorServer.State.RUNNING);
		Listener second = server.listener("test").orElseThrow();
		assertThat(second).isNotSameAs(first);
		assertThat(second.acceptedConnections()).isZero();
		assertThat(echoAsync(server.port("test"), payload).get(30, TimeUnit.SECONDS)).isEqualTo(payload);
		assertThat(server.ioThreads()).isEqualTo(2);
		assertThat(server.deadLoops()).isEmpty();
		ShutdownResult again = server.stop(Duration.ofSeconds(5));
		assertThat(again.isClean()).isTrue();
	}

	@Test
	void stopReleasesThePortAndEndsTheIoThreads() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(2).threadNamePrefix("stop-test-io-").build(),
				new EchoHandler());
		int port = server.port("test");
		assertThat(threadNames()).contains("stop-test-io-0", "stop-test-io-1");
		server.stop();
		try (ServerSocket rebind = new ServerSocket(port, 50, LOOPBACK)) {
			assertThat(rebind.getLocalPort()).isEqualTo(port);
		}
		assertThat(threadNames()).noneMatch((name) -> name.startsWith("stop-test-io-"));
	}

	private static List<String> threadNames() {
		return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
	}

	@Test
	void aPortInUseFailsStartWithTheListenerAndPortNamed() throws Exception {
		try (ServerSocket taken = new ServerSocket(0, 50, LOOPBACK)) {
			SelectorServer server = new SelectorServer(ServerConfig.builder().reuseAddress(false).build(),
					List.of(new ListenerSpec("clash", LOOPBACK, taken.getLocalPort(), new EchoHandler())));
			assertThatThrownBy(server::start).isInstanceOfSatisfying(PortInUseException.class, (ex) -> {
				assertThat(ex.getPort()).isEqualTo(taken.getLocalPort());
				assertThat(ex.getListenerName()).isEqualTo("clash");
			});
		}
	}

	@Test
	void listenersGetFreePortsAndRunSideBySide() throws Exception {
		SelectorServer server = new SelectorServer(ServerConfig.builder().ioThreads(2).build(),
				List.of(new ListenerSpec("a", LOOPBACK, 0, new EchoHandler()), new ListenerSpec("b", LOOPBACK, 0,
						(connection, data) -> connection.write(new byte[] { (byte) (data.get() + 1) }))));
		this.servers.start(server);
		assertThat(server.port("a")).isPositive().isNotEqualTo(server.port("b"));
		try (Socket a = TestSockets.connect(server.port("a")); Socket b = TestSockets.connect(server.port("b"))) {
			a.getOutputStream().write(41);
			b.getOutputStream().write(41);
			assertThat(a.getInputStream().read()).isEqualTo(41);
			assertThat(b.getInputStream().read()).isEqualTo(42);
		}
	}

	@Test
	void invalidConfigurationIsRejectedWithTheSettingNamed() {
		assertThatThrownBy(() -> ServerConfig.builder().ioThreads(0)).hasMessageContaining("ioThreads")
			.hasMessageContaining("0");
		assertThatThrownBy(() -> new ListenerSpec("x", null, 70000, new EchoHandler())).hasMessageContaining("70000");
		assertThatThrownBy(() -> ServerConfig.builder().writeWaterMarks(10, 5)).hasMessageContaining("writeLowWaterMark");
		assertThat(Arrays.asList(ServerConfig.defaults().ioThreads())).allMatch((n) -> n >= 1);
	}

	@Test
	void aPausedConnectionIsNotReadUntilResumed() throws Exception {
		AtomicReference<Connection> opened = new AtomicReference<>();
		SelectorServer server = start(new EchoHandler() {
			@Override
			public void onOpen(Connection connection) {
				connection.pauseReading();
				opened.set(connection);
			}
		});
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			TestSockets.await(Duration.ofSeconds(5), "connection opened", () -> opened.get() != null);
			socket.getOutputStream().write("abc".getBytes());
			socket.setSoTimeout(300);
			assertThatThrownBy(() -> socket.getInputStream().read()).as("nothing echoed while paused")
				.isInstanceOf(java.net.SocketTimeoutException.class);
			assertThat(opened.get().bytesReceived()).isZero();
			opened.get().resumeReading();
			socket.setSoTimeout(10_000);
			assertThat(TestSockets.readFully(socket.getInputStream(), 3)).isEqualTo("abc".getBytes());
		}
	}

}
