package io.github.tcpserver.protocol.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.test.Pacer;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that hold server memory without making progress, on real sockets: a body trickled in
 * slower than the minimum rate, a response never read, and bodies that together would pass the
 * server-wide request memory budget. Each gets its one outcome while other clients are served.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpSlowAndGreedyClientTests {

	private static final byte[] LARGE = new byte[8 * 1024 * 1024];

	private SelectorServer server;

	private HttpServerHandler http;

	private void start(HttpLimits limits) {
		HttpRouter router = new HttpRouter().get("/", (request) -> HttpResponse.text("Hello"))
			.get("/large", (request) -> HttpResponse.ok().contentType("application/octet-stream").body(LARGE))
			.post("/echo", (request) -> HttpResponse.ok().body(request.body()))
			.get("/inject", (request) -> {
				HttpResponse response = HttpResponse.ok().header("X-A", "1");
				response.headers().add("X-B", "v\r\nSet-Cookie: evil=1");
				return response;
			});
		this.http = new HttpServerHandler(router, limits);
		this.server = new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
				List.of(new ListenerSpec("http", InetAddress.getLoopbackAddress(), 0, this.http)));
		this.server.start();
	}

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop(Duration.ZERO);
		}
	}

	@Test
	void aBodyTrickledSlowerThanTheMinimumRateIsAnswered408AndClosedWhileOthersAreServed() throws Exception {
		start(new HttpLimits(1024, 4096, 1024 * 1024, 16, Duration.ofSeconds(30), Duration.ofSeconds(30))
			.withMinRequestBodyRate(1000, Duration.ofMillis(300)));
		try (Socket slow = TestSockets.connect(this.server.port("http"))) {
			OutputStream out = slow.getOutputStream();
			out.write("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\nx".getBytes(StandardCharsets.US_ASCII));
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			// A byte every 50 ms is 20 B/s, far below 1000 B/s: the check runs as each byte arrives.
			Pacer pace50 = new Pacer(Duration.ofMillis(50));
			while (this.http.bodyTimeouts() == 0 && System.nanoTime() < deadline) {
				assertThat(get(this.server.port("http"), "/")).startsWith("HTTP/1.1 200");
				try {
					out.write('x');
				}
				catch (IOException closed) {
					break;
				}
				pace50.awaitNextTick(); // the trickle's pace, not a wait for a condition
			}
			assertThat(new String(slow.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
				.startsWith("HTTP/1.1 408 ");
		}
		assertThat(this.http.bodyTimeouts()).isEqualTo(1);
		TestSockets.await(Duration.ofSeconds(5), "the body's memory back in the budget",
				() -> this.http.limits().requestMemory().used() == 0);
	}

	@Test
	void aBodyArrivingAtTheMinimumRateOrFasterIsAccepted() throws Exception {
		start(new HttpLimits(1024, 4096, 1024 * 1024, 16, Duration.ofSeconds(30), Duration.ofSeconds(30))
			.withMinRequestBodyRate(1000, Duration.ofMillis(300)));
		try (Socket client = TestSockets.connect(this.server.port("http"))) {
			OutputStream out = client.getOutputStream();
			out.write("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 20000\r\nConnection: close\r\n\r\n"
				.getBytes(StandardCharsets.US_ASCII));
			Pacer pace20 = new Pacer(Duration.ofMillis(20));
			for (int i = 0; i < 20; i++) {
				out.write(new byte[1000]);
				pace20.awaitNextTick(); // 50 KB/s, well above the minimum
			}
			assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
				.startsWith("HTTP/1.1 200 ").contains("Content-Length: 20000");
		}
		assertThat(this.http.bodyTimeouts()).isZero();
	}

	@Test
	void aClientThatNeverReadsALargeResponseIsClosedAfterTheIdleTimeout() throws Exception {
		// Default server settings but for the HTTP idle timeout: reading is paused by backpressure,
		// so only the write-idle deadline the HTTP handler sets can end this connection.
		start(new HttpLimits(1024, 4096, 1024, 16, Duration.ofMillis(500), Duration.ofSeconds(30)));
		try (Socket greedy = new Socket()) {
			greedy.setReceiveBufferSize(16 * 1024);
			greedy.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), this.server.port("http")));
			greedy.getOutputStream().write("GET /large HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			TestSockets.await(Duration.ofSeconds(10), "the unread response dropped with its connection",
					() -> this.server.listener("http").orElseThrow().closedConnections() == 1);
			assertThat(this.server.listener("http").orElseThrow().timeouts()).isEqualTo(1);
			// What the client can still read is less than the response: it was cut, not delivered.
			InputStream in = greedy.getInputStream();
			long read = 0;
			try {
				read = in.transferTo(OutputStream.nullOutputStream());
			}
			catch (IOException reset) {
				// the close with unsent output may reach the client as a reset
			}
			assertThat(read).isLessThan(LARGE.length);
		}
	}

	@Test
	void aClientThatReadsALargeResponseTooSlowlyIsClosedBelowTheMinimumResponseRate() throws Exception {
		// It always makes a little progress, so the idle timeout (30 s here) never fires.
		start(new HttpLimits(1024, 4096, 1024, 16, Duration.ofSeconds(30), Duration.ofSeconds(30))
			.withMinRequestBodyRate(1000, Duration.ofMillis(500))
			.withMinResponseRate(64 * 1024));
		try (Socket slow = TestSockets.connectWithSmallWindow(this.server.port("http"))) {
			slow.getOutputStream().write("GET /large HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			InputStream in = slow.getInputStream();
			byte[] sip = new byte[1024];
			long read = 0;
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
			try {
				// About 10 KB/s, far below 64 KiB/s, for as long as the server keeps the connection.
				Pacer pace100 = new Pacer(Duration.ofMillis(100));
				while (System.nanoTime() < deadline) {
					int n = in.read(sip);
					if (n < 0) {
						break;
					}
					read += n;
					pace100.awaitNextTick(); // the slow reader's pace, not a wait for a condition
				}
			}
			catch (IOException reset) {
				// the close with output still queued may reach the client as a reset
			}
			assertThat(read).as("cut before the end").isLessThan(LARGE.length);
		}
		TestSockets.await(Duration.ofSeconds(10), "the connection counted as timed out",
				() -> this.server.listener("http").orElseThrow().timeouts() == 1);
	}

	@Test
	void aClientThatReadsAtTheMinimumResponseRateOrFasterGetsTheWholeResponse() throws Exception {
		start(HttpLimits.defaults().withMinRequestBodyRate(1000, Duration.ofMillis(500)));
		try (Socket client = TestSockets.connectWithSmallWindow(this.server.port("http"))) {
			client.getOutputStream().write("GET /large HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
				.getBytes(StandardCharsets.US_ASCII));
			byte[] all = client.getInputStream().readAllBytes();
			assertThat(all.length).isGreaterThan(LARGE.length);
		}
		assertThat(this.server.listener("http").orElseThrow().timeouts()).isZero();
	}

	@Test
	void bodiesThatWouldPassTheSharedRequestMemoryAreAnswered503AndTheBudgetRefills() throws Exception {
		HttpLimits limits = new HttpLimits(1024, 4096, 1024 * 1024, 16, Duration.ofSeconds(30), Duration.ofSeconds(30))
			.withMinRequestBodyRate(0, Duration.ZERO)
			.withRequestMemory(new RequestMemoryBudget(64 * 1024));
		start(limits);
		try (Socket holder = TestSockets.connect(this.server.port("http"))) {
			holder.getOutputStream().write("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\n"
				.getBytes(StandardCharsets.US_ASCII));
			holder.getOutputStream().write(new byte[40 * 1024]);
			TestSockets.await(Duration.ofSeconds(10), "the first body's 40 KiB held",
					() -> limits.requestMemory().used() >= 40 * 1024);
			try (Socket refused = TestSockets.connect(this.server.port("http"))) {
				// 30,000 more bytes cannot fit next to 40 KiB in 64 KiB, however the reads fall.
				refused.getOutputStream().write("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 30000\r\n\r\n"
					.getBytes(StandardCharsets.US_ASCII));
				try {
					refused.getOutputStream().write(new byte[30000]);
				}
				catch (IOException closedByServer) {
					// the 503 and close may come before all of it is sent
				}
				assertThat(new String(refused.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
					.startsWith("HTTP/1.1 503 ");
			}
			assertThat(limits.requestMemory().refusals()).isEqualTo(1);
			// Requests without a body need no budget.
			assertThat(get(this.server.port("http"), "/")).startsWith("HTTP/1.1 200");
		}
		TestSockets.await(Duration.ofSeconds(10), "the closed connection's body released",
				() -> limits.requestMemory().used() == 0);
		try (Socket next = TestSockets.connect(this.server.port("http"))) {
			next.getOutputStream().write("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789"
				.getBytes(StandardCharsets.US_ASCII));
			assertThat(new String(next.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
				.startsWith("HTTP/1.1 200 ").endsWith("0123456789");
		}
	}

	@Test
	void headersThatWouldSplitTheResponseAreNeverSentAndTheClientGets500() throws Exception {
		start(HttpLimits.defaults());
		String response = get(this.server.port("http"), "/inject");
		assertThat(response).startsWith("HTTP/1.1 500 ").doesNotContain("Set-Cookie").doesNotContain("X-B");
		assertThat(this.http.handlerFailures()).isEqualTo(1);
	}

	@Test
	void mostOfABodySentAtOnceThenTheRestTrickledIsAnswered408() throws Exception {
		start(new HttpLimits(1024, 4096, 1024 * 1024, 16, Duration.ofSeconds(30), Duration.ofSeconds(30))
			.withMinRequestBodyRate(1000, Duration.ofMillis(300)));
		try (Socket client = TestSockets.connect(this.server.port("http"))) {
			OutputStream out = client.getOutputStream();
			out.write("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			// 90 % at once: averaged over the whole body this would pass for about 90 s.
			out.write(new byte[90_000]);
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			Pacer pace50 = new Pacer(Duration.ofMillis(50));
			while (this.http.bodyTimeouts() == 0 && System.nanoTime() < deadline) {
				try {
					out.write('x');
				}
				catch (IOException closed) {
					break;
				}
				pace50.awaitNextTick(); // the trickle's pace, not a wait for a condition
			}
			assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
				.startsWith("HTTP/1.1 408 ");
		}
		assertThat(this.http.bodyTimeouts()).isEqualTo(1);
		assertThat(this.http.limits().requestMemory().used()).as("released at the rejection").isZero();
	}

	private static String get(int port, String path) throws IOException {
		try (Socket socket = TestSockets.connect(port)) {
			socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
		}
	}

}
