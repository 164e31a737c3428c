package io.github.tcpserver.protocol.websocket;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.http.HttpLimits;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backpressure on a WebSocket session, as on every connection: a handler that sends while
 * {@code isWritable()} and goes on from {@code onWritabilityChanged} sends far more than the
 * output limit to a slow reader, with its queue bounded by the high-water mark; and the close
 * handshake's deadline.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketBackpressureTests {

	private static final int LOW = 16 * 1024;

	private static final int HIGH = 64 * 1024;

	private static final int CHUNK = 8 * 1024;

	private static final long TOTAL = 16L * 1024 * 1024; // 64 times max-queued-output here

	private final Producer producer = new Producer();

	private final SelectorServer server = new SelectorServer(ServerConfig.builder()
		.ioThreads(1)
		.writeWaterMarks(LOW, HIGH)
		.maxQueuedOutput(4 * HIGH)
		.build(),
			List.of(new ListenerSpec("http", InetAddress.getLoopbackAddress(), 0,
					new HttpServerHandler(new HttpRouter(), HttpLimits.defaults(), "test",
							new WebSocketUpgradeHandler(WebSocketLimits.defaults()
								.withTimeouts(Duration.ofSeconds(30), Duration.ZERO, Duration.ofMillis(300)))
								.route("/produce", this.producer)
								.route("/policy", new WebSocketHandler() {
									@Override
									public void onOpen(WebSocketSession session) {
										session.close(WebSocketCloseCodes.POLICY_VIOLATION, "go away");
									}
								})))));

	@AfterEach
	void stop() {
		this.server.stop(Duration.ZERO);
	}

	@Test
	void aProducerThatSendsWhileWritableStaysWithinTheHighWaterMark() throws Exception {
		this.server.start();
		try (Socket client = TestSockets.connect(this.server.port("http"))) {
			client.getOutputStream().write(handshake("/produce"));
			TestSockets.await(Duration.ofSeconds(30), "the producer to be told to stop",
					() -> this.producer.changes.contains(false));
			assertThat(this.producer.sent.get()).as("held back, not queued").isLessThan(TOTAL);
			InputStream in = client.getInputStream();
			skipResponseHead(in);
			WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(CHUNK, CHUNK, false);
			Counting sink = new Counting();
			byte[] buffer = new byte[64 * 1024];
			int n;
			while (sink.closeCode == 0 && (n = in.read(buffer)) > 0) {
				decoder.decode(ByteBuffer.wrap(buffer, 0, n), sink);
			}
			assertThat(sink.bytes).isEqualTo(TOTAL);
			assertThat(sink.closeCode).isEqualTo(WebSocketCloseCodes.NORMAL);
		}
		assertThat(this.producer.maxQueued.get()).as("queued output bounded by the high-water mark and one frame")
			.isLessThanOrEqualTo(HIGH + CHUNK + 16);
		assertThat(this.server.listener("http").orElseThrow().outputOverflows()).isZero();
		assertThat(this.producer.changes).as("told to stop, then to go on").hasSizeGreaterThanOrEqualTo(2);
	}

	@Test
	void aClientThatNeverAnswersOurCloseIsDisconnectedAfterTheCloseTimeout() throws Exception {
		this.server.start();
		try (Socket client = TestSockets.connect(this.server.port("http"))) {
			client.setSoTimeout(10_000);
			client.getOutputStream().write(handshake("/policy"));
			InputStream in = client.getInputStream();
			skipResponseHead(in);
			long start = System.nanoTime();
			byte[] rest = in.readAllBytes(); // our Close, then the end of the stream at the close timeout
			long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
			RecordingSink sink = new RecordingSink();
			new WebSocketFrameDecoder(1024, 1024, false).decode(ByteBuffer.wrap(rest), sink);
			assertThat(sink.events).containsExactly("close 1008 go away");
			assertThat(elapsedMillis).as("closed by the 300 ms close timeout (checked a few times a second)")
				.isBetween(200L, 5_000L);
		}
	}

	private static byte[] handshake(String path) {
		return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				+ "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII);
	}

	private static void skipResponseHead(InputStream in) throws Exception {
		int matched = 0;
		while (matched < 4) {
			int b = in.read();
			assertThat(b).as("a response head").isNotNegative();
			matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r') ? 1 : 0;
		}
	}

	/** Sends TOTAL bytes in binary messages, only while the session is writable. */
	static final class Producer implements WebSocketHandler {

		final AtomicLong sent = new AtomicLong();

		final AtomicLong maxQueued = new AtomicLong();

		final List<Boolean> changes = new CopyOnWriteArrayList<>();

		private final byte[] chunk = new byte[CHUNK];

		@Override
		public void onOpen(WebSocketSession session) {
			produce(session);
		}

		@Override
		public void onWritabilityChanged(WebSocketSession session) {
			this.changes.add(session.isWritable());
			produce(session);
		}

		private void produce(WebSocketSession session) {
			while (this.sent.get() < TOTAL && session.isWritable()) {
				session.sendBinary(ByteBuffer.wrap(this.chunk));
				this.sent.addAndGet(CHUNK);
				this.maxQueued.accumulateAndGet(session.pendingOutboundBytes(), Math::max);
			}
			if (this.sent.get() >= TOTAL) {
				session.closeAfterFlush();
			}
		}

	}

	/** Counts binary bytes and notes the close code. */
	static final class Counting implements WebSocketFrameDecoder.Sink {

		long bytes;

		int closeCode;

		@Override
		public void onText(String text) {
			throw new AssertionError("no text expected");
		}

		@Override
		public void onBinary(ByteBuffer data) {
			this.bytes += data.remaining();
		}

		@Override
		public void onPing(ByteBuffer payload) {
		}

		@Override
		public void onPong(ByteBuffer payload) {
		}

		@Override
		public void onClose(int code, String reason) {
			this.closeCode = code;
		}

	}

}
