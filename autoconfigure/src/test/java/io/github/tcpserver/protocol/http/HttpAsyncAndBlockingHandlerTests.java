package io.github.tcpserver.protocol.http;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Handlers that answer later ({@link HttpResponse#async}) and handlers that block (run on the
 * handler executor), on real sockets: no thread is held while waiting, pipelined answers leave in
 * request order, failures and timeouts have their status, and no handler runs on an I/O thread.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpAsyncAndBlockingHandlerTests {

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

	private final ExecutorService workers = Executors.newFixedThreadPool(4, (task) -> new Thread(task, "test-worker"));

	private final Set<String> handlerThreads = ConcurrentHashMap.newKeySet();

	private final AtomicInteger handled = new AtomicInteger();

	private SelectorServer server;

	private HttpServerHandler http;

	private final HttpRouter router = new HttpRouter()
		.get("/delay", (request) -> {
			this.handled.incrementAndGet();
			long ms = Long.parseLong(request.queryParameter("ms"));
			CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
			this.timer.schedule(() -> answer.complete(HttpResponse.text(request.queryParameter("id"))), ms,
					TimeUnit.MILLISECONDS);
			return HttpResponse.async(answer);
		})
		.get("/now", (request) -> {
			this.handled.incrementAndGet();
			return HttpResponse.text(request.queryParameter("id"));
		})
		.get("/fail", (request) -> HttpResponse.async(CompletableFuture.failedFuture(new IllegalStateException("expected by the test"))))
		.get("/never", (request) -> HttpResponse.async(new CompletableFuture<>()))
		.get("/thread", (request) -> {
			this.handlerThreads.add(Thread.currentThread().getName());
			return HttpResponse.text(request.queryParameter("id"));
		});

	private void start(HttpLimits limits, boolean offloaded) {
		this.http = new HttpServerHandler(this.router, limits);
		if (offloaded) {
			this.http.setHandlerExecutor(this.workers);
		}
		this.server = new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
				List.of(new ListenerSpec("http", InetAddress.getLoopbackAddress(), 0, this.http)));
		this.server.start();
	}

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop(Duration.ZERO);
		}
		this.timer.shutdownNow();
		this.workers.shutdownNow();
	}

	@Test
	void twoHundredConcurrentAsyncRequestsOf200MsCompleteInUnderTwoSecondsOnOneIoThread() throws Exception {
		start(HttpLimits.defaults(), false);
		List<Socket> sockets = new ArrayList<>();
		try {
			long started = System.nanoTime();
			for (int i = 0; i < 200; i++) {
				Socket socket = TestSockets.connect(this.server.port("http"));
				sockets.add(socket);
				socket.getOutputStream().write(("GET /delay?ms=200&id=" + i + " HTTP/1.1\r\nHost: h\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			}
			for (int i = 0; i < 200; i++) {
				RawHttpResponse response = RawHttpResponse.read(new BufferedInputStream(sockets.get(i).getInputStream()));
				assertThat(response.bodyText()).isEqualTo(String.valueOf(i));
			}
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
		}
		finally {
			for (Socket socket : sockets) {
				socket.close();
			}
		}
	}

	@Test
	void anAnswerSlowerThanTheIdleTimeoutIsNotCutAndTheIdleTimeoutCountsAgainFromTheAnswer() throws Exception {
		HttpLimits defaults = HttpLimits.defaults();
		Duration idle = Duration.ofMillis(800);
		start(new HttpLimits(defaults.maxRequestLine(), defaults.maxHeaderSize(), defaults.maxBodySize(),
				defaults.maxPipelinedRequests(), idle, defaults.requestHeaderTimeout(), defaults.minRequestBodyRate(),
				defaults.requestBodyGracePeriod(), defaults.minResponseRate(), defaults.requestMemory(),
				Duration.ofSeconds(10)), false);
		try (Socket socket = TestSockets.connect(this.server.port("http"))) {
			socket.setSoTimeout(10_000);
			BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
			// The client rightly says nothing while its answer is to come: 2 s > the 800 ms idle timeout.
			socket.getOutputStream().write("GET /delay?ms=2000&id=late HTTP/1.1\r\nHost: h\r\n\r\n"
				.getBytes(StandardCharsets.US_ASCII));
			assertThat(RawHttpResponse.read(in).bodyText()).isEqualTo("late");
			long answered = System.nanoTime();
			// Waiting for the next request, the idle timeout applies again, counted from the answer.
			assertThat(in.read()).as("closed by the idle timeout").isEqualTo(-1);
			assertThat(Duration.ofNanos(System.nanoTime() - answered)).isGreaterThanOrEqualTo(Duration.ofMillis(700))
				.isLessThan(Duration.ofSeconds(5));
		}
	}

	@Test
	void pipelinedAnswersLeaveInRequestOrderWhateverWhenTheyComplete() throws Exception {
		start(HttpLimits.defaults(), false);
		try (Socket socket = TestSockets.connect(this.server.port("http"))) {
			socket.getOutputStream().write(("GET /delay?ms=300&id=a HTTP/1.1\r\nHost: h\r\n\r\n"
					+ "GET /now?id=b HTTP/1.1\r\nHost: h\r\n\r\n"
					+ "GET /delay?ms=10&id=c HTTP/1.1\r\nHost: h\r\n\r\n"
					+ "GET /now?id=d HTTP/1.1\r\nHost: h\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			InputStream in = new BufferedInputStream(socket.getInputStream());
			List<String> bodies = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				bodies.add(RawHttpResponse.read(in).bodyText());
			}
			assertThat(bodies).containsExactly("a", "b", "c", "d");
		}
	}

	@Test
	void aFailedStageIsAnswered500AndTheConnectionStaysUsable() throws Exception {
		start(HttpLimits.defaults(), false);
		try (Socket socket = TestSockets.connect(this.server.port("http"))) {
			socket.getOutputStream().write("GET /fail HTTP/1.1\r\nHost: h\r\n\r\nGET /now?id=after HTTP/1.1\r\nHost: h\r\n\r\n"
				.getBytes(StandardCharsets.US_ASCII));
			InputStream in = new BufferedInputStream(socket.getInputStream());
			assertThat(RawHttpResponse.read(in).status()).isEqualTo(500);
			assertThat(RawHttpResponse.read(in).bodyText()).isEqualTo("after");
		}
		assertThat(this.http.handlerFailures()).isEqualTo(1);
	}

	@Test
	void aStageThatNeverCompletesIsAnswered503AfterTheAsyncTimeout() throws Exception {
		start(HttpLimits.defaults().withAsyncTimeout(Duration.ofMillis(300)), false);
		try (Socket socket = TestSockets.connect(this.server.port("http"))) {
			long started = System.nanoTime();
			socket.getOutputStream().write("GET /never HTTP/1.1\r\nHost: h\r\n\r\nGET /now?id=after HTTP/1.1\r\nHost: h\r\n\r\n"
				.getBytes(StandardCharsets.US_ASCII));
			InputStream in = new BufferedInputStream(socket.getInputStream());
			assertThat(RawHttpResponse.read(in).status()).isEqualTo(503);
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
			assertThat(RawHttpResponse.read(in).bodyText()).isEqualTo("after");
		}
		assertThat(this.http.asyncTimeouts()).isEqualTo(1);
	}

	@Test
	void aConnectionClosedWhileAnAnswerIsPendingRunsNoFurtherHandler() throws Exception {
		start(HttpLimits.defaults(), false);
		try (Socket socket = TestSockets.connect(this.server.port("http"))) {
			socket.getOutputStream().write(("GET /delay?ms=300&id=a HTTP/1.1\r\nHost: h\r\n\r\n"
					+ "GET /now?id=b HTTP/1.1\r\nHost: h\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			TestSockets.await(Duration.ofSeconds(5), "the first request handled", () -> this.handled.get() == 1);
			// A reset, not a FIN: a half-closed client still gets the answers to what it sent.
			socket.setSoLinger(true, 0);
		}
		TestSockets.await(Duration.ofSeconds(5), "the connection closed",
				() -> this.server.listener("http").orElseThrow().closedConnections() == 1);
		// The answer comes 300 ms after the request; the pipelined one behind it must never run.
		CompletableFuture<Void> later = new CompletableFuture<>();
		this.timer.schedule(() -> later.complete(null), 500, TimeUnit.MILLISECONDS);
		later.get(5, TimeUnit.SECONDS);
		assertThat(this.handled.get()).isEqualTo(1);
	}

	@Test
	void aClientThatHalfClosesAfterItsRequestsStillGetsTheAnswersToCome() throws Exception {
		start(HttpLimits.defaults(), false);
		try (Socket socket = TestSockets.connect(this.server.port("http"))) {
			socket.getOutputStream().write(("GET /delay?ms=200&id=a HTTP/1.1\r\nHost: h\r\n\r\n"
					+ "GET /now?id=b HTTP/1.1\r\nHost: h\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			socket.shutdownOutput();
			InputStream in = new BufferedInputStream(socket.getInputStream());
			assertThat(RawHttpResponse.read(in).bodyText()).isEqualTo("a");
			assertThat(RawHttpResponse.read(in).bodyText()).isEqualTo("b");
			assertThat(in.read()).as("closed after the last answer").isEqualTo(-1);
		}
	}

	@Test
	void oneHundredPipelinedRequestsToABlockingListenerRunOffTheIoThreadAndAreAnsweredInOrder() throws Exception {
		start(HttpLimits.defaults(), true);
		try (Socket socket = TestSockets.connect(this.server.port("http"))) {
			StringBuilder requests = new StringBuilder();
			for (int i = 0; i < 100; i++) {
				requests.append("GET /thread?id=").append(i).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
			}
			socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
			InputStream in = new BufferedInputStream(socket.getInputStream());
			for (int i = 0; i < 100; i++) {
				assertThat(RawHttpResponse.read(in).bodyText()).isEqualTo(String.valueOf(i));
			}
		}
		assertThat(this.handlerThreads).containsOnly("test-worker");
		assertThat(this.http.requests()).isEqualTo(100);
	}

}
