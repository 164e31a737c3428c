package io.github.tcpserver.observation;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import brave.Tracing;
import brave.propagation.B3Propagation;
import brave.propagation.ThreadLocalCurrentTraceContext;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.brave.bridge.BraveBaggageManager;
import io.micrometer.tracing.brave.bridge.BraveCurrentTraceContext;
import io.micrometer.tracing.brave.bridge.BravePropagator;
import io.micrometer.tracing.brave.bridge.BraveTracer;
import io.micrometer.tracing.brave.bridge.W3CPropagation;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.http.HttpResponse;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;
import io.github.tcpserver.test.TestServers;
import io.github.tcpserver.test.TestSockets;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One observation per HTTP request over real loopback connections: its name and low-cardinality
 * keys, the route as {@code uri}, failures, a replaced convention, and the caller's trace
 * continued from {@code traceparent} and {@code b3}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpServerObservationTests {

	private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

	private static final String PARENT_SPAN_ID = "00f067aa0ba902b7";

	private final TestServers servers = new TestServers();

	private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	/** What the tracer had as current span while the application's handler ran. */
	private final AtomicReference<Span> spanInHandler = new AtomicReference<>();

	private Tracer tracer;

	/** The trace id in the logging MDC while the application's handler ran. */
	private final AtomicReference<String> mdcTraceIdInHandler = new AtomicReference<>();

	private final HttpRouter router = new HttpRouter()
		.get("/users", (request) -> {
			if (this.tracer != null) {
				this.spanInHandler.set(this.tracer.currentSpan());
				this.mdcTraceIdInHandler.set(org.slf4j.MDC.get("traceId"));
			}
			return HttpResponse.text("users");
		})
		.get("/boom", (request) -> {
			throw new IllegalStateException("boom (expected by the test)");
		});

	@AfterEach
	void stop() {
		this.servers.stopAll();
	}

	@Test
	void aRequestIsObservedWithTheKeysOfBootsHttpServerRequestsAndTheListener() throws Exception {
		TestObservationRegistry registry = TestObservationRegistry.create();
		int port = start(registry, null);
		assertThat(send(port, "GET", "/users?page=2", null)).isEqualTo(200);
		awaitObservations(registry, 1);
		assertThat(registry).hasObservationWithNameEqualTo("tcp.server.http.requests")
			.that()
			.hasBeenStarted()
			.hasBeenStopped()
			.hasContextualNameEqualTo("http get")
			.hasLowCardinalityKeyValue("method", "GET")
			.hasLowCardinalityKeyValue("uri", "/users")
			.hasLowCardinalityKeyValue("status", "200")
			.hasLowCardinalityKeyValue("outcome", "SUCCESS")
			.hasLowCardinalityKeyValue("exception", "none")
			.hasLowCardinalityKeyValue("listener", "web")
			.hasHighCardinalityKeyValue("http.url", "/users?page=2");
	}

	@Test
	void anUnroutedPathIsTaggedNotFoundNeverWithTheRawPath() throws Exception {
		TestObservationRegistry registry = TestObservationRegistry.create();
		int port = start(registry, null);
		assertThat(send(port, "GET", "/users/12345", null)).isEqualTo(404);
		assertThat(send(port, "BREW", "/users", null)).isEqualTo(405);
		awaitObservations(registry, 2);
		assertThat(registry).hasHandledContextsThatSatisfy((contexts) -> {
			assertThat(contexts).allSatisfy((context) -> assertThat(context.getLowCardinalityKeyValues().stream()
				.map(KeyValue::getValue)).doesNotContain("/users/12345", "BREW"));
			assertThat(contexts).anySatisfy((context) -> assertThat(context.getLowCardinalityKeyValues())
				.contains(KeyValue.of("uri", "NOT_FOUND"), KeyValue.of("status", "404"),
						KeyValue.of("outcome", "CLIENT_ERROR")));
			// A method no server knows is one series, not one per token a client invents.
			assertThat(contexts).anySatisfy((context) -> assertThat(context.getLowCardinalityKeyValues())
				.contains(KeyValue.of("uri", "/users"), KeyValue.of("method", "UNKNOWN"), KeyValue.of("status", "405")));
		});
	}

	@Test
	void aHandlerThatThrowsIsObservedAsAServerErrorWithItsException() throws Exception {
		TestObservationRegistry registry = TestObservationRegistry.create();
		int port = start(registry, null);
		assertThat(send(port, "GET", "/boom", null)).isEqualTo(500);
		awaitObservations(registry, 1);
		assertThat(registry).hasObservationWithNameEqualTo("tcp.server.http.requests")
			.that()
			.hasLowCardinalityKeyValue("uri", "/boom")
			.hasLowCardinalityKeyValue("status", "500")
			.hasLowCardinalityKeyValue("outcome", "SERVER_ERROR")
			.hasLowCardinalityKeyValue("exception", "IllegalStateException")
			.assertThatError()
			.isInstanceOf(IllegalStateException.class);
	}

	@Test
	void anApplicationsConventionRenamesTheObservationAndAddsKeys() throws Exception {
		TestObservationRegistry registry = TestObservationRegistry.create();
		HttpServerRequestObservationConvention convention = new DefaultHttpServerRequestObservationConvention() {

			@Override
			public String getName() {
				return "shop.http";
			}

			@Override
			public KeyValues getLowCardinalityKeyValues(HttpServerRequestObservationContext context) {
				return super.getLowCardinalityKeyValues(context)
					.and("tenant", String.valueOf(context.getCarrier().header("X-Tenant")));
			}

		};
		int port = start(registry, convention);
		assertThat(send(port, "GET", "/users", "X-Tenant", "acme")).isEqualTo(200);
		awaitObservations(registry, 1);
		assertThat(registry).hasObservationWithNameEqualTo("shop.http")
			.that()
			.hasLowCardinalityKeyValue("tenant", "acme")
			.hasLowCardinalityKeyValue("uri", "/users");
	}

	@Test
	void aW3cTraceparentHeaderIsContinuedAndItsTraceIdIsInTheHandlersLogContext() throws Exception {
		Tracing tracing = tracing(new W3CPropagation());
		try {
			int port = start(tracingRegistry(tracing), null);
			assertThat(send(port, "GET", "/users", "traceparent", "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01"))
				.isEqualTo(200);
			Span span = this.spanInHandler.get();
			assertThat(span).isNotNull();
			assertThat(span.context().traceId()).isEqualTo(TRACE_ID);
			assertThat(span.context().parentId()).isEqualTo(PARENT_SPAN_ID);
			assertThat(span.context().spanId()).isNotEqualTo(PARENT_SPAN_ID);
			// What Boot's log correlation prints as %X{traceId}: the MDC, set by the tracer's scope.
			assertThat(this.mdcTraceIdInHandler.get()).isEqualTo(TRACE_ID);
			assertThat(org.slf4j.MDC.get("traceId")).as("this thread's MDC untouched").isNull();
		}
		finally {
			tracing.close();
		}
	}

	@Test
	void aB3HeaderIsContinued() throws Exception {
		Tracing tracing = tracing(B3Propagation.FACTORY);
		try {
			int port = start(tracingRegistry(tracing), null);
			assertThat(send(port, "GET", "/users", "b3", TRACE_ID + "-" + PARENT_SPAN_ID + "-1")).isEqualTo(200);
			Span span = this.spanInHandler.get();
			assertThat(span).isNotNull();
			assertThat(span.context().traceId()).isEqualTo(TRACE_ID);
			assertThat(span.context().parentId()).isEqualTo(PARENT_SPAN_ID);
		}
		finally {
			tracing.close();
		}
	}

	@Test
	void withoutTraceHeadersARequestStartsATraceOfItsOwnThatEndsWithIt() throws Exception {
		Tracing tracing = tracing(new W3CPropagation());
		try {
			int port = start(tracingRegistry(tracing), null);
			assertThat(send(port, "GET", "/users", null)).isEqualTo(200);
			Span span = this.spanInHandler.get();
			assertThat(span).isNotNull();
			assertThat(span.context().traceId()).isNotEqualTo(TRACE_ID);
			assertThat(span.context().parentId()).isNull();
			// The scope opened around the handler was closed on the I/O thread: the next request
			// does not inherit this one's span.
			assertThat(send(port, "GET", "/users", null)).isEqualTo(200);
			assertThat(this.spanInHandler.get().context().traceId()).isNotEqualTo(span.context().traceId());
		}
		finally {
			tracing.close();
		}
	}

	private static Tracing tracing(brave.propagation.Propagation.Factory propagation) {
		// The MDC decorator is what Boot adds for log correlation with Brave.
		return Tracing.newBuilder()
			.currentTraceContext(ThreadLocalCurrentTraceContext.newBuilder()
				.addScopeDecorator(brave.context.slf4j.MDCScopeDecorator.get())
				.build())
			.propagationFactory(propagation)
			.build();
	}

	/** An observation registry with the handlers Boot registers when Micrometer Tracing is present. */
	private ObservationRegistry tracingRegistry(Tracing tracing) {
		BraveTracer tracer = new BraveTracer(tracing.tracer(),
				new BraveCurrentTraceContext(tracing.currentTraceContext()), new BraveBaggageManager());
		this.tracer = tracer;
		ObservationRegistry registry = ObservationRegistry.create();
		registry.observationConfig()
			.observationHandler(new io.micrometer.observation.ObservationHandler.FirstMatchingCompositeObservationHandler(
					new PropagatingReceiverTracingObservationHandler<>(tracer, new BravePropagator(tracing)),
					new DefaultTracingObservationHandler(tracer)));
		return registry;
	}

	private int start(ObservationRegistry registry, HttpServerRequestObservationConvention convention) {
		registry.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {

			@Override
			public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
				return true;
			}

			@Override
			public void onStop(io.micrometer.observation.Observation.Context context) {
				HttpServerObservationTests.this.stopped.incrementAndGet();
			}

		});
		HttpServerHandler handler = new HttpServerHandler(this.router);
		handler.setExchangeObserver(new ObservationHttpExchangeObserver(registry, convention));
		SelectorServer server = this.servers.start(new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
				List.of(new ListenerSpec("web", InetAddress.getLoopbackAddress(), 0, handler))));
		return server.port("web");
	}

	private int send(int port, String method, String target, String header, String value) throws Exception {
		java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port + target))
			.timeout(Duration.ofSeconds(10))
			.method(method, BodyPublishers.noBody());
		if (header != null) {
			request.header(header, value);
		}
		return this.client.send(request.build(), BodyHandlers.discarding()).statusCode();
	}

	private int send(int port, String method, String target, String none) throws Exception {
		return send(port, method, target, null, null);
	}

	/** Observations stopped so far, counted by a handler on the registry. */
	private final java.util.concurrent.atomic.AtomicInteger stopped = new java.util.concurrent.atomic.AtomicInteger();

	private void awaitObservations(TestObservationRegistry registry, int count) {
		TestSockets.await(Duration.ofSeconds(10), count + " observations", () -> this.stopped.get() >= count);
	}

}
