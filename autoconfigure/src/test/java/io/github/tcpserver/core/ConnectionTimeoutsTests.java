package io.github.tcpserver.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.test.TestServers;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Idle timeouts, lingering close and the blocked-loop watchdog, over real loopback sockets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionTimeoutsTests {

	private final TestServers servers = new TestServers();

	@AfterEach
	void stop() {
		this.servers.stopAll();
	}

	private SelectorServer start(ServerConfig config, ConnectionHandler handler) {
		return this.servers.start(config, handler);
	}

	@Test
	void aSilentPeerIsClosedAfterTheReadIdleTimeoutWhileAnActiveOneStays() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).readIdleTimeout(Duration.ofMillis(600)).build(),
				new EchoHandler());
		int port = server.port("test");
		try (Socket silent = TestSockets.connect(port); Socket chatty = TestSockets.connect(port)) {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
			// The chatty peer keeps talking (every ~100 ms, well inside the timeout) until the
			// silent one is dropped.
			silent.setSoTimeout(100);
			boolean silentClosed = false;
			while (!silentClosed && System.nanoTime() < deadline) {
				chatty.getOutputStream().write('x');
				assertThat(chatty.getInputStream().read()).isEqualTo('x');
				try {
					silentClosed = silent.getInputStream().read() == -1;
				}
				catch (java.net.SocketTimeoutException stillOpen) {
					// not yet
				}
			}
			assertThat(silentClosed).as("silent peer closed").isTrue();
			chatty.getOutputStream().write('y');
			assertThat(chatty.getInputStream().read()).as("active peer still served").isEqualTo('y');
		}
		assertThat(server.listener("test").orElseThrow().timeouts()).isEqualTo(1);
	}

	@Test
	void aPerConnectionTimeoutOverridesTheServerDefault() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), new EchoHandler() {
			@Override
			public void onOpen(Connection connection) {
				connection.setReadIdleTimeout(Duration.ofMillis(300));
			}
		});
		try (Socket silent = TestSockets.connect(server.port("test"))) {
			assertThat(silent.getInputStream().read()).isEqualTo(-1);
		}
	}

	@Test
	void aPeerThatStopsReadingIsClosedAfterTheWriteIdleTimeout() throws Exception {
		SelectorServer server = start(
				ServerConfig.builder().ioThreads(1).writeIdleTimeout(Duration.ofMillis(500)).build(),
				new ConnectionHandler() {
					@Override
					public void onOpen(Connection connection) {
						connection.write(new byte[8 * 1024 * 1024]);
					}

					@Override
					public void onRead(Connection connection, ByteBuffer data) {
					}
				});
		try (Socket neverReads = TestSockets.connect(server.port("test"))) {
			TestSockets.await(Duration.ofSeconds(20), "stalled connection closed", () -> server.activeConnections() == 0
					&& server.listener("test").orElseThrow().timeouts() == 1);
		}
	}

	@Test
	void closeAfterFlushDeliversTheWholeReplyEvenWhileThePeerKeepsSending() throws Exception {
		byte[] reply = TestSockets.randomBytes(2 * 1024 * 1024, 5);
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).maxQueuedOutput(64L * 1024 * 1024).build(),
				new ConnectionHandler() {
					@Override
					public void onRead(Connection connection, ByteBuffer data) {
						// Reply once, then close: the peer's further input is never read, which
						// would turn a plain close into a reset that can destroy the reply's tail.
						if (connection.bytesSent() == 0 && connection.pendingOutboundBytes() == 0) {
							connection.write(reply);
							connection.closeAfterFlush();
						}
					}
				});
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			OutputStream out = socket.getOutputStream();
			out.write(new byte[1]);
			AtomicBoolean reading = new AtomicBoolean(true);
			CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
				byte[] chunk = new byte[16 * 1024];
				try {
					while (reading.get()) {
						out.write(chunk);
					}
				}
				catch (IOException closedByServer) {
					// expected once the server closes
				}
			});
			InputStream in = socket.getInputStream();
			assertThat(TestSockets.readFully(in, reply.length)).isEqualTo(reply);
			assertThat(in.read()).as("FIN after the reply").isEqualTo(-1);
			reading.set(false);
			socket.close();
			sender.get(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void aHandlerThatBlocksTheIoThreadIsReportedWhileOtherLoopsServe() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		SelectorServer server = start(
				ServerConfig.builder().ioThreads(2).blockedLoopWarning(Duration.ofMillis(200)).build(),
				new EchoHandler() {
					@Override
					public void onRead(Connection connection, ByteBuffer data) {
						if (data.get(data.position()) == 'B') {
							try {
								release.await(20, TimeUnit.SECONDS); // a blocking call, as a handler must not
							}
							catch (InterruptedException ex) {
								Thread.currentThread().interrupt();
							}
						}
						super.onRead(connection, data);
					}
				});
		int port = server.port("test");
		try (Socket blocker = TestSockets.connect(port); Socket other = TestSockets.connect(port)) {
			blocker.getOutputStream().write('B');
			TestSockets.await(Duration.ofSeconds(10), "watchdog report", () -> server.blockedLoopEvents() == 1);
			// Connections are spread round-robin: the second one is on the other loop.
			other.getOutputStream().write('o');
			assertThat(other.getInputStream().read()).isEqualTo('o');
			release.countDown();
			assertThat(blocker.getInputStream().read()).isEqualTo('B');
		}
		assertThat(server.blockedLoopEvents()).as("reported once per episode").isEqualTo(1);
	}

}
