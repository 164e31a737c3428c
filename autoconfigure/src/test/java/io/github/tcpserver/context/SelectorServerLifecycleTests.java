package io.github.tcpserver.context;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.tcpserver.core.ConnectionHandler;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.test.DownloadHandler;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping through the Spring lifecycle: graceful with a deadline, immediate, and twice.
 */
class SelectorServerLifecycleTests {

	private static SelectorServer server(String name, ConnectionHandler handler) {
		return new SelectorServer(ServerConfig.builder().ioThreads(1).sendBufferSize(16 * 1024).build(),
				List.of(new ListenerSpec(name, InetAddress.getLoopbackAddress(), 0, handler)));
	}

	@Test
	void whenAClientDoesNotReadThenTheGracefulStopClosesItAtTheDeadlineAndStoppingAgainIsHarmless()
			throws Exception {
		SelectorServer server = server("download", new DownloadHandler());
		SelectorServerLifecycle lifecycle = new SelectorServerLifecycle(server, (event) -> {
		}, null, Duration.ofMillis(300));
		lifecycle.start();
		try (Socket slow = new Socket()) {
			slow.setReceiveBufferSize(16 * 1024);
			slow.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port("download")));
			slow.getOutputStream().write("4000000\n".getBytes(StandardCharsets.US_ASCII));
			TestSockets.await(Duration.ofSeconds(10), "output queued",
					() -> server.connections().stream().anyMatch((c) -> c.pendingOutboundBytes() > 0));
			lifecycle.stop();
			assertThat(lifecycle.isRunning()).isFalse();
			assertThat(server.state()).isEqualTo(SelectorServer.State.STOPPED);
			assertThat(server.stop(Duration.ZERO).forced()).as("the recorded result").isEqualTo(1);
			lifecycle.stop();
			assertThat(server.activeConnections()).isZero();
		}
	}

	@Test
	void anImmediateStopClosesOpenConnectionsAtOnce() throws Exception {
		SelectorServer server = server("echo", new EchoHandler());
		SelectorServerLifecycle lifecycle = new SelectorServerLifecycle(server, (event) -> {
		}, null, Duration.ZERO);
		lifecycle.start();
		try (Socket client = TestSockets.connect(server.port("echo"))) {
			client.getOutputStream().write("hi".getBytes(StandardCharsets.UTF_8));
			TestSockets.readFully(client.getInputStream(), 2);
			lifecycle.stop();
			assertThat(client.getInputStream().read()).isEqualTo(-1);
			assertThat(server.stop(Duration.ZERO).forced()).isEqualTo(1);
		}
	}

}
