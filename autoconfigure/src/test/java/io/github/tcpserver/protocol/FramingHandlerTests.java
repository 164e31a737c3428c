package io.github.tcpserver.protocol;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.codec.FrameCodec;
import io.github.tcpserver.codec.FrameException;
import io.github.tcpserver.codec.LineCodec;
import io.github.tcpserver.codec.RawCodec;
import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FramingHandler} over real loopback sockets: whole frames however the bytes are split, a
 * reply then a close on a framing error, and the handler's own attachment slot.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FramingHandlerTests {

	private final List<SelectorServer> servers = new ArrayList<>();

	@AfterEach
	void stop() {
		this.servers.forEach((server) -> server.stop(Duration.ZERO));
	}

	private <F> int start(FrameCodec<F> codec, FrameHandler<F> handler) {
		SelectorServer server = new SelectorServer(ServerConfig.builder().ioThreads(1).build(), List.of(
				new ListenerSpec("test", InetAddress.getLoopbackAddress(), 0, new FramingHandler<>(codec, handler))));
		this.servers.add(server);
		server.start();
		return server.port("test");
	}

	/** The README's example. */
	private static FrameHandler<String> shout() {
		return new FrameHandler<String>() {
			public void onFrame(FramedConnection<String> c, String line) {
				c.send(line.toUpperCase(Locale.ROOT));
			}

			public void onFrameError(FramedConnection<String> c, FrameException e) {
				c.send("ERR " + e.getMessage());
			}
		};
	}

	@Test
	void aLineHandlerGetsWholeLinesHoweverTheBytesAreSplitAndMayReplyToAFramingError() throws Exception {
		int port = start(new LineCodec(8), shout());
		try (Socket socket = TestSockets.connect(port)) {
			OutputStream out = socket.getOutputStream();
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			for (byte b : "abc\r\nd".getBytes(StandardCharsets.UTF_8)) {
				out.write(b);
				out.flush();
			}
			out.write("ef\nghi\n".getBytes(StandardCharsets.UTF_8));
			out.flush();
			assertThat(in.readLine()).isEqualTo("ABC");
			assertThat(in.readLine()).isEqualTo("DEF");
			assertThat(in.readLine()).isEqualTo("GHI");
			out.write("way too long for eight\n".getBytes(StandardCharsets.UTF_8));
			out.flush();
			assertThat(in.readLine()).isEqualTo("ERR Line longer than 8 bytes");
			assertThat(in.readLine()).as("closed after the error reply").isNull();
		}
	}

	@Test
	void theHandlersAttachmentIsItsOwnAndDoesNotDisturbTheDecoder() throws Exception {
		AtomicReference<FramedConnection<String>> framed = new AtomicReference<>();
		int port = start(new LineCodec(64), new FrameHandler<String>() {
			@Override
			public void onOpen(FramedConnection<String> connection) {
				connection.attach(new ArrayList<String>());
				framed.set(connection);
			}

			@Override
			@SuppressWarnings("unchecked")
			public void onFrame(FramedConnection<String> connection, String line) {
				List<String> seen = (List<String>) connection.attachment();
				seen.add(line);
				connection.send(String.join(",", seen));
			}
		});
		try (Socket socket = TestSockets.connect(port)) {
			socket.getOutputStream().write("a\nb\n".getBytes(StandardCharsets.UTF_8));
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			assertThat(in.readLine()).isEqualTo("a");
			assertThat(in.readLine()).isEqualTo("a,b");
			Connection underlying = framed.get().unwrap();
			assertThat(underlying.attachment()).isSameAs(framed.get());
			assertThat(framed.get().attachment()).isInstanceOf(List.class);
		}
	}

	@Test
	void rawFramingHandsOnTheBytesAsRead() throws Exception {
		byte[] payload = TestSockets.randomBytes(32 * 1024, 5);
		int port = start(new RawCodec(), (connection, data) -> connection.write(data));
		try (Socket socket = TestSockets.connect(port)) {
			socket.getOutputStream().write(payload);
			assertThat(TestSockets.readFully(socket.getInputStream(), payload.length)).isEqualTo(payload);
		}
	}

}
