package io.github.tcpserver.blocking;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionHandler;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.core.ShutdownResult;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Offloaded handlers over real loopback sockets, without Spring.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OffloadingHandlerTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private final ExecutorService workers = Executors.newFixedThreadPool(8);

	private final ExecutorService clients = Executors.newCachedThreadPool();

	private final List<SelectorServer> servers = new ArrayList<>();

	@AfterEach
	void stopEverything() {
		this.servers.forEach((server) -> server.stop(Duration.ZERO));
		this.clients.shutdownNow();
		this.workers.shutdownNow();
	}

	private SelectorServer start(ServerConfig config, ConnectionHandler handler) {
		SelectorServer server = new SelectorServer(config, List.of(new ListenerSpec("test", LOOPBACK, 0, handler)));
		this.servers.add(server);
		server.start();
		return server;
	}

	private SelectorServer start(ConnectionHandler delegate, long maxPendingBytes) {
		return start(ServerConfig.builder().ioThreads(2).build(),
				new OffloadingHandler(delegate, this.workers, maxPendingBytes));
	}

	@Test
	void aHandlerThatBlocksOnOneConnectionDoesNotDelayRepliesOnTheOthers() throws Exception {
		// 'S' stands for a slow call (200 ms, a database, say); anything else is echoed at once.
		SelectorServer server = start((connection, data) -> {
			while (data.hasRemaining()) {
				byte b = data.get();
				if (b == 'S') {
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
				}
				connection.write(new byte[] { b });
			}
		}, OffloadingHandler.DEFAULT_MAX_PENDING_BYTES);
		int port = server.port("test");
		try (Socket slow = TestSockets.connect(port)) {
			slow.getOutputStream().write("SSSSSSSSSS".getBytes());
			List<Future<List<Long>>> others = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				others.add(this.clients.submit(() -> roundTrips(port, 20)));
			}
			List<Long> latencies = new ArrayList<>();
			for (Future<List<Long>> other : others) {
				latencies.addAll(other.get(60, TimeUnit.SECONDS));
			}
			Collections.sort(latencies);
			long medianMillis = TimeUnit.NANOSECONDS.toMillis(latencies.get(latencies.size() / 2));
			assertThat(medianMillis).as("median echo latency of the other connections (ms), all: %s", latencies)
				.isLessThan(100);
			assertThat(TestSockets.readFully(slow.getInputStream(), 10)).asString().isEqualTo("SSSSSSSSSS");
		}
	}

	private static List<Long> roundTrips(int port, int count) throws Exception {
		List<Long> latencies = new ArrayList<>();
		try (Socket socket = TestSockets.connect(port)) {
			OutputStream out = socket.getOutputStream();
			InputStream in = socket.getInputStream();
			for (int i = 0; i < count; i++) {
				long started = System.nanoTime();
				out.write('x');
				assertThat(in.read()).isEqualTo('x');
				latencies.add(System.nanoTime() - started);
			}
		}
		return latencies;
	}

	@Test
	void eventsOfOneConnectionRunOneAtATimeAndInOrderWhileConnectionsRunInParallel() throws Exception {
		int connections = 40;
		int messages = 2000;
		AtomicInteger running = new AtomicInteger();
		AtomicInteger mostRunning = new AtomicInteger();
		AtomicInteger violations = new AtomicInteger();
		SelectorServer server = start(new ConnectionHandler() {
			@Override
			public void onOpen(Connection connection) {
				connection.attach(new OrderState());
			}

			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				OrderState state = (OrderState) connection.attachment();
				if (!state.busy.compareAndSet(false, true)) {
					violations.incrementAndGet();
				}
				mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
				try {
					// A short blocking call, so that connections overlap in time.
					LockSupport.parkNanos(200_000);
					ByteBuffer out = ByteBuffer.allocate(data.remaining() + 4);
					while (data.hasRemaining()) {
						state.partial.put(data.get());
						if (!state.partial.hasRemaining()) {
							int value = state.partial.flip().getInt();
							state.partial.clear();
							if (value != state.expected++) {
								violations.incrementAndGet();
							}
							out.putInt(value);
						}
					}
					connection.write(out.flip());
				}
				finally {
					running.decrementAndGet();
					state.busy.set(false);
				}
			}
		}, OffloadingHandler.DEFAULT_MAX_PENDING_BYTES);
		int port = server.port("test");
		List<Future<?>> clients = new ArrayList<>();
		for (int c = 0; c < connections; c++) {
			clients.add(this.clients.submit(() -> {
				try (Socket socket = TestSockets.connect(port)) {
					OutputStream out = socket.getOutputStream();
					// Small writes in bursts: reads on the server split and merge them arbitrarily.
					for (int i = 0; i < messages; i++) {
						out.write(ByteBuffer.allocate(4).putInt(i).array());
					}
					InputStream in = socket.getInputStream();
					for (int i = 0; i < messages; i++) {
						assertThat(ByteBuffer.wrap(TestSockets.readFully(in, 4)).getInt()).isEqualTo(i);
					}
				}
				return null;
			}));
		}
		for (Future<?> client : clients) {
			client.get(90, TimeUnit.SECONDS);
		}
		assertThat(violations).as("events out of order or overlapping on one connection").hasValue(0);
		assertThat(mostRunning.get()).as("connections handled in parallel").isGreaterThan(1);
	}

	private static final class OrderState {

		final AtomicBoolean busy = new AtomicBoolean();

		final ByteBuffer partial = ByteBuffer.allocate(4);

		int expected;

	}

	@Test
	void aConnectionWhoseHandlerFallsBehindIsNotReadUntilItCatchesUp() throws Exception {
		long maxPending = 16 * 1024;
		int total = 8 * 1024 * 1024;
		CountDownLatch release = new CountDownLatch(1);
		AtomicLong handled = new AtomicLong();
		AtomicLong mostPending = new AtomicLong();
		SelectorServer server = start(ServerConfig.builder().ioThreads(1).receiveBufferSize(32 * 1024).build(),
				new OffloadingHandler((connection, data) -> {
					await(release);
					mostPending.accumulateAndGet(((OffloadedConnection) connection).pendingBytes(), Math::max);
					handled.addAndGet(data.remaining());
				}, this.workers, maxPending));
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			socket.setSendBufferSize(32 * 1024);
			AtomicLong written = new AtomicLong();
			Future<?> writer = this.clients.submit(() -> {
				OutputStream out = socket.getOutputStream();
				byte[] chunk = new byte[8192];
				for (int offset = 0; offset < total; offset += chunk.length) {
					out.write(chunk);
					written.addAndGet(chunk.length);
				}
				return null;
			});
			Connection connection = awaitConnection(server);
			TestSockets.await(Duration.ofSeconds(10), "reading paused", () -> connection.bytesReceived() >= maxPending);
			// Without the pause the I/O thread would read all 8 MiB within milliseconds.
			assertStaysTrue(Duration.ofSeconds(1), "the connection not read past its bound",
					() -> connection.bytesReceived() <= maxPending + ServerConfig.DEFAULT_READ_BUFFER_SIZE);
			assertThat(written.get()).isLessThan(total);
			release.countDown();
			writer.get(60, TimeUnit.SECONDS);
			TestSockets.await(Duration.ofSeconds(30), "everything handled", () -> handled.get() == total);
			assertThat(mostPending.get()).isLessThanOrEqualTo(maxPending + ServerConfig.DEFAULT_READ_BUFFER_SIZE);
		}
	}

	@Test
	void aGracefulStopRunsTheQueuedEventsBeforeClosingTheConnection() throws Exception {
		CountDownLatch entered = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		List<String> events = Collections.synchronizedList(new ArrayList<>());
		SelectorServer server = start(new ConnectionHandler() {
			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				String text = java.nio.charset.StandardCharsets.UTF_8.decode(data).toString();
				events.add("read " + text);
				entered.countDown();
				await(release);
				connection.write(text);
			}

			@Override
			public void onShutdown(Connection connection) {
				events.add("shutdown");
				connection.write("bye");
			}

			@Override
			public void onClose(Connection connection) {
				events.add("close");
			}
		}, OffloadingHandler.DEFAULT_MAX_PENDING_BYTES);
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			socket.getOutputStream().write("one".getBytes());
			assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
			socket.getOutputStream().write("two".getBytes());
			Connection connection = awaitConnection(server);
			TestSockets.await(Duration.ofSeconds(10), "second message queued", () -> connection.bytesReceived() == 6);
			CompletableFuture<ShutdownResult> stopping = CompletableFuture
				.supplyAsync(() -> server.stop(Duration.ofSeconds(30)), this.clients);
			release.countDown();
			InputStream in = socket.getInputStream();
			assertThat(TestSockets.readFully(in, 9)).asString().isEqualTo("onetwobye");
			assertThat(in.read()).isEqualTo(-1);
			socket.shutdownOutput(); // ends the server's lingering close at once
			ShutdownResult result = stopping.get(30, TimeUnit.SECONDS);
			assertThat(result.forced()).isZero();
			assertThat(result.drained()).isEqualTo(1);
		}
		TestSockets.await(Duration.ofSeconds(5), "onClose", () -> events.contains("close"));
		assertThat(events).containsExactly("read one", "read two", "shutdown", "close");
	}

	@Test
	void aGracefulStopAfterTheExecutorRefusesTasksRunsEveryConnectionsEventsOnAFewSharedThreads() throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(4);
		java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
		java.util.concurrent.atomic.AtomicInteger shutdowns = new java.util.concurrent.atomic.AtomicInteger();
		SelectorServer server = start(ServerConfig.builder().ioThreads(2).build(), new OffloadingHandler(new ConnectionHandler() {
			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				data.position(data.limit());
			}

			@Override
			public void onShutdown(Connection connection) {
				threads.add(Thread.currentThread());
				shutdowns.incrementAndGet();
				connection.write("bye");
			}
		}, executor, OffloadingHandler.DEFAULT_MAX_PENDING_BYTES));
		int count = 64;
		List<Socket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < count; i++) {
				sockets.add(TestSockets.connect(server.port("test")));
			}
			TestSockets.await(Duration.ofSeconds(10), "every connection open", () -> server.activeConnections() == count);
			// What Spring does when the context closes: its executor refuses tasks before the server's stop.
			executor.shutdown();
			CompletableFuture<ShutdownResult> stopping = CompletableFuture
				.supplyAsync(() -> server.stop(Duration.ofSeconds(30)), this.clients);
			for (Socket socket : sockets) {
				InputStream in = socket.getInputStream();
				assertThat(TestSockets.readFully(in, 3)).asString().isEqualTo("bye");
				assertThat(in.read()).isEqualTo(-1);
				socket.shutdownOutput();
			}
			ShutdownResult result = stopping.get(30, TimeUnit.SECONDS);
			assertThat(result.forced()).isZero();
		}
		finally {
			for (Socket socket : sockets) {
				socket.close();
			}
		}
		assertThat(shutdowns).hasValue(count);
		assertThat(threads).as("a few shared threads, not one per connection")
			.hasSizeLessThanOrEqualTo(SerialExecutor.FALLBACK_THREADS);
	}

	@Test
	void executeOnAnOffloadedConnectionRunsOnItsTurnOfTheExecutorNeverDuringACallback() throws Exception {
		java.util.concurrent.atomic.AtomicBoolean inCallback = new java.util.concurrent.atomic.AtomicBoolean();
		List<String> problems = Collections.synchronizedList(new ArrayList<>());
		java.util.concurrent.atomic.AtomicInteger tasks = new java.util.concurrent.atomic.AtomicInteger();
		int reads = 50;
		SelectorServer server = start(new ConnectionHandler() {
			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				inCallback.set(true);
				try {
					int length = data.remaining();
					data.position(data.limit());
					for (int i = 0; i < length; i++) {
						// Handed back to "its own thread", as the HTTP and chat handlers do.
						connection.execute(() -> {
							if (inCallback.get()) {
								problems.add("ran during a callback");
							}
							if (Thread.currentThread().getName().startsWith("tcp-server-io")) {
								problems.add("ran on " + Thread.currentThread().getName());
							}
							tasks.incrementAndGet();
						});
					}
					// Time spent in the callback, during which a task on the loop would overlap it.
					java.util.concurrent.locks.LockSupport.parkNanos(200_000);
				}
				finally {
					inCallback.set(false);
				}
			}
		}, OffloadingHandler.DEFAULT_MAX_PENDING_BYTES);
		try (Socket socket = TestSockets.connect(server.port("test"))) {
			for (int i = 0; i < reads; i++) {
				socket.getOutputStream().write('x');
				socket.getOutputStream().flush();
			}
			TestSockets.await(Duration.ofSeconds(10), "every task run", () -> tasks.get() == reads);
		}
		assertThat(problems).isEmpty();
	}

	@Test
	void aHandlerThatThrowsClosesOnlyItsOwnConnection() throws Exception {
		List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
		SelectorServer server = start(new ConnectionHandler() {
			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				if (data.get(data.position()) == '!') {
					throw new IllegalStateException("boom (expected by the test)");
				}
				connection.write(data);
			}

			@Override
			public void onError(Connection connection, Throwable error) {
				errors.add(error);
			}
		}, OffloadingHandler.DEFAULT_MAX_PENDING_BYTES);
		int port = server.port("test");
		try (Socket good = TestSockets.connect(port); Socket bad = TestSockets.connect(port)) {
			bad.getOutputStream().write('!');
			assertThat(bad.getInputStream().read()).as("the failing connection is closed").isEqualTo(-1);
			good.getOutputStream().write("still here".getBytes());
			assertThat(TestSockets.readFully(good.getInputStream(), 10)).asString().isEqualTo("still here");
		}
		assertThat(errors).singleElement().isInstanceOf(IllegalStateException.class);
	}

	private static Connection awaitConnection(SelectorServer server) {
		TestSockets.await(Duration.ofSeconds(10), "a connection", () -> !server.connections().isEmpty());
		return server.connections().iterator().next();
	}

	/** The handler under test blocks here, as a slow call would. */
	static void await(CountDownLatch latch) {
		try {
			if (!latch.await(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("latch not released");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Fails as soon as {@code condition} is false during {@code period}. */
	static void assertStaysTrue(Duration period, String what, java.util.function.BooleanSupplier condition) {
		long end = System.nanoTime() + period.toNanos();
		while (System.nanoTime() < end) {
			assertThat(condition.getAsBoolean()).as(what).isTrue();
			// Poll interval of the observation, not a timing assumption.
			LockSupport.parkNanos(5_000_000);
		}
	}

	@Test
	void anOffloadedProducerThatStopsWhenNotWritableHearsWhenToGoOnAndSendsEverything() throws Exception {
		int total = 32 * 1024 * 1024;
		int chunk = 8 * 1024;
		AtomicInteger calls = new AtomicInteger();
		AtomicBoolean heldBack = new AtomicBoolean();
		// Writes from a worker travel to the I/O thread as tasks; the socket may take them at once,
		// so the queue on the loop never passes the high-water mark: the producer must still hear
		// when the connection it found unwritable can be written again.
		ConnectionHandler producer = new ConnectionHandler() {
			private long sent; // one worker at a time per connection

			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				data.position(data.limit());
				if (this.sent == 0) {
					pump(connection);
				}
			}

			@Override
			public void onWritabilityChanged(Connection connection) {
				calls.incrementAndGet();
				pump(connection);
			}

			private void pump(Connection connection) {
				while (this.sent < total && connection.isWritable()) {
					int length = (int) Math.min(chunk, total - this.sent);
					byte[] bytes = new byte[length];
					for (int i = 0; i < length; i++) {
						bytes[i] = (byte) ((this.sent + i) % 251);
					}
					connection.write(bytes);
					this.sent += length;
				}
				if (this.sent == total) {
					connection.closeAfterFlush();
				}
				else {
					heldBack.set(true);
				}
			}
		};
		SelectorServer server = start(
				ServerConfig.builder().ioThreads(1).writeWaterMarks(16 * 1024, 64 * 1024).maxQueuedOutput(256 * 1024).build(),
				new OffloadingHandler(producer, this.workers, 64 * 1024));
		try (Socket client = TestSockets.connect(server.port("test"))) {
			client.getOutputStream().write('G');
			// Nothing read until the socket buffers are full and the producer has had to stop.
			TestSockets.await(Duration.ofSeconds(30), "the producer held back", heldBack::get);
			InputStream in = client.getInputStream();
			byte[] received = TestSockets.readFully(in, total);
			for (int i = 0; i < total; i++) {
				if (received[i] != (byte) (i % 251)) {
					throw new AssertionError("byte " + i + " is " + received[i]);
				}
			}
			assertThat(in.read()).as("closed after the last byte").isEqualTo(-1);
		}
		assertThat(calls.get()).as("told to go on").isPositive();
		assertThat(server.listener("test").orElseThrow().outputOverflows()).isZero();
	}

}
