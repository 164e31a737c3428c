package io.github.tcpserver.autoconfigure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.tcpserver.actuate.ConnectionDurationMeter;
import io.github.tcpserver.blocking.OffloadedCallObserver;
import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.observation.DefaultHttpServerRequestObservationConvention;
import io.github.tcpserver.observation.HttpServerRequestObservationConvention;
import io.github.tcpserver.observation.MeterHttpExchangeObserver;
import io.github.tcpserver.observation.ObservationHttpExchangeObserver;
import io.github.tcpserver.protocol.http.HttpExchangeObserver;
import io.github.tcpserver.protocol.http.HttpResponse;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of the observations: the HTTP listener's requests are timed directly when only the meters
 * need them, observed when something else does (or when asked), under the application's convention
 * if it has one; without a registry nothing is; and the connection-duration timer comes with a
 * {@link MeterRegistry}.
 */
class TcpServerObservationAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TcpServerAutoConfiguration.class,
				TcpServerObservationAutoConfiguration.class, TcpServerMetricsAutoConfiguration.class))
		.withUserConfiguration(HttpConfiguration.class)
		.withPropertyValues("tcp.server.port=0", "tcp.server.address=127.0.0.1", "tcp.server.io-threads=1",
				"tcp.server.shutdown=immediate", "tcp.server.http.observations-enabled=true");

	@Test
	void whenRequestObservationsAreNotEnabledThenRequestsAreNotObservedButBlockingCallsAre() {
		TestObservationRegistry registry = TestObservationRegistry.create();
		this.runner.withPropertyValues("tcp.server.http.observations-enabled=false")
			.withBean(ObservationRegistry.class, () -> registry)
			.run((context) -> {
				assertThat(context.getBean(HttpExchangeObserver.class)).isSameAs(HttpExchangeObserver.NONE);
				assertThat(context).hasSingleBean(OffloadedCallObserver.class);
				assertThat(get(context.getBean(SelectorServer.class).port("web"), "/hello")).isEqualTo(200);
				TestObservationRegistryAssert.assertThat(registry).doesNotHaveAnyObservation();
			});
	}

	@Test
	void whenTheApplicationHasAnObservationRegistryThenItsHttpListenersRequestsAreObserved() {
		TestObservationRegistry registry = TestObservationRegistry.create();
		this.runner.withBean(ObservationRegistry.class, () -> registry).run((context) -> {
			assertThat(context).hasSingleBean(ObservationHttpExchangeObserver.class)
				.hasSingleBean(OffloadedCallObserver.class);
			assertThat(context.getBean(HttpServerHandler.class).getExchangeObserver())
				.isSameAs(context.getBean(HttpExchangeObserver.class));
			assertThat(get(context.getBean(SelectorServer.class).port("web"), "/hello")).isEqualTo(200);
			TestObservationRegistryAssert.assertThat(registry)
				.hasObservationWithNameEqualTo(DefaultHttpServerRequestObservationConvention.NAME)
				.that()
				.hasLowCardinalityKeyValue("uri", "/hello")
				.hasLowCardinalityKeyValue("listener", "web");
		});
	}

	@Test
	void whenTheApplicationDefinesAConventionThenTheObservationsUseIt() {
		TestObservationRegistry registry = TestObservationRegistry.create();
		this.runner.withBean(ObservationRegistry.class, () -> registry)
			.withBean(HttpServerRequestObservationConvention.class, () -> new DefaultHttpServerRequestObservationConvention() {
				@Override
				public String getName() {
					return "my.http";
				}
			})
			.run((context) -> {
				assertThat(get(context.getBean(SelectorServer.class).port("web"), "/hello")).isEqualTo(200);
				TestObservationRegistryAssert.assertThat(registry).hasObservationWithNameEqualTo("my.http");
			});
	}

	@Test
	void whenBootsObservationSwitchTurnsTheTcpServerOffThenNothingIsObserved() {
		TestObservationRegistry registry = TestObservationRegistry.create();
		this.runner.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
			.withBean(ObservationRegistry.class, () -> registry)
			.withPropertyValues("management.observations.enable.tcp.server=false")
			.run((context) -> {
				assertThat(get(context.getBean(SelectorServer.class).port("web"), "/hello")).isEqualTo(200);
				TestObservationRegistryAssert.assertThat(registry).doesNotHaveAnyObservation();
			});
	}

	@Test
	void withBootsMetersAndNoTracerRequestsAreTimedDirectlyUnderTheObservationsNameByDefault() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, TcpServerAutoConfiguration.class,
					TcpServerObservationAutoConfiguration.class, TcpServerMetricsAutoConfiguration.class))
			.withUserConfiguration(HttpConfiguration.class)
			.withPropertyValues("tcp.server.port=0", "tcp.server.address=127.0.0.1", "tcp.server.io-threads=1",
					"tcp.server.shutdown=immediate")
			.run((context) -> {
				assertThat(context).hasSingleBean(MeterHttpExchangeObserver.class);
				assertThat(context.getBean(HttpServerHandler.class).getExchangeObserver())
					.isInstanceOf(MeterHttpExchangeObserver.class);
				assertThat(get(context.getBean(SelectorServer.class).port("web"), "/hello")).isEqualTo(200);
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				TestSockets.await(Duration.ofSeconds(10), "the request's timer",
						() -> meters.find(DefaultHttpServerRequestObservationConvention.NAME).timer() != null);
				assertThat(meters.get(DefaultHttpServerRequestObservationConvention.NAME)
					.tags("uri", "/hello", "listener", "web", "status", "200", "method", "GET", "outcome", "SUCCESS",
							"exception", "none", "error", "none")
					.timer()
					.count()).isEqualTo(1);
			});
	}

	@Test
	void whenTheApplicationHasAnObservationHandlerBesidesTheMetersThenRequestsAreObserved() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, TcpServerAutoConfiguration.class,
					TcpServerObservationAutoConfiguration.class))
			.withUserConfiguration(HttpConfiguration.class)
			.withBean(ObservationHandler.class, () -> (ObservationHandler<Observation.Context>) (context) -> true)
			.withPropertyValues("tcp.server.port=0", "tcp.server.address=127.0.0.1", "tcp.server.io-threads=1",
					"tcp.server.shutdown=immediate")
			.run((context) -> assertThat(context).hasSingleBean(ObservationHttpExchangeObserver.class));
	}

	@Test
	void whenTheApplicationHasATracerOrBootAddsKeyValuesToObservationsThenRequestsAreObserved() {
		ApplicationContextRunner meters = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TcpServerAutoConfiguration.class,
					TcpServerObservationAutoConfiguration.class))
			.withUserConfiguration(HttpConfiguration.class)
			.withPropertyValues("tcp.server.port=0", "tcp.server.address=127.0.0.1", "tcp.server.io-threads=1",
					"tcp.server.shutdown=immediate")
			.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new);
		meters.run((context) -> assertThat(context).hasSingleBean(MeterHttpExchangeObserver.class));
		meters.withBean(Tracer.class, () -> Tracer.NOOP)
			.run((context) -> assertThat(context).hasSingleBean(ObservationHttpExchangeObserver.class));
		meters.withPropertyValues("management.observations.key-values.region=eu")
			.run((context) -> assertThat(context).hasSingleBean(ObservationHttpExchangeObserver.class));
	}

	@Test
	void whenObservationsAreTurnedOffTheMetersStillGetTheDirectTimerUnlessMetricsAreTurnedOffToo() {
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withBean(ObservationHandler.class, () -> (ObservationHandler<Observation.Context>) (context) -> true)
			.withPropertyValues("tcp.server.http.observations-enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(MeterHttpExchangeObserver.class));
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("tcp.server.http.observations-enabled=false", "tcp.server.http.metrics-enabled=false")
			.run((context) -> assertThat(context.getBean(HttpExchangeObserver.class)).isSameAs(HttpExchangeObserver.NONE));
	}

	@Test
	void whenBootsObservationSwitchTurnsTheTcpServerOffThenTheDirectTimerIsOffToo() {
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("tcp.server.http.observations-enabled=false",
					"management.observations.enable.tcp.server=false")
			.run((context) -> assertThat(context.getBean(HttpExchangeObserver.class)).isSameAs(HttpExchangeObserver.NONE));
	}

	@Test
	void whenThereIsNoObservationRegistryThenNothingIsObserved() {
		this.runner.run((context) -> {
			assertThat(context).doesNotHaveBean(HttpExchangeObserver.class).doesNotHaveBean(OffloadedCallObserver.class);
			assertThat(context.getBean(HttpServerHandler.class).getExchangeObserver()).isSameAs(HttpExchangeObserver.NONE);
		});
	}

	@Test
	void whenTheApplicationSetsItsOwnExchangeObserverThenItIsKept() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TcpServerAutoConfiguration.class,
					TcpServerObservationAutoConfiguration.class))
			.withUserConfiguration(OwnObserverConfiguration.class)
			.withPropertyValues("tcp.server.port=0", "tcp.server.address=127.0.0.1", "tcp.server.io-threads=1",
					"tcp.server.shutdown=immediate")
			.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.run((context) -> assertThat(context.getBean(HttpServerHandler.class).getExchangeObserver())
				.isSameAs(OwnObserverConfiguration.OWN));
	}

	@Test
	void whenTheApplicationHasAMeterRegistryThenConnectionDurationsAreRecorded() {
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.run((context) -> assertThat(context).hasSingleBean(ConnectionDurationMeter.class));
	}

	private static int get(int port, String path) throws Exception {
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		return client
			.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
				.timeout(Duration.ofSeconds(10))
				.build(), BodyHandlers.discarding())
			.statusCode();
	}

	@Configuration(proxyBeanMethods = false)
	static class HttpConfiguration {

		@Bean
		@SocketHandler
		HttpServerHandler web() {
			return new HttpServerHandler(new HttpRouter().get("/hello", (request) -> HttpResponse.text("hello")));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnObserverConfiguration {

		static final HttpExchangeObserver OWN = (connection, request) -> HttpExchangeObserver.Completion.NONE;

		@Bean
		@SocketHandler
		HttpServerHandler web() {
			HttpServerHandler handler = new HttpServerHandler(new HttpRouter());
			handler.setExchangeObserver(OWN);
			return handler;
		}

	}

}
