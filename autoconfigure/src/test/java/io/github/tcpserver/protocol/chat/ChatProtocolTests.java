package io.github.tcpserver.protocol.chat;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.tcpserver.codec.LengthPrefixedCodec;
import io.github.tcpserver.codec.LineCodec;
import io.github.tcpserver.codec.Utf8Codec;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.FramingHandler;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat room over real loopback sockets: a line listener and a length-prefixed listener
 * sharing one {@link ChatRoom}, with several clients each.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatProtocolTests {

	private static final int MAX_LINE = 256;

	private final List<SelectorServer> servers = new ArrayList<>();

	private final List<Socket> sockets = new ArrayList<>();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private ChatRoom room = new LocalChatRoom();

	private SelectorServer server;

	@AfterEach
	void stopEverything() throws IOException {
		this.executor.shutdownNow();
		for (Socket socket : this.sockets) {
			socket.close();
		}
		this.servers.forEach((server) -> server.stop(Duration.ZERO));
	}

	private void start(ChatRoom room, ServerConfig config) {
		this.room = room;
		ChatProtocol chat = new ChatProtocol(room);
		this.server = new SelectorServer(config,
				List.of(new ListenerSpec("lines", InetAddress.getLoopbackAddress(), 0,
						new FramingHandler<>(new LineCodec(MAX_LINE), chat)),
						new ListenerSpec("frames", InetAddress.getLoopbackAddress(), 0,
								new FramingHandler<>(new Utf8Codec(new LengthPrefixedCodec(MAX_LINE)), chat))));
		this.servers.add(this.server);
		this.server.start();
	}

	private void start() {
		start(new LocalChatRoom(), ServerConfig.builder().ioThreads(2).build());
	}

	private LineClient connect() throws IOException {
		Socket socket = TestSockets.connect(this.server.port("lines"));
		socket.setSoTimeout(10_000);
		this.sockets.add(socket);
		LineClient client = new LineClient(socket);
		assertThat(client.readLine()).startsWith("* Welcome to the chat! What is your name?");
		return client;
	}

	private LineClient login(String name) throws IOException {
		LineClient client = connect();
		client.send("NAME: " + name);
		assertThat(client.readLine()).startsWith("* Welcome, " + name + "!");
		return client;
	}

	@Test
	void loginAnswersWithTheAddressTheServerSeesAndOthersAreToldOfJoinsAndLeaves() throws Exception {
		start();
		LineClient alice = login("alice");
		LineClient bob = connect();
		bob.send("/nick bob");
		assertThat(bob.readLine()).isEqualTo("* Welcome, bob! You are connected from 127.0.0.1:"
				+ bob.socket.getLocalPort() + ". /help lists the commands");
		assertThat(alice.readLine()).isEqualTo("* bob joined the room");
		LineClient carol = login("carol");
		assertThat(alice.readLine()).isEqualTo("* carol joined the room");
		assertThat(bob.readLine()).isEqualTo("* carol joined the room");
		assertThat(this.room.memberNames()).containsExactly("alice", "bob", "carol");

		bob.send("/quit");
		assertThat(bob.readLine()).isEqualTo("* Bye, bob!");
		assertThat(bob.readLine()).as("closed after /quit").isNull();
		bob.socket.close();
		assertThat(alice.readLine()).isEqualTo("* bob left the room");
		assertThat(carol.readLine()).isEqualTo("* bob left the room");

		carol.socket.close();
		assertThat(alice.readLine()).isEqualTo("* carol left the room (disconnected)");
		alice.send("/who");
		assertThat(alice.readLine()).isEqualTo("* In the room (1): alice");
	}

	@Test
	void messagesReachEveryOtherMemberInOrderPrefixedWithTheSenderAndAreNotEchoed() throws Exception {
		start();
		LineClient alice = login("alice");
		LineClient bob = login("bob");
		LineClient carol = login("carol");
		alice.skip(2);
		bob.skip(1);
		int count = 500;
		for (int i = 0; i < count; i++) {
			alice.send("message " + i + " ünïcødé");
		}
		for (LineClient receiver : List.of(bob, carol)) {
			for (int i = 0; i < count; i++) {
				assertThat(receiver.readLine()).isEqualTo("alice: message " + i + " ünïcødé");
			}
		}
		alice.send("/who");
		assertThat(alice.readLine()).as("nothing of her own came back before the reply")
			.isEqualTo("* In the room (3): alice, bob, carol");
	}

	@Test
	void privateMessagesGoToTheirRecipientOnly() throws Exception {
		start();
		LineClient alice = login("alice");
		LineClient bob = login("bob");
		LineClient carol = login("carol");
		alice.skip(2);
		bob.skip(1);
		alice.send("/msg BOB meet me at noon");
		assertThat(bob.readLine()).isEqualTo("alice (private): meet me at noon");
		alice.send("/msg dave hello?");
		assertThat(alice.readLine()).startsWith("! No one else here is called 'dave'");
		alice.send("/msg alice note to self");
		assertThat(alice.readLine()).startsWith("! No one else here is called 'alice'");
		alice.send("public again");
		assertThat(carol.readLine()).as("carol saw nothing private").isEqualTo("alice: public again");
		assertThat(bob.readLine()).isEqualTo("alice: public again");
	}

	@Test
	void takenOrInvalidNamesAreRefusedAndTheClientMayRetry() throws Exception {
		start();
		LineClient alice = login("alice");
		LineClient other = connect();
		other.send("NAME: ALICE");
		assertThat(other.readLine()).isEqualTo("! The name 'ALICE' is taken; choose another");
		other.send("NAME: two words");
		assertThat(other.readLine()).startsWith("! Invalid name 'two words'");
		other.send("hello?");
		assertThat(other.readLine()).isEqualTo("! Log in first: NAME: <name>");
		other.send("/nick alice2");
		assertThat(other.readLine()).startsWith("* Welcome, alice2!");
		assertThat(alice.readLine()).isEqualTo("* alice2 joined the room");
		other.send("/nick al");
		assertThat(other.readLine()).isEqualTo("* You are now al");
		assertThat(alice.readLine()).isEqualTo("* alice2 is now known as al");
		assertThat(this.room.memberNames()).containsExactly("al", "alice");
	}

	@Test
	void unknownCommandsGetAOneLineErrorAndHelpListsTheCommands() throws Exception {
		start();
		LineClient alice = login("alice");
		alice.send("/dance wildly");
		assertThat(alice.readLine()).isEqualTo("! Unknown command '/dance'; /help lists the commands");
		alice.send("/help");
		assertThat(alice.readLine()).startsWith("* Commands:").contains("/who", "/msg", "/quit", "/help");
		alice.send("/who");
		assertThat(alice.readLine()).isEqualTo("* In the room (1): alice");
	}

	@Test
	void anOverLongLineGetsAnErrorAndDisconnectsOnlyItsSender() throws Exception {
		start();
		LineClient alice = login("alice");
		LineClient mallory = login("mallory");
		alice.skip(1);
		mallory.out.write("x".repeat(MAX_LINE + 10).getBytes(StandardCharsets.US_ASCII));
		mallory.out.flush();
		assertThat(mallory.readLine())
			.isEqualTo("! Protocol error: message too long (the limit is " + MAX_LINE + " bytes); disconnecting");
		assertThat(mallory.readLine()).isNull();
		assertThat(alice.readLine())
			.isEqualTo("* mallory left the room (protocol error: message too long (the limit is 256 bytes))");
		LineClient bob = login("bob");
		alice.skip(1);
		bob.send("x".repeat(MAX_LINE));
		assertThat(alice.readLine()).isEqualTo("bob: " + "x".repeat(MAX_LINE));
	}

	@Test
	void invalidUtf8GetsAnErrorAndDisconnectsOnlyItsSender() throws Exception {
		start();
		LineClient alice = login("alice");
		LineClient mallory = login("mallory");
		alice.skip(1);
		mallory.out.write(new byte[] { 'h', 'i', (byte) 0xC3, (byte) 0x28, '\n' });
		mallory.out.flush();
		assertThat(mallory.readLine()).isEqualTo("! Protocol error: invalid UTF-8; disconnecting");
		assertThat(mallory.readLine()).isNull();
		assertThat(alice.readLine()).isEqualTo("* mallory left the room (protocol error: invalid UTF-8)");
		alice.send("/who");
		assertThat(alice.readLine()).isEqualTo("* In the room (1): alice");
	}

	@Test
	void linesAndFramesWrittenOneByteAtATimeDecodeWhole() throws Exception {
		start();
		LineClient alice = login("alice");
		LineClient bob = connect();
		for (byte b : "NAME: bob\r\nhéllo wörld €\r\n".getBytes(StandardCharsets.UTF_8)) {
			bob.out.write(b);
			bob.out.flush();
		}
		assertThat(alice.readLine()).isEqualTo("* bob joined the room");
		assertThat(alice.readLine()).isEqualTo("bob: héllo wörld €");

		FrameClient zed = connectFrames();
		byte[] frames = concat(frame("NAME: zed"), frame("zür"));
		for (byte b : frames) {
			zed.out.write(b);
			zed.out.flush();
		}
		assertThat(zed.read()).startsWith("* Welcome, zed!");
		assertThat(alice.readLine()).isEqualTo("* zed joined the room");
		assertThat(alice.readLine()).isEqualTo("zed: zür");
	}

	@Test
	void theSameRoomWorksOverLengthPrefixedFrames() throws Exception {
		start();
		LineClient alice = login("alice");
		FrameClient zed = connectFrames();
		zed.send("NAME: zed");
		assertThat(zed.read()).startsWith("* Welcome, zed! You are connected from 127.0.0.1:");
		assertThat(alice.readLine()).isEqualTo("* zed joined the room");
		zed.send("hi from a frame");
		assertThat(alice.readLine()).isEqualTo("zed: hi from a frame");
		alice.send("hello zed");
		assertThat(zed.read()).isEqualTo("alice: hello zed");
		zed.send("two\nlines");
		assertThat(alice.readLine()).as("a line break cannot forge a second line").isEqualTo("zed: two lines");
		zed.send("/msg alice psst");
		assertThat(alice.readLine()).isEqualTo("zed (private): psst");
		zed.send("/who");
		assertThat(zed.read()).isEqualTo("* In the room (2): alice, zed");

		zed.out.writeInt(MAX_LINE + 1);
		zed.out.flush();
		assertThat(zed.read()).startsWith("! Protocol error: message too long");
		assertThat(zed.in.read()).isEqualTo(-1);
		assertThat(alice.readLine()).startsWith("* zed left the room (protocol error:");
	}

	@Test
	void aMemberThatStopsReadingIsDisconnectedWhileTheOthersReceiveEverything() throws Exception {
		// Small socket buffers, so the non-reader's backlog lands in the server's queue quickly.
		start(new LocalChatRoom(ChatMessageFilter.ACCEPT_ALL, 64 * 1024),
				ServerConfig.builder().ioThreads(2).sendBufferSize(8 * 1024).build());
		Socket stalled = new Socket();
		this.sockets.add(stalled);
		stalled.setReceiveBufferSize(4 * 1024);
		stalled.connect(new InetSocketAddress("127.0.0.1", this.server.port("lines")), 5000);
		stalled.getOutputStream().write("NAME: sleepy\n".getBytes(StandardCharsets.US_ASCII));
		TestSockets.await(Duration.ofSeconds(5), "sleepy logged in", () -> this.room.size() == 1);
		LineClient alice = login("alice");
		LineClient bob = login("bob");
		alice.skip(1);
		// Alice sends in batches that bob reads before the next: bob keeps up, as a live client does,
		// while sleepy's backlog grows past the room's limit.
		int batches = 50;
		int batch = 100;
		String padding = "-".repeat(60);
		boolean sleepyLeft = false;
		for (int b = 0; b < batches; b++) {
			StringBuilder lines = new StringBuilder();
			for (int i = 0; i < batch; i++) {
				lines.append("message ").append(b * batch + i).append(' ').append(padding).append('\n');
			}
			alice.out.write(lines.toString().getBytes(StandardCharsets.US_ASCII));
			alice.out.flush();
			for (int i = 0; i < batch;) {
				String line = bob.readLine();
				assertThat(line).as("bob is still connected").isNotNull();
				if (line.startsWith("* sleepy left the room (not reading: ")) {
					sleepyLeft = true;
				}
				else {
					assertThat(line).isEqualTo("alice: message " + (b * batch + i) + " " + padding);
					i++;
				}
			}
		}
		if (!sleepyLeft) {
			assertThat(bob.readLine()).startsWith("* sleepy left the room (not reading: ");
		}
		assertThat(this.room.slowMemberDisconnects()).isEqualTo(1);
		assertThat(this.room.memberNames()).containsExactly("alice", "bob");
		assertThat(alice.readLine()).startsWith("* sleepy left the room (not reading: ");
	}

	@Test
	void aFilterMayRewriteOrRejectMessages() throws Exception {
		start(new LocalChatRoom((sender, recipient, text) -> text.contains("spam")
				? ChatMessageFilter.Result.reject("No spam, " + sender.name())
				: ChatMessageFilter.Result.accept((recipient != null) ? text : text.toUpperCase(Locale.ROOT)),
				ChatRoom.DEFAULT_MAX_PENDING_OUTPUT), ServerConfig.builder().ioThreads(2).build());
		LineClient alice = login("alice");
		LineClient bob = login("bob");
		alice.skip(1);
		alice.send("buy spam");
		assertThat(alice.readLine()).isEqualTo("! No spam, alice");
		alice.send("quiet please");
		assertThat(bob.readLine()).isEqualTo("alice: QUIET PLEASE");
		alice.send("/msg bob still quiet");
		assertThat(bob.readLine()).isEqualTo("alice (private): still quiet");
		this.room.announce("maintenance at\nnoon");
		assertThat(alice.readLine()).isEqualTo("* maintenance at noon");
		assertThat(bob.readLine()).isEqualTo("* maintenance at noon");
	}

	@Test
	void aGracefulStopTellsEveryMemberTheServerIsShuttingDown() throws Exception {
		start();
		LineClient alice = login("alice");
		FrameClient zed = connectFrames();
		zed.send("NAME: zed");
		assertThat(zed.read()).startsWith("* Welcome, zed!");
		assertThat(alice.readLine()).isEqualTo("* zed joined the room");
		CompletableFuture<?> stopping = CompletableFuture.runAsync(() -> this.server.stop(Duration.ofSeconds(10)),
				this.executor);
		assertThat(alice.readLine()).isEqualTo("* The server is shutting down. Bye!");
		assertThat(alice.readLine()).isNull();
		alice.socket.close();
		assertThat(zed.read()).isEqualTo("* The server is shutting down. Bye!");
		assertThat(zed.in.read()).isEqualTo(-1);
		zed.in.close();
		stopping.get(10, TimeUnit.SECONDS);
	}

	// ---------------------------------------------------------------- clients

	private FrameClient connectFrames() throws IOException {
		Socket socket = TestSockets.connect(this.server.port("frames"));
		socket.setSoTimeout(10_000);
		this.sockets.add(socket);
		FrameClient client = new FrameClient(socket);
		assertThat(client.read()).startsWith("* Welcome to the chat!");
		return client;
	}

	private static byte[] frame(String text) {
		byte[] payload = text.getBytes(StandardCharsets.UTF_8);
		return concat(new byte[] { 0, 0, (byte) (payload.length >> 8), (byte) payload.length }, payload);
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}

	/** A line client, as {@code nc} would be. */
	static final class LineClient {

		final Socket socket;

		final OutputStream out;

		final BufferedReader in;

		LineClient(Socket socket) throws IOException {
			this.socket = socket;
			this.out = socket.getOutputStream();
			this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
		}

		void send(String line) throws IOException {
			this.out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
			this.out.flush();
		}

		/** @return the next line, or {@code null} once the server closed the connection */
		String readLine() throws IOException {
			try {
				return this.in.readLine();
			}
			catch (SocketTimeoutException ex) {
				throw new AssertionError("No line from the server within the read timeout", ex);
			}
		}

		void skip(int lines) throws IOException {
			for (int i = 0; i < lines; i++) {
				assertThat(readLine()).isNotNull();
			}
		}

	}

	/** A client of the length-prefixed listener. */
	static final class FrameClient {

		final DataOutputStream out;

		final DataInputStream in;

		FrameClient(Socket socket) throws IOException {
			this.out = new DataOutputStream(socket.getOutputStream());
			this.in = new DataInputStream(socket.getInputStream());
		}

		void send(String text) throws IOException {
			this.out.write(frame(text));
			this.out.flush();
		}

		String read() throws IOException {
			int length = this.in.readInt();
			return new String(TestSockets.readFully(this.in, length), StandardCharsets.UTF_8);
		}

	}

}
