package io.github.tcpserver.observation;

import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.blocking.OffloadingHandler;
import io.github.tcpserver.core.ConnectionHandler;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.test.TestServers;
import io.github.tcpserver.test.TestSockets;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tcp.server.handler.calls}: each call of an offloaded handler observed on its executor
 * thread, keyed by listener and callback, a failing one with its exception.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OffloadedCallObservationTests {

	private final TestObservationRegistry registry = TestObservationRegistry.create();

	private final ExecutorService executor = Executors.newFixedThreadPool(2);

	private final TestServers servers = new TestServers();

	@AfterEach
	void stop() {
		this.servers.stopAll();
		this.executor.shutdownNow();
	}

	@Test
	void eachCallOfAnOffloadedHandlerIsObservedWithItsListenerAndCallback() throws Exception {
		int port = start(new EchoHandler());
		try (Socket client = TestSockets.connect(port)) {
			client.getOutputStream().write('x');
			assertThat(client.getInputStream().read()).isEqualTo('x');
		}
		TestSockets.await(Duration.ofSeconds(10), "the read observed", () -> stoppedWith("callback", "onRead"));
		assertThat(this.registry).hasObservationWithNameEqualTo("tcp.server.handler.calls")
			.that()
			.hasLowCardinalityKeyValue("listener", "blocking")
			.hasLowCardinalityKeyValue("exception", "none");
		assertThat(this.registry).hasHandledContextsThatSatisfy((contexts) -> assertThat(contexts)
			.anySatisfy((context) -> assertThat(context.getLowCardinalityKeyValue("callback").getValue())
				.isEqualTo("onOpen")));
	}

	@Test
	void aCallThatThrowsIsObservedWithItsException() throws Exception {
		ConnectionHandler failing = (connection, data) -> {
			throw new IllegalArgumentException("handler bug (expected by the test)");
		};
		int port = start(failing);
		try (Socket client = TestSockets.connect(port)) {
			client.getOutputStream().write('x');
			assertThat(client.getInputStream().read()).isEqualTo(-1);
		}
		TestSockets.await(Duration.ofSeconds(10), "the failed read observed",
				() -> stoppedWith("exception", "IllegalArgumentException"));
		assertThat(this.registry).hasAnObservationWithAKeyValue("callback", "onRead");
	}

	private boolean stoppedWith(String key, String value) {
		try {
			assertThat(this.registry).hasHandledContextsThatSatisfy((contexts) -> assertThat(contexts)
				.anySatisfy((context) -> assertThat(context.getLowCardinalityKeyValue(key).getValue()).isEqualTo(value)));
			return true;
		}
		catch (AssertionError notYet) {
			return false;
		}
	}

	private int start(ConnectionHandler delegate) {
		OffloadingHandler handler = new OffloadingHandler(delegate, this.executor, 64 * 1024,
				new ObservationOffloadedCallObserver(this.registry, null));
		return this.servers
			.start(new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
					List.of(new ListenerSpec("blocking", InetAddress.getLoopbackAddress(), 0, handler))))
			.port("blocking");
	}

}
