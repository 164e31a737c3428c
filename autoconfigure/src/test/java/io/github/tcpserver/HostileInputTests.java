package io.github.tcpserver;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.tcpserver.codec.LineCodec;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.FramingHandler;
import io.github.tcpserver.protocol.chat.ChatProtocol;
import io.github.tcpserver.protocol.chat.LocalChatRoom;
import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.protocol.http.HttpLimits;
import io.github.tcpserver.protocol.http.HttpResponse;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Garbage, truncated input and slow peers sent to every protocol (echo, chat, HTTP) on one server:
 * each offender gets at most its own connection closed while well-behaved clients of every
 * protocol carry on.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HostileInputTests {

	private SelectorServer server;

	private HttpServerHandler http;

	@BeforeEach
	void start() {
		this.http = new HttpServerHandler(new HttpRouter().get("/", (request) -> HttpResponse.text("Hello, world!")),
				new HttpLimits(1024, 4096, 4096, 16, Duration.ofMillis(800), Duration.ofMillis(600)));
		this.server = new SelectorServer(ServerConfig.builder().ioThreads(2).build(),
				List.of(new ListenerSpec("echo", InetAddress.getLoopbackAddress(), 0, new EchoHandler()),
						new ListenerSpec("chat", InetAddress.getLoopbackAddress(), 0,
								new FramingHandler<>(new LineCodec(512), new ChatProtocol(new LocalChatRoom()))),
						new ListenerSpec("http", InetAddress.getLoopbackAddress(), 0, this.http)));
		this.server.start();
	}

	@AfterEach
	void stop() {
		this.server.stop(Duration.ZERO);
	}

	@ParameterizedTest(name = "random bytes, then truncated input, to {0}")
	@ValueSource(strings = { "echo", "chat", "http" })
	void randomAndTruncatedInputLeavesTheServerServingEveryProtocol(String protocol) throws Exception {
		Random random = new Random(protocol.hashCode());
		for (int round = 0; round < 20; round++) {
			byte[] junk = new byte[1 + random.nextInt(32 * 1024)];
			random.nextBytes(junk);
			sendAndAbandon(this.server.port(protocol), junk, round % 2 == 0);
		}
		// Truncated: the first half of a valid exchange, then the peer goes away.
		sendAndAbandon(this.server.port("http"), "GET / HTTP/1.1\r\nHost: x\r\nContent-Le".getBytes(), false);
		sendAndAbandon(this.server.port("http"), "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc".getBytes(), true);
		sendAndAbandon(this.server.port("chat"), "NAME: half".getBytes(), false);
		sendAndAbandon(this.server.port("chat"), new byte[] { 'h', 'i', (byte) 0xE2, (byte) 0x82 }, true);
		assertEveryProtocolServes();
		TestSockets.await(Duration.ofSeconds(10), "hostile connections released",
				() -> this.server.activeConnections() == 0);
		if (!protocol.equals("echo")) {
			// Echo accepts any bytes; chat and HTTP count what they reject, for the meters.
			assertThat(this.server.listener(protocol).orElseThrow().protocolErrors()).isPositive();
		}
	}

	private static void sendAndAbandon(int port, byte[] bytes, boolean reset) throws IOException {
		Socket socket = TestSockets.connect(port);
		try {
			socket.getOutputStream().write(bytes);
		}
		catch (SocketException closedByServer) {
			// a protocol may close on the first bad byte: fine
		}
		if (reset) {
			socket.setSoLinger(true, 0);
		}
		socket.close();
	}

	private void assertEveryProtocolServes() throws IOException {
		try (Socket echo = TestSockets.connect(this.server.port("echo"))) {
			echo.getOutputStream().write("ping".getBytes());
			assertThat(TestSockets.readFully(echo.getInputStream(), 4)).asString().isEqualTo("ping");
		}
		try (Socket chat = TestSockets.connect(this.server.port("chat"))) {
			BufferedReader in = new BufferedReader(new InputStreamReader(chat.getInputStream(), StandardCharsets.UTF_8));
			assertThat(in.readLine()).startsWith("* Welcome");
			chat.getOutputStream().write("NAME: survivor\n".getBytes(StandardCharsets.UTF_8));
			assertThat(in.readLine()).startsWith("* Welcome, survivor");
		}
		try (Socket http = TestSockets.connect(this.server.port("http"))) {
			http.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
			String response = new String(http.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
			assertThat(response).startsWith("HTTP/1.1 200 ").endsWith("Hello, world!");
		}
	}

	@Test
	void anHttpSlowlorisIsAnswered408AndClosedWhileOthersAreServed() throws Exception {
		try (Socket slowloris = TestSockets.connect(this.server.port("http"))) {
			OutputStream out = slowloris.getOutputStream();
			slowloris.setSoTimeout(150);
			InputStream in = slowloris.getInputStream();
			byte[] head = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes();
			StringBuilder answer = new StringBuilder();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
			// One byte per ~150 ms: each arrives well within the 800 ms idle timeout, yet the head as a
			// whole overruns its 600 ms deadline.
			for (int i = 0; i < head.length && System.nanoTime() < deadline; i++) {
				try {
					out.write(head[i]);
				}
				catch (SocketException closed) {
					break;
				}
				try {
					int b;
					while ((b = in.read()) != -1) {
						answer.append((char) b);
					}
					break;
				}
				catch (SocketTimeoutException nothingYet) {
					// keep trickling
				}
			}
			assertThat(answer.toString()).startsWith("HTTP/1.1 408 ");
			assertEveryProtocolServes();
		}
		assertThat(this.http.headerTimeouts()).isEqualTo(1);
	}

	@Test
	void aSilentHttpConnectionIsClosedByTheIdleTimeout() throws Exception {
		try (Socket silent = TestSockets.connect(this.server.port("http"))) {
			silent.setSoTimeout(20_000);
			assertThat(silent.getInputStream().read()).isEqualTo(-1);
		}
		assertThat(this.server.listener("http").orElseThrow().timeouts()).isEqualTo(1);
	}

}
