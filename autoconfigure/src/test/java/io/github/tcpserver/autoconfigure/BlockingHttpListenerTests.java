package io.github.tcpserver.autoconfigure;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.protocol.http.HttpLimits;
import io.github.tcpserver.protocol.http.HttpResponse;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A blocking {@code @SocketHandler} HTTP listener: the server keeps the HTTP protocol on the I/O
 * thread and runs only the application's handler on the executor, and tcp.server.http.async-timeout
 * reaches the limits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingHttpListenerTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TcpServerAutoConfiguration.class, TcpServerHttpAutoConfiguration.class))
		.withPropertyValues("tcp.server.port=0", "tcp.server.address=127.0.0.1", "tcp.server.io-threads=1");

	@Test
	void oneHundredPipelinedRequestsToABlockingHttpListenerRunOnItsExecutorAndAreAnsweredInOrder() {
		this.runner.withUserConfiguration(BlockingHttpConfiguration.class).run((context) -> {
			SelectorServer server = context.getBean(SelectorServer.class);
			HttpServerHandler http = context.getBean(HttpServerHandler.class);
			assertThat(server.listenerSpecs().get(0).handler()).isSameAs(http);
			assertThat(http.getHandlerExecutor()).isSameAs(context.getBean("dbExecutor"));
			try (Socket socket = TestSockets.connect(server.port("http"))) {
				StringBuilder requests = new StringBuilder();
				for (int i = 0; i < 100; i++) {
					requests.append("GET /n?i=").append(i).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
				}
				socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
				InputStream in = new BufferedInputStream(socket.getInputStream());
				String expected = "";
				for (int i = 0; i < 100; i++) {
					expected = "Content-Length: " + String.valueOf(i).length() + "\r\n\r\n" + i;
				}
				byte[] all = readUntil(in, expected);
				String text = new String(all, StandardCharsets.ISO_8859_1);
				int from = 0;
				for (int i = 0; i < 100; i++) {
					from = text.indexOf("\r\n\r\n" + i, from);
					assertThat(from).as("response %d after response %d", i, i - 1).isPositive();
				}
			}
			Set<String> threads = context.getBean(BlockingHttpConfiguration.class).threads;
			assertThat(threads).containsOnly("db-worker").noneMatch((name) -> name.startsWith("tcp-server-io-"));
		});
	}

	@Test
	void aBlockingListenersChunkIteratorRunsOnItsExecutorAndIsClosedAfterTheBody() {
		this.runner.withUserConfiguration(BlockingHttpConfiguration.class).run((context) -> {
			SelectorServer server = context.getBean(SelectorServer.class);
			BlockingHttpConfiguration configuration = context.getBean(BlockingHttpConfiguration.class);
			try (Socket socket = TestSockets.connect(server.port("http"))) {
				socket.getOutputStream().write("GET /chunks HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				byte[] all = readUntil(new BufferedInputStream(socket.getInputStream()), "\r\n0\r\n\r\n");
				String text = new String(all, StandardCharsets.ISO_8859_1);
				assertThat(text).startsWith("HTTP/1.1 200").contains("Transfer-Encoding: chunked");
				// The pieces in order, whatever the chunk boundaries on the wire.
				assertThat(dechunk(text.substring(text.indexOf("\r\n\r\n") + 4)))
					.isEqualTo("piece-0piece-1piece-2piece-3piece-4");
			}
			TestSockets.await(Duration.ofSeconds(5), "the iterator closed", configuration.iteratorClosed::get);
			assertThat(configuration.iteratorThreads).containsOnly("db-worker");
		});
	}

	@Test
	void theAsyncTimeoutPropertyReachesTheLimits() {
		this.runner.withUserConfiguration(BlockingHttpConfiguration.class)
			.withPropertyValues("tcp.server.http.async-timeout=5s")
			.run((context) -> assertThat(context.getBean(HttpLimits.class).asyncTimeout())
				.isEqualTo(Duration.ofSeconds(5)));
	}

	/** The data of a chunked body (RFC 9112 §7.1), up to its last chunk. */
	private static String dechunk(String chunked) {
		StringBuilder data = new StringBuilder();
		int at = 0;
		while (true) {
			int lineEnd = chunked.indexOf("\r\n", at);
			int size = Integer.parseInt(chunked.substring(at, lineEnd), 16);
			if (size == 0) {
				return data.toString();
			}
			data.append(chunked, lineEnd + 2, lineEnd + 2 + size);
			at = lineEnd + 2 + size + 2;
		}
	}

	private static byte[] readUntil(InputStream in, String end) throws java.io.IOException {
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		byte[] tail = end.getBytes(StandardCharsets.ISO_8859_1);
		while (true) {
			int b = in.read();
			if (b < 0) {
				throw new java.io.IOException("Closed before '" + end + "'");
			}
			out.write(b);
			if (out.size() >= tail.length) {
				byte[] all = out.toByteArray();
				if (java.util.Arrays.equals(all, all.length - tail.length, all.length, tail, 0, tail.length)) {
					return all;
				}
			}
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class BlockingHttpConfiguration {

		final Set<String> threads = ConcurrentHashMap.newKeySet();

		final Set<String> iteratorThreads = ConcurrentHashMap.newKeySet();

		final java.util.concurrent.atomic.AtomicBoolean iteratorClosed = new java.util.concurrent.atomic.AtomicBoolean();

		@Bean(destroyMethod = "shutdownNow")
		ExecutorService dbExecutor() {
			return Executors.newFixedThreadPool(4, (task) -> new Thread(task, "db-worker"));
		}

		@Bean
		@SocketHandler(executor = "dbExecutor")
		HttpServerHandler http(HttpLimits limits) {
			return new HttpServerHandler(new HttpRouter().get("/n", (request) -> {
				this.threads.add(Thread.currentThread().getName());
				return HttpResponse.text(request.queryParameter("i"));
			}).get("/chunks", (request) -> HttpResponse.chunked("text/plain", () -> new Pieces())), limits);
		}

		/** Five pieces, as a cursor over a blocking source would give them; records where it runs. */
		final class Pieces implements java.util.Iterator<byte[]>, AutoCloseable {

			private int next;

			Pieces() { // opening a cursor may block too
				BlockingHttpConfiguration.this.iteratorThreads.add(Thread.currentThread().getName());
			}

			@Override
			public boolean hasNext() {
				BlockingHttpConfiguration.this.iteratorThreads.add(Thread.currentThread().getName());
				return this.next < 5;
			}

			@Override
			public byte[] next() {
				BlockingHttpConfiguration.this.iteratorThreads.add(Thread.currentThread().getName());
				return ("piece-" + this.next++).getBytes(StandardCharsets.US_ASCII);
			}

			@Override
			public void close() {
				BlockingHttpConfiguration.this.iteratorClosed.set(true);
			}

		}

	}

}
