package io.github.tcpserver.actuate;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.blocking.OffloadingHandler;
import io.github.tcpserver.blocking.StreamHandler;
import io.github.tcpserver.blocking.StreamHandlerAdapter;
import io.github.tcpserver.core.ConnectionHandler;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.test.TestServers;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tcp.server.connections.duration} over real loopback connections: one timer per listener
 * and way of ending, the close counted under the reason the server closed it for (a handler that
 * throws off the I/O thread, offloaded or stream, as one that throws on it).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionDurationMeterTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final TestServers servers = new TestServers();

	@AfterEach
	void stop() {
		this.servers.stopAll();
	}

	@Test
	void aConnectionThePeerClosesEndsNormallyAndItsDurationIsRecorded() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), new EchoHandler());
		try (Socket client = TestSockets.connect(server.port("echo"))) {
			client.getOutputStream().write('x');
			assertThat(client.getInputStream().read()).isEqualTo('x');
		}
		Timer timer = awaitClose("normal");
		assertThat(timer.getId().getTag("listener")).isEqualTo("echo");
		assertThat(timer.getId().getTag("port")).isEqualTo(Integer.toString(server.port("echo")));
		assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).isPositive();
		assertThat(this.registry.find(ConnectionDurationMeter.NAME).timers()).hasSize(6)
			.allSatisfy((t) -> assertThat(t.count()).isEqualTo(t.getId().getTag("reason").equals("normal") ? 1 : 0));
	}

	@Test
	void aConnectionThePeerResetsEndsAsReset() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), new EchoHandler());
		try (Socket client = TestSockets.connect(server.port("echo"))) {
			client.getOutputStream().write('x');
			assertThat(client.getInputStream().read()).isEqualTo('x');
			client.setSoLinger(true, 0); // close sends RST instead of FIN
		}
		awaitClose("reset");
	}

	@Test
	void aSilentConnectionEndsAsTimeout() throws Exception {
		SelectorServer server = start(
				ServerConfig.builder().ioThreads(1).readIdleTimeout(Duration.ofMillis(200)).build(), new EchoHandler());
		try (Socket client = TestSockets.connect(server.port("echo"))) {
			assertThat(client.getInputStream().read()).isEqualTo(-1);
		}
		awaitClose("timeout");
	}

	@Test
	void aConnectionWhosePeerDoesNotReadPastTheOutputCapEndsAsOverflow() throws Exception {
		ConnectionHandler flood = (connection, data) -> {
			data.position(data.limit());
			connection.write(ByteBuffer.allocate(32 * 1024 * 1024));
		};
		SelectorServer server = start(ServerConfig.builder()
			.ioThreads(1)
			.writeWaterMarks(32 * 1024, 64 * 1024)
			.maxQueuedOutput(1024 * 1024)
			.build(), flood);
		try (Socket client = TestSockets.connect(server.port("echo"))) {
			client.getOutputStream().write('x'); // and never read
			awaitClose("overflow");
		}
	}

	@Test
	void aConnectionWhoseHandlerThrowsEndsAsError() throws Exception {
		ConnectionHandler failing = (connection, data) -> {
			throw new IllegalStateException("handler bug (expected by the test)");
		};
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), failing);
		try (Socket client = TestSockets.connect(server.port("echo"))) {
			client.getOutputStream().write('x');
			assertThat(client.getInputStream().read()).isEqualTo(-1);
		}
		awaitClose("error");
	}

	@Test
	void aConnectionWhoseOffloadedHandlerThrowsEndsAsError() throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(2);
		try {
			ConnectionHandler failing = (connection, data) -> {
				throw new IllegalStateException("blocking handler bug (expected by the test)");
			};
			SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(),
					new OffloadingHandler(failing, executor, 64 * 1024));
			try (Socket client = TestSockets.connect(server.port("echo"))) {
				client.getOutputStream().write('x');
				assertThat(client.getInputStream().read()).isEqualTo(-1);
			}
			awaitClose("error");
			assertThat(server.listener("echo").orElseThrow().errors()).as("the listener's errors").isEqualTo(1);
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void aConnectionWhoseStreamHandlerThrowsEndsAsError() throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(2);
		try {
			StreamHandler failing = (connection) -> {
				connection.getInputStream().read();
				throw new IllegalStateException("stream handler bug (expected by the test)");
			};
			SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(),
					new StreamHandlerAdapter(failing, executor, 64 * 1024));
			try (Socket client = TestSockets.connect(server.port("echo"))) {
				client.getOutputStream().write('x');
				assertThat(client.getInputStream().read()).isEqualTo(-1);
			}
			awaitClose("error");
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void aConnectionOpenAtAGracefulStopEndsAsShutdown() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), new EchoHandler());
		try (Socket client = TestSockets.connect(server.port("echo"))) {
			OutputStream out = client.getOutputStream();
			out.write('x');
			assertThat(client.getInputStream().read()).isEqualTo('x');
			CompletableFuture<?> stopping = CompletableFuture.runAsync(() -> server.stop(Duration.ofSeconds(10)));
			assertThat(client.getInputStream().read()).as("the server's FIN").isEqualTo(-1);
			client.close();
			stopping.get(20, TimeUnit.SECONDS);
		}
		awaitClose("shutdown");
	}

	private SelectorServer start(ServerConfig config, ConnectionHandler handler) {
		return this.servers.start(new SelectorServer(config,
				List.of(new ListenerSpec("echo", InetAddress.getLoopbackAddress(), 0, handler)),
				new ConnectionDurationMeter(this.registry)));
	}

	private Timer awaitClose(String reason) {
		TestSockets.await(Duration.ofSeconds(20), "a close recorded as " + reason, () -> {
			Timer timer = this.registry.find(ConnectionDurationMeter.NAME).tag("reason", reason).timer();
			return timer != null && timer.count() == 1;
		});
		return this.registry.find(ConnectionDurationMeter.NAME).tag("reason", reason).timer();
	}

}
