package io.github.tcpserver.protocol.websocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.http.HttpLimits;
import io.github.tcpserver.protocol.http.HttpResponse;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * WebSocket over real loopback sockets: the JDK's {@link java.net.http.WebSocket} client, and raw
 * sockets for the handshake's refusals, pipelined frames and frames a client must not send.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketServerTests {

	private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

	private final BlockingQueue<String> serverEvents = new LinkedBlockingQueue<>();

	private final WebSocketHandler echo = new WebSocketHandler() {

		@Override
		public void onOpen(WebSocketSession session) {
			serverEvents.add("open " + session.path() + " " + session.subprotocol());
		}

		@Override
		public void onText(WebSocketSession session, String text) {
			switch (text) {
				case "boom" -> throw new IllegalStateException("boom (expected by the test)");
				case "policy" -> session.close(WebSocketCloseCodes.POLICY_VIOLATION, "not here");
				case "bye" -> session.closeAfterFlush();
				default -> session.sendText(text);
			}
		}

		@Override
		public void onBinary(WebSocketSession session, ByteBuffer data) {
			session.sendBinary(data);
		}

		@Override
		public void onShutdown(WebSocketSession session) {
			session.sendText("farewell");
		}

		@Override
		public void onClose(WebSocketSession session, int code, String reason) {
			serverEvents.add("close " + code + " " + reason);
		}

	};

	private final WebSocketHandler textOnly = new WebSocketHandler() {

		@Override
		public void onText(WebSocketSession session, String text) {
			session.sendText(text);
		}

	};

	private WebSocketLimits limits = WebSocketLimits.defaults().withSizes(1024, 4096);

	private SelectorServer server;

	private WebSocketUpgradeHandler webSockets;

	private int port() {
		if (this.server == null) {
			this.webSockets = new WebSocketUpgradeHandler(this.limits).route("/echo", this.echo, "v2.echo", "v1.echo")
				.route("/text", this.textOnly);
			HttpRouter router = new HttpRouter().get("/", (request) -> HttpResponse.text("plain HTTP"));
			HttpServerHandler http = new HttpServerHandler(router, HttpLimits.defaults(), "test", this.webSockets);
			this.server = new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
					List.of(new ListenerSpec("http", InetAddress.getLoopbackAddress(), 0, http)));
			this.server.start();
		}
		return this.server.port("http");
	}

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop(Duration.ZERO);
		}
	}

	@Test
	void theJdkClientEchoesTextAndBinaryAndAgreesOnASubprotocol() throws Exception {
		Listener listener = new Listener();
		WebSocket ws = connectJdk("/echo", listener, "v1.echo", "v2.echo");
		assertThat(ws.getSubprotocol()).isEqualTo("v2.echo");
		ws.sendText("héllo", true).join();
		assertThat(listener.next()).isEqualTo("text héllo");
		ws.sendBinary(ByteBuffer.wrap(new byte[] { 1, 2, 3 }), true).join();
		assertThat(listener.next()).isEqualTo("binary 010203");
		ws.sendText("frag", false).join();
		ws.sendText("mented", true).join();
		assertThat(listener.next()).isEqualTo("text fragmented");
		assertThat(this.serverEvents.poll(5, TimeUnit.SECONDS)).isEqualTo("open /echo v2.echo");
		ws.sendClose(1000, "done").join();
		assertThat(listener.next()).isEqualTo("close 1000");
		assertThat(this.serverEvents.poll(5, TimeUnit.SECONDS)).isEqualTo("close 1000 done");
		assertThat(this.webSockets.messagesIn()).isEqualTo(3);
		assertThat(this.webSockets.messagesOut()).isEqualTo(3);
	}

	@Test
	void theApplicationClosesWithItsCodeAndTheClientSeesIt() throws Exception {
		Listener listener = new Listener();
		WebSocket ws = connectJdk("/echo", listener);
		ws.sendText("policy", true).join();
		assertThat(listener.next()).isEqualTo("close 1008");
		// The JDK client answers the Close by itself; the server then ends the session.
		assertThat(this.serverEvents.poll(5, TimeUnit.SECONDS)).startsWith("open");
		assertThat(this.serverEvents.poll(5, TimeUnit.SECONDS)).startsWith("close 1008");
		assertThat(ws.isOutputClosed()).isTrue();
		TestSockets.await(Duration.ofSeconds(5), "the session ends", () -> this.webSockets.sessions().isEmpty());
	}

	@Test
	void aNormalCloseFromTheApplicationIs1000() throws Exception {
		Listener listener = new Listener();
		connectJdk("/echo", listener).sendText("bye", true).join();
		assertThat(listener.next()).isEqualTo("close 1000");
	}

	@Test
	void aHandlerThatThrowsClosesItsSessionWith1011() throws Exception {
		Listener listener = new Listener();
		connectJdk("/echo", listener).sendText("boom", true).join();
		assertThat(listener.next()).isEqualTo("close 1011");
	}

	@Test
	void binaryToATextOnlyHandlerClosesWith1003() throws Exception {
		Listener listener = new Listener();
		connectJdk("/text", listener).sendBinary(ByteBuffer.wrap(new byte[] { 1 }), true).join();
		assertThat(listener.next()).isEqualTo("close 1003");
	}

	@Test
	void aMessageOverTheLimitClosesWith1009() throws Exception {
		Listener listener = new Listener();
		connectJdk("/echo", listener).sendText("x".repeat(2000), true).join();
		assertThat(listener.next()).isEqualTo("close 1009");
		assertThat(this.webSockets.protocolErrors()).isEqualTo(1);
	}

	@Test
	void gracefulShutdownSendsQueuedMessagesThenClose1001() throws Exception {
		Listener listener = new Listener();
		WebSocket ws = connectJdk("/echo", listener);
		ws.sendText("before", true).join();
		assertThat(listener.next()).isEqualTo("text before");
		this.server.stop(Duration.ofSeconds(5));
		assertThat(listener.next()).isEqualTo("text farewell");
		assertThat(listener.next()).isEqualTo("close 1001");
		assertThat(this.serverEvents).contains("close 1001 Server shutting down");
	}

	@Test
	void framesPipelinedAfterTheHandshakeGoToTheWebSocketDecoder() throws Exception {
		try (RawClient client = new RawClient(port())) {
			client.send(handshake("/echo", "") + "ignored-by-nobody".substring(0, 0), frame(0x81, "early"));
			assertThat(client.responseHead()).startsWith("HTTP/1.1 101 Switching Protocols\r\n")
				.contains("Upgrade: websocket\r\n")
				.contains("Connection: Upgrade\r\n")
				.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n");
			assertThat(client.nextEvent()).isEqualTo("text early");
		}
	}

	@Test
	void anHttpRequestPipelinedBeforeTheHandshakeIsAnsweredFirst() throws Exception {
		try (RawClient client = new RawClient(port())) {
			client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n" + handshake("/echo", ""), frame(0x81, "then ws"));
			String head = client.responseHead();
			assertThat(head).startsWith("HTTP/1.1 200 ");
			client.skipBody(head);
			assertThat(client.responseHead()).startsWith("HTTP/1.1 101 ");
			assertThat(client.nextEvent()).isEqualTo("text then ws");
		}
	}

	@Test
	void aPingIsAnsweredWithAPongOfTheSamePayload() throws Exception {
		try (RawClient client = new RawClient(port())) {
			client.send(handshake("/echo", ""), frame(0x89, "are you there"));
			client.responseHead();
			assertThat(client.nextEvent()).isEqualTo("pong " + RecordingSink.hex(ByteBuffer.wrap(
					"are you there".getBytes(StandardCharsets.US_ASCII))));
		}
	}

	@Test
	void anUnmaskedClientFrameClosesWith1002ThenTheConnection() throws Exception {
		try (RawClient client = new RawClient(port())) {
			client.send(handshake("/echo", ""), new byte[] { (byte) 0x81, 0x02, 'h', 'i' });
			client.responseHead();
			assertThat(client.nextEvent()).startsWith("close 1002 Unmasked client frame");
			assertThat(client.in.read()).isEqualTo(-1);
		}
	}

	@Test
	void invalidUtf8ClosesWith1007() throws Exception {
		try (RawClient client = new RawClient(port())) {
			client.send(handshake("/echo", ""), WebSocketFrameEncoder.frame(1, true, new byte[] { (byte) 0xC0, (byte) 0x80 },
					0, -1, new byte[] { 1, 2, 3, 4 }).array());
			client.responseHead();
			assertThat(client.nextEvent()).startsWith("close 1007");
		}
	}

	@Test
	void aSilentClientIsPingedAtThePingInterval() throws Exception {
		this.limits = this.limits.withTimeouts(Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(5));
		try (RawClient client = new RawClient(port())) {
			client.send(handshake("/echo", ""), new byte[0]);
			client.responseHead();
			assertThat(client.nextEvent()).isEqualTo("ping ");
		}
	}

	@Test
	void permessageDeflateIsNegotiatedAndMessagesTravelCompressedBothWays() throws Exception {
		this.limits = this.limits.withPerMessageDeflate(true);
		try (RawClient client = new RawClient(port(), true)) {
			byte[] compressed = PerMessageDeflate.compress("squeeze me, squeeze me".getBytes(StandardCharsets.UTF_8));
			client.send(handshake("/echo", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"),
					WebSocketFrameEncoder.frame(1, true, true, compressed, 0, -1, new byte[] { 5, 6, 7, 8 }).array());
			assertThat(client.responseHead())
				.contains("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n");
			int first = client.in.read();
			assertThat(first).as("FIN, RSV1 (compressed), text").isEqualTo(0xC1);
			client.decoder.decode(ByteBuffer.wrap(new byte[] { (byte) first }), client.sink);
			assertThat(client.nextEvent()).isEqualTo("text squeeze me, squeeze me");
		}
	}

	@Test
	void aDeflateOfferIsDeclinedWhenPermessageDeflateIsOff() throws Exception {
		try (RawClient client = new RawClient(port())) {
			client.send(handshake("/echo", "Sec-WebSocket-Extensions: permessage-deflate\r\n"), frame(0x81, "plain"));
			assertThat(client.responseHead()).startsWith("HTTP/1.1 101 ").doesNotContain("Sec-WebSocket-Extensions");
			assertThat(client.nextEvent()).isEqualTo("text plain");
		}
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', textBlock = """
			no Upgrade field                  | 426 | GET /echo HTTP/1.1\\r\\nHost: h\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n
			POST                              | 405 | POST /echo HTTP/1.1\\r\\nHost: h\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\nContent-Length: 0\\r\\n\\r\\n
			no Connection: Upgrade            | 400 | GET /echo HTTP/1.1\\r\\nHost: h\\r\\nUpgrade: websocket\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n
			no key                            | 400 | GET /echo HTTP/1.1\\r\\nHost: h\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n
			a key of 15 bytes                 | 400 | GET /echo HTTP/1.1\\r\\nHost: h\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n
			no version                        | 400 | GET /echo HTTP/1.1\\r\\nHost: h\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\n\\r\\n
			version 8                         | 426 | GET /echo HTTP/1.1\\r\\nHost: h\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 8\\r\\n\\r\\n
			a page of another site            | 403 | GET /echo HTTP/1.1\\r\\nHost: h\\r\\nOrigin: http://evil.example\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n
			a path without WebSocket          | 404 | GET /nothing HTTP/1.1\\r\\nHost: h\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n
			""")
	void badHandshakesAreRefusedAndTheConnectionStaysHttp(String why, int status, String request) throws Exception {
		try (RawClient client = new RawClient(port())) {
			client.send(request.replace("\\r\\n", "\r\n") + "GET / HTTP/1.1\r\nHost: h\r\n\r\n", new byte[0]);
			String head = client.responseHead();
			assertThat(head).startsWith("HTTP/1.1 " + status + " ");
			if (why.equals("version 8")) {
				assertThat(head).contains("Sec-WebSocket-Version: 13\r\n");
			}
			if (why.equals("no Upgrade field")) {
				assertThat(head).contains("Upgrade: websocket\r\n");
			}
			client.skipBody(head);
			assertThat(client.responseHead()).startsWith("HTTP/1.1 200 ");
		}
		assertThat(this.webSockets.sessions()).isEmpty();
	}

	@Test
	void aSameOriginPageIsAllowed() throws Exception {
		try (RawClient client = new RawClient(port())) {
			client.send(handshake("/echo", "Host: 127.0.0.1:" + port() + "\r\nOrigin: http://127.0.0.1:" + port() + "\r\n")
				.replace("Host: 127.0.0.1\r\n", ""), new byte[0]);
			assertThat(client.responseHead()).startsWith("HTTP/1.1 101 ");
		}
	}

	private WebSocket connectJdk(String path, Listener listener, String... subprotocols) {
		WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
		if (subprotocols.length > 0) {
			builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
		}
		return builder.buildAsync(URI.create("ws://127.0.0.1:" + port() + path), listener).join();
	}

	private static String handshake(String path, String extraFields) {
		return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraFields + "Upgrade: websocket\r\n"
				+ "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
	}

	private static byte[] frame(int firstByte, String text) {
		return WebSocketFrameEncoder.frame(firstByte & 0x0F, (firstByte & 0x80) != 0,
				text.getBytes(StandardCharsets.UTF_8), 0, -1, new byte[] { 9, 8, 7, 6 }).array();
	}

	/** What the JDK client receives, one line per event. */
	static final class Listener implements WebSocket.Listener {

		final BlockingQueue<String> events = new LinkedBlockingQueue<>();

		private final StringBuilder text = new StringBuilder();

		String next() throws InterruptedException {
			String event = this.events.poll(10, TimeUnit.SECONDS);
			assertThat(event).as("an event within 10 s").isNotNull();
			return event;
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.text.append(data);
			if (last) {
				this.events.add("text " + this.text);
				this.text.setLength(0);
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
			this.events.add("binary " + RecordingSink.hex(data));
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.events.add("close " + statusCode);
			return CompletableFuture.completedFuture(null);
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.events.add("error " + error);
		}

	}

	/** A hand-driven client: bytes out as given, the response head as text, then frames decoded. */
	static final class RawClient implements AutoCloseable {

		private final Socket socket;

		final InputStream in;

		final WebSocketFrameDecoder decoder;

		final RecordingSink sink = new RecordingSink();

		RawClient(int port) throws IOException {
			this(port, false);
		}

		RawClient(int port, boolean deflate) throws IOException {
			this.decoder = new WebSocketFrameDecoder(1 << 20, 1 << 20, false, deflate, false);
			this.socket = TestSockets.connect(port);
			this.socket.setSoTimeout(10_000);
			this.in = this.socket.getInputStream();
		}

		void send(String head, byte[] after) throws IOException {
			ByteArrayOutputStream bytes = new ByteArrayOutputStream();
			bytes.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
			bytes.writeBytes(after);
			this.socket.getOutputStream().write(bytes.toByteArray());
		}

		String responseHead() throws IOException {
			StringBuilder head = new StringBuilder();
			while (!head.toString().endsWith("\r\n\r\n")) {
				int b = this.in.read();
				if (b < 0) {
					throw new IOException("Closed inside a response head: " + head);
				}
				head.append((char) b);
			}
			return head.toString();
		}

		void skipBody(String head) throws IOException {
			int at = head.indexOf("Content-Length: ");
			int length = Integer.parseInt(head.substring(at + 16, head.indexOf("\r\n", at)));
			TestSockets.readFully(this.in, length);
		}

		String nextEvent() throws IOException {
			byte[] one = new byte[1];
			while (this.sink.events.isEmpty()) {
				int b = this.in.read();
				if (b < 0) {
					throw new IOException("Closed before a frame arrived");
				}
				one[0] = (byte) b;
				this.decoder.decode(ByteBuffer.wrap(one), this.sink);
			}
			return this.sink.events.remove(0);
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}
