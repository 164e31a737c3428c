package io.github.tcpserver.core;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.test.DownloadHandler;
import io.github.tcpserver.test.TestCertificates;
import io.github.tcpserver.test.TestServers;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reactor with a TLS listener over real loopback sockets, without Spring: closing (every
 * graceful close ends with close_notify), backpressure on wire bytes, post-handshake messages.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsServerTests {

	@TempDir
	static Path directory;

	static TestCertificates pki;

	private final TestServers servers = new TestServers();

	@BeforeAll
	static void makeCertificates() {
		pki = TestCertificates.create(directory).issue("localhost", "localhost");
	}

	@AfterEach
	void stopServers() {
		this.servers.stopAll();
	}

	private SelectorServer start(ServerConfig config, ConnectionHandler handler) {
		return start(config, handler, null);
	}

	private SelectorServer start(ServerConfig config, ConnectionHandler handler, java.util.concurrent.Executor tasks) {
		SSLContext context = pki.context("localhost", false);
		TlsEngineFactory engines = (serverName, peer) -> {
			SSLEngine engine = context.createSSLEngine(peer.getHostString(), peer.getPort());
			engine.setUseClientMode(false);
			return engine;
		};
		return this.servers.start(new SelectorServer(config, List.of(new ListenerSpec("test",
				InetAddress.getLoopbackAddress(), 0, handler,
				new TlsSettings(engines, Duration.ofSeconds(10), "test", tasks)))));
	}

	private static Socket connect(SelectorServer server) throws IOException {
		return TestSockets.connect(server.port("test"));
	}

	@Test
	void closeAfterFlushSendsTheReplyThenCloseNotify() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), new ConnectionHandler() {

			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				data.position(data.limit());
				connection.write("goodbye");
				connection.closeAfterFlush();
			}

		});
		try (Socket socket = connect(server)) {
			EngineClient client = new EngineClient(pki, "TLSv1.3");
			client.handshake(socket);
			socket.getOutputStream().write(client.wrap("bye".getBytes(StandardCharsets.US_ASCII)));
			assertThat(client.readToEnd(socket)).as("close_notify before the end of stream").isTrue();
			assertThat(client.received.toString(StandardCharsets.US_ASCII)).isEqualTo("goodbye");
		}
	}

	@Test
	void theHandlersCloseSendsCloseNotify() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), new ConnectionHandler() {

			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				data.position(data.limit());
				connection.close();
			}

		});
		try (Socket socket = connect(server)) {
			EngineClient client = new EngineClient(pki, "TLSv1.2");
			client.handshake(socket);
			socket.getOutputStream().write(client.wrap("x".getBytes(StandardCharsets.US_ASCII)));
			assertThat(client.readToEnd(socket)).isTrue();
		}
	}

	@Test
	void anEndOfInputWithoutCloseNotifyIsAnsweredWithCloseNotifyAndTheConnectionIsReleased() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), new EchoHandler());
		try (Socket socket = connect(server)) {
			EngineClient client = new EngineClient(pki, "TLSv1.3");
			client.handshake(socket);
			socket.getOutputStream().write(client.wrap("last words".getBytes(StandardCharsets.US_ASCII)));
			socket.shutdownOutput(); // a FIN, no close_notify
			assertThat(client.readToEnd(socket)).isTrue();
			assertThat(client.received.toString(StandardCharsets.US_ASCII)).isEqualTo("last words");
		}
		TestSockets.await(Duration.ofSeconds(5), "the connection released", () -> server.activeConnections() == 0);
	}

	@Test
	void gracefulShutdownDeliversEveryQueuedByteThenCloseNotify() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).shutdownTimeout(Duration.ofSeconds(30)).build(),
				new DownloadHandler());
		int length = 4 * 1024 * 1024;
		try (Socket socket = TestSockets.connectWithSmallWindow(server.port("test"))) {
			EngineClient client = new EngineClient(pki, "TLSv1.3");
			client.handshake(socket);
			socket.getOutputStream().write(client.wrap((length + "\n").getBytes(StandardCharsets.US_ASCII)));
			TestSockets.await(Duration.ofSeconds(10), "the reply queued", () -> server.connections()
				.stream()
				.anyMatch((connection) -> connection.pendingOutboundBytes() > 0));
			CompletableFuture<ShutdownResult> stopped = CompletableFuture.supplyAsync(() -> server.stop(Duration.ofSeconds(30)));
			assertThat(client.readToEnd(socket)).as("close_notify after the reply").isTrue();
			assertThat(client.received.toByteArray()).isEqualTo(DownloadHandler.expected(length));
			assertThat(stopped.get(30, TimeUnit.SECONDS).drained()).isEqualTo(1);
		}
	}

	@Test
	void aSlowReaderGets100MiBByteExactWhileTheQueueOfWireBytesStaysBounded() throws Exception {
		// Small socket buffers on both sides, so that the server's queue fills.
		ServerConfig config = ServerConfig.builder().ioThreads(1).sendBufferSize(8 * 1024).build();
		SelectorServer server = start(config, new EchoHandler());
		byte[] payload = TestSockets.randomBytes(100 * 1024 * 1024, 3);
		AtomicLong mostQueued = new AtomicLong();
		try (SSLSocket socket = sslSocket(server)) {
			Thread writer = new Thread(() -> {
				try {
					socket.getOutputStream().write(payload);
					socket.getOutputStream().flush();
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			});
			writer.start();
			InputStream in = socket.getInputStream();
			byte[] echoed = new byte[payload.length];
			int offset = 0;
			while (offset < echoed.length) {
				int n = in.read(echoed, offset, Math.min(8192, echoed.length - offset));
				assertThat(n).isPositive();
				offset += n;
				server.connections().forEach((c) -> mostQueued.accumulateAndGet(c.pendingOutboundBytes(), Math::max));
			}
			writer.join();
			assertThat(echoed).isEqualTo(payload);
		}
		// Reading pauses above the high-water mark, so the queue holds at most that plus what one
		// read (64 KiB of plaintext) became on the wire.
		assertThat(mostQueued.get()).isPositive()
			.isLessThanOrEqualTo(config.writeHighWaterMark() + config.readBufferSize() + 4 * 1024);
		assertThat(server.listener("test").orElseThrow().outputOverflows()).isZero();
	}

	@Test
	void withAHandshakeExecutorManyClientsHandshakeAtOnceAndEcho() throws Exception {
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
		java.util.concurrent.ExecutorService clientThreads = java.util.concurrent.Executors.newCachedThreadPool();
		try {
			SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), new EchoHandler(), pool);
			List<CompletableFuture<String>> clients = new ArrayList<>();
			for (int i = 0; i < 16; i++) {
				String line = "client " + i;
				clients.add(CompletableFuture.supplyAsync(() -> {
					try (SSLSocket socket = sslSocket(server)) {
						socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
						return new String(TestSockets.readFully(socket.getInputStream(), line.length() + 1),
								StandardCharsets.US_ASCII).trim();
					}
					catch (IOException ex) {
						return ex.toString();
					}
				}, clientThreads));
			}
			for (int i = 0; i < clients.size(); i++) {
				assertThat(clients.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("client " + i);
			}
			assertThat(server.listener("test").orElseThrow().tlsStats().handshakesCompleted()).isEqualTo(16);
		}
		finally {
			pool.shutdownNow();
			clientThreads.shutdownNow();
		}
	}

	@Test
	void keyUpdatesForcedByASmallKeyLimitAreAnsweredAndTheDataSurvives() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), new EchoHandler());
		Path security = directory.resolve("key-limits.security");
		Files.writeString(security,
				"jdk.tls.keyLimits=AES/GCM/NoPadding KeyUpdate 2^16, ChaCha20-Poly1305 KeyUpdate 2^16\n");
		Path source = Path.of(TlsServerTests.class.getResource("/tls/KeyUpdateClient.java").toURI());
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Djava.security.properties=" + security, "-Djavax.net.debug=ssl:handshake", source.toString(),
				String.valueOf(server.port("test")), String.valueOf(1024 * 1024)));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
			try {
				return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				return ex.toString();
			}
		});
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the client ended").isTrue();
		String log = output.get(10, TimeUnit.SECONDS);
		assertThat(log).contains("OK " + 1024 * 1024);
		// The client's key limit made it send KeyUpdate(update_requested); the server answered with its own.
		assertThat(log).contains("Produced KeyUpdate").contains("Consuming KeyUpdate");
	}

	private static SSLSocket sslSocket(SelectorServer server) throws IOException {
		Socket plain = new Socket();
		plain.setReceiveBufferSize(8 * 1024); // a small window, so that the server's queue fills
		plain.connect(new InetSocketAddress("127.0.0.1", server.port("test")), 5000);
		plain.setSoTimeout(30_000);
		SSLSocket socket = (SSLSocket) pki.trustingContext()
			.getSocketFactory()
			.createSocket(plain, "localhost", server.port("test"), true);
		socket.startHandshake();
		return socket;
	}

}
