package io.github.tcpserver.sample;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.codec.LineCodec;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.FramingHandler;
import io.github.tcpserver.protocol.chat.ChatProtocol;
import io.github.tcpserver.protocol.chat.ChatRoom;
import io.github.tcpserver.protocol.chat.LocalChatRoom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The terminal chat client against a real chat server on loopback, with stdin and stdout piped.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatClientTests {

	private final ChatRoom room = new LocalChatRoom();

	private SelectorServer server;

	private final PipedOutputStream keyboard = new PipedOutputStream();

	private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

	private final ByteArrayOutputStream errors = new ByteArrayOutputStream();

	@BeforeEach
	void startServer() {
		this.server = new SelectorServer(ServerConfig.builder().ioThreads(1).build(), List.of(new ListenerSpec("chat",
				InetAddress.getLoopbackAddress(), 0, new FramingHandler<>(new LineCodec(256), new ChatProtocol(this.room)))));
		this.server.start();
	}

	@AfterEach
	void stopServer() throws IOException {
		this.keyboard.close();
		this.server.stop(Duration.ZERO);
	}

	private CompletableFuture<Integer> startClient(String... args) throws IOException {
		PipedInputStream stdin = new PipedInputStream(this.keyboard);
		PrintStream out = new PrintStream(this.screen, true, StandardCharsets.UTF_8);
		PrintStream err = new PrintStream(this.errors, true, StandardCharsets.UTF_8);
		return CompletableFuture.supplyAsync(() -> ChatClient.run(args, stdin, out, err));
	}

	private void type(String line) throws IOException {
		this.keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
		this.keyboard.flush();
	}

	private String screen() {
		return this.screen.toString(StandardCharsets.UTF_8);
	}

	@Test
	void typedLinesReachTheRoomAndRoomTrafficIsPrintedThenQuitExitsWithZero() throws Exception {
		CompletableFuture<Integer> client = startClient("--chat.client.name=alice", "--chat.client.host=127.0.0.1",
				"--chat.client.port=" + this.server.port("chat"));
		await("alice logged in", () -> screen().contains("* Welcome, alice!"));
		try (Socket bob = new Socket("127.0.0.1", this.server.port("chat"))) {
			bob.setSoTimeout(10_000);
			BufferedReader in = new BufferedReader(new InputStreamReader(bob.getInputStream(), StandardCharsets.UTF_8));
			PrintWriter out = new PrintWriter(bob.getOutputStream(), true, StandardCharsets.UTF_8);
			in.readLine();
			out.println("NAME: bob");
			in.readLine();
			await("bob's join printed", () -> screen().contains("* bob joined the room"));
			type("hi bob, ça va?");
			assertThat(in.readLine()).isEqualTo("alice: hi bob, ça va?");
			out.println("fine!");
			await("bob's message printed", () -> screen().contains("bob: fine!"));
			type("/quit");
			assertThat(client.get(10, TimeUnit.SECONDS)).isEqualTo(ChatClient.EXIT_QUIT);
			assertThat(in.readLine()).isEqualTo("* alice left the room");
		}
		assertThat(screen()).contains("* Bye, alice!");
	}

	@Test
	void theServerGoingAwayIsReportedAndExitsWithTwo() throws Exception {
		CompletableFuture<Integer> client = startClient("--chat.client.name=alice",
				"--chat.client.port=" + this.server.port("chat"));
		await("alice logged in", () -> screen().contains("* Welcome, alice!"));
		this.server.stop(Duration.ofSeconds(5));
		assertThat(client.get(10, TimeUnit.SECONDS)).isEqualTo(ChatClient.EXIT_SERVER_GONE);
		assertThat(screen()).contains("* The server is shutting down. Bye!");
		assertThat(this.errors.toString(StandardCharsets.UTF_8)).contains("closed the connection");
	}

	@Test
	void anUnreachableServerExitsWithOneAndBadArgumentsWith64() throws Exception {
		int closedPort;
		try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closedPort = probe.getLocalPort();
		}
		assertThat(startClient("--chat.client.port=" + closedPort).get(10, TimeUnit.SECONDS))
			.isEqualTo(ChatClient.EXIT_CANNOT_CONNECT);
		assertThat(this.errors.toString(StandardCharsets.UTF_8)).contains("cannot connect to 127.0.0.1:" + closedPort);
		assertThat(ChatClient.run(new String[] { "--chat.client.port=none" }, System.in,
				new PrintStream(this.screen, true, StandardCharsets.UTF_8),
				new PrintStream(this.errors, true, StandardCharsets.UTF_8)))
			.isEqualTo(ChatClient.EXIT_USAGE);
		assertThat(ChatClient.isRequested(new String[] { "--server.port=1" })).isFalse();
		assertThat(ChatClient.isRequested(new String[] { "--chat.client.name=x" })).isTrue();
	}

	private static void await(String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Timed out waiting for " + what);
			}
			LockSupport.parkNanos(5_000_000); // poll interval of a deadline wait
		}
	}

}
