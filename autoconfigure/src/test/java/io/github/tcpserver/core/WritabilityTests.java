package io.github.tcpserver.core;

import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.test.TestServers;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ConnectionHandler#onWritabilityChanged(Connection)} over real loopback sockets: a producer
 * that writes only while the connection is writable sends far more than the output limit to a slow
 * reader without queueing more than a watermark.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WritabilityTests {

	private static final int LOW = 16 * 1024;

	private static final int HIGH = 64 * 1024;

	private static final int CHUNK = 8 * 1024;

	private final TestServers servers = new TestServers();

	@AfterEach
	void stop() {
		this.servers.stopAll();
	}

	private SelectorServer start(ConnectionHandler handler) {
		return start(handler, 4 * HIGH);
	}

	private SelectorServer start(ConnectionHandler handler, long maxQueuedOutput) {
		return this.servers.start(ServerConfig.builder()
			.ioThreads(1)
			.writeWaterMarks(LOW, HIGH)
			.maxQueuedOutput(maxQueuedOutput)
			.build(), handler);
	}

	@Test
	void aProducerThatWritesWhileWritableSendsFarMoreThanTheOutputLimitToASlowReader() throws Exception {
		int total = 32 * 1024 * 1024; // 128 times tcp.server.max-queued-output here
		Producer producer = new Producer(total);
		SelectorServer server = start(producer);
		try (Socket client = TestSockets.connect(server.port("test"))) {
			client.getOutputStream().write('G');
			// The client reads nothing yet: once the socket buffers are full, the queue passes the
			// high-water mark and the producer is told to stop.
			TestSockets.await(Duration.ofSeconds(30), "the producer to be told to stop",
					() -> producer.changes.contains(false));
			assertThat(producer.sent.get()).as("held back, not queued").isLessThan(total);
			InputStream in = client.getInputStream();
			byte[] received = TestSockets.readFully(in, total);
			for (int i = 0; i < total; i++) {
				if (received[i] != pattern(i)) {
					throw new AssertionError("byte " + i + " is " + received[i] + ", expected " + pattern(i));
				}
			}
			assertThat(in.read()).as("closed after the last byte").isEqualTo(-1);
		}
		assertThat(producer.maxQueued.get()).as("queued output bounded by the high-water mark and one chunk")
			.isLessThanOrEqualTo(HIGH + CHUNK);
		assertThat(server.listener("test").orElseThrow().outputOverflows()).isZero();
		List<Boolean> changes = producer.changes;
		assertThat(changes).as("told to stop, then to go on, and so on").hasSizeGreaterThanOrEqualTo(2);
		for (int i = 0; i < changes.size(); i++) {
			assertThat(changes.get(i)).as("change " + i + " of " + changes).isEqualTo(i % 2 == 1);
		}
	}

	@Test
	void outputThatStaysBelowTheHighWaterMarkCausesNoCall() throws Exception {
		AtomicLong calls = new AtomicLong();
		SelectorServer server = start(new EchoHandler() {
			@Override
			public void onWritabilityChanged(Connection connection) {
				calls.incrementAndGet();
			}
		});
		try (Socket client = TestSockets.connect(server.port("test"))) {
			byte[] message = TestSockets.randomBytes(4096, 3);
			for (int i = 0; i < 100; i++) {
				client.getOutputStream().write(message);
				assertThat(TestSockets.readFully(client.getInputStream(), message.length)).isEqualTo(message);
			}
		}
		assertThat(calls.get()).isZero();
	}

	@Test
	void aHandlerThatThrowsInTheCallbackLosesOnlyItsConnection() throws Exception {
		SelectorServer server = start(new EchoHandler() {
			@Override
			public void onRead(Connection connection, ByteBuffer data) {
				if (data.get(data.position()) == 'G') {
					// More than the socket buffers take: the rest queues past the high-water mark.
					connection.write(new byte[32 * 1024 * 1024]);
				}
				else {
					super.onRead(connection, data);
				}
			}

			@Override
			public void onWritabilityChanged(Connection connection) {
				throw new IllegalStateException("boom");
			}
		}, 64 * 1024 * 1024);
		int port = server.port("test");
		Listener listener = server.listener("test").orElseThrow();
		try (Socket failing = TestSockets.connect(port); Socket other = TestSockets.connect(port)) {
			failing.getOutputStream().write('G');
			TestSockets.await(Duration.ofSeconds(10), "the handler's failure", () -> listener.errors() == 1);
			TestSockets.await(Duration.ofSeconds(10), "the failing connection closed",
					() -> listener.closedConnections() == 1);
			other.getOutputStream().write("ok".getBytes());
			assertThat(TestSockets.readFully(other.getInputStream(), 2)).isEqualTo("ok".getBytes());
			assertThat(server.activeConnections()).isEqualTo(1);
		}
	}

	static byte pattern(long offset) {
		return (byte) (offset % 251);
	}

	/** Sends {@code total} pattern bytes after the first byte it reads, only while writable. */
	private static final class Producer implements ConnectionHandler {

		private final long total;

		final AtomicLong sent = new AtomicLong();

		final AtomicLong maxQueued = new AtomicLong();

		final List<Boolean> changes = new CopyOnWriteArrayList<>();

		Producer(long total) {
			this.total = total;
		}

		@Override
		public void onRead(Connection connection, ByteBuffer data) {
			data.position(data.limit());
			if (this.sent.get() == 0) {
				pump(connection);
			}
		}

		@Override
		public void onWritabilityChanged(Connection connection) {
			this.changes.add(connection.isWritable());
			if (connection.isWritable()) {
				pump(connection);
			}
		}

		private void pump(Connection connection) {
			long offset = this.sent.get();
			while (offset < this.total && connection.isWritable()) {
				int length = (int) Math.min(CHUNK, this.total - offset);
				byte[] chunk = new byte[length];
				for (int i = 0; i < length; i++) {
					chunk[i] = pattern(offset + i);
				}
				connection.write(ByteBuffer.wrap(chunk));
				offset += length;
				this.sent.set(offset);
				this.maxQueued.accumulateAndGet(connection.pendingOutboundBytes(), Math::max);
			}
			if (offset == this.total) {
				connection.closeAfterFlush();
			}
		}

	}

}
