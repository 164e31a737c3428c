package io.github.tcpserver.autoconfigure;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.tcpserver.blocking.OffloadingHandler;
import io.github.tcpserver.blocking.StreamHandler;
import io.github.tcpserver.blocking.StreamHandlerAdapter;
import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionHandler;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Blocking {@code @SocketHandler}s: executors resolved by name or Boot's application task
 * executor, stream handlers, and a graceful stop that waits for their work.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingSocketHandlerTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TcpServerAutoConfiguration.class, TaskExecutionAutoConfiguration.class))
		.withPropertyValues("tcp.server.port=0", "tcp.server.address=127.0.0.1", "tcp.server.io-threads=1");

	@Test
	void whenAHandlerNamesAnExecutorThenItsCallbacksRunOnIt() {
		this.runner.withUserConfiguration(NamedExecutorConfiguration.class).run((context) -> {
			SelectorServer server = context.getBean(SelectorServer.class);
			assertThat(server.listenerSpecs().get(0).handler()).isInstanceOf(OffloadingHandler.class);
			assertThat(exchange(server.port("threadName"), "?")).startsWith("db-worker");
		});
	}

	@Test
	void whenABlockingHandlerNamesNoExecutorThenTheApplicationTaskExecutorRunsIt() {
		this.runner.withUserConfiguration(DefaultExecutorConfiguration.class).run((context) -> {
			SelectorServer server = context.getBean(SelectorServer.class);
			assertThat(exchange(server.port("threadName"), "?")).startsWith("task-");
		});
	}

	@Test
	void aStreamHandlerBeanServesItsConnectionsWithBlockingStreams() {
		this.runner.withUserConfiguration(StreamEchoConfiguration.class).run((context) -> {
			SelectorServer server = context.getBean(SelectorServer.class);
			assertThat(server.listenerSpecs().get(0).handler()).isInstanceOf(StreamHandlerAdapter.class);
			assertThat(exchange(server.port("streamEcho"), "hello")).isEqualTo("hello");
		});
	}

	@Test
	void anExecutorThatDoesNotExistFailsWithTheHandlerAndExecutorNamed() {
		this.runner.withUserConfiguration(MissingExecutorConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("'threadName'")
				.hasMessageContaining("'nope'");
		});
	}

	@Test
	void aBlockingHandlerWithNoExecutorAtAllFailsWithAnExplanation() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TcpServerAutoConfiguration.class))
			.withPropertyValues("tcp.server.port=0")
			.withUserConfiguration(DefaultExecutorConfiguration.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("'threadName'")
					.hasMessageContaining("applicationTaskExecutor");
			});
	}

	@Test
	void closingTheContextWaitsForQueuedWorkAndStillRunsEveryConnectionsShutdown() {
		// Spring stops the application task executor from taking tasks when the context closes,
		// before the server's graceful stop: the idle connection's onShutdown must run anyway.
		this.runner.withUserConfiguration(SlowConfiguration.class).run((context) -> {
			SlowHandler handler = context.getBean(SlowHandler.class);
			SelectorServer server = context.getBean(SelectorServer.class);
			int port = server.port("slow");
			try (Socket busy = TestSockets.connect(port); Socket idle = TestSockets.connect(port)) {
				busy.getOutputStream().write("one".getBytes(StandardCharsets.UTF_8));
				assertThat(handler.entered.await(10, TimeUnit.SECONDS)).isTrue();
				busy.getOutputStream().write("two".getBytes(StandardCharsets.UTF_8));
				TestSockets.await(Duration.ofSeconds(10), "second message read",
						() -> server.bytesReceived() == 6);
				CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
				TestSockets.await(Duration.ofSeconds(10), "server stopping",
						() -> server.state() == SelectorServer.State.STOPPING);
				handler.release.countDown();
				InputStream in = busy.getInputStream();
				assertThat(TestSockets.readFully(in, 9)).asString().isEqualTo("onetwobye");
				assertThat(in.read()).isEqualTo(-1);
				busy.shutdownOutput();
				InputStream idleIn = idle.getInputStream();
				assertThat(TestSockets.readFully(idleIn, 3)).asString().isEqualTo("bye");
				assertThat(idleIn.read()).isEqualTo(-1);
				idle.shutdownOutput();
				closing.get(30, TimeUnit.SECONDS);
				assertThat(server.state()).isEqualTo(SelectorServer.State.STOPPED);
			}
		});
	}

	@Test
	@Tag("virtual-threads")
	@EnabledForJreRange(min = JRE.JAVA_21)
	void withVirtualThreadsEnabledAStreamHandlerRunsOnAVirtualThread() {
		this.runner.withPropertyValues("spring.threads.virtual.enabled=true")
			.withUserConfiguration(StreamThreadConfiguration.class)
			.run((context) -> {
				SelectorServer server = context.getBean(SelectorServer.class);
				assertThat(exchange(server.port("streamThread"), "?")).isEqualTo("virtual=true");
			});
	}

	/** Sends {@code request}, half-closes, and returns the whole reply. */
	private static String exchange(int port, String request) throws Exception {
		try (Socket socket = TestSockets.connect(port)) {
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.UTF_8));
			socket.shutdownOutput();
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	/** Replies with the name of the thread its callback ran on, then closes. */
	static class ThreadNameHandler implements ConnectionHandler {

		@Override
		public void onRead(Connection connection, ByteBuffer data) {
			connection.write(Thread.currentThread().getName());
			connection.closeAfterFlush();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NamedExecutorConfiguration {

		@Bean(destroyMethod = "shutdownNow")
		ExecutorService dbExecutor() {
			return Executors.newFixedThreadPool(2, (task) -> new Thread(task, "db-worker"));
		}

		@Bean
		@SocketHandler(executor = "dbExecutor")
		ThreadNameHandler threadName() {
			return new ThreadNameHandler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DefaultExecutorConfiguration {

		@Bean
		@SocketHandler(blocking = true)
		ThreadNameHandler threadName() {
			return new ThreadNameHandler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MissingExecutorConfiguration {

		@Bean
		@SocketHandler(executor = "nope")
		ThreadNameHandler threadName() {
			return new ThreadNameHandler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class StreamEchoConfiguration {

		@Bean
		@SocketHandler
		StreamHandler streamEcho() {
			return (connection) -> connection.getInputStream().transferTo(connection.getOutputStream());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class StreamThreadConfiguration {

		@Bean
		@SocketHandler
		StreamHandler streamThread() {
			return (connection) -> {
				connection.getInputStream().readAllBytes();
				Object virtual;
				try {
					// Thread.isVirtual() is Java 21 API; the code is compiled for Java 17.
					virtual = Thread.class.getMethod("isVirtual").invoke(Thread.currentThread());
				}
				catch (ReflectiveOperationException ex) {
					virtual = ex.toString();
				}
				connection.getOutputStream().write(("virtual=" + virtual).getBytes(StandardCharsets.UTF_8));
			};
		}

	}

	/** Echoes after the test releases it; says "bye" on shutdown. */
	static class SlowHandler implements ConnectionHandler {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@Override
		public void onRead(Connection connection, ByteBuffer data) {
			byte[] bytes = new byte[data.remaining()];
			data.get(bytes);
			this.entered.countDown();
			try {
				this.release.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			connection.write(bytes);
		}

		@Override
		public void onShutdown(Connection connection) {
			connection.write("bye");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SlowConfiguration {

		@Bean
		@SocketHandler(blocking = true)
		SlowHandler slow() {
			return new SlowHandler();
		}

	}

}
