package io.github.tcpserver.blocking;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Ten thousand connections, each served by its own blocked {@code handle()} on a virtual thread.
 * Java 21+ only (the build runs it on the Temurin 25 JDK when present); the executor is created
 * reflectively since the code is compiled for Java 17.
 */
@Tag("virtual-threads")
@EnabledForJreRange(min = JRE.JAVA_21)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class VirtualThreadStreamHandlerTests {

	private static final int CONNECTIONS = 10_000;

	/** File descriptors the JVM needs besides the connections: jars, selectors, pipes. */
	private static final int FD_HEADROOM = 1_000;

	private SelectorServer server;

	private ExecutorService virtualThreads;

	private Process client;

	@AfterEach
	void stopEverything() {
		if (this.client != null) {
			this.client.destroyForcibly();
		}
		if (this.server != null) {
			this.server.stop(Duration.ZERO);
		}
		if (this.virtualThreads != null) {
			this.virtualThreads.shutdownNow();
		}
	}

	@Test
	void tenThousandConcurrentBlockingConnectionsAreServed() throws Exception {
		// The clients live in a child process so that each side needs one descriptor per
		// connection; the limit cannot be raised from here, so a lower one scales the test down.
		int connections = (int) Math.min(CONNECTIONS, maxFileDescriptors() - FD_HEADROOM);
		assumeTrue(connections >= 1_000, "too few file descriptors for this test: " + maxFileDescriptors());
		this.virtualThreads = (ExecutorService) java.util.concurrent.Executors.class
			.getMethod("newVirtualThreadPerTaskExecutor")
			.invoke(null);
		AtomicInteger inHandle = new AtomicInteger();
		AtomicInteger mostInHandle = new AtomicInteger();
		StreamHandler echo = (connection) -> {
			mostInHandle.accumulateAndGet(inHandle.incrementAndGet(), Math::max);
			try {
				DataInputStream in = new DataInputStream(connection.getInputStream());
				DataOutputStream out = new DataOutputStream(connection.getOutputStream());
				while (true) {
					out.writeLong(in.readLong());
				}
			}
			catch (EOFException ex) {
				// the client closed: done
			}
			finally {
				inHandle.decrementAndGet();
			}
		};
		this.server = new SelectorServer(ServerConfig.builder().ioThreads(2).backlog(4096).build(),
				List.of(new ListenerSpec("test", InetAddress.getLoopbackAddress(), 0,
						new StreamHandlerAdapter(echo, this.virtualThreads, 4096))));
		this.server.start();

		this.client = new ProcessBuilder(javaCommand(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", testClasses(),
				ManyConnectionsClient.class.getName(), String.valueOf(this.server.port("test")),
				String.valueOf(connections))
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		BufferedReader replies = new BufferedReader(
				new InputStreamReader(this.client.getInputStream(), StandardCharsets.UTF_8));
		Writer commands = new OutputStreamWriter(this.client.getOutputStream(), StandardCharsets.UTF_8);

		assertThat(readLine(replies)).isEqualTo("connected");
		TestSockets.await(Duration.ofSeconds(60), "every connection in handle()", () -> inHandle.get() == connections);
		commands.write("go\n");
		commands.flush();
		assertThat(readLine(replies)).isEqualTo("echoed " + connections);
		assertThat(inHandle.get()).as("handlers still blocked in read").isEqualTo(connections);
		commands.write("close\n");
		commands.flush();
		assertThat(this.client.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(this.client.exitValue()).isZero();
		TestSockets.await(Duration.ofSeconds(60), "every handler returned", () -> inHandle.get() == 0);
		TestSockets.await(Duration.ofSeconds(60), "every connection closed", () -> this.server.activeConnections() == 0);
		assertThat(mostInHandle.get()).isEqualTo(connections);
	}

	private static String readLine(BufferedReader reader) throws Exception {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return reader.readLine();
			}
			catch (java.io.IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
		}).get(90, TimeUnit.SECONDS);
	}

	private static long maxFileDescriptors() {
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
			return unix.getMaxFileDescriptorCount();
		}
		return CONNECTIONS + FD_HEADROOM;
	}

	private static String javaCommand() {
		return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
	}

	private static String testClasses() throws Exception {
		return Path.of(ManyConnectionsClient.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
	}

}
