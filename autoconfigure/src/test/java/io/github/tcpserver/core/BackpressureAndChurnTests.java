package io.github.tcpserver.core;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.test.TestServers;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Misbehaving peers: a flooder that does not read, resets in the middle of a large write, and
 * connection churn, over real loopback sockets.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BackpressureAndChurnTests {

	private final TestServers servers = new TestServers();

	@AfterEach
	void stop() {
		this.servers.stopAll();
	}

	private SelectorServer start(ServerConfig config, ConnectionHandler handler) {
		return this.servers.start(config, handler);
	}

	@Test
	void aFlooderThatDoesNotReadIsPausedNotDroppedAndLaterGetsEveryByte() throws Exception {
		int high = 64 * 1024;
		int readBuffer = 16 * 1024;
		SelectorServer server = start(ServerConfig.builder()
			.ioThreads(1)
			.readBufferSize(readBuffer)
			.writeWaterMarks(32 * 1024, high)
			.build(), new EchoHandler());
		int port = server.port("test");
		byte[] flood = TestSockets.randomBytes(32 * 1024 * 1024, 21);
		try (Socket flooder = TestSockets.connect(port); Socket bystander = TestSockets.connect(port)) {
			AtomicLong written = new AtomicLong();
			CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
				try {
					OutputStream out = flooder.getOutputStream();
					for (int offset = 0; offset < flood.length; offset += 8192) {
						out.write(flood, offset, 8192);
						written.addAndGet(8192);
					}
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			});
			// The flooder's writes stall: the server stopped reading it once its echo backed up.
			TestSockets.await(Duration.ofSeconds(20), "flooder stalled", () -> {
				long before = written.get();
				LockSupportPause.pause(200);
				return written.get() == before && before > 0;
			});
			Connection flooding = server.connections().stream()
				.filter((c) -> c.bytesReceived() > 0)
				.findFirst()
				.orElseThrow();
			assertThat(flooding.pendingOutboundBytes()).as("server-side queue bounded by the high-water mark")
				.isLessThanOrEqualTo(high + readBuffer);
			assertThat(flooding.isWritable()).isFalse();
			assertThat(written.get()).as("the flood is held back, not absorbed").isLessThan(flood.length);
			// Everyone else is still served meanwhile.
			bystander.getOutputStream().write("hi".getBytes());
			assertThat(TestSockets.readFully(bystander.getInputStream(), 2)).isEqualTo("hi".getBytes());
			// The flooder catches up and receives every byte, in order.
			assertThat(TestSockets.readFully(flooder.getInputStream(), flood.length)).isEqualTo(flood);
			writer.get(30, TimeUnit.SECONDS);
			assertThat(flooding.isOpen()).isTrue();
		}
		assertThat(server.listener("test").orElseThrow().outputOverflows()).isZero();
	}

	@Test
	void aResetInTheMiddleOfALargeWriteClosesOnlyThatConnection() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), new ConnectionHandler() {
			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				if (data.get(data.position()) == 'G') {
					connection.write(new byte[8 * 1024 * 1024]);
				}
				else {
					connection.write(data);
				}
			}
		});
		int port = server.port("test");
		try (Socket other = TestSockets.connect(port)) {
			Socket resetter = TestSockets.connectWithSmallWindow(port);
			resetter.getOutputStream().write('G');
			InputStream in = resetter.getInputStream();
			TestSockets.readFully(in, 100_000);
			TestSockets.await(Duration.ofSeconds(10), "large write in progress",
					() -> server.connections().stream().anyMatch((c) -> c.pendingOutboundBytes() > 0));
			resetter.setSoLinger(true, 0); // close with RST
			resetter.close();
			TestSockets.await(Duration.ofSeconds(10), "reset connection closed", () -> server.activeConnections() == 1);
			other.getOutputStream().write("ok".getBytes());
			assertThat(TestSockets.readFully(other.getInputStream(), 2)).isEqualTo("ok".getBytes());
		}
		assertThat(server.listener("test").orElseThrow().errors()).as("a peer's reset is not a handler error").isZero();
	}

	@Test
	@EnabledOnOs(OS.LINUX)
	void fiveThousandConnectCloseCyclesLeaveTheOpenFileDescriptorCountWhereItStarted() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(2).build(), new EchoHandler());
		int port = server.port("test");
		cycle(port, 50); // warm up: class loading and the like may open files once
		TestSockets.await(Duration.ofSeconds(10), "warm-up closed", () -> server.activeConnections() == 0);
		int before = openFileDescriptors();
		cycle(port, 5000);
		TestSockets.await(Duration.ofSeconds(20), "all closed", () -> server.activeConnections() == 0);
		TestSockets.await(Duration.ofSeconds(20), "fd count back to " + before + " (now " + openFileDescriptors() + ")",
				() -> openFileDescriptors() <= before + 2);
		Listener listener = server.listener("test").orElseThrow();
		assertThat(listener.acceptedConnections()).isEqualTo(5050);
		assertThat(listener.closedConnections()).isEqualTo(5050);
	}

	private static void cycle(int port, int times) throws IOException {
		for (int i = 0; i < times; i++) {
			try (Socket socket = TestSockets.connect(port)) {
				socket.getOutputStream().write(i & 0x7f);
				assertThat(socket.getInputStream().read()).isEqualTo(i & 0x7f);
				if ((i & 1) == 0) {
					socket.setSoLinger(true, 0); // half of them reset instead of closing
				}
			}
		}
	}

	private static int openFileDescriptors() {
		String[] fds = new File("/proc/self/fd").list();
		return (fds != null) ? fds.length : -1;
	}

	@Test
	void readingResumesWhenTheLowWaterMarkIsZero() throws Exception {
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).writeWaterMarks(0, 16 * 1024).build(),
				new EchoHandler());
		byte[] payload = TestSockets.randomBytes(4 * 1024 * 1024, 9);
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
				try {
					socket.getOutputStream().write(payload);
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			});
			assertThat(TestSockets.readFully(socket.getInputStream(), payload.length)).isEqualTo(payload);
			writer.get(30, TimeUnit.SECONDS);
		}
	}

	@Test
	void writesFromAnotherThreadToAPeerThatDoesNotReadAreCappedByClosingIt() throws Exception {
		java.util.concurrent.atomic.AtomicReference<Connection> opened = new java.util.concurrent.atomic.AtomicReference<>();
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).maxQueuedOutput(1024 * 1024).build(),
				new ConnectionHandler() {
					@Override
					public void onOpen(Connection connection) {
						opened.set(connection);
					}

					@Override
					public void onRead(Connection connection, ByteBuffer data) {
					}
				});
		try (Socket neverReads = TestSockets.connect(server.port("test"))) {
			TestSockets.await(Duration.ofSeconds(5), "open", () -> opened.get() != null);
			Connection connection = opened.get();
			byte[] chunk = new byte[64 * 1024];
			long offered = 0;
			// A producer that ignores isWritable(): far more than the cap, as fast as it can.
			while (connection.isOpen() && offered < 4L * 1024 * 1024 * 1024) {
				connection.write(chunk);
				offered += chunk.length;
			}
			assertThat(offered).as("stopped long before 4 GiB").isLessThan(4L * 1024 * 1024 * 1024);
		}
		assertThat(server.listener("test").orElseThrow().outputOverflows()).isEqualTo(1);
	}

	@Test
	void anInterruptedIoThreadKeepsServingWithoutSpinning() throws Exception {
		java.util.concurrent.atomic.AtomicReference<Thread> ioThread = new java.util.concurrent.atomic.AtomicReference<>();
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).build(), new EchoHandler() {
			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				ioThread.set(Thread.currentThread());
				Thread.currentThread().interrupt(); // as careless library code might
				super.onRead(connection, data);
			}
		});
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			socket.getOutputStream().write(1);
			assertThat(socket.getInputStream().read()).isEqualTo(1);
			java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
			long id = ioThread.get().getId();
			long cpuBefore = threads.getThreadCpuTime(id);
			long wallBefore = System.nanoTime();
			LockSupportPause.pause(500);
			long cpu = threads.getThreadCpuTime(id) - cpuBefore;
			long wall = System.nanoTime() - wallBefore;
			assertThat(cpu).as("an idle I/O thread uses (almost) no CPU").isLessThan(wall / 4);
			socket.getOutputStream().write(2);
			assertThat(socket.getInputStream().read()).isEqualTo(2);
		}
	}

	/** A measured pause inside a polling condition (how long a writer must stay stuck). */
	private static final class LockSupportPause {

		static void pause(long millis) {
			java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
		}

	}

}
