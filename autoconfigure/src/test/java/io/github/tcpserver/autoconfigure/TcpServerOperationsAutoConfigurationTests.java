package io.github.tcpserver.autoconfigure;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.tcpserver.actuate.TcpServerEndpoint;
import io.github.tcpserver.actuate.TcpServerHealthIndicator;
import io.github.tcpserver.actuate.TcpServerMetricsBinder;
import io.github.tcpserver.context.ApplicationEventConnectionObserver;
import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.context.TcpConnectionClosedEvent;
import io.github.tcpserver.context.TcpConnectionEvent;
import io.github.tcpserver.context.SelectorServerLifecycle;
import io.github.tcpserver.context.TcpConnectionOpenedEvent;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guards and back-off of the operations auto-configurations: endpoint, health, metrics, events.
 */
class TcpServerOperationsAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TcpServerAutoConfiguration.class,
				TcpServerEndpointAutoConfiguration.class, TcpServerHealthAutoConfiguration.class,
				TcpServerMetricsAutoConfiguration.class, TcpServerEventsAutoConfiguration.class))
		.withUserConfiguration(EchoConfiguration.class)
		.withPropertyValues("tcp.server.port=0", "tcp.server.address=127.0.0.1", "tcp.server.io-threads=1",
				"tcp.server.shutdown=immediate");

	@Test
	void whenTheEndpointIsExposedThenItIsDefined() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=tcpserver")
			.run((context) -> assertThat(context).hasSingleBean(TcpServerEndpoint.class));
	}

	@Test
	void whenTheEndpointIsNotExposedThenItIsNotDefined() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(TcpServerEndpoint.class));
	}

	@Test
	void whenTheActuatorIsNotOnTheClassPathThenTheEndpointIsNotDefinedAndTheServerStillRuns() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=tcpserver")
			.withClassLoader(new FilteredClassLoader(Endpoint.class, HealthIndicator.class))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(TcpServerEndpoint.class)
					.doesNotHaveBean(TcpServerHealthIndicator.class);
				assertThat(context.getBean(SelectorServer.class).isRunning()).isTrue();
			});
	}

	@Test
	void whenTheUserDefinesAnEndpointThenTheAutoConfigurationBacksOff() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=tcpserver")
			.withBean("myEndpoint", TcpServerEndpoint.class, () -> new TcpServerEndpoint(null))
			.run((context) -> assertThat(context).getBeans(TcpServerEndpoint.class).containsOnlyKeys("myEndpoint"));
	}

	@Test
	void whenTheServerIsDisabledThenNoOperationsBeansAreDefined() {
		this.runner
			.withPropertyValues("tcp.server.enabled=false", "management.endpoints.web.exposure.include=tcpserver",
					"tcp.server.events.enabled=true")
			.withBean(SimpleMeterRegistry.class)
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(SelectorServer.class)
				.doesNotHaveBean(TcpServerEndpoint.class)
				.doesNotHaveBean(TcpServerHealthIndicator.class)
				.doesNotHaveBean(TcpServerMetricsBinder.class)
				.doesNotHaveBean(ApplicationEventConnectionObserver.class));
	}

	@Test
	void theHealthIndicatorIsNamedTcpServerAndIsUpWhileRunning() {
		this.runner.run((context) -> {
			assertThat(context).hasBean("tcpServerHealthIndicator");
			TcpServerHealthIndicator indicator = context.getBean(TcpServerHealthIndicator.class);
			assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
			SelectorServer server = context.getBean(SelectorServer.class);
			server.stop(Duration.ZERO);
			assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
			assertThat(indicator.health().getDetails()).containsEntry("state", "STOPPED");
		});
	}

	@Test
	void aLifecycleStoppedAndStartedAgainServesOnItsNewPortWithMetersForTheNewListener() {
		// What Spring's test context cache does to a cached context it pauses and later resumes.
		this.runner.withBean(SimpleMeterRegistry.class).run((context) -> {
			SelectorServer server = context.getBean(SelectorServer.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			SelectorServerLifecycle lifecycle = context.getBean(SelectorServerLifecycle.class);
			int firstPort = server.port("echo");
			lifecycle.stop();
			assertThat(lifecycle.isRunning()).isFalse();
			lifecycle.start();
			assertThat(lifecycle.isRunning()).isTrue();
			int port = server.port("echo");
			assertThat(context.getEnvironment().getProperty("local.tcp.server.port", Integer.class)).isEqualTo(port);
			try (Socket client = TestSockets.connect(port)) {
				client.getOutputStream().write("again".getBytes(StandardCharsets.UTF_8));
				assertThat(TestSockets.readFully(client.getInputStream(), 5)).isEqualTo("again".getBytes(StandardCharsets.UTF_8));
				assertThat(registry.get("tcp.server.connections.active").tag("listener", "echo")
					.tag("port", Integer.toString(port)).gauge().value()).isEqualTo(1);
			}
			if (firstPort != port) {
				assertThat(registry.find("tcp.server.connections.active").tag("port", Integer.toString(firstPort)).gauge())
					.as("the stopped listener's meters are gone").isNull();
			}
			assertThat(registry.find("tcp.server.connections.active").gauges()).hasSize(1);
		});
	}

	@Test
	void whenTheHealthIndicatorIsDisabledThenItIsNotDefined() {
		this.runner.withPropertyValues("management.health.tcpserver.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TcpServerHealthIndicator.class));
	}

	@Test
	void whenAMeterRegistryExistsThenTheListenersMetersAreRegisteredWithListenerAndPortTags() {
		this.runner.withBean(SimpleMeterRegistry.class).run((context) -> {
			assertThat(context).hasSingleBean(TcpServerMetricsBinder.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			String port = Integer.toString(context.getBean(SelectorServer.class).port("echo"));
			try (Socket client = TestSockets.connect(Integer.parseInt(port))) {
				client.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
				TestSockets.readFully(client.getInputStream(), 5);
				assertThat(registry.get("tcp.server.connections.active").tag("listener", "echo").tag("port", port)
					.gauge().value()).isEqualTo(1);
				TestSockets.await(Duration.ofSeconds(10), "the open connection's bytes to be counted",
						() -> registry.get("tcp.server.bytes.sent").tag("listener", "echo").functionCounter().count() == 5);
			}
			TestSockets.await(Duration.ofSeconds(10), "the close to be counted", () -> registry
				.get("tcp.server.connections.closed").tag("listener", "echo").functionCounter().count() == 1);
			// Now in the closed connections' total.
			assertThat(registry.get("tcp.server.bytes.received").tag("listener", "echo").functionCounter().count())
				.isEqualTo(5);
			assertThat(registry.get("tcp.server.bytes.sent").tag("listener", "echo").functionCounter().count())
				.isEqualTo(5);
			assertThat(registry.get("tcp.server.connections.accepted").functionCounter().count()).isEqualTo(1);
			for (String name : List.of("tcp.server.connections.rejected", "tcp.server.errors",
					"tcp.server.protocol.errors", "tcp.server.output.overflows")) {
				assertThat(registry.get(name).tag("listener", "echo").functionCounter().count()).as(name).isZero();
			}
			assertThat(registry.get("tcp.server.outbound.queued").gauge().value()).isZero();
		});
	}

	@Test
	void whenMicrometerIsNotOnTheClassPathThenNoMetricsBinderIsDefined() {
		this.runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(TcpServerMetricsBinder.class));
	}

	@Test
	void whenThereIsNoMeterRegistryThenNoMetricsBinderIsDefined() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(TcpServerMetricsBinder.class));
	}

	@Test
	void whenTheContextClosesThenTheMetersAreRemoved() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		this.runner.withBean(MeterRegistry.class, () -> registry)
			.run((context) -> assertThat(registry.find("tcp.server.connections.active").gauge()).isNotNull());
		assertThat(registry.find("tcp.server.connections.active").gauge()).isNull();
	}

	@Test
	void connectionEventsAreOffByDefault() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(ApplicationEventConnectionObserver.class));
	}

	@Test
	void whenEventsAreEnabledThenOpenedAndClosedArePublishedForEachConnection() {
		this.runner.withPropertyValues("tcp.server.events.enabled=true")
			.withUserConfiguration(EventCapture.class)
			.run((context) -> {
				EventCapture capture = context.getBean(EventCapture.class);
				try (Socket client = TestSockets.connect(context.getBean(SelectorServer.class).port("echo"))) {
					client.getOutputStream().write("hi".getBytes(StandardCharsets.UTF_8));
					TestSockets.readFully(client.getInputStream(), 2);
				}
				TestSockets.await(Duration.ofSeconds(10), "the closed event", () -> capture.events.size() == 2);
				assertThat(capture.events.get(0)).isInstanceOf(TcpConnectionOpenedEvent.class);
				assertThat(capture.events.get(1)).isInstanceOf(TcpConnectionClosedEvent.class);
				assertThat(capture.events.get(1).getConnection().bytesReceived()).isEqualTo(2);
				assertThat(capture.events.get(0).getConnection().id())
					.isEqualTo(capture.events.get(1).getConnection().id());
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class EchoConfiguration {

		@Bean
		@SocketHandler
		EchoHandler echo() {
			return new EchoHandler();
		}

	}

	static class EventCapture implements ApplicationListener<TcpConnectionEvent> {

		final List<TcpConnectionEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(TcpConnectionEvent event) {
			this.events.add(event);
		}

	}

}
