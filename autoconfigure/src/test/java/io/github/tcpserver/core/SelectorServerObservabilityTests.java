package io.github.tcpserver.core;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.test.DownloadHandler;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read-side numbers and hooks that monitoring is built on: per-listener bytes and queued
 * output, protocol errors, the connection observer.
 */
class SelectorServerObservabilityTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private SelectorServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop(Duration.ZERO);
		}
	}

	@Test
	void perListenerBytesAndQueuedOutputAreReadFromTheConnections() throws Exception {
		this.server = new SelectorServer(ServerConfig.builder().ioThreads(1).sendBufferSize(16 * 1024).build(),
				List.of(new ListenerSpec("echo", LOOPBACK, 0, new EchoHandler()),
						new ListenerSpec("download", LOOPBACK, 0, new DownloadHandler())));
		this.server.start();
		Listener echo = this.server.listener("echo").orElseThrow();
		Listener download = this.server.listener("download").orElseThrow();
		try (Socket echoClient = TestSockets.connect(echo.port()); Socket slowClient = new Socket()) {
			echoClient.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
			TestSockets.readFully(echoClient.getInputStream(), 5);
			slowClient.setReceiveBufferSize(16 * 1024);
			slowClient.connect(download.boundAddress());
			slowClient.getOutputStream().write("2000000\n".getBytes(StandardCharsets.US_ASCII));
			TestSockets.await(Duration.ofSeconds(10), "the download to stall with output queued",
					() -> this.server.pendingOutboundBytes(download) > 0
							&& this.server.bytesSent(download) + this.server.pendingOutboundBytes(download) == 2_000_000);
			assertThat(this.server.bytesReceived(echo)).isEqualTo(5);
			assertThat(this.server.bytesSent(echo)).isEqualTo(5);
			assertThat(this.server.pendingOutboundBytes(echo)).isZero();
			assertThat(this.server.bytesReceived(download)).isEqualTo(8);
		}
		TestSockets.await(Duration.ofSeconds(10), "both closed", () -> this.server.activeConnections() == 0);
		// Closed connections' counts are kept on the listener.
		assertThat(this.server.bytesReceived(echo)).isEqualTo(5);
		assertThat(this.server.bytesReceived(download)).isEqualTo(8);
		assertThat(this.server.pendingOutboundBytes(download)).isZero();
	}

	@Test
	void aProtocolErrorIsCountedOnTheListener() throws Exception {
		this.server = new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
				List.of(new ListenerSpec("download", LOOPBACK, 0, new DownloadHandler())));
		this.server.start();
		try (Socket client = TestSockets.connect(this.server.port("download"))) {
			client.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
			assertThat(new String(TestSockets.readFully(client.getInputStream(), 19), StandardCharsets.US_ASCII))
				.isEqualTo("error: digits only\n");
		}
		Listener listener = this.server.listener("download").orElseThrow();
		assertThat(listener.protocolErrors()).isEqualTo(1);
		assertThat(listener.errors()).isZero();
	}

	@Test
	void theObserverSeesEveryOpenBeforeItsCloseOnTheLoopThread() throws Exception {
		List<String> seen = new CopyOnWriteArrayList<>();
		ConnectionObserver observer = new ConnectionObserver() {

			@Override
			public void connectionOpened(Connection connection) {
				seen.add("open " + connection.id() + " " + Thread.currentThread().getName());
			}

			@Override
			public void connectionClosed(Connection connection) {
				seen.add("close " + connection.id() + " " + connection.bytesReceived());
			}

		};
		this.server = new SelectorServer(ServerConfig.builder().ioThreads(1).threadNamePrefix("obs-").build(),
				List.of(new ListenerSpec("echo", LOOPBACK, 0, new EchoHandler())), observer);
		this.server.start();
		try (Socket client = TestSockets.connect(this.server.port("echo"))) {
			client.getOutputStream().write("abc".getBytes(StandardCharsets.UTF_8));
			TestSockets.readFully(client.getInputStream(), 3);
		}
		TestSockets.await(Duration.ofSeconds(10), "the close to be observed", () -> seen.size() == 2);
		assertThat(seen).containsExactly("open 1 obs-0", "close 1 3");
	}

	@Test
	void aFailingObserverHarmsNeitherTheConnectionNorTheLoop() throws Exception {
		ConnectionObserver failing = new ConnectionObserver() {

			@Override
			public void connectionOpened(Connection connection) {
				throw new IllegalStateException("observer bug");
			}

		};
		this.server = new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
				List.of(new ListenerSpec("echo", LOOPBACK, 0, new EchoHandler())), failing);
		this.server.start();
		for (int i = 0; i < 2; i++) {
			try (Socket client = TestSockets.connect(this.server.port("echo"))) {
				client.getOutputStream().write("ok".getBytes(StandardCharsets.UTF_8));
				assertThat(TestSockets.readFully(client.getInputStream(), 2)).asString().isEqualTo("ok");
			}
		}
		assertThat(this.server.deadLoops()).isEmpty();
	}

}
