package io.github.tcpserver.sample.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.protocol.chat.ChatProtocol;
import io.github.tcpserver.protocol.chat.ChatRoom;
import io.github.tcpserver.protocol.http.HttpLimits;
import io.github.tcpserver.protocol.http.HttpRequest;
import io.github.tcpserver.protocol.http.HttpResponse;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;
import io.github.tcpserver.protocol.websocket.TextFrameWebSocketHandler;
import io.github.tcpserver.protocol.websocket.WebSocketLimits;
import io.github.tcpserver.protocol.websocket.WebSocketUpgradeHandler;

/**
 * An HTTP listener on {@code http.port} (9080), and the same over TLS on
 * {@code sample.tls.https-port} (9444): {@code GET /} greets, {@code GET /json} answers JSON,
 * {@code POST /echo} sends the body back, {@code GET /chat.html} is the chat page, and
 * {@code ws://.../chat} ({@code wss://} on the TLS port) is the chat room over WebSocket (the same
 * room as the TCP chat listeners) and {@code ws://.../ws/echo} echoes every message.
 */
@Configuration(proxyBeanMethods = false)
public class HttpSampleConfiguration {

	/**
	 * Built once: a constant response is not modified by sending it. Plain ASCII, so
	 * {@code text/plain} needs no charset parameter (RFC 9110 §8.3.1).
	 */
	private static final HttpResponse HELLO = HttpResponse.ok()
		.contentType("text/plain")
		.body("Hello, world!".getBytes(StandardCharsets.US_ASCII));

	@Bean
	@SocketHandler(port = "${http.port:9080}")
	HttpServerHandler http(HttpLimits limits, WebSocketLimits webSocketLimits, ChatRoom chatRoom) throws IOException {
		return new HttpServerHandler(router(), limits, HttpServerHandler.DEFAULT_SERVER_NAME,
				webSockets(webSocketLimits, chatRoom));
	}

	/** The same routes and chat room over TLS (SSL bundle {@code sample}) on {@code sample.tls.https-port} (9444). */
	@Bean
	@SocketHandler(port = "${sample.tls.https-port:9444}", sslBundle = "sample")
	HttpServerHandler https(HttpLimits limits, WebSocketLimits webSocketLimits, ChatRoom chatRoom) throws IOException {
		return new HttpServerHandler(router(), limits, HttpServerHandler.DEFAULT_SERVER_NAME,
				webSockets(webSocketLimits, chatRoom));
	}

	private static HttpRouter router() throws IOException {
		HttpResponse chatPage = HttpResponse.ok().contentType("text/html;charset=UTF-8").body(resource("chat.html"));
		return new HttpRouter().get("/", (request) -> HELLO)
			.get("/json", HttpSampleConfiguration::json)
			.post("/echo", HttpSampleConfiguration::echo)
			.get("/whoami", HttpSampleConfiguration::whoami)
			.get("/chat.html", (request) -> chatPage);
	}

	/** One per listener: each counts its own sessions and messages. */
	private static WebSocketUpgradeHandler webSockets(WebSocketLimits limits, ChatRoom chatRoom) {
		return new WebSocketUpgradeHandler(limits).route("/chat", new TextFrameWebSocketHandler(new ChatProtocol(chatRoom)))
			.route("/ws/echo", new EchoWebSocketHandler());
	}

	/** Read once at start-up: the page is small and never changes while the server runs. */
	private static byte[] resource(String name) throws IOException {
		try (InputStream in = HttpSampleConfiguration.class.getResourceAsStream(name)) {
			if (in == null) {
				throw new IllegalStateException("Missing resource " + name + " next to " + HttpSampleConfiguration.class);
			}
			return in.readAllBytes();
		}
	}

	private static HttpResponse json(HttpRequest request) {
		String name = request.queryParameter("name");
		return HttpResponse.json("{\"message\":\"Hello, " + jsonEscape((name != null) ? name : "world") + "!\"}");
	}

	/**
	 * The client's address and port as the server sees them, and the balancer's behind one that
	 * sends the PROXY protocol ({@code tcp.server.proxy-protocol.mode}).
	 */
	private static HttpResponse whoami(HttpRequest request) {
		InetSocketAddress client = request.remoteAddress();
		InetSocketAddress proxy = request.proxyAddress();
		return HttpResponse.json("{\"address\":\"" + client.getAddress().getHostAddress() + "\",\"port\":"
				+ client.getPort() + ((proxy != null) ? ",\"proxy\":\"" + proxy.getAddress().getHostAddress() + ":"
						+ proxy.getPort() + "\"" : "") + "}");
	}

	private static HttpResponse echo(HttpRequest request) {
		String type = request.header("Content-Type");
		return HttpResponse.ok().contentType((type != null) ? type : "application/octet-stream").body(request.body());
	}

	private static String jsonEscape(String text) {
		StringBuilder escaped = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '"' || c == '\\') {
				escaped.append('\\').append(c);
			}
			else if (c < 0x20) {
				escaped.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
			}
			else {
				escaped.append(c);
			}
		}
		return escaped.toString();
	}

}
