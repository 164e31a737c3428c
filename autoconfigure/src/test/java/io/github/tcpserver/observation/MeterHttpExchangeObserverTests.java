package io.github.tcpserver.observation;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.http.HttpExchangeObserver;
import io.github.tcpserver.protocol.http.HttpHeaders;
import io.github.tcpserver.protocol.http.HttpRequest;
import io.github.tcpserver.protocol.http.HttpResponse;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;
import io.github.tcpserver.test.TestServers;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The direct timer of HTTP requests over real loopback connections: the very meters Boot's meter
 * handler records from the observation (name, tags, counts), the route as {@code uri}, and a cache
 * of timers that stays bounded however many routes and statuses a handler produces.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MeterHttpExchangeObserverTests {

	private static final String NAME = DefaultHttpServerRequestObservationConvention.NAME;

	private final TestServers servers = new TestServers();

	private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private final HttpRouter router = new HttpRouter().get("/users", (request) -> HttpResponse.text("users"))
		.get("/moved", (request) -> HttpResponse.status(301))
		.get("/boom", (request) -> {
			throw new IllegalStateException("boom (expected by the test)");
		});

	@AfterEach
	void stop() {
		this.servers.stopAll();
	}

	@Test
	void theDirectTimerRecordsTheSameMetersAsTheObservationUnderBootsMeterHandler() throws Exception {
		SimpleMeterRegistry direct = new SimpleMeterRegistry();
		SimpleMeterRegistry observed = new SimpleMeterRegistry();
		ObservationRegistry observations = ObservationRegistry.create();
		observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(observed));
		int directPort = start(new MeterHttpExchangeObserver(direct));
		int observedPort = start(new ObservationHttpExchangeObserver(observations, null));
		for (int port : new int[] { directPort, observedPort }) {
			assertThat(send(port, "GET", "/users?page=2")).isEqualTo(200);
			assertThat(send(port, "GET", "/users")).isEqualTo(200);
			assertThat(send(port, "GET", "/users/12345")).isEqualTo(404);
			assertThat(send(port, "BREW", "/users")).isEqualTo(405);
			assertThat(send(port, "GET", "/moved")).isEqualTo(301);
			assertThat(send(port, "GET", "/boom")).isEqualTo(500);
		}
		awaitCount(direct, 6);
		awaitCount(observed, 6);
		assertThat(timers(direct)).isEqualTo(timers(observed)).hasSize(5);
		assertThat(direct.get(NAME)
			.tags("method", "GET", "uri", "/users", "status", "200", "outcome", "SUCCESS", "exception", "none",
					"listener", "web", "error", "none")
			.timer()
			.count()).isEqualTo(2);
		assertThat(direct.get(NAME).tags("uri", "NOT_FOUND", "status", "404", "outcome", "CLIENT_ERROR").timer().count())
			.isEqualTo(1);
		assertThat(direct.get(NAME).tags("uri", "/users", "method", "UNKNOWN", "status", "405").timer().count())
			.isEqualTo(1);
		assertThat(direct.get(NAME)
			.tags("uri", "/boom", "status", "500", "outcome", "SERVER_ERROR", "exception", "IllegalStateException",
					"error", "IllegalStateException")
			.timer()
			.count()).isEqualTo(1);
		// Prometheus wants one set of label names per metric name: every series has the same keys.
		assertThat(direct.find(NAME).meters().stream().map((meter) -> meter.getId().getTags().stream()
			.map(io.micrometer.core.instrument.Tag::getKey)
			.collect(Collectors.toSet())).distinct()).hasSize(1);
	}

	@Test
	void theTimeRecordedCoversTheHandlersCall() throws Exception {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		HttpRouter slow = new HttpRouter().get("/slow", (request) -> {
			// A handler that takes at least 50 ms of the clock (spinning: no sleep in tests).
			long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
			while (System.nanoTime() < until) {
				Thread.onSpinWait();
			}
			return HttpResponse.text("slow");
		});
		HttpServerHandler handler = new HttpServerHandler(slow);
		handler.setExchangeObserver(new MeterHttpExchangeObserver(meters));
		int port = this.servers
			.start(new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
					List.of(new ListenerSpec("web", InetAddress.getLoopbackAddress(), 0, handler))))
			.port("web");
		assertThat(send(port, "GET", "/slow")).isEqualTo(200);
		awaitCount(meters, 1);
		assertThat(meters.get(NAME).timer().totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(50);
	}

	@Test
	void manyRoutesAndStatusesKeepTheCacheBoundedAndAreStillRecordedUnderTheirOwnTags() throws Exception {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		MeterHttpExchangeObserver observer = new MeterHttpExchangeObserver(meters, 10);
		HttpRouter router = new HttpRouter();
		for (int i = 0; i < 50; i++) {
			router.get("/r" + i, (request) -> HttpResponse.ok());
		}
		for (int i = 0; i < 50; i++) {
			HttpRequest request = HttpRequest.of("GET", "/r" + i, new HttpHeaders(), new byte[0]);
			router.handle(request);
			for (int status = 200; status < 240; status++) {
				Timer timer = observer.timer("web", request, status, null);
				assertThat(timer).isSameAs(observer.timer("web", request, status, null));
				timer.record(1, TimeUnit.MILLISECONDS);
			}
		}
		assertThat(observer.cachedRoutes()).isEqualTo(10);
		assertThat(meters.find(NAME).timers()).hasSize(50 * 40);
		assertThat(meters.get(NAME).tags("uri", "/r49", "status", "239").timer().count()).isEqualTo(1);
		assertThat(meters.get(NAME).tags("uri", "/r0", "status", "239").timer().count()).isEqualTo(1);
	}

	private static Set<Meter.Id> timers(MeterRegistry registry) {
		return registry.find(NAME).timers().stream().map(Meter::getId).collect(Collectors.toSet());
	}

	private static void awaitCount(MeterRegistry registry, long count) {
		Function<MeterRegistry, Long> recorded = (meters) -> meters.find(NAME)
			.timers()
			.stream()
			.mapToLong(Timer::count)
			.sum();
		TestSockets.await(Duration.ofSeconds(10), count + " requests timed", () -> recorded.apply(registry) >= count);
	}

	private int start(HttpExchangeObserver observer) {
		HttpServerHandler handler = new HttpServerHandler(this.router);
		handler.setExchangeObserver(observer);
		SelectorServer server = this.servers.start(new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
				List.of(new ListenerSpec("web", InetAddress.getLoopbackAddress(), 0, handler))));
		return server.port("web");
	}

	private int send(int port, String method, String target) throws Exception {
		return this.client
			.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + target))
				.timeout(Duration.ofSeconds(10))
				.method(method, BodyPublishers.noBody())
				.build(), BodyHandlers.discarding())
			.statusCode();
	}

}
