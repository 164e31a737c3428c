package io.github.tcpserver.core;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.tcpserver.test.TestCertificates;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TLS layer without sockets: a client {@link SSLEngine} and the server's {@link TlsTransport}
 * wired back to back through a fake connection, so that every split and batching of records can
 * be produced at will.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsTransportTests {

	@TempDir
	static Path directory;

	static TestCertificates pki;

	@BeforeAll
	static void makeCertificates() {
		pki = TestCertificates.create(directory).issue("localhost", "localhost").issue("other", "other.test");
	}

	private final FakeConnection connection = new FakeConnection();

	private final List<String> serverNames = new ArrayList<>();

	private TlsTransport server(Duration handshakeTimeout) {
		return server(handshakeTimeout, null);
	}

	private TlsTransport server(Duration handshakeTimeout, java.util.concurrent.Executor handshakeExecutor) {
		SSLContext context = pki.context("localhost", false);
		TlsEngineFactory engines = (serverName, peer) -> {
			this.serverNames.add(String.valueOf(serverName));
			SSLEngine engine = context.createSSLEngine(peer.getHostString(), peer.getPort());
			engine.setUseClientMode(false);
			return engine;
		};
		TlsTransport transport = new TlsTransport(this.connection,
				new TlsSettings(engines, handshakeTimeout, "test", handshakeExecutor), this.connection.stats);
		this.connection.transport = transport;
		transport.start();
		return transport;
	}

	private TlsTransport server() {
		return server(Duration.ofSeconds(10));
	}

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void handshakeCompletesAndEchoesWithRecordsSplitAtEveryByte(String protocol) throws Exception {
		TlsTransport server = server();
		this.connection.echo = true;
		EngineClient client = new EngineClient(pki, protocol);
		handshake(server, client, 1);
		assertThat(this.connection.events).containsExactly("open");
		assertThat(server.session().getProtocol()).isEqualTo(protocol);
		assertThat(this.serverNames).containsExactly("localhost");
		byte[] message = TestSockets.randomBytes(40_000, 1);
		feed(server, client.wrap(message), 1);
		client.receive(this.connection.takeWire());
		assertThat(client.received.toByteArray()).isEqualTo(message);
		assertThat(this.connection.stats.handshakesCompleted()).isEqualTo(1);
	}

	@Test
	void severalRecordsInOneReadReachTheHandlerInOneCall() throws Exception {
		TlsTransport server = server();
		EngineClient client = new EngineClient(pki, "TLSv1.3");
		handshake(server, client, 65536);
		ByteArrayOutputStream records = new ByteArrayOutputStream();
		for (int i = 0; i < 3; i++) {
			records.write(client.wrap(("message " + i + "\n").getBytes(StandardCharsets.US_ASCII)));
		}
		int before = this.connection.deliveries;
		feed(server, records.toByteArray(), 65536);
		assertThat(this.connection.plaintext.toString(StandardCharsets.US_ASCII))
			.isEqualTo("message 0\nmessage 1\nmessage 2\n");
		assertThat(this.connection.deliveries - before).isEqualTo(1);
	}

	@Test
	void applicationDataSentWithTheLastHandshakeFlightIsReadAfterOnOpen() throws Exception {
		TlsTransport server = server();
		EngineClient client = new EngineClient(pki, "TLSv1.3");
		// Client hello, then the server's flight; the client's Finished and its first data go in one read.
		feed(server, client.wrap(new byte[0]), 65536);
		client.receive(this.connection.takeWire());
		ByteArrayOutputStream lastFlight = new ByteArrayOutputStream();
		lastFlight.write(client.takePending());
		lastFlight.write(client.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
		feed(server, lastFlight.toByteArray(), 65536);
		assertThat(this.connection.events).containsExactly("open", "read");
		assertThat(this.connection.plaintext.toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
	}

	@Test
	void largeWritesAreSentInFullRecordsAndDecryptIntact() throws Exception {
		TlsTransport server = server();
		EngineClient client = new EngineClient(pki, "TLSv1.3");
		handshake(server, client, 65536);
		byte[] payload = TestSockets.randomBytes(1_000_000, 2);
		server.write(ByteBuffer.wrap(payload), false);
		client.receive(this.connection.takeWire());
		assertThat(client.received.toByteArray()).isEqualTo(payload);
	}

	@Test
	void loopBuffersAsSmallAsTheSessionAsksStillCarryManyRecordsBothWays() throws Exception {
		this.connection.buffers = new LayerBuffers(64); // grown to the session's sizes on first use
		TlsTransport server = server();
		this.connection.echo = true;
		EngineClient client = new EngineClient(pki, "TLSv1.3");
		handshake(server, client, 65536);
		byte[] payload = TestSockets.randomBytes(300_000, 4);
		feed(server, client.wrap(payload), 65536);
		client.receive(this.connection.takeWire());
		assertThat(client.received.toByteArray()).isEqualTo(payload);
		assertThat(this.connection.deliveries).isGreaterThan(payload.length / 16384);
	}

	@Test
	void aHandlerThatClosesAfterFlushReadsNothingMoreOfTheSameRead() throws Exception {
		this.connection.buffers = new LayerBuffers(64); // one record per delivery
		TlsTransport server = server();
		EngineClient client = new EngineClient(pki, "TLSv1.3");
		handshake(server, client, 65536);
		this.connection.closeOnRead = true;
		ByteArrayOutputStream records = new ByteArrayOutputStream();
		records.write(client.wrap(TestSockets.randomBytes(20_000, 5))); // two records
		records.write(client.wrap("after".getBytes(StandardCharsets.US_ASCII)));
		feed(server, records.toByteArray(), 65536);
		assertThat(this.connection.deliveries).isEqualTo(1);
		client.receive(this.connection.takeWire());
		assertThat(client.engine.isInboundDone()).as("close_notify").isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void withAHandshakeExecutorTheTasksRunThereWhileTheConnectionIsParkedAndNothingReadIsLost(String protocol)
			throws Exception {
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
		java.util.concurrent.atomic.AtomicInteger offloaded = new java.util.concurrent.atomic.AtomicInteger();
		try {
			TlsTransport server = server(Duration.ofSeconds(10), (task) -> {
				offloaded.incrementAndGet();
				pool.execute(task);
			});
			this.connection.echo = true;
			EngineClient client = new EngineClient(pki, protocol);
			byte[] hello = "sent with the last flight".getBytes(StandardCharsets.US_ASCII);
			boolean sent = false;
			for (int round = 0; round < 20 && !(server.isHandshakeComplete() && sent); round++) {
				ByteArrayOutputStream out = new ByteArrayOutputStream();
				out.write(client.wrap(new byte[0]));
				if (!sent && client.engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING) {
					out.write(client.wrap(hello)); // in the same read as the client's Finished
					sent = true;
				}
				feed(server, out.toByteArray(), 65536);
				this.connection.runLoopTasks();
				client.receive(this.connection.takeWire());
			}
			assertThat(server.isHandshakeComplete()).isTrue();
			assertThat(offloaded.get()).isPositive();
			assertThat(this.connection.suspensions).isEqualTo(offloaded.get());
			assertThat(this.connection.suspended).isFalse();
			client.receive(this.connection.takeWire());
			assertThat(client.received.toByteArray()).isEqualTo(hello);
			assertThat(this.connection.events).containsExactly("open", "read");
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void aConnectionParkedForItsHandshakeTasksStillTimesOut() throws Exception {
		java.util.List<Runnable> neverRun = new java.util.ArrayList<>();
		TlsTransport server = server(Duration.ofSeconds(10), neverRun::add);
		EngineClient client = new EngineClient(pki, "TLSv1.3");
		feed(server, client.wrap(new byte[0]), 65536);
		assertThat(this.connection.suspended).isTrue();
		server.checkTimeouts(this.connection.now + Duration.ofSeconds(10).toNanos());
		assertThat(this.connection.events).containsExactly("failed");
		assertThat(this.connection.stats.handshakesTimedOut()).isEqualTo(1);
	}

	@Test
	void writesMadeDuringTheHandshakeAreSentAfterIt() throws Exception {
		TlsTransport server = server();
		server.write(ByteBuffer.wrap("early".getBytes(StandardCharsets.US_ASCII)), false);
		EngineClient client = new EngineClient(pki, "TLSv1.3");
		handshake(server, client, 65536);
		client.receive(this.connection.takeWire());
		assertThat(client.received.toString(StandardCharsets.US_ASCII)).isEqualTo("early");
	}

	@Test
	void aPlaintextClientIsRejectedAtItsFirstBytes() {
		TlsTransport server = server();
		feed(server, "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII), 65536);
		assertThat(this.connection.events).containsExactly("failed");
		assertThat(this.connection.stats.handshakesFailed()).isEqualTo(1);
		assertThat(this.serverNames).isEmpty();
		assertThat(server.session()).isNull();
	}

	@Test
	void garbageWithAHandshakeTypeButAnImpossibleLengthIsRejected() {
		TlsTransport server = server();
		feed(server, new byte[] { 22, 3, 1, (byte) 0xff, (byte) 0xff }, 65536);
		assertThat(this.connection.events).containsExactly("failed");
	}

	@Test
	void aRecordOfTheLargestLengthTls12AllowsWaitsForItsBytesAndALongerOneIsRejected() throws Exception {
		// 2^14 + 2048 (RFC 5246 §6.2.3) must not be taken for garbage (jetty #6072 cut at 17,408).
		TlsTransport server = server();
		EngineClient client = new EngineClient(pki, "TLSv1.2");
		handshake(server, client, 65536);
		feed(server, new byte[] { 23, 3, 3, 0x48, 0x00, 1, 2, 3 }, 65536);
		assertThat(this.connection.events).containsExactly("open");
		TlsTransport other = server();
		this.connection.events.clear();
		EngineClient second = new EngineClient(pki, "TLSv1.2");
		handshake(other, second, 65536);
		feed(other, new byte[] { 23, 3, 3, 0x48, 0x01 }, 65536);
		assertThat(this.connection.events).containsExactly("open", "failed");
	}

	@Test
	void aSilentClientIsClosedAtTheHandshakeTimeoutAndCounted() {
		TlsTransport server = server(Duration.ofSeconds(10));
		server.checkTimeouts(this.connection.now + Duration.ofSeconds(9).toNanos());
		assertThat(this.connection.events).isEmpty();
		server.checkTimeouts(this.connection.now + Duration.ofSeconds(10).toNanos());
		assertThat(this.connection.events).containsExactly("failed");
		assertThat(this.connection.stats.handshakesTimedOut()).isEqualTo(1);
		assertThat(this.connection.stats.handshakesFailed()).isEqualTo(1);
	}

	@Test
	void aClientThatConnectsAndLeavesWithoutAByteIsNotAFailedHandshake() {
		TlsTransport server = server();
		server.onEndOfInput();
		assertThat(this.connection.events).containsExactly("failed");
		assertThat(this.connection.stats.handshakesFailed()).isZero();
	}

	@Test
	void aGracefulCloseSendsCloseNotify() throws Exception {
		TlsTransport server = server();
		EngineClient client = new EngineClient(pki, "TLSv1.3");
		handshake(server, client, 65536);
		server.write(ByteBuffer.wrap("bye".getBytes(StandardCharsets.US_ASCII)), false);
		server.closeOutbound();
		client.receive(this.connection.takeWire());
		assertThat(client.received.toString(StandardCharsets.US_ASCII)).isEqualTo("bye");
		assertThat(client.engine.isInboundDone()).isTrue();
		server.write(ByteBuffer.wrap("late".getBytes(StandardCharsets.US_ASCII)), false);
		assertThat(this.connection.takeWire()).isEmpty();
	}

	@Test
	void aCloseNowSendsCloseNotifyWhenNothingIsQueued() throws Exception {
		TlsTransport server = server();
		EngineClient client = new EngineClient(pki, "TLSv1.3");
		handshake(server, client, 65536);
		server.onClose(true);
		client.receive(this.connection.takeWire());
		assertThat(client.engine.isInboundDone()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void thePeersCloseNotifyEndsTheInputOnce(String protocol) throws Exception {
		TlsTransport server = server();
		EngineClient client = new EngineClient(pki, protocol);
		handshake(server, client, 65536);
		client.engine.closeOutbound();
		feed(server, client.wrap(new byte[0]), 65536);
		server.onEndOfInput();
		assertThat(this.connection.events).containsExactly("open", "inputEnded");
		feed(server, new byte[] { 23, 3, 3, 0, 1, 0 }, 65536); // ignored after close_notify
		assertThat(this.connection.events).containsExactly("open", "inputEnded");
	}

	@Test
	void anEndOfInputWithoutCloseNotifyEndsTheInputQuietly() throws Exception {
		TlsTransport server = server();
		EngineClient client = new EngineClient(pki, "TLSv1.3");
		handshake(server, client, 65536);
		server.onEndOfInput();
		assertThat(this.connection.events).containsExactly("open", "inputEnded");
	}

	@Test
	void theClientLeavingMidHandshakeIsAFailedHandshake() throws Exception {
		TlsTransport server = server();
		EngineClient client = new EngineClient(pki, "TLSv1.3");
		feed(server, client.wrap(new byte[0]), 65536);
		server.onEndOfInput();
		assertThat(this.connection.events).containsExactly("failed");
		assertThat(this.connection.stats.handshakesFailed()).isEqualTo(1);
	}

	@Test
	void aRenegotiationStartedByATls12ClientIsRefused() throws Exception {
		TlsTransport server = server();
		EngineClient client = new EngineClient(pki, "TLSv1.2");
		handshake(server, client, 65536);
		client.engine.beginHandshake();
		feed(server, client.wrap(new byte[0]), 65536);
		assertThat(this.connection.events).containsExactly("open", "failed");
	}

	@Test
	void theServerNameTheClientAsksForChoosesTheEngine() throws Exception {
		TlsTransport server = server();
		EngineClient client = new EngineClient(pki, "TLSv1.3", "other.test");
		feed(server, client.wrap(new byte[0]), 1);
		assertThat(this.serverNames).containsExactly("other.test");
	}

	@Test
	void aClientThatDistrustsTheCertificateFailsTheHandshakeAndIsCounted() throws Exception {
		TlsTransport server = server();
		SSLEngine engine = SSLContext.getDefault().createSSLEngine("localhost", 443);
		engine.setUseClientMode(true);
		EngineClient client = new EngineClient(engine);
		feed(server, client.wrap(new byte[0]), 65536);
		try {
			client.receive(this.connection.takeWire());
		}
		catch (javax.net.ssl.SSLException expected) {
			// the client does not trust the test CA
		}
		feed(server, client.wrap(new byte[0]), 65536); // its alert
		assertThat(this.connection.events).containsExactly("failed");
		assertThat(this.connection.stats.handshakesFailed()).isEqualTo(1);
	}

	// ------------------------------------------------------------------ helpers

	/** Runs the handshake to its end, feeding the server {@code chunk} bytes per read. */
	private void handshake(TlsTransport server, EngineClient client, int chunk) throws Exception {
		for (int round = 0; round < 20; round++) {
			feed(server, client.wrap(new byte[0]), chunk);
			client.receive(this.connection.takeWire());
			if (server.isHandshakeComplete() && client.engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
					&& client.pending.size() == 0) {
				return;
			}
		}
		throw new AssertionError("The handshake did not complete; events " + this.connection.events);
	}

	/** Hands {@code bytes} to the server in reads of {@code chunk} bytes, each consumed whole. */
	private void feed(TlsTransport server, byte[] bytes, int chunk) {
		ByteBuffer read = ByteBuffer.allocateDirect(chunk);
		for (int offset = 0; offset < bytes.length && this.connection.open; offset += chunk) {
			read.clear();
			read.put(bytes, offset, Math.min(chunk, bytes.length - offset)).flip();
			server.onInbound(read);
			assertThat(read.hasRemaining()).as("input left unconsumed").isFalse();
		}
	}

	/** The connection side of the layer: records what the layer does. */
	static final class FakeConnection implements TransportContext {

		final TlsStats stats = new TlsStats();

		final List<String> events = new ArrayList<>();

		final ByteArrayOutputStream plaintext = new ByteArrayOutputStream();

		private final ByteArrayOutputStream wire = new ByteArrayOutputStream();

		LayerBuffers buffers = new LayerBuffers(64 * 1024);

		TlsTransport transport;

		boolean echo;

		boolean open = true;

		/** Set by a handler that called closeAfterFlush: it reads nothing more. */
		boolean closing;

		/** Make the handler close after flush on its first read. */
		boolean closeOnRead;

		int deliveries;

		long now = System.nanoTime();

		byte[] takeWire() {
			byte[] bytes = this.wire.toByteArray();
			this.wire.reset();
			return bytes;
		}

		@Override
		public void deliver(ByteBuffer data) {
			this.deliveries++;
			if (this.events.isEmpty() || !this.events.get(this.events.size() - 1).equals("read")) {
				this.events.add("read");
			}
			byte[] bytes = new byte[data.remaining()];
			data.duplicate().get(bytes);
			this.plaintext.writeBytes(bytes);
			if (this.closeOnRead) {
				data.position(data.limit());
				this.closing = true;
				this.transport.closeOutbound();
				return;
			}
			if (this.echo) {
				this.transport.write(data, false);
			}
			else {
				data.position(data.limit());
			}
		}

		@Override
		public void send(ByteBuffer wire, boolean owned) {
			byte[] bytes = new byte[wire.remaining()];
			wire.get(bytes);
			this.wire.writeBytes(bytes);
		}

		@Override
		public void sendLast(ByteBuffer wire) {
			send(wire, false);
		}

		@Override
		public void opened() {
			this.events.add("open");
		}

		@Override
		public void inputEnded() {
			this.events.add("inputEnded");
		}

		@Override
		public void layerFailed() {
			this.open = false;
			this.events.add("failed");
		}

		@Override
		public void heldOutputOverflowed(long held) {
			this.open = false;
			this.events.add("overflowed");
		}

		@Override
		public long maxQueuedOutput() {
			return 16L * 1024 * 1024;
		}

		@Override
		public boolean isOpen() {
			return this.open;
		}

		@Override
		public boolean isInputOpen() {
			return this.open && !this.closing;
		}

		@Override
		public long now() {
			return this.now;
		}

		boolean suspended;

		int suspensions;

		final java.util.concurrent.BlockingQueue<Runnable> loopTasks = new java.util.concurrent.LinkedBlockingQueue<>();

		@Override
		public void suspendInput() {
			this.suspended = true;
			this.suspensions++;
		}

		@Override
		public void resumeInput() {
			this.suspended = false;
		}

		@Override
		public void execute(Runnable task) {
			this.loopTasks.add(task);
		}

		/** Plays the loop: runs the tasks handed to it until the layer no longer waits for one. */
		void runLoopTasks() throws InterruptedException {
			while (this.suspended || !this.loopTasks.isEmpty()) {
				Runnable task = this.loopTasks.poll(10, TimeUnit.SECONDS);
				assertThat(task).as("a task for the loop").isNotNull();
				task.run();
			}
		}

		@Override
		public LayerBuffers buffers() {
			return this.buffers;
		}

		@Override
		public InetSocketAddress remoteAddress() {
			return new InetSocketAddress("127.0.0.1", 50000);
		}

		@Override
		public void proxied(io.github.tcpserver.core.proxy.ProxyHeader header) {
			throw new UnsupportedOperationException("TLS alone never sees a PROXY header");
		}

	}

}
