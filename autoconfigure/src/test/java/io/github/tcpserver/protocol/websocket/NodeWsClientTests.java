package io.github.tcpserver.protocol.websocket;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.http.HttpLimits;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interoperability with another implementation: Node's {@code ws} client (installed by
 * {@code .ci/run} with {@code npm ci} in {@code src/test/node}) negotiates
 * permessage-deflate with context takeover, fragments a message, sends binary and a ping, and
 * gets everything echoed in order, then closes cleanly.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeWsClientTests {

	private static final Path CLIENT = Path.of("src/test/node");

	private final SelectorServer server = new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
			List.of(new ListenerSpec("http", InetAddress.getLoopbackAddress(), 0,
					new HttpServerHandler(new HttpRouter(), HttpLimits.defaults(), "test",
							new WebSocketUpgradeHandler(WebSocketLimits.defaults().withPerMessageDeflate(true))
								.route("/echo", new Echo(), "echo.v1")))));

	@AfterEach
	void stop() {
		this.server.stop(Duration.ZERO);
	}

	@Test
	void nodeWsClientGetsEveryMessageEchoedCompressedAndClosesCleanly() throws Exception {
		// A missing client fails the build rather than skipping the test.
		assertThat(CLIENT.resolve("node_modules/ws")).as("Node's ws client (npm ci in src/test/node, run by .ci/run)")
			.isDirectory();
		this.server.start();
		Process node = new ProcessBuilder("node", "ws-interop.mjs", "ws://127.0.0.1:" + this.server.port("http") + "/echo")
			.directory(CLIENT.toFile())
			.redirectErrorStream(true)
			.start();
		List<String> lines;
		try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
			lines = out.lines().toList();
		}
		assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(lines).containsExactly("extensions permessage-deflate; server_no_context_takeover", "protocol echo.v1",
				"text hello from node", "text 20000 bytes", "text fragmented ☺", "binary 010203", "pong p", "close 1000");
		assertThat(node.exitValue()).isZero();
	}

	private static final class Echo implements WebSocketHandler {

		@Override
		public void onText(WebSocketSession session, String text) {
			session.sendText(text);
		}

		@Override
		public void onBinary(WebSocketSession session, ByteBuffer data) {
			session.sendBinary(data);
		}

	}

}
