package io.github.tcpserver.sample.http;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import io.github.tcpserver.actuate.TcpServerEndpoint;
import io.github.tcpserver.core.SelectorServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's chat over WebSocket: a browser-like member (the JDK's WebSocket client on
 * {@code /chat} of the HTTP listener) and an {@code nc}-like member (a line client on the chat
 * listener) are in one room and see each other's messages, private messages, joins and leaves.
 */
@SpringBootTest(properties = { "tcp.server.port=0", "http.port=0", "chat.port=0", "chat.framed-port=0",
		"sample.download.port=0", "sample.tls.echo-port=0", "sample.tls.https-port=0", "sample.tls.chat-port=0",
		"sample.tls.mutual-port=0" })
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketChatSampleTests {

	@Autowired
	SelectorServer server;

	@Autowired
	TcpServerEndpoint endpoint;

	@Autowired
	MeterRegistry registry;

	@Test
	void aWebSocketMemberAndALineMemberChatInOneRoom() throws Exception {
		Lines ws = new Lines();
		WebSocket webSocket = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(URI.create("ws://127.0.0.1:" + this.server.port("http") + "/chat"), ws)
			.join();
		try (Socket line = new Socket("127.0.0.1", this.server.port("chat"))) {
			line.setSoTimeout(10_000);
			BufferedReader lineIn = new BufferedReader(new InputStreamReader(line.getInputStream(), StandardCharsets.UTF_8));
			PrintWriter lineOut = new PrintWriter(line.getOutputStream(), true, StandardCharsets.UTF_8);
			assertThat(ws.next()).startsWith("* Welcome to the chat!");
			assertThat(lineIn.readLine()).startsWith("* Welcome to the chat!");

			webSocket.sendText("NAME: carol", true).join();
			assertThat(ws.next()).startsWith("* Welcome, carol!");
			lineOut.println("NAME: dave");
			assertThat(lineIn.readLine()).startsWith("* Welcome, dave!");
			assertThat(ws.next()).isEqualTo("* dave joined the room");

			lineOut.println("hi carol, from nc");
			assertThat(ws.next()).isEqualTo("dave: hi carol, from nc");
			webSocket.sendText("hello dave, from a browser ☺", true).join();
			assertThat(lineIn.readLine()).isEqualTo("carol: hello dave, from a browser ☺");
			webSocket.sendText("/msg dave psst", true).join();
			assertThat(lineIn.readLine()).isEqualTo("carol (private): psst");
			webSocket.sendText("/who", true).join();
			assertThat(ws.next()).isEqualTo("* In the room (2): carol, dave");

			// The Actuator endpoint tells the WebSocket connection from plain HTTP ones; meters count messages.
			long id = this.server.connections().stream().filter((c) -> c.protocol() != null).findFirst().orElseThrow().id();
			assertThat(this.endpoint.connection(id).protocol()).isEqualTo("WebSocket /chat (TextFrameWebSocketHandler)");
			assertThat(this.endpoint.connection(id).listener()).isEqualTo("http");
			assertThat(this.registry.get("tcp.server.websocket.messages").tags("direction", "in", "listener", "http").functionCounter().count())
				.isGreaterThanOrEqualTo(4);
			assertThat(this.registry.get("tcp.server.websocket.sessions").tag("listener", "http").gauge().value()).isEqualTo(1);

			webSocket.sendText("/quit", true).join();
			assertThat(ws.next()).isEqualTo("* Bye, carol!");
			assertThat(ws.next()).isEqualTo("close 1000");
			assertThat(lineIn.readLine()).isEqualTo("* carol left the room");
		}
	}

	@Test
	void theChatPageIsServedAndOpensTheWebSocket() throws Exception {
		var response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.server.port("http") + "/chat.html"))
				.build(), BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html;charset=UTF-8");
		assertThat(response.body()).contains("new WebSocket(").contains("'/chat'");
	}

	@Test
	void theEchoRouteSendsEveryTextAndBinaryMessageBack() throws Exception {
		Lines echoed = new Lines();
		WebSocket webSocket = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(URI.create("ws://127.0.0.1:" + this.server.port("http") + "/ws/echo"), echoed)
			.join();
		webSocket.sendText("hello ☺", true).join();
		assertThat(echoed.next()).isEqualTo("hello ☺");
		webSocket.sendBinary(ByteBuffer.wrap(new byte[] { 1, 2, 3 }), true).join();
		assertThat(echoed.next()).isEqualTo("binary 010203");
		webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
		assertThat(echoed.next()).isEqualTo("close 1000");
	}

	/** Text messages as lines, binary ones in hex, and the close code. */
	static final class Lines implements WebSocket.Listener {

		private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

		private final StringBuilder partial = new StringBuilder();

		String next() throws InterruptedException {
			String line = this.lines.poll(10, TimeUnit.SECONDS);
			assertThat(line).as("a message within 10 s").isNotNull();
			return line;
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.partial.append(data);
			if (last) {
				this.lines.add(this.partial.toString());
				this.partial.setLength(0);
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
			StringBuilder hex = new StringBuilder("binary ");
			while (data.hasRemaining()) {
				hex.append(String.format("%02x", data.get()));
			}
			this.lines.add(hex.toString());
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.lines.add("close " + statusCode);
			return CompletableFuture.completedFuture(null);
		}

	}

}
